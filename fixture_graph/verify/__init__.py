"""``fixture-graph verify``: check the static resolution against the suite's real pytest.

:func:`verify_suite` scans statically, runs pytest with the :mod:`.probe` plugin
(:mod:`.runner`), and compares test by test (:mod:`.verdict`). Only :mod:`.probe` and
:mod:`.pytest_internals` run inside the suite's interpreter. The other names are imported
lazily, so the measurement plugin can use :mod:`.pytest_internals` without loading the scanner.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fixture_graph.config import AnalyzeConfig, GateConfig, ScanConfig
    from fixture_graph.verify.verdict import VerifyResult

__all__ = [
    "Cause",
    "Disagreement",
    "FindingCheck",
    "PytestRun",
    "PytestView",
    "Unverifiable",
    "Verdict",
    "VerifyResult",
    "compare",
    "describe",
    "observe",
    "verify_suite",
]

_LAZY = {
    "Cause": "fixture_graph.verify.verdict",
    "Disagreement": "fixture_graph.verify.verdict",
    "FindingCheck": "fixture_graph.verify.findings",
    "Verdict": "fixture_graph.verify.findings",
    "Unverifiable": "fixture_graph.verify.verdict",
    "VerifyResult": "fixture_graph.verify.verdict",
    "compare": "fixture_graph.verify.verdict",
    "describe": "fixture_graph.verify.verdict",
    "PytestRun": "fixture_graph.verify.runner",
    "PytestView": "fixture_graph.verify.runner",
    "observe": "fixture_graph.verify.runner",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)


def verify_suite(
    paths: tuple[Path, ...],
    config: ScanConfig,
    *,
    cwd: Path | None = None,
    execute: bool = False,
    oracle: str = "probe",
    pytest_args: tuple[str, ...] = (),
    timeout: float = 900.0,
    analyze: AnalyzeConfig | None = None,
    gate: GateConfig | None = None,
) -> VerifyResult:
    """Scan ``paths`` statically, ask pytest the same question, and compare.

    The scan's findings are computed with ``analyze`` and ``gate`` (the rules ``check`` would
    run) and each error finding and FG006 finding is judged against pytest's resolution.

    ``config.env`` is applied to pytest's environment too (None unsets a variable), and the
    scan takes every other variable from this process's environment (``env_inherit``), as the
    pytest it runs does: env guards are decided the same way on both sides.

    Raises:
        fixture_graph.scan.ini.ConfigFileError: the pytest config file is unreadable.
        fixture_graph.scan.environment.EnvironmentError_: ``--python`` cannot be run.
    """
    import dataclasses

    from fixture_graph.report import build_report
    from fixture_graph.scan.session import scan_paths
    from fixture_graph.verify.runner import PytestRun, observe
    from fixture_graph.verify.verdict import compare

    where = (cwd or Path.cwd()).resolve()
    config = dataclasses.replace(config, env_inherit=True)
    report = build_report(scan_paths(list(paths), config, invocation_dir=where), analyze, gate)
    args = list(pytest_args)
    for flag, value in (
        ("--rootdir", config.rootdir),
        ("-c", config.inifile),
        ("--confcutdir", config.confcutdir),
        ("-m", config.markexpr),
        ("-k", config.keyword),
    ):
        if value is not None:
            args += [flag, value]
    if config.noconftest:
        args.append("--noconftest")
    run = PytestRun(
        cwd=where,
        paths=tuple(str(p) for p in paths),
        python=config.python,
        pytest_args=tuple(args),
        env=config.env,
        timeout=timeout,
    )
    return compare(report, observe(run, execute=execute, oracle=oracle))
