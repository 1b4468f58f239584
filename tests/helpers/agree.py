"""Scan a tree and ask real pytest the same question (the probe and ``--setup-plan -q``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fixture_graph.config import ScanConfig
from fixture_graph.report import Report, build_report
from fixture_graph.scan.session import scan_paths
from fixture_graph.verify import PytestRun, PytestView, compare, describe, observe


def against_pytest(workdir: Path, plan_gaps: tuple[str, ...] = ()) -> tuple[Report, PytestView, list[str]]:
    """Our report for ``workdir``, pytest's probe view, and every disagreement with either view.

    ``plan_gaps`` are node ids whose ``--setup-plan`` lists fixtures a plugin adds at setup
    (after collection), so only the probe judges them.
    """
    run = PytestRun(cwd=workdir)
    probe = observe(run)
    plan = observe(run, oracle="setup-plan")
    plan = dataclasses.replace(plan, tests=tuple(t for t in plan.tests if t.nodeid not in plan_gaps))
    report = build_report(scan_paths([], ScanConfig(), invocation_dir=workdir))
    problems = [
        line for view in (probe, plan) for d in compare(report, view).disagreements for line in describe(d)
    ]
    return report, probe, problems
