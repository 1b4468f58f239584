"""Every repro from real suites (tests/data/repros, each with its EXPECTED.md): our per-test
closures and winning definitions must equal what real pytest reports on the same tree.

Like the tricky cases, each tree is copied to ``tmp_path`` and real pytest runs on it twice
(the probe plugin, and ``--setup-plan -q``) through the shipped verify module. The specific
EXPECTED values (findings, deselection, parametrization) are asserted in the tests of each kind.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.agree import against_pytest

DATA = Path(__file__).parent / "data" / "repros"
CASES = sorted(p.name for p in DATA.iterdir() if p.is_dir())

# pytest-asyncio requests its loop runner (``_module_scoped_runner``) at setup time, after
# collection: --setup-plan lists it, ``item.fixturenames`` (the probe) does not.
SETUP_PLAN_GAPS = {
    "11_asyncio_default_loop_scope_narrower_than_fixture_scope": (
        "test_async_scopes.py::test_async_module",
        "test_async_scopes.py::test_async_module_ok",
    )
}


@pytest.mark.parametrize("case", CASES)
def test_repro_agrees_with_pytest(case: str, copy_data: Callable[[str], Path]) -> None:
    report, probe, problems = against_pytest(copy_data(f"repros/{case}"), SETUP_PLAN_GAPS.get(case, ()))
    assert probe.source == "probe"
    assert probe.tests or not report.resolution.tests, "pytest collected nothing, we did"
    nodeids = {t.nodeid for t in report.resolution.tests}
    assert nodeids == {t.nodeid.split("[", 1)[0] for t in probe.tests}
    assert problems == []
