"""The terminal formats: ``text`` (ruff's full form) and ``concise`` (one line per finding).

Findings come in ruff's ``path:line:col: CODE [severity] message`` form, then the summary. The
summary's first line keeps the original migration script's wording ("39 fixtures analyzed, 0
circular dependencies"), because people grep CI logs for it. Paths are printed from the working
directory (:mod:`fixture_graph.render.paths`); colour comes from a :data:`~.paint.Paint` the
command line passes, so without one the bytes are the same as ever.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import groupby

from fixture_graph.analyze.common import weight_text
from fixture_graph.analyze.findings import Finding, Severity
from fixture_graph.items import ItemCount
from fixture_graph.render.paint import Paint, Piece, paint_line, plain, severity_role
from fixture_graph.render.paths import ShowPath, path_display
from fixture_graph.render.summary import fan_out_tags, fan_out_text, impact_note, measured_rows, multipliers
from fixture_graph.report import Report
from fixture_graph.words import counted

MAX_RELATED = 8
MAX_ISSUES = 20


@dataclass(frozen=True, slots=True)
class TextOptions:
    """How a terminal format is printed.

    ``paint`` colours (default: none); ``show`` spells paths (default: from the working
    directory); ``statistics`` prints a count per rule instead of each finding; ``quiet``
    prints the findings (or statistics) without the summary, as ``ruff -q`` does.
    """

    paint: Paint = plain
    show: ShowPath | None = None
    statistics: bool = False
    quiet: bool = False


def _show(report: Report, options: TextOptions) -> ShowPath:
    return options.show or path_display(report.scan.rootdir)


def finding_lines(finding: Finding, paint: Paint = plain, show: ShowPath | None = None) -> list[str]:
    """One finding: its line, its related locations indented, then the fix."""
    show = show or (lambda file: file)
    lines = [paint_line(_head(finding, show), paint)]
    for related in finding.related[:MAX_RELATED]:
        where = f"{show(related.file)}:{related.line}:"
        lines.append(paint_line(["    ", (where, "dim"), f" {related.label}"], paint))
    if len(finding.related) > MAX_RELATED:
        lines.append(paint_line(["    ", (f"... {len(finding.related) - MAX_RELATED} more", "dim")], paint))
    if finding.fix:
        lines.append(paint_line(["    ", ("fix:", "fix"), f" {finding.fix}"], paint))
    return lines


def _head(finding: Finding, show: ShowPath) -> list[Piece]:
    role = severity_role(finding.severity)
    return [
        (show(finding.file), "path"),
        f":{finding.line}:{finding.col}: ",
        (finding.code, role),
        " ",
        (f"[{finding.severity.label}]", role),
        f" {finding.message}",
    ]


def concise_line(finding: Finding, paint: Paint = plain, show: ShowPath | None = None) -> str:
    """``path:line:col: CODE [severity] message`` and nothing else (``--format concise``)."""
    return paint_line(_head(finding, show or (lambda file: file)), paint)


def statistics_lines(findings: tuple[Finding, ...], paint: Paint = plain) -> list[str]:
    """ruff's ``--statistics``: one line per rule, most frequent first: count, code, severity, name."""
    from fixture_graph.analyze import RULES

    counts = Counter((f.code, f.severity) for f in findings)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0], -int(kv[0][1])))
    width = max((len(str(n)) for n in counts.values()), default=1)
    lines = []
    for (code, severity), n in rows:
        rule = RULES.get(code)
        name = rule.name if rule is not None else ""
        role = severity_role(severity)
        label = f"[{severity.label}]"
        pieces: list[Piece] = [
            f"{n:>{width}}  ",
            (code, role),
            "  ",
            (label, role),
            f"{'':<{10 - len(label)}}{name}",
        ]
        lines.append(paint_line(pieces, paint))
    return lines


def tests_text(count: ItemCount) -> str:
    """``60 items in 49 test functions`` (pytest counts items; ``at least`` when some
    parametrizations could not be counted statically)."""
    items = counted(count.items, "item")
    if not count.exact:
        items = f"at least {items}"
    text = f"{items} in {counted(count.functions, 'test function')}"
    if not count.exact:
        text += f" ({count.uncounted} with parametrizations not counted statically)"
    return text


def found_line(findings: tuple[Finding, ...], suppressed: int, paint: Paint = plain) -> str:
    """``found 11 findings (0 errors, 6 warnings, 5 info)``, coloured by the worst severity."""
    counts = Counter(f.severity for f in findings)
    nouns = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}
    shown = ", ".join(
        counted(counts[s], nouns[s], "info" if s is Severity.INFO else None) for s in reversed(Severity)
    )
    worst = max(counts, default=None)
    role = severity_role(worst) if worst is not None else "ok"
    tail = f"; {suppressed} suppressed" if suppressed else ""
    return paint_line([(f"found {counted(len(findings), 'finding')}", role), f" ({shown}){tail}"], paint)


