"""``make bench``: fixture-graph against the parse floor, pytest and pytest-language-server.

Every measurement is a fresh process, timed by a small wrapper process whose
``RUSAGE_CHILDREN`` gives the peak RSS of the largest process in the tree (pool workers
included). Each cell is the median of ``REPEATS`` runs after one warm-up run; a baseline whose
first run takes longer than ``SLOW`` seconds is run once more only (and so marked). Suites:

* the monorepo shape of the performance issue (``bench.synth.monorepo_spec``: 10,000 test
  files under 85 conftests, 6 test functions and a class of 3 methods per file, ~123k items)
  and, for the per-file cost only, synthetic 1k/50k suites (``bench.synth.suite_spec``),
  generated once under ``out/bench/``;
* pandas' tests as shipped in the pandas wheel (the package is copied out of the bench venv);
* pytest's own ``testing/`` from the sdist of the installed pytest.

Columns: (a) floor = read + ``ast.parse`` of exactly the files the cold scan read (the keys of
the cache it wrote), in one process; (b) cold = no cache directory; (c) warm = nothing changed;
(d) warm with ``--python`` naming the suite's interpreter (how a tool installed apart from the
suite runs); (e) warm after 1% of the test files were edited (a fresh edit before each run, the
warm cache restored each time); (f) ``pytest --collect-only -q``; (g) ``pytest-language-server
fixtures list``. The tables go to ``out/bench.md`` and between the ``bench:start``/``bench:end``
markers of the README's Performance section.

Commands run without ``PYTHONDONTWRITEBYTECODE`` (bytecode is cached as on a developer's machine).
A warm run whose inputs are all unchanged replays the previous run's output (``fixture_graph/
replay.py``); warm after 1% edits takes the per-file cache path instead.

Environment: ``BENCH_QUICK=1`` (a 1k monorepo-shaped suite only, 1 run, no baselines), ``BENCH_SUITES``
(comma list: pytest, pandas, monorepo-10000, synth-1000, synth-10000, synth-50000; the
``synth-*`` suites run the cold scan only), ``BENCH_REPEATS`` (3), ``BENCH_TIMEOUT`` (seconds
per command, 900), ``BENCH_README=0`` (leave the README alone).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
OUT = REPO / "out"
WORK = OUT / "bench"
sys.path.insert(0, str(HERE.parent))

from bench import synth  # noqa: E402
from bench.synth import generate_suite, monorepo_spec, suite_spec  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK") == "1"
REPEATS = int(os.environ.get("BENCH_REPEATS", "1" if QUICK else "3"))
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "900"))
SLOW = 30.0
PY = sys.executable
BIN = Path(sys.executable).parent
CACHE = ".fixture_graph_cache"
# Every command runs as on a developer's machine: Python may cache bytecode (a shell or CI that
# sets PYTHONDONTWRITEBYTECODE would make every run, pytest's included, compile from source).
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

_WRAPPER = """
import json, resource, subprocess, sys, time
cmd, cwd, timeout = json.loads(sys.argv[1])
start = time.perf_counter()
try:
    code = subprocess.run(
        cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout
    ).returncode
except subprocess.TimeoutExpired:
    code = "timeout"
