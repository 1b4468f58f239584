"""Compare our static resolution with pytest's (see :mod:`helpers.oracle`)."""

from __future__ import annotations

import os
from pathlib import Path

from fixture_graph.model import FixtureKind
from fixture_graph.report import Report
from helpers.oracle import OracleTest


def mismatches(
    report: Report,
    oracle: dict[str, OracleTest],
    setup_plan: dict[str, set[str]] | None = None,
    *,
    skip_winners: frozenset[str] = frozenset(),
) -> list[str]:
    """Every disagreement, as readable lines (empty when we agree with pytest exactly)."""
    out: list[str] = []
    ours = {t.nodeid: t for t in report.resolution.tests}
    by_id = {f.id: f for f in report.scan.fixtures}
    root = Path(report.scan.rootdir)
    for nodeid in sorted(set(oracle) - set(ours)):
        out.append(f"{nodeid}: collected by pytest, not by us")
    for nodeid in sorted(set(ours) - set(oracle)):
        out.append(f"{nodeid}: collected by us, not by pytest")
    for nodeid, expected in sorted(oracle.items()):
        test = ours.get(nodeid)
        if test is None:
            continue
        if set(test.closure) != expected.fixturenames:
            out.append(f"{nodeid}: closure {sorted(test.closure)} != pytest {sorted(expected.fixturenames)}")
        if nodeid in skip_winners:
            continue
        winners = dict(test.winners)
        pseudo = {n for n, (path, _) in expected.winners.items() if path.endswith("_pytest/python.py")}
        for name, (path, line) in sorted(expected.winners.items()):
            if name in pseudo:
                continue  # a direct-parametrize pseudo fixture, not a definition
            fixture = by_id.get(winners.get(name, ""))
            if fixture is None:
                out.append(f"{nodeid}: {name}: pytest uses {path}:{line}, we resolve nothing")
                continue
            if fixture.kind is FixtureKind.BUILTIN:
                same = path.endswith(fixture.file)
            else:
                same = os.path.realpath(root / fixture.file) == path and fixture.line == line
            if not same:
                out.append(
                    f"{nodeid}: {name}: pytest uses {path}:{line}, we use {fixture.file}:{fixture.line}"
                )
        extra = set(winners) - set(expected.winners) - pseudo
        if extra:
            out.append(f"{nodeid}: we resolve {sorted(extra)} that pytest's collection does not")
    for nodeid, names in sorted((setup_plan or {}).items()):
        test = ours.get(nodeid)
        if test is not None and set(test.closure) != names:
            out.append(f"{nodeid}: closure {sorted(test.closure)} != --setup-plan {sorted(names)}")
    return out