def summary_lines(report: Report, paint: Paint = plain, show: ShowPath | None = None) -> list[str]:
    """The headline, counts by scope and impact, heavy chains and the heaviest tests."""
    show = show or path_display(report.scan.rootdir)
    scan, res, analysis = report.scan, report.resolution, report.analysis
    n_cycles = sum(1 for f in analysis.findings if f.code == "FG001") or len(res.cycles)
    headline = (
        f"{counted(len(report.user_fixtures), 'fixture')} analyzed, {n_cycles} circular "
        f"{'dependency' if n_cycles == 1 else 'dependencies'}"
    )
    lines = [paint_line([(headline, "heading")], paint)]
    items = report.items
    files = counted(scan.files_scanned, "file")
    rows = [
        f"tests: {tests_text(items)}, {files} scanned, rootdir: {scan.rootdir}",
        f"by scope: {', '.join(f'{k} {v}' for k, v in report.scope_counts().items()) or 'none'}",
        f"by impact: {', '.join(f'{k} {v}' for k, v in report.impact_counts().items()) or 'none'}",
    ]
    note = impact_note(report)
    if note is not None:
        rows.append(f"note: {note}")
    conditional = sum(1 for f in report.user_fixtures if f.conditional)
    if conditional:
        rows.append(
            f"conditional: {counted(conditional, 'fixture')} behind guards (decide them with --env KEY=VALUE)"
        )
    by_id = {f.id: f for f in scan.fixtures}
    unit = report.analysis.weight_unit
    if analysis.heavy_chains:
        rows.append("heaviest chains:")
        for chain in analysis.heavy_chains:
            names = " -> ".join(
                f"{by_id[i].name} [{by_id[i].impact}]" if by_id[i].impact else by_id[i].name
                for i in chain.ids
            )
            rows.append(f"    {weight_text(chain.weight)} {unit}: {names}")
    measured = measured_rows(report)
    if measured:
        rows.append(f"measured cost ({counted(len(measured), 'fixture')} measured), heaviest:")
        for row in measured[: report.config.top]:
            rows.append(f"    {row.name} [{row.impact or 'untagged'}]: {row.text}")
    heaviest = [c for c in analysis.test_costs[: report.config.top] if c.weight > 0]
    if heaviest:
        rows.append("heaviest tests:")
        for cost in heaviest:
            rows.append(
                f"    {weight_text(cost.weight)} {unit}: {cost.nodeid} ({counted(cost.fixtures, 'fixture')})"
            )
    fan = multipliers(report)
    if fan:
        rows.append("top multipliers (parametrized and autouse fixtures):")
        workers = report.config.workers
        rows.extend(f"    {f.name}{fan_out_tags(f)}: {fan_out_text(f, workers)}" for f in fan)
    lines.extend(paint_line([row], paint) for row in rows)
    if scan.issues:
        fatal = sum(1 for i in scan.issues if i.fatal)
        lines.append(paint_line([f"issues: {len(scan.issues)} ({fatal} unreadable)"], paint))
        for issue in scan.issues[:MAX_ISSUES]:
            role = "error" if issue.fatal else "dim"
            where = f"{show(issue.file)}:{issue.line}:"
            lines.append(
                paint_line(["    ", (where, "path"), " ", (issue.code, role), f": {issue.message}"], paint)
            )
        if len(scan.issues) > MAX_ISSUES:
            lines.append(
                paint_line([f"    ... {len(scan.issues) - MAX_ISSUES} more (see --format json)"], paint)
            )
    lines.append(found_line(analysis.findings, analysis.suppressed, paint))
    return lines


def render_text(report: Report, options: TextOptions | None = None) -> str:
    """Findings grouped by file (a blank line between files), then the summary.

    With ``statistics``, a count per rule replaces the findings; with ``quiet``, the summary
    is left out.
    """
    options = options or TextOptions()
    paint, show = options.paint, _show(report, options)
    lines: list[str] = []
    findings = report.analysis.findings
    if options.statistics:
        lines.extend(statistics_lines(findings, paint))
        if findings and not options.quiet:
            lines.append("")
    else:
        for _, group in groupby(findings, key=lambda f: f.file):
            for finding in group:
                lines.extend(finding_lines(finding, paint, show))
            if not options.quiet:
                lines.append("")
    if not options.quiet:
        lines.extend(summary_lines(report, paint, show))
    return "".join(line + "\n" for line in lines)


def render_concise(report: Report, options: TextOptions | None = None) -> str:
    """One line per finding, then one line of totals (``--format concise``; ruff's concise form)."""
    options = options or TextOptions()
    paint, show = options.paint, _show(report, options)
    findings = report.analysis.findings
    if options.statistics:
        lines = statistics_lines(findings, paint)
    else:
        lines = [concise_line(f, paint, show) for f in findings]
    if not options.quiet:
        lines.append(found_line(findings, report.analysis.suppressed, paint))
    return "".join(line + "\n" for line in lines)


def render_summary(report: Report, options: TextOptions | None = None) -> str:
    """What the terminal gets beside a report written with ``-o``: the summary (or the
    statistics and the count line with ``statistics``; nothing with ``quiet``)."""
    options = options or TextOptions()
    if options.quiet:
        return ""
    if options.statistics:
        lines = statistics_lines(report.analysis.findings, options.paint)
        lines.append(found_line(report.analysis.findings, report.analysis.suppressed, options.paint))
    else:
        lines = summary_lines(report, options.paint, _show(report, options))
    return "".join(line + "\n" for line in lines)
