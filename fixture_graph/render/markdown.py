"""Markdown for a pull-request comment: a summary table, the findings, a Mermaid diagram.

GitHub renders ``mermaid`` code blocks inline and rejects comments over 65,536 characters, so
the text is assembled against a budget: the summary always fits, then the diagram (capped in
nodes), then as many findings as fit, worst first; whatever is left out is named in a note.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from urllib.parse import quote

from fixture_graph.analyze.common import weight_text
from fixture_graph.analyze.findings import Finding, Severity
from fixture_graph.render.escape import md_code, md_text, mermaid_label, shorten
from fixture_graph.render.paths import ShowPath, path_display
from fixture_graph.render.style import CYCLE_COLOUR, SCOPE_ORDER, SEVERITY_COLOUR, scope_fill
from fixture_graph.render.summary import (
    IMPACT_TAG_EXAMPLE,
    fan_out_tags,
    fan_out_text,
    impact_note,
    measured_rows,
    multipliers,
    ordered_findings,
    summarize,
)
from fixture_graph.render.view import (
    GraphIndex,
    GraphOptions,
    build_index,
    build_view,
    find_fixtures,
    findings_subgraph,
)
from fixture_graph.report import Report
from fixture_graph.words import counted

COMMENT_LIMIT = 65_536
BUDGET = 64_000  # a margin for whatever a CI step appends (a marker, a footer)
DIAGRAM_CAPS = (60, 30, 15, 5)
LABEL_LIMIT = 48
CHAIN_LIMIT = 12
MESSAGE_LIMIT = 300
SEVERITY_ICON = {Severity.ERROR: "\u274c", Severity.WARNING: "\u26a0\ufe0f", Severity.INFO: "\u2139\ufe0f"}


def render_markdown(report: Report, options: GraphOptions | None = None, *, budget: int = BUDGET) -> str:
    """The whole comment, at most ``budget`` characters."""
    options = options or GraphOptions()
    index = build_index(report)
    head = _summary(report, index)
    diagram, diagram_notes = "", list[str]()
    for cap in DIAGRAM_CAPS:
        diagram, diagram_notes = _diagram(report, options, index, max_nodes=cap)
        if len(head) + len(diagram) <= budget // 2:
            break
    else:
        diagram, diagram_notes = "", ["the diagram was left out: it does not fit in a comment"]
    graph_part = "\n### Graph\n\n" + (diagram or "_Nothing to draw: no circular dependency or finding._\n")
    for note in diagram_notes:
        graph_part += f"\n_{md_text(note)}_\n"
    if options.svg_url:
        graph_part += f"\n[Full graph (SVG)](<{_safe_url(options.svg_url)}>)\n"
    findings = _findings(report, budget - len(head) - len(graph_part) - 200)
    return head + findings + graph_part


def _summary(report: Report, index: GraphIndex) -> str:
    s = summarize(report)
    session = f"{s.session_fixtures} / {s.session_budget}"
    if s.session_fixtures > s.session_budget:
        session += " \u26a0\ufe0f"
    tests = f"{s.tests} ({'' if s.items_exact else '>= '}{s.items})"
    lines = [
        "## fixture-graph",
        "",
        "| fixtures | tests (items) | circular dependencies | scope mismatches | session fixtures / budget "
        "| errors | warnings | info |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {s.fixtures} | {tests} | {s.cycles} | {s.scope_mismatches} | {session} | {s.errors} "
        f"| {s.warnings} | {s.infos} |",
        "",
    ]
    if s.heaviest_chain is not None:
        ids = s.heaviest_chain.ids
        shown = ids if len(ids) <= CHAIN_LIMIT else (*ids[: CHAIN_LIMIT - 1], ids[-1])
        names = [
            md_code(shorten(index.fixtures[f].name if f in index.fixtures else f, LABEL_LIMIT)) for f in shown
        ]
        if len(ids) > CHAIN_LIMIT:
            names.insert(CHAIN_LIMIT - 1, f"\u2026 {len(ids) - CHAIN_LIMIT} more \u2026")
        lines.append(
            f"Heaviest chain ({weight_text(s.heaviest_chain.weight)} {md_text(s.weight_unit)}): "
            + " \u2192 ".join(names)
        )
        lines.append("")
    if impact_note(report) is not None:
        lines.append(
            "No impact tags found, so there are no heavy chains or test weights to show: tag costly "
            f"fixtures with {md_code(IMPACT_TAG_EXAMPLE)} (MINIMAL, LOW, MEDIUM, HIGH, VERY\\_HIGH), "
            f"or pass {md_code('--measurements')}."
        )
        lines.append("")
    measured = measured_rows(report)[:5]
    if measured:
        lines.append("| measured fixture | declared impact | measured cost |")
        lines.append("|---|---|---|")
        lines.extend(
            f"| {md_code(r.name)} | {r.impact or 'untagged'} | {md_text(r.text)} |" for r in measured
        )
        lines.append("")
    fan = multipliers(report)
    if fan:
        lines.append("| top multiplier | fan-out |")
        lines.append("|---|---|")
        lines.extend(
            f"| {md_code(shorten(f.name, LABEL_LIMIT))} {md_text(fan_out_tags(f).strip())} "
            f"| {md_text(fan_out_text(f, report.config.workers))} |"
            for f in fan
        )
        lines.append("")
    if s.conditional:
        verb = "is" if s.conditional == 1 else "are"
        lines.append(
            f"{counted(s.conditional, 'fixture')} {verb} behind env guards "
            "(decide them with `--env KEY=VALUE`)."
        )
        lines.append("")
    return "\n".join(lines) + "\n"


def _finding_row(finding: Finding, show: ShowPath) -> str:
    icon = SEVERITY_ICON.get(finding.severity, "")
    where = md_code(f"{show(finding.file)}:{finding.line}")
    message = md_text(shorten(finding.message, MESSAGE_LIMIT))
    if finding.fix:
        message += "<br>" + "fix: " + md_text(shorten(finding.fix, MESSAGE_LIMIT))
    return f"| {icon} {finding.severity.label} | {md_text(finding.code)} | {where} | {message} |"


def _findings(report: Report, budget: int) -> str:
    findings = ordered_findings(report.analysis.findings)
    show = path_display(report.scan.rootdir)
    if not findings:
        return "### Findings\n\nNo findings.\n"
    out = [
        f"### Findings ({len(findings)})",
        "",
        "| severity | code | where | message |",
        "|---|---|---|---|",
    ]
    used = sum(len(line) + 1 for line in out)
    shown = 0
    for finding in findings:
        row = _finding_row(finding, show)
        if used + len(row) + 1 > budget:
            break
        out.append(row)
        used += len(row) + 1
        shown += 1
    if shown < len(findings):
        left = findings[shown:]
        worst = max(f.severity for f in left)
        out.append("")
        out.append(
            f"_{len(left)} more findings not shown (the worst of them: {worst.label}); "
            "the full list is in the text, JSON or SARIF output._"
        )
    return "\n".join(out) + "\n"


def _diagram(
    report: Report, options: GraphOptions, index: GraphIndex, *, max_nodes: int
) -> tuple[str, list[str]]:
    """A Mermaid flowchart and notes on what it leaves out ("" when there is nothing to draw)."""
    notes: list[str] = []
    if options.focus or options.test:
        view = build_view(report, dataclasses.replace(options, collapse="none"), index)
        keep = set(view.shown_fixtures)
        seeds = set(find_fixtures(index, options.focus)) if options.focus else set()
        extra = [n.key for n in view.nodes if n.kind == "test"]
        ranked = sorted(keep, key=lambda fid: (fid not in seeds, -index.severity.get(fid, 0), fid))
    else:
        # Cycle links and scope mismatches first, then other findings, then their neighbours.
        ranked = findings_subgraph(report, index, set(index.fixtures))
        keep, extra = set(ranked), []
    if not keep:
        return "", notes
    if len(ranked) > max_nodes:
        left = max(0, len(index.base) - max_nodes)
        notes.append(
            f"the diagram shows {max_nodes} of {len(ranked)} relevant fixtures (cycles and scope "
            f"mismatches first); {left} fixtures of the suite are not drawn"
        )
        keep = set(ranked[:max_nodes])
    keys = sorted(keep) + extra
    ids = {key: f"n{i}" for i, key in enumerate(keys)}
    lines = ["```mermaid", f"flowchart {options.rankdir}"]
    by_module: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        by_module[index.cluster_of.get(key, "")].append(key)
    for number, (module, members) in enumerate(sorted(by_module.items())):
        indent = "  "
        if module:
            lines.append(f"  subgraph m{number}[{mermaid_label(index.cluster_labels[module])}]")
            indent = "    "
        lines.extend(f"{indent}{ids[key]}[{mermaid_label(_mermaid_text(index, key))}]" for key in members)
        if module:
            lines.append("  end")
    edges = [
        e
        for (source, target), e in index.edges.items()
        if source in ids and target in ids and (source in index.fixtures or source in extra)
    ]
    cycle_links: list[int] = []
    for number, edge in enumerate(edges):
        arrow = "-.->" if edge.dynamic or _guarded(index, edge.source, edge.target) else "-->"
        lines.append(f"  {ids[edge.source]} {arrow} {ids[edge.target]}")
        if (edge.source, edge.target) in index.cycle_pairs:
            cycle_links.append(number)
    for scope in SCOPE_ORDER:
        members = [ids[k] for k in keys if k in index.fixtures and index.fixtures[k].scope_label == scope]
        if members:
            lines.append(f"  classDef {scope} fill:{scope_fill(scope)},stroke:#333")
            lines.append(f"  class {','.join(members)} {scope}")
    for key in keys:
        level = index.severity.get(key, 0)
        if level:
            lines.append(f"  style {ids[key]} stroke:{SEVERITY_COLOUR[level]},stroke-width:3px")
    if cycle_links:
        lines.append(f"  linkStyle {','.join(map(str, cycle_links))} stroke:{CYCLE_COLOUR},stroke-width:2px")
    lines.append("```")
    return "\n".join(lines) + "\n", notes


def _mermaid_text(index: GraphIndex, key: str) -> str:
    if key in index.fixtures:
        fixture = index.fixtures[key]
        facts = fixture.scope_label + (f", {fixture.impact}" if fixture.impact else "")
        return f"{shorten(fixture.name, LABEL_LIMIT)}\n{facts}"
    return f"test\n{shorten(index.tests[key].name, LABEL_LIMIT)}"


def _guarded(index: GraphIndex, *keys: str) -> bool:
    return any(
        (k in index.fixtures and index.fixtures[k].conditional)
        or (k in index.tests and index.tests[k].conditional)
        for k in keys
    )


def _safe_url(url: str) -> str:
    return quote(url.strip(), safe=":/?#[]@!$&'*+,;=%~")
