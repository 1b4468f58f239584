"""Renderers of a :class:`~fixture_graph.compare.ReportDiff`: text and JSON (Markdown lives in
:mod:`fixture_graph.render.diff_markdown`)."""

from __future__ import annotations

import json
from typing import Any

from fixture_graph.analyze.common import weight_text
from fixture_graph.analyze.findings import Chain
from fixture_graph.compare import ReportDiff
from fixture_graph.render.json_out import finding_json
from fixture_graph.render.paths import path_display
from fixture_graph.render.text import finding_lines
from fixture_graph.words import counted

DIFF_SCHEMA = "fixture-graph-diff/1"


def _chain(diff: ReportDiff, chain: Chain | None, *, head: bool) -> str:
    if chain is None:
        return "none"
    report = diff.head if head else diff.base
    names = {f.id: f.name for f in report.scan.fixtures}
    return f"{weight_text(chain.weight)}: " + " -> ".join(names.get(i, i) for i in chain.ids)


def delta_rows(diff: ReportDiff) -> list[tuple[str, str, str]]:
    """(what, base, head) rows of the summary table."""
    base, head = diff.base, diff.head

    def session(report: Any) -> int:
        return sum(1 for f in report.user_fixtures if f.scope_label == "session")

    def count(report: Any, code: str) -> int:
        return sum(1 for f in report.analysis.findings if f.code == code)

    before, after = diff.heaviest_before, diff.heaviest_after
    return [
        ("fixtures", str(len(base.user_fixtures)), str(len(head.user_fixtures))),
        ("tests", str(len(base.scan.tests)), str(len(head.scan.tests))),
        ("session fixtures", str(session(base)), str(session(head))),
        ("circular dependencies", str(count(base, "FG001")), str(count(head, "FG001"))),
        ("scope mismatches", str(count(base, "FG002")), str(count(head, "FG002"))),
        ("findings", str(len(base.analysis.findings)), str(len(head.analysis.findings))),
        (
            "heaviest chain",
            weight_text(before.weight) if before else "0",
            weight_text(after.weight) if after else "0",
        ),
    ]


def render_diff_text(diff: ReportDiff) -> str:
    """A plain summary of the change, then the new findings in full."""
    show = path_display(diff.head.scan.rootdir)
    lines = ["fixture graph changes:"]
    for what, before, after in delta_rows(diff):
        marker = "" if before == after else "  (changed)"
        lines.append(f"  {what}: {before} -> {after}{marker}")
    for fixture in diff.added:
        lines.append(f"+ fixture {fixture.id} ({fixture.scope_label}) at {show(fixture.file)}:{fixture.line}")
    for fixture in diff.removed:
        lines.append(f"- fixture {fixture.id} ({fixture.scope_label})")
    for moved in diff.moved:
        lines.append(
            f"~ fixture {moved.name} moved: {moved.old_id} ({moved.old_file}) "
            f"-> {moved.new_id} ({moved.new_file})"
        )
    for change in diff.scope_changes:
        lines.append(
            f"~ scope of {change.id}: {change.old} -> {change.new} ({show(change.file)}:{change.line})"
        )
    for source, target in diff.edges_added:
        lines.append(f"+ edge {source} -> {target}")
    for source, target in diff.edges_removed:
        lines.append(f"- edge {source} -> {target}")
    if diff.heaviest_before != diff.heaviest_after:
        lines.append(f"heaviest chain: {_chain(diff, diff.heaviest_before, head=False)}")
        lines.append(f"            now {_chain(diff, diff.heaviest_after, head=True)}")
    for delta in diff.heavier_tests:
        lines.append(
            f"heavier test: {delta.nodeid} {weight_text(delta.before)} -> {weight_text(delta.after)}"
        )
    if diff.closure_changes:
        lines.append(f"tests whose closure changed: {diff.closure_changed_tests}")
        for closure in diff.closure_changes:
            lines.append(f"~ {closure.text}: {counted(len(closure.tests), 'test')}")
            lines.extend(f"    {nodeid}" for nodeid in closure.tests)
    if diff.fixed_findings:
        lines.append(f"fixed findings: {len(diff.fixed_findings)}")
        for finding in diff.fixed_findings:
            lines.append(f"  {finding.code} {finding.message}")
    lines.append(f"new findings: {len(diff.new_findings)} ({len(diff.existing_findings)} already on base)")
    for finding in diff.new_findings:
        lines.extend(finding_lines(finding, show=show))
    if diff.is_empty:
        lines.append("no change to the fixture graph")
    return "\n".join(lines) + "\n"


def build_diff_json(diff: ReportDiff) -> dict[str, Any]:
    """The diff as plain data (schema ``fixture-graph-diff/1``)."""

    def fixture(f: Any) -> dict[str, Any]:
        return {"id": f.id, "name": f.name, "scope": f.scope_label, "file": f.file, "line": f.line}

    def chain(c: Chain | None) -> dict[str, Any] | None:
        return None if c is None else {"ids": list(c.ids), "weight": c.weight}

    return {
        "schema": DIFF_SCHEMA,
        "summary": [{"what": w, "base": b, "head": h} for w, b, h in delta_rows(diff)],
        "fixtures_added": [fixture(f) for f in diff.added],
        "fixtures_removed": [fixture(f) for f in diff.removed],
        "fixtures_moved": [
            {
                "name": m.name,
                "old_id": m.old_id,
                "new_id": m.new_id,
                "old_file": m.old_file,
                "new_file": m.new_file,
            }
            for m in diff.moved
        ],
        "scope_changes": [
            {"id": c.id, "name": c.name, "old": c.old, "new": c.new, "file": c.file, "line": c.line}
            for c in diff.scope_changes
        ],
        "edges_added": [list(e) for e in diff.edges_added],
        "edges_removed": [list(e) for e in diff.edges_removed],
        "heaviest_chain": {"base": chain(diff.heaviest_before), "head": chain(diff.heaviest_after)},
        "heavier_tests": [
            {"nodeid": d.nodeid, "before": d.before, "after": d.after} for d in diff.heavier_tests
        ],
        "closure_changes": [
            {"kind": c.kind, "name": c.name, "change": c.text, "tests": list(c.tests)}
            for c in diff.closure_changes
        ],
        "new_findings": [finding_json(f) for f in diff.new_findings],
        "fixed_findings": [finding_json(f) for f in diff.fixed_findings],
        "existing_findings": len(diff.existing_findings),
    }


def render_diff_json(diff: ReportDiff) -> str:
    """Serialize :func:`build_diff_json`."""
    return json.dumps(build_diff_json(diff), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
