"""A suite whose names, paths and docstrings are hostile, for every output format's tests.

``write_hostile_tree(root)`` builds it; the constants say what each renderer must neutralize.
Every hostile string reaches a report: fixture ``name=`` values (any string), ``usefixtures``
arguments (unknown fixture findings), docstrings, ``params=`` and guard source text, impact
descriptions, directory names (quotes, ``%``, ``#``, ``::``, a newline, a right-to-left
override, ``<script>``) and a file name that is not valid UTF-8.

Renderer tests (text, github, sarif, json here; DOT, SVG, HTML, Markdown and Mermaid after the
merge) scan this tree and assert that their output cannot be taken over: no raw control or bidi
characters in display text, no markup injection, no line that starts a workflow command.
"""

from __future__ import annotations

import os
from pathlib import Path

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: shows "evil" as "live" in a terminal or browser
SCRIPT = "<script>alert(1)</script>"
WORKFLOW = "::error::injected"
# A fixture name= that no identifier could spell: quotes, newline, workflow command, %, markup.
EVIL_NAME = f"evil\"quote'\n{WORKFLOW} 100%0A {SCRIPT} {RLO}drow"
EVIL_DOC = f'Docstring with {SCRIPT}, "quotes", 100% and {RLO}txt.\n::warning::second line & <b>bold</b>'
MISSING = f"missing\n{WORKFLOW} <b>x</b> {RLO}"
EVIL_DIR = f"we ird%20 #1 {RLO}<b>&amp;'\"::x"
NEWLINE_DIR = "line\nbreak"
COMMAND_DIR = "::error::pwn"
UNDECODABLE = b"test_\xff.py"  # not UTF-8: Python keeps it as the lone surrogate \udcff
# Unicode that must stay as it is (it is legitimate, not an escape).
UNICODE_NAMES = ("données", "名前")

CONFTEST = f'''\
import os
import pytest


@pytest.fixture(name={EVIL_NAME!r})
def evil():
    {EVIL_DOC!r}
    return 1


@pytest.fixture(scope="session", params=[{SCRIPT!r}, "{RLO}x", "100%"])
def wide(narrow):
    """Session fixture requesting a function fixture: a scope mismatch with a hostile doc {SCRIPT}."""
    return 1


@pytest.fixture
def narrow():
    return 1


@pytest.fixture
def données(名前):
    return 1


@pytest.fixture
def 名前(données):
    return 1


@memory_profile({SCRIPT!r}, "HIGH")
@pytest.fixture
def heavy():
    return 1


if os.environ.get("A{RLO}B") == "1":
    @pytest.fixture
    def guarded():
        return 1
'''

TESTS = f"""\
import pytest


@pytest.mark.usefixtures({EVIL_NAME!r}, {MISSING!r})
def test_hostile(wide, données, heavy, guarded):
    pass
"""


def write_hostile_tree(root: Path) -> Path:
    """Write the hostile suite under ``root`` (created) and return ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (root / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (root / "test_hostile.py").write_text(TESTS, encoding="utf-8")
    for name in (EVIL_DIR, NEWLINE_DIR, COMMAND_DIR):
        folder = root / name
        folder.mkdir()
        (folder / "test_in_dir.py").write_text(
            f"def test_x(missing_{len(name)}):\n    pass\n", encoding="utf-8"
        )
    undecodable = os.path.join(os.fsencode(root), UNDECODABLE)
    with open(undecodable, "w", encoding="utf-8") as handle:
        handle.write("def test_undecodable(nope):\n    pass\n")
    return root


def display_violations(text: str) -> list[str]:
    """What a display format (text, github, sarif messages) must never contain, found in ``text``."""
    problems = []
    if RLO in text:
        problems.append("raw right-to-left override")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        problems.append("raw lone surrogate")
    if any(ord(c) < 0x20 and c not in "\n" for c in text):
        problems.append("raw control character")
    return problems
