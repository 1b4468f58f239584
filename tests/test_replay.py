"""The whole-run replay: a hit prints exactly what a scan prints, and any change is a miss.

Trees are built in ``tmp_path`` and then *aged* (every mtime set well in the past), as a real
tree is between two runs; a stamp younger than the racy window is never trusted, which one test
checks on a fresh tree. The last tests watch every ``os``-level file access of real scans and
check that the recorded inputs cover each one, so a scan module that looks at the disk without
recording it cannot slip in unnoticed.
"""

from __future__ import annotations

import builtins
import io
import os
import pickle
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.cli import run

from fixture_graph.cli import main, scan_cmd
from fixture_graph.config import CACHE_DIRNAME, ScanConfig
from fixture_graph.replay import KEEP, MAGIC
from fixture_graph.scan import inputs
from fixture_graph.scan.session import scan_paths

DATA = Path(__file__).parent / "data"
TRICKY = sorted(p for p in (DATA / "tricky").iterdir() if p.is_dir())

INI = "[pytest]\n"
CONFTEST = """\
import pytest

@pytest.fixture
def db():
    return 1
"""
TESTS = "def test_one(db):\n    pass\n"


def age(root: Path) -> None:
    """Set every mtime under ``root`` (itself and its parent included) 100 s into the past."""
    past = time.time() - 100
    for directory, _subdirs, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(directory, name), (past, past))
        os.utime(directory, (past, past))
    os.utime(root.parent, (past, past))


def make_tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "tree"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / CACHE_DIRNAME).mkdir()
    age(root)
    return root


