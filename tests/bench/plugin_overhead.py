"""Overhead of the measurement plugin: blocked vs installed-but-disabled vs enabled.

Builds a synthetic suite (``--tests`` tests, each using a chain of function-scoped fixtures plus
a session fixture), then runs pytest ``--repeat`` times per mode in a subprocess and prints the
median wall time and the cost per fixture setup. Run with ``make bench-plugin`` or
``python tests/bench/plugin_overhead.py [--tests N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFTEST = """
import pytest

@pytest.fixture(scope="session")
def config():
    return {"x": list(range(1000))}

@pytest.fixture
def f1(config):
    return [1] * 100

@pytest.fixture
def f2(f1):
    return dict(a=f1)

@pytest.fixture
def f3(f2, monkeypatch):
    return f2

@pytest.fixture
def f4(f3):
    yield f3
"""

MODULE = """
import pytest

@pytest.mark.parametrize("n", range({per_module}))
def test_x(f4, n):
    assert f4
"""

MODES = {
    "blocked (-p no:fixture_graph)": ["-p", "no:fixture_graph"],
    "installed, disabled": [],
    "enabled (--fixture-graph-measure)": ["--fixture-graph-measure=measure.json"],
}


def build(root: Path, tests: int) -> None:
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "conftest.py").write_text(CONFTEST)
    modules = max(1, tests // 50)
    for i in range(modules):
        (root / f"test_m{i}.py").write_text(MODULE.format(per_module=tests // modules))


def run(root: Path, args: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child): CPU time is steadier on a busy machine."""
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:asyncio", *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, cwd=root, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fg-bench-") as tmp:
        root = Path(tmp)
        build(root, opts.tests)
        run(root, [])  # warm the file system cache and pyc files
        times: dict[str, list[tuple[float, float]]] = {mode: [] for mode in MODES}
        for _ in range(opts.repeat):
            for mode, args in MODES.items():  # interleaved, so drift hits every mode alike
                times[mode].append(run(root, args))
        data = json.loads((root / "measure.json").read_text())
    setups = sum(f["setups"] for f in data["fixtures"])
    blocked = times["blocked (-p no:fixture_graph)"]
    base_wall = statistics.median(w for w, _ in blocked)
    base_cpu = statistics.median(c for _, c in blocked)
    print(f"{opts.tests} tests, {setups} fixture setups per run, median of {opts.repeat} runs")
    print(f"{'mode':36} {'wall s':>7} {'cpu s':>7} {'cpu vs blocked':>15} {'cpu per setup':>14}")
    for mode, values in times.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        per_setup = (cpu - base_cpu) / setups * 1e6
        share = 100 * (cpu - base_cpu) / base_cpu
        print(f"{mode:36} {wall:7.2f} {cpu:7.2f} {share:+14.1f}% {per_setup:+11.1f}us")
    print(f"(wall time of the blocked runs: {base_wall:.2f} s)")


if __name__ == "__main__":
    main()
