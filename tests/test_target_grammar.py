"""A newer ``--python`` parses what the tool's own Python cannot (PEP 695, PEP 701...).

pytest imports the suite's modules with the suite's interpreter, so a module in 3.12 syntax is
collected normally there even when fixture-graph runs on 3.11. These tests point ``--python``
at a newer interpreter found on this machine and check that such a tree scans exactly as the
same tree written in old syntax, that a file neither can parse is a fatal issue naming the
version that tried, and that the extraction cache never mixes the two grammars.
"""

from __future__ import annotations

import functools
import glob
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers.jsondoc import v1_tests

from fixture_graph.cli import main
from fixture_graph.config import ExtractOptions, ScanConfig
from fixture_graph.model import ScanResult
from fixture_graph.resolve import resolve
from fixture_graph.scan import environment, loader
from fixture_graph.scan.cache import ExtractCache
from fixture_graph.scan.environment import load_environment
from fixture_graph.scan.extract import extract_module
from fixture_graph.scan.loader import FileLoader
from fixture_graph.scan.session import scan_paths
from fixture_graph.scan.target_parser import MAX_FAILURES, TargetParser

Tree = Callable[[dict[str, str]], Path]
OWN = sys.version_info[:2]


@functools.cache
def newer_python() -> tuple[str, tuple[int, int]] | None:
    """An interpreter of at least 3.12 and newer than this one (pyenv's first, then the PATH)."""
    home = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = sorted(glob.glob(str(home / "versions" / "3.*" / "bin" / "python3.*")), reverse=True)
    candidates += [p for n in ("python3.14", "python3.13", "python3.12") if (p := shutil.which(n))]
    for candidate in candidates:
        if candidate.endswith("-config"):
            continue
        try:
            done = subprocess.run(
                [candidate, "-c", "import sys; print(*sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            )
            major, minor = (int(v) for v in done.stdout.split())
        except (OSError, subprocess.SubprocessError, ValueError):
            continue
        if (major, minor) >= (3, 12) and (major, minor) > OWN:
            return candidate, (major, minor)
    return None


@pytest.fixture
def target() -> tuple[str, tuple[int, int]]:
    found = newer_python()
    if found is None:
        pytest.skip(f"no Python 3.12+ newer than {OWN[0]}.{OWN[1]} on this machine (pyenv or PATH)")
    return found


# Syntax no supported Python parses (a 3.14 template string): this parser's error on every one.
NEWER_THAN_ANY = 'x = t"hi"\n'
# A statement of each grammar that the one before cannot parse.
FIRST_PARSED_BY = {(3, 12): "type X = int", (3, 13): "type X[T = int] = list[T]", (3, 14): 'x = t"hi"'}


def newer_syntax(target: tuple[int, int]) -> str:
    """A line the target parses and this Python does not (a 3.12 tool needs a 3.13 target's)."""
    return next(line for version, line in FIRST_PARSED_BY.items() if OWN < version <= target)

# The same suite twice, line for line: once in 3.12 syntax, once in syntax every Python reads.
NEW_SYNTAX = {
    "pytest.ini": "[pytest]\n",
    "conftest.py": """
        import pytest

        type Payload = dict[str, int]


        @pytest.fixture(scope="session")
        def base[T](request) -> int:
            return 1


        @pytest.fixture
        def gone():
            return 0


        type gone = int
        """,
    "test_new.py": """
        import pytest


        def first[T](items: list[T]) -> T:
            return items[0]


        @pytest.fixture
        def label[K](base: K) -> str:
            names = {"a": 1}
            return f"{names["a"]}-{f"{"nested"}"}"


        class TestGeneric[T]:
            def test_label(self, label):
                pass

            def test_gone(self, gone):
                pass


        def test_plain[T](base):
            assert f"{"x"!r}"
        """,
    "sub/test_fstrings.py": """
        import pytest


        @pytest.fixture(autouse=True)
        def quoted():
            return f"{"same quotes"}"


        def test_uses(label, quoted):
            pass
        """,
}
OLD_SYNTAX = {
    "pytest.ini": "[pytest]\n",
    "conftest.py": """
        import pytest

        Payload = dict[str, int]


        @pytest.fixture(scope="session")
        def base(request) -> int:
            return 1


        @pytest.fixture
        def gone():
            return 0


        gone = int
        """,
    "test_new.py": """
        import pytest


        def first(items):
            return items[0]


        @pytest.fixture
        def label(base) -> str:
            names = {"a": 1}
            return f"{names['a']}-{f'{chr(110)}'}"


        class TestGeneric:
            def test_label(self, label):
                pass

            def test_gone(self, gone):
                pass


        def test_plain(base):
            assert f"{'x'!r}"
        """,
    "sub/test_fstrings.py": """
        import pytest


        @pytest.fixture(autouse=True)
        def quoted():
            return f"{'same quotes'}"


        def test_uses(label, quoted):
            pass
        """,
}


def shape(scan: ScanResult) -> dict[str, object]:
    """What collection and resolution found, without source hashes (the text differs)."""
    resolution = resolve(scan)
    return {
        "tests": sorted((t.nodeid, t.line, t.ancestors, t.argnames) for t in scan.tests),
        "fixtures": sorted((f.id, f.scope, f.line, f.argnames, f.autouse) for f in scan.fixtures),
        "closures": sorted((c.nodeid, c.closure, c.closure_defs) for c in resolution.tests),
        "unknown": sorted((u.name, u.requester) for u in resolution.unknown),
        "issues": scan.issues,
    }


def scan(root: Path, python: str | None, **config: object) -> ScanResult:
    return scan_paths([root], ScanConfig(python=python, jobs=1, **config), root)  # type: ignore[arg-type]


def scan_json(root: Path, *args: str) -> dict[str, object]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["--format", "json", *args])
    finally:
        os.chdir(cwd)
    data: dict[str, object] = json.loads(result.output)
    return data


def test_new_syntax_scans_like_the_same_tree_in_old_syntax(
    tmp_path: Path, target: tuple[str, tuple[int, int]]
) -> None:
    python, _ = target
    new = write(tmp_path / "new", NEW_SYNTAX)
    old = write(tmp_path / "old", OLD_SYNTAX)
    expected = shape(scan(old, python, cache=False))  # the same environment: only the syntax differs
    assert expected["issues"] == ()
    assert len(expected["tests"]) == 4  # type: ignore[arg-type]
    # ``type gone = int`` rebinds the name, as ``gone = int`` does: the fixture is gone.
    assert ("gone", "test_new.py::TestGeneric::test_gone") in expected["unknown"]  # type: ignore[operator]
    for cache in (False, True, True):  # the second cached run is served from the cache
        assert shape(scan(new, python, cache=cache)) == expected


def test_new_syntax_through_the_worker_pool(
    tmp_path: Path, target: tuple[str, tuple[int, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files parsed by pool workers come back with their bytes when they failed to parse."""
    monkeypatch.setattr(loader, "PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(loader, "CHUNK_SIZE", 2)
    python, _ = target
    files = {"pytest.ini": "[pytest]\n"}
    for i in range(6):
        files[f"test_m{i}.py"] = f"type T{i} = int\n\n\ndef test_{i}[T](x: T = None):\n    pass\n"
    files["test_old.py"] = "def test_old():\n    pass\n"
    root = write(tmp_path / "pool", files)
    result = scan_paths([root], ScanConfig(python=python, jobs=2, cache=False), root)
    assert result.issues == ()
    assert sorted(t.nodeid for t in result.tests) == [
        *(f"test_m{i}.py::test_{i}" for i in range(6)),
        "test_old.py::test_old",
    ]


def test_without_python_the_new_syntax_is_a_syntax_error_even_after_a_cached_run(
    tmp_path: Path, target: tuple[str, tuple[int, int]]
) -> None:
    python, (major, minor) = target
    source = newer_syntax(target[1]) + "\ndef test_x(): pass\n"
    root = write(tmp_path / "tree", {"pytest.ini": "[pytest]\n", "test_x.py": source})
    for _ in range(2):  # with --python (the second run from the cache), then without, twice
        assert [t.nodeid for t in scan(root, python).tests] == ["test_x.py::test_x"]
        result = scan(root, None)
        assert result.tests == ()
        [issue] = result.issues
        assert (issue.file, issue.line, issue.code, issue.fatal) == ("test_x.py", 1, "syntax-error", True)
        assert issue.message.startswith(f"syntax error under Python {OWN[0]}.{OWN[1]}: ")
    # Two cache files: one per grammar.
    assert len(list((root / ".fixture_graph_cache").glob("extract-*.bin"))) == 2
    assert (
        ExtractCache(tmp_path, ExtractOptions(), grammar=(major, minor)).path
        != ExtractCache(tmp_path, ExtractOptions()).path
    )
    # A grammar no newer than this Python's is this Python's own: the same cache file.
    assert (
        ExtractCache(tmp_path, ExtractOptions(), grammar=OWN).path
        == ExtractCache(tmp_path, ExtractOptions()).path
    )


def test_a_file_neither_python_parses_is_a_fatal_issue_naming_the_target(
    tmp_path: Path, target: tuple[str, tuple[int, int]]
) -> None:
    python, (major, minor) = target
    root = write(
        tmp_path / "tree",
        {
            "pytest.ini": "[pytest]\n",
            "test_bad.py": "type X = int\n\ndef test_bad(:\n    pass\n",
            "test_good.py": "def test_good[T]():\n    pass\n",
        },
    )
    data = scan_json(root, "--python", python)
    assert [t["nodeid"] for t in v1_tests(data)] == ["test_good.py::test_good"]  # type: ignore[attr-defined]
    assert data["issues"] == [
        {
            "code": "syntax-error",
            "fatal": True,
            "file": "test_bad.py",
            "line": 3,
            "message": f"syntax error under Python {major}.{minor}: invalid syntax",
        }
    ]
    assert data["summary"]["issues"] == 1  # type: ignore[index]


@pytest.mark.parametrize(
    "source",
    [
        "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
        "x = " + "[" * 5000 + "]" * 5000 + "\n",
        "".join("    " * i + "if x:\n" for i in range(120)) + "    " * 120 + "pass\n",
        "x = " + "lambda: " * 5000 + "1\n",
    ],
    ids=["parentheses", "lists", "nested blocks", "lambdas"],
)
def test_too_deep_for_both_parsers_is_too_deep_from_the_target(
    tmp_path: Path, target: tuple[str, tuple[int, int]], source: str
) -> None:
    """The target parser's answer is the local one, word for word: depth is decided by one rule."""
    python, _ = target
    root = write(
        tmp_path / "tree", {"pytest.ini": "[pytest]\n", "test_deep.py": source + "def test_x(): pass\n"}
    )
    [issue] = scan(root, python, cache=False).issues
    [local] = extract_module("test_deep.py", (root / "test_deep.py").read_bytes(), ExtractOptions()).issues
    assert (issue.code, issue.fatal) == ("too-deep", True)
    assert issue == local


def test_the_worker_runs_without_the_suites_site_packages(
    tmp_path: Path, target: tuple[str, tuple[int, int]]
) -> None:
    """A module named like ours in the target's path never shadows the worker's code."""
    python, _ = target
    fake_site = tmp_path / "site"
    (fake_site / "fixture_graph").mkdir(parents=True)
    (fake_site / "fixture_graph" / "__init__.py").write_text("raise SystemExit('shadowed')\n")
    (fake_site / "ast.py").write_text("raise SystemExit('shadowed')\n")
    parser = TargetParser(python, target[1])
    env = {**os.environ, "PYTHONPATH": str(fake_site)}
    old = os.environ.copy()
    os.environ.update(env)
    try:
        record, blob, reason = parser.extract(
            "t.py", b"type X = int\ndef test_x[T](): pass\n", ExtractOptions()
        )
    finally:
        os.environ.clear()
        os.environ.update(old)
        parser.close()
    assert reason is None
    assert record is not None
    assert blob
    assert record.parsed
    assert [b.name for b in record.body] == ["X", "test_x"]


def test_an_older_python_never_parses_for_us(tmp_path: Path) -> None:
    """Near miss: a ``--python`` no newer than this one keeps this parser's verdict, no worker."""
    older = [
        p
        for p in glob.glob(str(Path.home() / ".pyenv" / "versions" / "3.1*" / "bin" / "python3.1?"))
        if (3, 10) <= tuple(int(v) for v in Path(p).name[len("python") :].split(".")) < OWN
    ]
    if not older:
        pytest.skip(f"no Python 3.10+ older than {OWN[0]}.{OWN[1]} in pyenv")
    assert not load_environment(older[0]).newer_grammar
    root = write(tmp_path / "tree", {"pytest.ini": "[pytest]\n", "test_x.py": NEWER_THAN_ANY})
    [issue] = scan(root, older[0]).issues
    assert (issue.code, issue.message) == (
        "syntax-error",
        f"syntax error under Python {OWN[0]}.{OWN[1]}: invalid syntax",
    )


# -- the worker failing ---------------------------------------------------------------------------


def fake_python(tmp_path: Path, body: str) -> str:
    """A shell script posing as an interpreter: answers the environment probe, then ``body``."""
    script = tmp_path / "fakepython"
    script.write_text(f'#!/bin/sh\nif [ "$1" = "-c" ]; then exec "{sys.executable}" "$@"; fi\n{body}\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


@pytest.mark.skipif(sys.platform == "win32", reason="shell scripts as interpreters")
@pytest.mark.parametrize(
    ("body", "timeout", "reason"),
    [
        ("echo 'boom: no worker here' >&2; exit 3", 30.0, "exited with status 3: boom: no worker here"),
        ("exec sleep 30", 0.3, "gave no answer within 0.3 s"),
    ],
    ids=["crash", "hang"],
)
def test_a_failing_worker_is_a_reason_never_an_exception(
    tmp_path: Path, body: str, timeout: float, reason: str
) -> None:
    parser = TargetParser(fake_python(tmp_path, body), (3, 99), timeout=timeout)
    try:
        for attempt in range(MAX_FAILURES + 1):
            record, blob, why = parser.extract("t.py", b"type X = int\n", ExtractOptions())
            assert (record, blob) == (None, None)
            assert why is not None
            assert reason in why
            assert ("gave up" in why) == (attempt >= MAX_FAILURES - 1)
    finally:
        parser.close()


def test_a_missing_interpreter_is_a_reason() -> None:
    parser = TargetParser("/nonexistent/python3.99", (3, 99))
    record, _, why = parser.extract("t.py", b"type X = int\n", ExtractOptions())
    assert record is None
    assert why is not None
    assert why.startswith("cannot run /nonexistent/python3.99")


@pytest.mark.skipif(sys.platform == "win32", reason="shell scripts as interpreters")
def test_a_crashing_target_keeps_the_local_error_adds_an_issue_and_caches_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    python = fake_python(tmp_path, "echo 'Fatal Python error: oops' >&2; exit 134")
    # The fake answers the probe as the running Python would; make it claim a newer grammar.
    real = environment._probe_answer

    def newer(out: str) -> dict[str, Any]:
        answer = real(out)
        answer["facts"]["sys.version_info"] = [3, 99, 0, "final", 0]
        return answer

    monkeypatch.setattr(environment, "_probe_answer", newer)
    root = write(
        tmp_path / "tree",
        {"pytest.ini": "[pytest]\n", "test_x.py": NEWER_THAN_ANY, "test_ok.py": "def test_ok(): pass\n"},
    )
    result = scan(root, python)
    assert [t.nodeid for t in result.tests] == ["test_ok.py::test_ok"]
    issues = {i.code: i for i in result.issues}
    assert sorted((i.file, i.code, i.fatal) for i in result.issues) == [
        ("test_x.py", "syntax-error", True),
        ("test_x.py", "target-python", True),
    ]
    assert issues["syntax-error"].message.startswith(f"syntax error under Python {OWN[0]}.{OWN[1]}: ")
    message = issues["target-python"].message
    assert message.startswith("not parsed by Python 3.99 (--python): the Python 3.99 worker")
    assert message.endswith("exited with status 134: Fatal Python error: oops")
    # Nothing was cached for the file the target could not answer for.
    cache = ExtractCache(root / ".fixture_graph_cache", ExtractOptions(), grammar=(3, 99))
    assert cache.expected_key(str(root / "test_x.py")) is None
    assert cache.expected_key(str(root / "test_ok.py")) is not None


def test_the_worker_starts_only_when_a_file_fails_to_parse(tmp_path: Path) -> None:
    parser = TargetParser("/nonexistent/python3.99", (3, 99))
    root = write(tmp_path / "tree", {"test_ok.py": "def test_ok(): pass\n"})
    files = FileLoader(ExtractOptions(), 1 << 20, None, 1, None, parser)
    record, issue = files.load(root / "test_ok.py", "test_ok.py")
    files.close()
    assert issue is None
    assert record is not None
    assert record.parsed
    assert parser._proc is None
    assert parser._failures == 0


# -- the environment probe ------------------------------------------------------------------------


def test_one_probe_gives_the_search_path_and_the_version(
    target: tuple[str, tuple[int, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    python, version = target
    calls: list[list[str]] = []
    run = subprocess.run

    def counting(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        calls.append(args)
        return run(args, **kwargs)  # type: ignore[call-overload,no-any-return]

    monkeypatch.setattr(subprocess, "run", counting)
    env = load_environment(python)
    assert len(calls) == 1
    assert (env.python, env.version, env.newer_grammar) == (python, version, True)
    assert env.sys_path
    own = load_environment(None)
    assert (own.python, own.version, own.newer_grammar) == (None, OWN, False)
    same = load_environment(sys.executable)
    assert (same.version, same.newer_grammar) == (OWN, False)


@pytest.mark.parametrize(
    "output",
    [
        '["/usr/lib/python3"]',
        '{"sys_path": ["/x"]}',
        '{"sys_path": ["/x"], "facts": {"sys.version_info": ["3", "13"]}}',
        "{}",
    ],
)
def test_an_unexpected_probe_answer_is_refused(output: str) -> None:
    with pytest.raises(ValueError, match="probe output"):
        environment._probe_answer(output)


def write(root: Path, files: dict[str, str]) -> Path:
    import textwrap

    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root
