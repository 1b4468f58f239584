"""Benchmark: resolution and every analyzer on a synthetic 20,000-fixture graph with large SCCs.

Run with ``make bench`` (or ``python tests/bench/bench_analyzers.py [N]``). Not a test: timing
belongs in a benchmark, never in an assertion. The graph is built in memory as a ScanResult (no
files), so this measures resolve + analyze alone; the file-scanning benchmark is run.py.
"""

from __future__ import annotations

import random
import resource
import sys
import time

from fixture_graph.analyze import run_analysis
from fixture_graph.config import DEFAULT_IMPACT_LEVELS, AnalyzeConfig
from fixture_graph.model import FixtureDef, FixtureKind, ScanResult, TestItem
from fixture_graph.resolve import resolve
from fixture_graph.scope import Scope


def synthetic_scan(n_fixtures: int = 20_000, n_tests: int = 2_000, seed: int = 7) -> ScanResult:
    """A conftest hierarchy of ``n_fixtures`` with three large strongly connected components.

    Most fixtures request one to three lower-numbered fixtures (a DAG, like real suites); three
    blocks of 300 fixtures also request a ring successor and a random chord inside their block.
    """
    rng = random.Random(seed)
    # Members of a block share a directory (same index modulo 50), so they can see each other.
    sccs = [range(1_000 + k, min(n_fixtures, 1_000 + k + 300 * 50), 50) for k in range(3)]
    in_scc = {i: block for block in sccs for i in block}
    scopes = list(Scope)
    fixtures = []
    for i in range(n_fixtures):
        deps = {f"f{rng.randrange(0, i)}" for _ in range(rng.randint(1, 3))} if i > 10 else set()
        block = in_scc.get(i)
        if block is not None:
            nxt = block[(block.index(i) + 1) % len(block)]
            deps |= {f"f{nxt}", f"f{rng.choice(block)}"}
        deps.discard(f"f{i}")
        fixtures.append(
            FixtureDef(
                id=f"tests/d{i % 50}/conftest.py::f{i}" if i >= 100 else f"conftest.py::f{i}",
                name=f"f{i}",
                func_name=f"f{i}",
                kind=FixtureKind.CONFTEST,
                holder="" if i < 100 else f"tests/d{i % 50}",
                order=(0, i),
                scope=scopes[-1 - min(4, i // 4_000)] if i < 100 else rng.choice(scopes),
                file="conftest.py" if i < 100 else f"tests/d{i % 50}/conftest.py",
                line=i + 1,
                registered_in="conftest.py" if i < 100 else f"tests/d{i % 50}/conftest.py",
                argnames=tuple(sorted(d for d in deps if int(d[1:]) < 100 or int(d[1:]) % 50 == i % 50)),
                autouse=i % 997 == 0,
                impact=rng.choice(DEFAULT_IMPACT_LEVELS),
            )
        )
    tests = []
    for t in range(n_tests):
        d = t % 50
        picks = [f"f{j}" for j in rng.sample(range(100 + d, n_fixtures, 50), 3)]
        tests.append(
            TestItem(
                nodeid=f"tests/d{d}/test_m.py::test_{t}",
                name=f"test_{t}",
                file=f"tests/d{d}/test_m.py",
                line=t + 1,
                ancestors=("", "tests", f"tests/d{d}", f"tests/d{d}/test_m.py"),
                argnames=tuple(picks),
            )
        )
    return ScanResult(rootdir="/bench", inifile=None, fixtures=tuple(fixtures), tests=tuple(tests), issues=())


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    t0 = time.perf_counter()
    scan = synthetic_scan(n)
    t1 = time.perf_counter()
    resolution = resolve(scan)
    t2 = time.perf_counter()
    analysis = run_analysis(scan, resolution, AnalyzeConfig())
    t3 = time.perf_counter()
    codes: dict[str, int] = {}
    for finding in analysis.findings:
        codes[finding.code] = codes.get(finding.code, 0) + 1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"analyzer benchmark: {n} fixtures, {len(scan.tests)} tests, {len(resolution.edges)} edges")
    print(
        f"  build {t1 - t0:.2f} s, resolve {t2 - t1:.2f} s, analyze {t3 - t2:.2f} s, peak RSS {peak:.0f} MB"
    )
    print(f"  findings by code: {dict(sorted(codes.items()))}")


if __name__ == "__main__":
    main()
