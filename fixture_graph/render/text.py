"""The text output: findings in ruff's ``path:line:col: CODE message`` form, then the summary.

The summary's first line keeps the original migration script's wording
("39 fixtures analyzed, 0 circular dependencies"), because people grep CI logs for it.
"""

from __future__ import annotations

from itertools import groupby

from fixture_graph.analyze.common import weight_text
from fixture_graph.analyze.findings import Finding, Severity
from fixture_graph.render.escape import printable_line
from fixture_graph.render.summary import impact_note, measured_rows
from fixture_graph.report import Report

MAX_RELATED = 8
MAX_ISSUES = 20


def finding_lines(finding: Finding) -> list[str]:
    """One finding: its line, its related locations indented, then the fix."""
    where = f"{finding.file}:{finding.line}:{finding.col}"
    lines = [f"{where}: {finding.code} [{finding.severity.label}] {finding.message}"]
    for related in finding.related[:MAX_RELATED]:
        lines.append(f"    {related.file}:{related.line}: {related.label}")
    if len(finding.related) > MAX_RELATED:
        lines.append(f"    ... {len(finding.related) - MAX_RELATED} more")
    if finding.fix:
        lines.append(f"    fix: {finding.fix}")
    return lines


def summary_lines(report: Report) -> list[str]:
    """The headline, counts by scope and impact, heavy chains and the heaviest tests."""
    scan, res, analysis = report.scan, report.resolution, report.analysis
    n_cycles = sum(1 for f in analysis.findings if f.code == "FG001") or len(res.cycles)
    lines = [
        f"{len(report.user_fixtures)} fixtures analyzed, {n_cycles} circular "
        f"{'dependency' if n_cycles == 1 else 'dependencies'}",
        f"tests: {len(scan.tests)}, files scanned: {scan.files_scanned}, rootdir: {scan.rootdir}",
    ]
    scopes = ", ".join(f"{k} {v}" for k, v in report.scope_counts().items())
    impacts = ", ".join(f"{k} {v}" for k, v in report.impact_counts().items())
    lines.append(f"by scope: {scopes or 'none'}")
    lines.append(f"by impact: {impacts or 'none'}")
    note = impact_note(report)
    if note is not None:
        lines.append(f"note: {note}")
    conditional = sum(1 for f in report.user_fixtures if f.conditional)
    if conditional:
        lines.append(f"conditional: {conditional} fixtures behind guards (decide them with --env KEY=VALUE)")
    by_id = {f.id: f for f in scan.fixtures}
    unit = report.analysis.weight_unit
    if analysis.heavy_chains:
        lines.append("heaviest chains:")
        for chain in analysis.heavy_chains:
            names = " -> ".join(
                f"{by_id[i].name} [{by_id[i].impact}]" if by_id[i].impact else by_id[i].name
                for i in chain.ids
            )
            lines.append(f"    {weight_text(chain.weight)} {unit}: {names}")
    measured = measured_rows(report)
    if measured:
        lines.append(f"measured cost ({len(measured)} fixtures measured), heaviest:")
        for row in measured[: report.config.top]:
            lines.append(f"    {row.name} [{row.impact or 'untagged'}]: {row.text}")
    heaviest = [c for c in analysis.test_costs[: report.config.top] if c.weight > 0]
    if heaviest:
        lines.append("heaviest tests:")
        for cost in heaviest:
            lines.append(f"    {weight_text(cost.weight)} {unit}: {cost.nodeid} ({cost.fixtures} fixtures)")
    if scan.issues:
        fatal = sum(1 for i in scan.issues if i.fatal)
        lines.append(f"issues: {len(scan.issues)} ({fatal} unreadable)")
        for issue in scan.issues[:MAX_ISSUES]:
            lines.append(f"    {issue.file}:{issue.line}: {issue.code}: {issue.message}")
        if len(scan.issues) > MAX_ISSUES:
            lines.append(f"    ... {len(scan.issues) - MAX_ISSUES} more (see --format json)")
    counts = {s: sum(1 for f in analysis.findings if f.severity is s) for s in reversed(Severity)}
    shown = ", ".join(f"{n} {s.label}" for s, n in counts.items())
    total = len(analysis.findings)
    suppressed = f"; {analysis.suppressed} suppressed" if analysis.suppressed else ""
    lines.append(f"found {total} finding{'s' if total != 1 else ''} ({shown}){suppressed}")
    return lines


def render_text(report: Report) -> str:
    """Findings grouped by file (a blank line between files), then the summary."""
    lines: list[str] = []
    for _, group in groupby(report.analysis.findings, key=lambda f: f.file):
        for finding in group:
            lines.extend(finding_lines(finding))
        lines.append("")
    lines.extend(summary_lines(report))
    return "\n".join(printable_line(line) for line in lines) + "\n"


def render_summary(report: Report) -> str:
    """Only the summary (printed beside a report written with ``-o``)."""
    return "\n".join(printable_line(line) for line in summary_lines(report)) + "\n"
