"""The concise text summary, in the spirit of the original migration script.

39 fixtures analyzed, 0 circular dependencies
"""

from __future__ import annotations

from fixture_graph.config import DEFAULT_IMPACT_LEVELS
from fixture_graph.report import Report


def render_text(report: Report) -> str:
    """A short human summary; details (chains, unknown names, issues) follow the headline."""
    scan, res = report.scan, report.resolution
    by_id = {f.id: f for f in scan.fixtures}
    n_cycles = len(res.cycles)
    lines = [
        f"{len(report.user_fixtures)} fixtures analyzed, {n_cycles} circular "
        f"{'dependency' if n_cycles == 1 else 'dependencies'}",
        f"tests: {len(scan.tests)}, files scanned: {scan.files_scanned}, rootdir: {scan.rootdir}",
    ]
    scopes = ", ".join(f"{k} {v}" for k, v in report.scope_counts().items())
    impacts = ", ".join(f"{k} {v}" for k, v in report.impact_counts(DEFAULT_IMPACT_LEVELS).items())
    lines.append(f"by scope: {scopes or 'none'}")
    lines.append(f"by impact: {impacts or 'none'}")
    conditional = sum(1 for f in report.user_fixtures if f.conditional)
    if conditional:
        lines.append(f"conditional: {conditional} fixtures behind guards (decide them with --env KEY=VALUE)")
    for cycle in res.cycles:
        lines.append(f"circular dependency: {' -> '.join(cycle.names)}")
        for link in cycle.links:
            fixture = by_id[link]
            lines.append(f"    {fixture.file}:{fixture.line}: {fixture.name} ({link})")
    if res.unknown:
        names = sorted({u.name for u in res.unknown})
        lines.append(
            f"unknown fixtures: {len(names)} ({', '.join(names[:10])}{', ...' if len(names) > 10 else ''})"
        )
    if scan.issues:
        fatal = sum(1 for i in scan.issues if i.fatal)
        lines.append(f"issues: {len(scan.issues)} ({fatal} unreadable)")
        for issue in scan.issues[:20]:
            lines.append(f"    {issue.file}:{issue.line}: {issue.code}: {issue.message}")
        if len(scan.issues) > 20:
            lines.append(f"    ... {len(scan.issues) - 20} more (see --format json)")
    return "\n".join(lines) + "\n"
