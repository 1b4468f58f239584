"""Peak memory of a whole run on a synthetic suite of 50,000 tests (files on disk).

Run standalone: ``python tests/bench/robust_memory.py [N_TESTS]`` (default 50,000). It writes a
suite into a temporary folder (conftests with 500 fixtures in chains, test modules of 100 tests
each requesting three of them), then runs scan -> resolve -> analyze -> every renderer once in
this process and prints wall time and peak resident memory (``ru_maxrss``). Not a test: a
measurement, printed, never asserted. The resource limits (``max-tests``, ``max-fixtures``)
are sized from it.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from fixture_graph.config import ScanConfig
from fixture_graph.render import RENDERERS
from fixture_graph.report import build_report
from fixture_graph.scan.session import scan_paths

TESTS_PER_MODULE = 100
MODULES_PER_DIR = 50
FIXTURES_PER_CONFTEST = 100


def write_suite(root: Path, n_tests: int) -> tuple[int, int]:
    """Write the suite; return (test modules, fixtures)."""
    (root / "pytest.ini").write_text("[pytest]\n")
    modules = max(1, n_tests // TESTS_PER_MODULE)
    dirs = max(1, modules // MODULES_PER_DIR)
    fixtures = 0
    for d in range(dirs):
        folder = root / "tests" / f"pkg{d}"
        folder.mkdir(parents=True)
        lines = ["import pytest\n"]
        for f in range(FIXTURES_PER_CONFTEST):
            scope = "session" if f % 10 == 0 else "function"
            dep = f"f{f - 1}" if f else "tmp_path"
            lines.append(
                f"@pytest.fixture(scope={scope!r})\ndef f{f}({dep if scope == 'function' else ''}):\n"
                f'    """Fixture {f} of {folder.name}."""\n    return {f}\n'
            )
        (folder / "conftest.py").write_text("\n".join(lines))
        fixtures += FIXTURES_PER_CONFTEST
        for m in range(MODULES_PER_DIR):
            body = "".join(
                f"def test_{t}(f{t % FIXTURES_PER_CONFTEST}, f{(t * 7) % FIXTURES_PER_CONFTEST}, tmp_path):\n"
                "    pass\n"
                for t in range(TESTS_PER_MODULE)
            )
            (folder / f"test_m{m}.py").write_text(body)
    return dirs * MODULES_PER_DIR, fixtures


def main(n_tests: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        modules, fixtures = write_suite(root, n_tests)
        written = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        report = build_report(scan_paths([], ScanConfig(scan_plugins=False), invocation_dir=root))
        built = time.perf_counter()
        sizes = {name: len(render(report)) for name, render in sorted(RENDERERS.items())}
        rendered = time.perf_counter()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"suite: {len(report.scan.tests)} tests in {modules} modules, {fixtures} fixtures (written in "
        f"{written - start:.1f} s)"
    )
    print(f"scan+resolve+analyze: {built - written:.1f} s; all renderers: {rendered - built:.1f} s")
    print("output sizes: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sizes.items()))
    print(f"peak RSS: {peak / 1024:.0f} MiB (before the run: {before / 1024:.0f} MiB)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