class Scans:
    """Counts real scans (a replayed run makes none)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = scan_cmd.make_report

        def counting(*args: object, **kwargs: object) -> object:
            self.count += 1
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(scan_cmd, "make_report", counting)


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> Scans:
    return Scans(monkeypatch)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return make_tree(
        tmp_path,
        {"pytest.ini": INI, "tests/conftest.py": CONFTEST, "tests/test_a.py": TESTS},
    )


def replays(root: Path) -> list[Path]:
    return sorted((root / CACHE_DIRNAME).glob("replay-*.bin"))


def test_a_second_run_replays_the_first_exactly(tree: Path, scans: Scans) -> None:
    first = run(tree, "--format", "json")
    assert len(replays(tree)) == 1
    second = run(tree, "--format", "json")
    assert second == first
    assert scans.count == 1
    text = run(tree)  # another format is another key
    assert scans.count == 2
    assert run(tree) == text
    assert scans.count == 2


def test_the_gate_and_baselines_work_on_a_replayed_run(
    tree: Path, scans: Scans, tmp_path_factory: pytest.TempPathFactory
) -> None:
    (tree / "tests" / "test_a.py").write_text("def test_one(db, missing):\n    pass\n")
    age(tree)
    code, out = run(tree)
    assert code == 1
    assert "FG003" in out
    assert run(tree) == (code, out)
    assert scans.count == 1
    baseline = tmp_path_factory.mktemp("elsewhere") / "baseline.json"
    code, _ = run(tree, "--write-baseline", str(baseline))
    assert code == 0
    assert "FG003" in baseline.read_text()
    assert run(tree, "--baseline", str(baseline))[0] == 0
    assert scans.count == 1  # baselines apply to the replayed findings
    assert run(tree, "--fail-on", "never")[0] == 0


CHANGES: dict[str, Callable[[Path], None]] = {
    "edit a test module": lambda r: (r / "tests/test_a.py").write_text(TESTS + "def test_two(db): pass\n"),
    "add a test module": lambda r: (r / "tests/test_b.py").write_text("def test_b(db): pass\n"),
    "remove a test module": lambda r: (r / "tests/test_a.py").unlink(),
    "add a conftest above": lambda r: (r / "conftest.py").write_text(
        "import pytest\n@pytest.fixture\ndef extra(): pass\n"
    ),
    "edit the ini": lambda r: (r / "pytest.ini").write_text("[pytest]\npython_files = check_*.py\n"),
    "add a package marker": lambda r: (r / "tests/__init__.py").write_text(""),
    "add a folder of tests": lambda r: (
        (r / "tests/sub").mkdir(),
        (r / "tests/sub/test_c.py").write_text("def test_c(db): pass\n"),
    ),
    "create the module a conftest imports": lambda r: (r / "tests/helpers.py").write_text(
        "import pytest\n@pytest.fixture\ndef helper(): pass\n"
    ),
    "edit an ignored file": lambda r: (r / "tests/notes.txt").write_text("hello"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_any_change_is_a_miss_and_the_answer_is_new(tmp_path: Path, scans: Scans, change: str) -> None:
    root = make_tree(
        tmp_path,
        {
            "pytest.ini": INI,
            "tests/conftest.py": CONFTEST
            + "try:\n    from helpers import *\nexcept ImportError:\n    pass\n",
            "tests/test_a.py": TESTS + "def test_helper(helper): pass\n",
        },
    )
    run(root, "--format", "json")
    assert run(root, "--format", "json") is not None
    assert scans.count == 1
    CHANGES[change](root)
    after = run(root, "--format", "json")
    assert scans.count == 2
    fresh = run(root, "--format", "json", "--no-cache")
    assert after == fresh


def test_graph_formats_drawn_without_graphviz_are_replayed(tree: Path, scans: Scans) -> None:
    first = run(tree, "--format", "markdown")
    assert run(tree, "--format", "markdown") == first
    assert scans.count == 1


def test_options_are_part_of_the_key(tree: Path, scans: Scans) -> None:
    run(tree)
    run(tree, "--env", "CI=1")
    run(tree, "--select", "FG003")
    assert scans.count == 3
    run(tree, "--env", "CI=1")
    assert scans.count == 3


def test_only_the_newest_replays_are_kept(tree: Path) -> None:
    for n in range(KEEP + 3):
        run(tree, "--env", f"N={n}")
    assert len(replays(tree)) == KEEP


def test_young_stamps_are_not_trusted(tmp_path: Path, scans: Scans) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    (root / "pytest.ini").write_text(INI)
    (root / "test_a.py").write_text(TESTS)
    run(root)
    assert replays(root) == []
    run(root)
    assert scans.count == 2


@pytest.mark.parametrize("args", [("--no-cache",), ("--format", "svg"), ("--dot", "g.dot")])
def test_runs_that_are_never_replayed(tree: Path, scans: Scans, args: tuple[str, ...]) -> None:
    run(tree, *args)
    run(tree, *args)
    assert scans.count == 2
    assert replays(tree) == []


def _stored(tree: Path) -> Path:
    run(tree)
    (path,) = replays(tree)
    return path


class Boom:
    def __reduce__(self) -> tuple[object, ...]:
        return (os.system, ("echo replay-ran-code > /dev/null",))


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[:-10],
        lambda data: b"something else\n" + data,
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),
    ],
    ids=["empty", "truncated", "foreign", "flipped"],
)
def test_a_damaged_replay_is_a_miss(tree: Path, scans: Scans, damage: Callable[[bytes], bytes]) -> None:
    path = _stored(tree)
    expected = run(tree)
    path.write_bytes(damage(path.read_bytes()))
    assert run(tree) == expected
    assert scans.count == 2


def test_a_replay_never_builds_objects(tree: Path, scans: Scans, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    path = _stored(tree)
    expected = run(tree)
    payload = pickle.dumps(Boom())
    path.write_bytes(MAGIC + hashlib.sha256(payload).digest() + payload)
    called: list[object] = []
    monkeypatch.setattr(os, "system", lambda *a: called.append(a))
    assert run(tree) == expected
    assert called == []
    assert scans.count == 2


# -- every file-system access of a scan is covered by its recorded inputs --------------------------


class Watch:
    """Every path the process passes to the ``os``-level file functions while active."""

    def __init__(self) -> None:
        self.paths: set[str] = set()

    def note(self, path: object) -> None:
        if isinstance(path, int):
            return
        try:
            self.paths.add(os.path.abspath(os.fsdecode(path)))  # type: ignore[call-overload]
        except TypeError:
            return


@pytest.fixture
def watch(monkeypatch: pytest.MonkeyPatch) -> Watch:
    seen = Watch()
    for name in ("stat", "lstat", "scandir", "listdir", "open", "readlink"):
        real = getattr(os, name)

        def wrapped(
            path: object = ".", *args: object, _real: Callable[..., object] = real, **kwargs: object
        ) -> object:
            seen.note(path)
            return _real(path, *args, **kwargs)

        monkeypatch.setattr(os, name, wrapped)
    real_open = builtins.open

    def watched_open(file: object, *args: object, **kwargs: object) -> object:
        seen.note(file)
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(builtins, "open", watched_open)
    monkeypatch.setattr(io, "open", watched_open)
    return seen


def covered(path: str, recorded: inputs.Inputs, cache: Path) -> bool:
    listed = {d for d, _ in recorded.dirs}
    known = listed | {f for f, _ in recorded.files} | {p for p, _ in recorded.probes}
    if path in known or os.path.dirname(path) in listed:
        return True
    if path.startswith(str(cache)):
        return True  # the tool's own cache: validated by content, never an input
    # Resolving a path lstat()s each of its ancestors; the resolution is asked again.
    return any(link == path or link.startswith(path.rstrip("/") + "/") for link, _ in recorded.links) or any(
        target == path or target.startswith(path.rstrip("/") + "/") for _, target in recorded.links
    )


@pytest.mark.parametrize("case", [p.name for p in TRICKY] + ["sample_suite"])
def test_the_recording_covers_every_access(tmp_path: Path, case: str, watch: Watch) -> None:
    source = DATA / "sample_suite" if case == "sample_suite" else DATA / "tricky" / case
    root = tmp_path / "case"
    shutil.copytree(source, root, symlinks=True)
    workdir = root / "proj" if (root / "proj").is_dir() else root
    cache = tmp_path / "cache"
    with inputs.recording() as recorder:
        watch.paths.clear()
        scan_paths([], ScanConfig(cache_dir=str(cache)), invocation_dir=workdir)
    recorded = recorder.finish()
    missing = sorted(p for p in watch.paths if not covered(p, recorded, cache))
    assert missing == []
    assert recorded.files  # the files read are there


def _site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python*/site-packages"))


def _install_plugin(site: Path, name: str) -> None:
    """A pytest11 plugin with one fixture, installed by hand (no pip, no network)."""
    (site / name).mkdir()
    source = f"import pytest\n\n@pytest.fixture\ndef {name}_fixture():\n    pass\n"
    (site / name / "__init__.py").write_text(source)
    dist = site / f"{name}-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[pytest11]\n{name} = {name}\n")


ENV_CHANGES: dict[str, Callable[[Path], object]] = {
    "install a plugin": lambda venv: _install_plugin(_site_packages(venv), "newplug"),
    "edit a .pth file": lambda venv: (_site_packages(venv) / "extra.pth").write_text("/nowhere/else\n"),
    "edit pyvenv.cfg": lambda venv: (venv / "pyvenv.cfg").write_text(
        (venv / "pyvenv.cfg").read_text() + "# edited\n"
    ),
}


@pytest.mark.parametrize("change", sorted(ENV_CHANGES))
def test_a_python_environment_is_replayed_until_it_changes(
    tmp_path: Path, scans: Scans, change: str
) -> None:
    root = make_tree(
        tmp_path,
        {"pytest.ini": INI, "tests/test_a.py": "def test_one(oldplug_fixture, newplug_fixture):\n    pass\n"},
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    _install_plugin(_site_packages(venv), "oldplug")
    (_site_packages(venv) / "extra.pth").write_text("/nowhere\n")
    age(venv)
    args = ("--python", str(venv), "--format", "json")
    first = _run_with_plugins(root, *args)
    assert "oldplug_fixture" in first
    assert _run_with_plugins(root, *args) == first
    assert scans.count == 1
    ENV_CHANGES[change](venv)
    after = _run_with_plugins(root, *args)
    assert scans.count == 2
    assert after == _run_with_plugins(root, *args, "--no-cache")
    if change == "install a plugin":
        assert after != first


def _run_with_plugins(root: Path, *args: str) -> str:
    """The CLI in ``root`` with the target environment's plugins loaded (``run`` disables them)."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        os.chdir(cwd)
    assert result.exit_code in (0, 1), result.output
    return result.output
