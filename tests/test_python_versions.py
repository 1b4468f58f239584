"""The same JSON whichever supported Python runs the tool: the sample suite, every tricky case and
repro, and a tree of pathological files, byte for byte.

The other interpreters are the virtualenvs ``make test-all`` (or ``make venvs``) keeps in
``.venvs/X.Y``, plus ``.venv``; each scans with ``--python`` at this interpreter, so the suite's
environment is one and the same and only the tool's own Python differs. The comparison runs once,
in the oldest Python's run of the suite (``make test-all`` runs the suite on each).
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixture_graph.scan import depth

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SCAN_TREES = ROOT / "tests" / "helpers" / "scan_trees.py"


def interpreters() -> dict[str, str]:
    """``{"3.10": path, ...}``: this interpreter and the project's other venvs, one per version."""
    found = {f"{sys.version_info[0]}.{sys.version_info[1]}": sys.executable}
    for python in sorted([*ROOT.glob(".venvs/*/bin/python"), ROOT / ".venv" / "bin" / "python"]):
        if python.is_file():
            version = subprocess.run(
                [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            found.setdefault(version, str(python))
    return dict(sorted(found.items(), key=lambda item: tuple(map(int, item[0].split(".")))))


def pathological_tree(root: Path) -> Path:
    """Files every parser treats differently unless the scan decides: depth, devices, encodings."""
    root.mkdir()
    files = {
        "pytest.ini": "[pytest]\n",
        "conftest.py": (
            "import os, pytest\n"
            f"if {'not ' * 900}os.environ.get('X'):\n"
            "    @pytest.fixture\n    def guarded(): pass\n"
            "@pytest.fixture\ndef sum_near_the_limit():\n"
            f"    return 1{' + 1' * (depth.MAX_DEPTH - 10)}\n"
        ),
        "test_ok.py": "def test_ok(guarded, sum_near_the_limit): pass\n",
        "test_just_too_deep.py": f"import pytest\nx = 1{' + 1' * depth.MAX_DEPTH}\ndef test_a(): pass\n",
        "test_deeper_than_sure.py": f"x = 1{' + 1' * 2700}\ndef test_b(): pass\n",
        "test_chain_3_13_builds.py": f"x = a{'.b' * 8000}\ndef test_c(): pass\n",
        "test_lambdas_no_parser_builds.py": f"x = {'lambda: ' * 3000}1\ndef test_d(): pass\n",
        "test_parentheses.py": f"x = {'(' * 300}1{')' * 300}\ndef test_e(): pass\n",
        "test_blocks.py": "".join("    " * i + "if x:\n" for i in range(120)) + "    " * 120 + "pass\n",
        "test_escapes.py": 'import re\ndef test_f():\n    assert re.match("\\d", "1")\n    assert 1 is 1\n',
    }
    for name, text in files.items():
        (root / name).write_text(text)
    (root / "test_binary.py").write_bytes(b"x = 1\x00\n")
    (root / "test_latin.py").write_bytes(b"x = '\xff\xfe'\n")
    os.mkfifo(root / "test_fifo.py")
    (root / "test_null.py").symlink_to("/dev/null")
    return root


def trees(tmp_path: Path) -> Iterator[str]:
    yield f"sample_suite={DATA / 'sample_suite'}"
    for kind in ("tricky", "repros"):
        for case in sorted(p for p in (DATA / kind).iterdir() if p.is_dir()):
            yield f"{kind}-{case.name}={case / 'proj' if (case / 'proj').is_dir() else case}"
    yield f"pathological={pathological_tree(tmp_path / 'pathological')},--follow-symlinks"


def test_every_supported_python_gives_the_same_json(tmp_path: Path) -> None:
    found = interpreters()
    if len(found) < 2:
        pytest.skip(f"only Python {', '.join(found)} here: `make test-all` makes a venv per supported Python")
    own = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if own != next(iter(found)):  # every run would compare the same Pythons: the oldest's does
        pytest.skip(f"compared in the run of Python {next(iter(found))}, the oldest here (make test-all)")
    specs = list(trees(tmp_path))
    running = {}
    for version, python in found.items():  # all at once: each waits mostly on its --python probes
        (tmp_path / version).mkdir()
        command = [python, str(SCAN_TREES), str(tmp_path / version), sys.executable, *specs]
        running[version] = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    outputs: dict[str, dict[str, bytes]] = {}
    for version, process in running.items():
        _, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, f"Python {version}: {stderr}"
        outputs[version] = {p.stem: p.read_bytes() for p in sorted((tmp_path / version).iterdir())}
    first, *others = found
    assert len(outputs[first]) == len(specs)
    for other in others:
        for name, data in outputs[first].items():
            if outputs[other][name] != data:
                a, b = (
                    json.dumps(json.loads(o[name]), indent=1).splitlines()
                    for o in (outputs[first], outputs[other])
                )
                diff = "\n".join(list(difflib.unified_diff(a, b, first, other, lineterm=""))[:40])
                pytest.fail(f"{name}: Python {first} and {other} differ:\n{diff}")
    pathological = json.loads(outputs[first]["pathological"])
    assert sorted((i["file"], i["code"], i["line"]) for i in pathological["issues"]) == [
        ("test_binary.py", "binary-file", 0),
        ("test_blocks.py", "too-deep", 101),
        ("test_chain_3_13_builds.py", "too-deep", 0),
        ("test_deeper_than_sure.py", "too-deep", 0),
        ("test_fifo.py", "not-a-file", 0),
        ("test_just_too_deep.py", "too-deep", 2),
        ("test_lambdas_no_parser_builds.py", "too-deep", 0),
        ("test_latin.py", "decode-error", 0),
        ("test_null.py", "not-a-file", 0),
        ("test_parentheses.py", "too-deep", 1),
    ]
    assert pathological["summary"]["tests"] == 2  # test_ok.py and test_escapes.py: read, not refused