wall = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": wall, "rss_kb": rss, "code": code}))
"""

_FLOOR = """
import ast, hashlib, io, pickle, sys, time
data = open(sys.argv[1], "rb").read()
head = len(b"fixture-graph extract cache\\n")
class Keys(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError(name)
paths = sorted(Keys(io.BytesIO(data[head + 32:])).load())
start = time.perf_counter()
for path in paths:
    with open(path, "rb") as handle:
        source = handle.read()
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        pass
print(len(paths), time.perf_counter() - start)
"""


@dataclass
class Cell:
    """The runs of one command on one suite."""

    walls: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.walls) if self.walls else None

    @property
    def rss_mb(self) -> float | None:
        return max(self.rss_kb) / 1024 if self.rss_kb else None


@dataclass
class Suite:
    name: str
    root: Path
    args: list[str]
    test_files: int = 0
    cells: dict[str, Cell] = field(default_factory=dict)
    files_read: int = 0
    full: bool = True  # every column; False: the floor and the cold scan only


def measure(cmd: list[str], cwd: Path, timeout: float = TIMEOUT) -> tuple[float, int, object]:
    """Run ``cmd`` in a fresh wrapper process: (wall seconds, peak RSS in KiB, exit code)."""
    done = subprocess.run(
        [PY, "-c", _WRAPPER, json.dumps([cmd, str(cwd), timeout])],
        capture_output=True,
        text=True,
        check=True,
        env=_ENV,
    )
    data = json.loads(done.stdout)
    return data["wall"], data["rss_kb"], data["code"]


def run_cell(cmd: list[str], cwd: Path, before: object = None, *, baseline: bool = False) -> Cell:
    """One warm-up run, then ``REPEATS`` timed runs (``before()`` runs untimed before each).

    When the warm-up takes longer than ``SLOW``, a baseline keeps that single run ("1 run") and
    our own commands take two timed runs ("2 runs"); the table says so.
    """
    cell = Cell()
    if before:
        before()  # type: ignore[operator]
    wall, rss, code = measure(cmd, cwd)
    if code == "timeout":
        cell.note = f"> {TIMEOUT:.0f} s"
        return cell
    repeats = REPEATS
    if wall > SLOW and REPEATS > 1:
        if baseline:
            cell.walls, cell.rss_kb, cell.note = [wall], [rss], "1 run"
            return cell
        repeats = 2
        cell.note = "2 runs"
    for _ in range(repeats):
        if before:
            before()  # type: ignore[operator]
        wall, rss, code = measure(cmd, cwd)
        if code == "timeout":
            cell.note = f"> {TIMEOUT:.0f} s"
            break
        cell.walls.append(wall)
        cell.rss_kb.append(rss)
    return cell


# -- suites ------------------------------------------------------------------------------------


def synthetic_suite(files: int, monorepo: bool = False) -> Suite:
    root = WORK / (f"monorepo-{files}" if monorepo else f"synth-{files}")
    stamp = root / ".bench-stamp"
    spec = monorepo_spec(files) if monorepo else suite_spec(files)
    # Made again whenever the generator or the spec changes (a suite is as its generator makes it).
    source = Path(synth.__file__).read_text(encoding="utf-8")
    made_by = hashlib.sha256((source + repr(spec)).encode()).hexdigest()
    if not stamp.exists() or stamp.read_text(encoding="utf-8").strip() != made_by:
        shutil.rmtree(root, ignore_errors=True)
        generate_suite(root, spec)
        stamp.write_text(made_by + "\n", encoding="utf-8")
    if monorepo:
        return Suite(f"monorepo {files // 1000}k", root, [], test_files=files)
    return Suite(f"synthetic {files // 1000}k", root, [], test_files=files, full=False)


def pandas_suite() -> Suite | None:
    found = subprocess.run(
        [PY, "-c", "import pandas, os; print(os.path.dirname(pandas.__file__))"],
        capture_output=True,
        text=True,
    )
    if found.returncode != 0:
        print("pandas is not installed in the bench venv; skipped", file=sys.stderr)
        return None
    root = WORK / "pandas"
    if not (root / "pandas" / "tests").is_dir():
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(found.stdout.strip(), root / "pandas", ignore=shutil.ignore_patterns("__pycache__"))
    # pandas' own pytest settings are not in the wheel; an empty ini keeps the repository's out.
    (root / "pytest.ini").write_text("[pytest]\n")
    files = sum(1 for p in (root / "pandas" / "tests").rglob("test_*.py"))
    return Suite("pandas (wheel)", root, ["pandas/tests"], test_files=files)


def pytest_suite() -> Suite | None:
    import pytest

    root = WORK / f"pytest-{pytest.__version__}"
    if not (root / "testing").is_dir():
        download = WORK / "sdist"
        download.mkdir(parents=True, exist_ok=True)
        got = subprocess.run(
            [
                PY,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                "-d",
                str(download),
                f"pytest=={pytest.__version__}",
            ],
            capture_output=True,
            text=True,
        )
        archives = sorted(download.glob(f"pytest-{pytest.__version__}.tar.gz"))
        if got.returncode != 0 or not archives:
            print(f"cannot download the pytest sdist; skipped\n{got.stderr}", file=sys.stderr)
            return None
        with tarfile.open(archives[0]) as tar:
            tar.extractall(WORK, filter="data")
    files = sum(1 for p in (root / "testing").rglob("test_*.py"))
    return Suite("pytest testing/", root, ["testing"], test_files=files)


# -- one suite ---------------------------------------------------------------------------------


def bench_suite(suite: Suite, baselines: bool) -> None:
    cache = suite.root / CACHE
    # The rootdir may be deeper than the suite root (pandas ships its own pyproject.toml).
    fg = [PY, "-m", "fixture_graph", "scan", "--cache-dir", str(cache), *suite.args]

    def clear_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    print(f"== {suite.name}: {suite.root}", flush=True)
    suite.cells["cold"] = run_cell(fg, suite.root, clear_cache)
    (cache_file,) = cache.glob("extract-*.bin")
    floor_out = subprocess.run(
        [PY, "-c", _FLOOR, str(cache_file)], capture_output=True, text=True, check=True
    )
    suite.files_read = int(floor_out.stdout.split()[0])
    suite.cells["floor"] = run_cell([PY, "-c", _FLOOR, str(cache_file)], suite.root)
    if suite.full:
        suite.cells["warm"] = run_cell(fg, suite.root)
        # The warm-up run of this cell stores the replay of the --python run.
        suite.cells["warm --python"] = run_cell([*fg, "--python", PY], suite.root)
        suite.cells["warm 1%"] = _warm_after_edits(suite, fg, cache)
    if baselines and suite.full:
        collect = [PY, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *suite.args]
        suite.cells["pytest collect"] = run_cell(collect, suite.root, baseline=True)
        pls = shutil.which("pytest-language-server", path=str(BIN)) or "pytest-language-server"
        target = suite.root / suite.args[0] if suite.args else suite.root
        suite.cells["pytest-language-server"] = run_cell(
            [pls, "fixtures", "list", str(target)], suite.root, baseline=True
        )
    for name, cell in suite.cells.items():
        shown = f"{cell.median:.3f} s" if cell.median is not None else cell.note
        rss = f"{cell.rss_mb:.0f} MB" if cell.rss_mb is not None else "-"
        print(f"   {name:24} {shown:>12}  {rss:>8}  {cell.note}", flush=True)


def _warm_after_edits(suite: Suite, fg: list[str], cache: Path) -> Cell:
    tests = sorted(p for p in (suite.root / (suite.args[0] if suite.args else "")).rglob("test_*.py"))
    chosen = tests[:: max(1, 100)][: max(1, len(tests) // 100)]
    originals = {p: p.read_bytes() for p in chosen}
    snapshot = cache.with_name(CACHE + ".snapshot")
    shutil.rmtree(snapshot, ignore_errors=True)
    shutil.copytree(cache, snapshot)
    counter = [0]

    def edit() -> None:
        counter[0] += 1
        shutil.rmtree(cache, ignore_errors=True)
        shutil.copytree(snapshot, cache)
        for path, data in originals.items():
            path.write_bytes(data + f"\n# bench edit {counter[0]}\n".encode())

    try:
        return run_cell(fg, suite.root, edit)
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
        shutil.rmtree(cache, ignore_errors=True)
        shutil.copytree(snapshot, cache)
        shutil.rmtree(snapshot, ignore_errors=True)


# -- extras ------------------------------------------------------------------------------------


def help_startup() -> tuple[Cell, list[str]]:
    cell = run_cell([str(BIN / "fixture-graph"), "--help"], REPO)
    done = subprocess.run(
        [PY, "-X", "importtime", "-m", "fixture_graph", "--help"], capture_output=True, text=True
    )
    heavy = sorted(
        {
            m
            for m in ("networkx", "jinja2", "graphviz")
            for line in done.stderr.splitlines()
            if f"| {m}" in line
        }
    )
    return cell, heavy


def analysis_20k() -> Cell:
    code = (
        f"import sys; sys.path.insert(0, {str(HERE.parent)!r})\n"
        "from bench.synth import synthetic_scan\n"
        "from fixture_graph.report import build_report\n"
        "build_report(synthetic_scan(20000, tests=2000))\n"
    )
    cell = Cell()
    wall, rss, result = measure([PY, "-c", code], WORK)
    if result == "timeout":
        cell.note = f"> {TIMEOUT:.0f} s"
    else:
        cell.walls.append(wall)
        cell.rss_kb.append(rss)
        cell.note = "1 run"
    return cell


# -- report ------------------------------------------------------------------------------------

COLUMNS = ("floor", "cold", "warm", "warm --python", "warm 1%", "pytest collect", "pytest-language-server")


def _fmt(cell: Cell | None) -> str:
    if cell is None:
        return "-"
    if cell.median is None:
        return cell.note or "-"
    text = f"{cell.median:.2f} s / {cell.rss_mb:.0f} MB"
    return f"{text} ({cell.note})" if cell.note else text


def _ratio(a: Cell | None, b: Cell | None) -> float | None:
    if a is None or b is None or a.median is None or b.median is None or b.median == 0:
        return None
    return a.median / b.median


def _ratios(cells: dict[str, Cell]) -> Callable[[str, str], str]:
    def ratio(a: str, b: str) -> str:
        value = _ratio(cells.get(a), cells.get(b))
        return f"{value:.2f}" if value is not None else "-"

    return ratio


def render(suites: list[Suite], help_cell: Cell, heavy: list[str], extra: Cell | None) -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lines = [
        f"Machine: {cores} cores, Python {sys.version.split()[0]}; median wall time / peak RSS of the "
        f"largest process, {REPEATS} runs after a warm-up unless noted.",
        "",
        "| suite | files read | " + " | ".join(COLUMNS) + " |",
        "|---|---:|" + "---:|" * len(COLUMNS),
    ]
    for suite in suites:
        cells = [_fmt(suite.cells.get(c)) for c in COLUMNS]
        lines.append(f"| {suite.name} | {suite.files_read} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| suite | cold/floor | warm/floor | warm --python/floor | warm 1%/floor | cold RSS/collect RSS "
        "| collect/cold | pls/cold | pls/warm | pls/warm --python | cold per file |",
        "|---|" + "---:|" * 10,
    ]
    for suite in suites:
        c = suite.cells
        r = _ratios(c)
        rss = "-"
        if c.get("pytest collect") and c["pytest collect"].rss_mb and c["cold"].rss_mb:
            rss = f"{c['cold'].rss_mb / c['pytest collect'].rss_mb:.2f}"
        per_file = c["cold"].median / max(suite.files_read, 1) * 1000 if c["cold"].median else None
        shown = f"{per_file:.3f} ms" if per_file is not None else "-"
        lines.append(
            f"| {suite.name} | {r('cold', 'floor')} | {r('warm', 'floor')} | {r('warm --python', 'floor')} | "
            f"{r('warm 1%', 'floor')} | {rss} | {r('pytest collect', 'cold')} | "
            f"{r('pytest-language-server', 'cold')} | {r('pytest-language-server', 'warm')} | "
            f"{r('pytest-language-server', 'warm --python')} | {shown} |"
        )
    lines += [
        "",
        f"`fixture-graph --help`: {_fmt(help_cell)}; heavy modules imported: {', '.join(heavy) or 'none'}.",
    ]
    if extra is not None:
        lines.append(f"Resolve + analyze a synthetic 20,000-fixture graph (3 large SCCs): {_fmt(extra)}.")
    return "\n".join(lines) + "\n"


def _save_json(suites: list[Suite]) -> None:
    data = {
        s.name: {
            "files_read": s.files_read,
            "cells": {k: {"walls": v.walls, "rss_kb": v.rss_kb, "note": v.note} for k, v in s.cells.items()},
        }
        for s in suites
    }
    (OUT / "bench.json").write_text(json.dumps(data, indent=1))


def _write_readme(table: str) -> None:
    """Put ``table`` between the README's ``<!-- bench:start -->``/``<!-- bench:end -->`` markers."""
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- bench:start -->\n", "<!-- bench:end -->"
    if start not in text or end not in text:
        print("README.md has no bench markers; not updated", file=sys.stderr)
        return
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(head + start + table + end + tail, encoding="utf-8")
    print(f"updated {readme}")


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    wanted = os.environ.get("BENCH_SUITES")
    names = (
        wanted.split(",")
        if wanted
        else ["monorepo-1000"]
        if QUICK
        else ["pytest", "pandas", "monorepo-10000", "synth-1000", "synth-50000"]
    )
    suites: list[Suite] = []
    for name in names:
        suite = (
            synthetic_suite(int(name.split("-")[1]), monorepo=name.startswith("monorepo-"))
            if name.startswith(("synth-", "monorepo-"))
            else (pandas_suite() if name == "pandas" else pytest_suite())
        )
        if suite is None:
            continue
        bench_suite(suite, baselines=not QUICK)
        suites.append(suite)
        _save_json(suites)
    help_cell, heavy = help_startup()
    extra = None if QUICK else analysis_20k()
    table = render(suites, help_cell, heavy, extra)
    (OUT / "bench.md").write_text(table)
    _save_json(suites)
    if os.environ.get("BENCH_README", "1") != "0" and not QUICK:
        _write_readme(table)
    print()
    print(table)
    print(f"wrote {OUT / 'bench.md'}")


if __name__ == "__main__":
    main()
