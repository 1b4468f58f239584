"""The JSON output, a public contract documented in the README.

Schema ``fixture-graph/2`` (the default) stores each test's closure as indexes into a shared
table of closure parts, and omits keys whose value is null, false or empty, so the document
grows with distinct closures rather than with tests. Schema ``fixture-graph/1`` (one full
closure per test, every key present) is still written with ``--json-schema 1``.

Keys are stable and lists sorted, so two runs on the same tree give identical bytes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from fixture_graph import __version__
from fixture_graph.analyze.fanout import top_multipliers
from fixture_graph.analyze.findings import FanOut, Finding
from fixture_graph.measure import FixtureMeasurement
from fixture_graph.model import FixtureDef
from fixture_graph.render.summary import impact_note
from fixture_graph.report import Report

SCHEMA = "fixture-graph/2"
SCHEMA_1 = "fixture-graph/1"
SCHEMAS = (1, 2)


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


def fan_out_json(fan: FanOut | None) -> dict[str, Any] | None:
    """A fixture's fan-out (None when no test reaches it): items and setups per run."""
    if fan is None:
        return None
    out: dict[str, Any] = {
        "tests": fan.tests,
        "items": fan.items,
        "setups": fan.setups,
        "setups_workers": fan.setups_workers,
        "multiplied": fan.multiplied,
        "exact": fan.exact,
    }
    return out


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


def build_json(report: Report, schema: int = 2) -> dict[str, Any]:
    """The JSON document as plain data, in schema ``fixture-graph/<schema>`` (1 or 2).

    Raises:
        ValueError: an unknown schema number.
    """
    if schema not in SCHEMAS:
        raise ValueError(f"unknown JSON schema {schema}; choose one of {', '.join(map(str, SCHEMAS))}")
    scan, res, analysis = report.scan, report.resolution, report.analysis
    measured = report.measurements.fixture_map() if report.measurements is not None else {}
    fan_in = dict(analysis.fan_in)
    fan_out = {f.id: f for f in analysis.fan_out}
    deps: dict[str, set[str]] = defaultdict(set)
    dynamic: dict[str, set[str]] = defaultdict(set)
    for edge in res.fixture_edges:
        (dynamic if edge.dynamic else deps)[edge.source].add(edge.target)
    by_id = {f.id: f for f in scan.fixtures}
    items = report.items
    fixtures = [
        {
            **fixture_json(f, sorted(deps[f.id]), sorted(dynamic[f.id])),
            "used_by": fan_in.get(f.id, 0),
            "fan_out": fan_out_json(fan_out.get(f.id)),
            "measured": measured_json(measured.get(f.id)),
        }
        for f in sorted(scan.fixtures, key=lambda f: f.id)
    ]
    cycles = [
        {
            "chain": list(c.names),
            "links": [{"id": link, "file": by_id[link].file, "line": by_id[link].line} for link in c.links],
            "entered_by": c.entered_by,
        }
        for c in res.cycles
    ]
    document: dict[str, Any] = {
        "schema": SCHEMA if schema == 2 else SCHEMA_1,
        "tool": {"name": "fixture-graph", "version": __version__},
        "rootdir": scan.rootdir,
        "inifile": scan.inifile,
        "pytest_version": scan.pytest_version,
        "env": dict(scan.env),
        "summary": {
            "fixtures": len(report.user_fixtures),
            "definitions": len(scan.fixtures),
            "tests": len(scan.tests),
            # written whole in both schemas: ``items_exact`` false is a value, not a default
            "items": items.items,
            "items_exact": items.exact,
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
        "top_multipliers": [
            f.id
            for f in top_multipliers(
                analysis.fan_out, {f.id for f in report.user_fixtures}, report.config.top
            )
        ],
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
    if schema == 1:
        document["tests"] = _tests_v1(report)
        return document
    position = {entry["id"]: i for i, entry in enumerate(fixtures)}
    document["tests"], document["closures"] = _tests_v2(report, position)
    for key in ("fixtures", "findings", "cycles", "unknown", "issues"):
        document[key] = [_compact(entry) for entry in document[key]]
    return document


def _tests_v1(report: Report) -> list[dict[str, Any]]:
    """``tests[]`` of schema 1: every key, the whole closure in each entry."""
    costs = {c.nodeid: c.weight for c in report.analysis.test_costs}
    items = {t.nodeid: t for t in report.scan.tests}
    test_guards = report.test_guards()
    tests = []
    for resolved in report.resolution.tests:
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
                "dynamic_deps": sorted({target for target, _ in resolved.dynamic}),
                "conditional": bool(guards),
                "guards": list(guards),
                "weight": costs.get(resolved.nodeid, 0.0),
            }
        )
    return sorted(tests, key=lambda t: t["nodeid"])


def _tests_v2(report: Report, position: dict[str, int]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``tests[]`` (one entry per module node, its tests in ``items``) and ``closures[]`` of
    schema 2.

    A test's node id is ``module + "::" + name``; ``file`` is given only when the function is
    defined in another file, and ``guards`` are the test's own (a test is also conditional
    when a definition in its closure is). Its ``closure`` lists indexes into ``closures[]``, whose ``names``
    and ``defs`` (indexes into ``fixtures[]``) the test's closure is the union of. Parts are
    numbered in sorted order of their content, so the numbering is deterministic.
    """
    costs = {c.nodeid: c.weight for c in report.analysis.test_costs}
    items = {t.nodeid: t for t in report.scan.tests}
    parts = {part for resolved in report.resolution.tests for part in resolved.parts}
    rows = sorted((p.names, tuple(position[d] for d in p.defs), p) for p in parts)
    number = {part: i for i, (_, _, part) in enumerate(rows)}
    modules: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for resolved in report.resolution.tests:
        item = items[resolved.nodeid]
        module, name = resolved.nodeid.split("::", 1)
        entry: dict[str, Any] = {
            "name": name,
            "line": item.line,
            "requests": list(resolved.requests),
            "closure": sorted(number[p] for p in resolved.parts),
            "weight": costs.get(resolved.nodeid, 0.0),
        }
        if item.file != module:
            entry["file"] = item.file
        if resolved.dynamic:
            entry["dynamic_deps"] = sorted({target for target, _ in resolved.dynamic})
        if item.guards:
            entry["guards"] = list(item.guards)
        modules[module].append(entry)
    tests: list[dict[str, Any]] = [
        {"module": module, "items": sorted(entries, key=lambda e: str(e["name"]))}
        for module, entries in sorted(modules.items())
    ]
    return tests, [{"names": list(names), "defs": list(defs)} for names, defs, _ in rows]


def _compact(entry: dict[str, Any]) -> dict[str, Any]:
    """``entry`` without the keys whose value is null, false or empty (schema 2's default)."""
    return {k: v for k, v in entry.items() if v is not None and v is not False and v != [] and v != ()}


def render_json(report: Report, schema: int = 2) -> str:
    """Serialize :func:`build_json` with sorted keys."""
    # Compact on purpose: with ``indent`` the json module falls back to its pure-Python encoder,
    # which is most of the run time on a large suite. ``jq .`` pretty-prints it.
    document = build_json(report, schema)
    return json.dumps(document, separators=(",", ":"), sort_keys=True, ensure_ascii=False) + "\n"
