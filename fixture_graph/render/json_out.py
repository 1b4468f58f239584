"""The JSON output (``"schema": "fixture-graph/1"``), a public contract documented in the README.

Keys are stable and lists sorted, so two runs on the same tree give identical bytes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from fixture_graph import __version__
from fixture_graph.analyze.findings import Finding
from fixture_graph.measure import FixtureMeasurement
from fixture_graph.model import FixtureDef
from fixture_graph.render.summary import impact_note
from fixture_graph.report import Report

SCHEMA = "fixture-graph/1"


def fixture_json(fixture: FixtureDef, deps: list[str], dynamic: list[str]) -> dict[str, Any]:
    """One ``fixtures[]`` entry."""
    return {
        "id": fixture.id,
        "name": fixture.name,
        "func_name": fixture.func_name,
        "kind": fixture.kind.value,
        "file": fixture.file,
        "line": fixture.line,
        "registered_in": fixture.registered_in,
        "holder": fixture.holder,
        "scope": fixture.scope_label,
        "scope_source": fixture.scope_source,
        "autouse": fixture.autouse,
        "params": fixture.params,
        "param_count": fixture.param_count,
        "ids": fixture.ids,
        "is_yield": fixture.is_yield,
        "is_async": fixture.is_async,
        "impact": fixture.impact,
        "impact_description": fixture.impact_description,
        "conditional": fixture.conditional,
        "guards": list(fixture.guards),
        "requests": list(fixture.argnames),
        "deps": deps,
        "dynamic_deps": dynamic,
        "docstring": fixture.docstring,
    }


def measured_json(measurement: FixtureMeasurement | None) -> dict[str, Any] | None:
    """A fixture's measured cost (``--measurements``), or None when it was not measured."""
    if measurement is None:
        return None
    return {
        "setups": measurement.setups,
        "setup_total_s": measurement.setup_total_s,
        "setup_max_s": measurement.setup_max_s,
        "teardown_total_s": measurement.teardown_total_s,
        "peak_alloc_bytes": measurement.peak_alloc_bytes,
        "rss_delta_bytes": measurement.rss_delta_bytes,
    }


def finding_json(finding: Finding) -> dict[str, Any]:
    """One ``findings[]`` entry."""
    return {
        "code": finding.code,
        "severity": finding.severity.label,
        "message": finding.message,
        "file": finding.file,
        "line": finding.line,
        "col": finding.col,
        "symbol": finding.symbol,
        "related": [{"file": r.file, "line": r.line, "label": r.label} for r in finding.related],
        "fix": finding.fix,
        "key": finding.key,
    }


def build_json(report: Report) -> dict[str, Any]:
    """The JSON document as plain data."""
    scan, res, analysis = report.scan, report.resolution, report.analysis
    costs = {c.nodeid: c.weight for c in analysis.test_costs}
    measured = report.measurements.fixture_map() if report.measurements is not None else {}
    fan_in = dict(analysis.fan_in)
    deps: dict[str, set[str]] = defaultdict(set)
    dynamic: dict[str, set[str]] = defaultdict(set)
    for edge in res.edges:
        (dynamic if edge.dynamic else deps)[edge.source].add(edge.target)
    by_id = {f.id: f for f in scan.fixtures}
    items = {t.nodeid: t for t in scan.tests}
    test_guards = report.test_guards()
    fixtures = [
        {
            **fixture_json(f, sorted(deps[f.id]), sorted(dynamic[f.id])),
            "used_by": fan_in.get(f.id, 0),
            "measured": measured_json(measured.get(f.id)),
        }
        for f in sorted(scan.fixtures, key=lambda f: f.id)
    ]
    tests = []
    for resolved in res.tests:
        item = items[resolved.nodeid]
        guards = test_guards.get(resolved.nodeid, ())
        tests.append(
            {
                "nodeid": resolved.nodeid,
                "file": item.file,
                "line": item.line,
                "requests": list(resolved.requests),
                "closure": list(resolved.closure),
                "closure_defs": list(resolved.closure_defs),
                "dynamic_deps": sorted(dynamic[resolved.nodeid]),
                "conditional": bool(guards),
                "guards": list(guards),
                "weight": costs.get(resolved.nodeid, 0.0),
            }
        )
    cycles = [
        {
            "chain": list(c.names),
            "links": [{"id": link, "file": by_id[link].file, "line": by_id[link].line} for link in c.links],
            "entered_by": c.entered_by,
        }
        for c in res.cycles
    ]
    return {
        "schema": SCHEMA,
        "tool": {"name": "fixture-graph", "version": __version__},
        "rootdir": scan.rootdir,
        "inifile": scan.inifile,
        "pytest_version": scan.pytest_version,
        "env": dict(scan.env),
        "summary": {
            "fixtures": len(report.user_fixtures),
            "definitions": len(scan.fixtures),
            "tests": len(scan.tests),
            "cycles": len(res.cycles),
            "unknown": len(res.unknown),
            "by_scope": report.scope_counts(),
            "by_impact": report.impact_counts(),
            "findings": {
                severity: sum(1 for f in analysis.findings if f.severity.label == severity)
                for severity in ("error", "warning", "info")
            },
            "suppressed": analysis.suppressed,
            "files_scanned": scan.files_scanned,
            "issues": len(scan.issues),
        },
        "fixtures": fixtures,
        "tests": sorted(tests, key=lambda t: t["nodeid"]),
        "cycles": cycles,
        "findings": [finding_json(f) for f in analysis.findings],
        "weight_unit": analysis.weight_unit,
        "conftest_imports": [
            {
                "path": c.path,
                "import_s": c.import_s,
                "peak_alloc_bytes": c.peak_alloc_bytes,
                "rss_delta_bytes": c.rss_delta_bytes,
            }
            for c in (report.measurements.conftests if report.measurements is not None else ())
        ],
        "heavy_chains": [{"ids": list(c.ids), "weight": c.weight} for c in analysis.heavy_chains],
        "heaviest_tests": [
            {"nodeid": c.nodeid, "weight": c.weight, "fixtures": c.fixtures}
            for c in analysis.test_costs[: report.config.top]
            if c.weight > 0
        ],
        "notes": [note] if (note := impact_note(report)) is not None else [],
        "unknown": [{"name": u.name, "requester": u.requester, "test": u.test} for u in res.unknown],
        "issues": [
            {"file": i.file, "line": i.line, "code": i.code, "message": i.message, "fatal": i.fatal}
            for i in scan.issues
        ],
    }


def render_json(report: Report) -> str:
    """Serialize :func:`build_json` with sorted keys."""
    # Compact on purpose: with ``indent`` the json module falls back to its pure-Python encoder,
    # which is most of the run time on a large suite. ``jq .`` pretty-prints it.
    return json.dumps(build_json(report), separators=(",", ":"), sort_keys=True, ensure_ascii=False) + "\n"
