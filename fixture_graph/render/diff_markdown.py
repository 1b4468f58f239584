"""The pull-request comment for a diff: deltas, new findings, and the changed subgraph.

The subgraph holds what the change touched: definitions added, removed, moved or re-scoped, the
ends of edges added or removed, and the fixtures new findings are about. Added parts are drawn
green and thick, removed parts red, dashed and struck through (U+0336 on every character, which
shows in any renderer). The same subgraph is written as DOT/SVG with ``diff --svg``. The comment
starts with a marker so a CI step can find and update its own comment, and stays under GitHub's
65,536-character limit, naming what it left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from fixture_graph.analyze.common import weight_text
from fixture_graph.compare import ReportDiff
from fixture_graph.model import FixtureDef
from fixture_graph.render.diff_out import delta_rows
from fixture_graph.render.escape import dot_string, md_code, md_text, mermaid_label, shorten
from fixture_graph.render.markdown import SEVERITY_ICON
from fixture_graph.render.paths import ShowPath, path_display
from fixture_graph.render.style import scope_fill
from fixture_graph.render.summary import ordered_findings

MARKER = "<!-- fixture-graph -->"
BUDGET = 64_000
MAX_NODES = 60
MAX_LIST = 25
MAX_EXAMPLES = 3
LABEL_LIMIT = 40
PROBLEM_STYLE = {
    "cycle": "stroke:#d62828,stroke-width:3px",
    "mismatch": "stroke:#d97706,stroke-width:3px,stroke-dasharray:6 3",
}
STATUS_STYLE = {
    "added": "fill:#dcfce7,stroke:#15803d,stroke-width:3px",
    "removed": "fill:#fee2e2,stroke:#b91c1c,stroke-dasharray:5 5,color:#7f1d1d",
    "changed": "fill:#fef9c3,stroke:#a16207,stroke-width:2px",
}


def strike(text: str) -> str:
    """``text`` struck through with combining long strokes (visible without any markup)."""
    return "".join(ch + "\u0336" for ch in text)


@dataclass(frozen=True, slots=True)
class DiffNode:
    """A fixture definition in the changed subgraph, from the head (or the base when removed)."""

    id: str
    fixture: FixtureDef
    status: str  # added, removed, changed, context


@dataclass(frozen=True, slots=True)
class DiffGraph:
    """The changed subgraph: nodes and (source, target, status) edges, sorted.

    ``problems`` are the links of the new findings' cycles and scope mismatches, as
    ``(source, target, "cycle" | "mismatch")``: they are always drawn, whatever the cap.
    """

    nodes: tuple[DiffNode, ...]
    edges: tuple[tuple[str, str, str], ...]
    left_out: int
    problems: tuple[tuple[str, str, str], ...] = ()


def changed_subgraph(diff: ReportDiff, max_nodes: int = MAX_NODES) -> DiffGraph:
    """The definitions and edges a reviewer should look at, capped at ``max_nodes``."""
    head = {f.id: f for f in diff.head.scan.fixtures}
    base = {f.id: f for f in diff.base.scan.fixtures}
    status: dict[str, str] = {}
    for fixture in diff.added:
        status[fixture.id] = "added"
    for fixture in diff.removed:
        status[fixture.id] = "removed"
    for moved in diff.moved:
        status[moved.new_id] = "changed"
        if moved.old_id != moved.new_id:
            status[moved.old_id] = "removed"
    for change in diff.scope_changes:
        status.setdefault(change.id, "changed")
    for source, target in (*diff.edges_added, *diff.edges_removed):
        for end in (source, target):
            status.setdefault(end, "context")
    for finding in diff.new_findings:
        if finding.symbol in head:
            status.setdefault(finding.symbol, "context")
    problems = _problem_links(diff, head)
    must = {end for source, target, _ in problems for end in (source, target)}
    for end in must:
        status.setdefault(end, "context")
    rank = {"added": 0, "removed": 0, "changed": 1, "context": 2}
    chosen = sorted(status, key=lambda i: (i not in must, rank[status[i]], i))[: max(max_nodes, len(must))]
    nodes = tuple(
        DiffNode(i, head[i] if i in head and status[i] != "removed" else base[i], status[i])
        for i in sorted(chosen)
        if i in head or i in base
    )
    shown = {n.id for n in nodes}
    head_edges = {(e.source, e.target) for e in diff.head.resolution.fixture_edges}
    added = set(diff.edges_added)
    edges = {(s, t, "added") for s, t in added if s in shown and t in shown}
    edges |= {(s, t, "removed") for s, t in diff.edges_removed if s in shown and t in shown}
    edges |= {(s, t, "context") for s, t in head_edges - added if s in shown and t in shown}
    drawn = {(s, t) for s, t, _ in edges}
    edges |= {(s, t, "context") for s, t, _ in problems if (s, t) not in drawn and s in shown and t in shown}
    return DiffGraph(nodes, tuple(sorted(edges)), len(status) - len(nodes), problems)


def _problem_links(diff: ReportDiff, head: dict[str, FixtureDef]) -> tuple[tuple[str, str, str], ...]:
    """The links of every new FG001 cycle and FG002 scope mismatch, from the head's findings.

    A finding names its definitions by place (``related``); a cycle's places are its links in
    order, so consecutive places are its arrows and the last one points back to the first.
    """
    by_place = {(f.file, f.line): f.id for f in head.values()}
    out: set[tuple[str, str, str]] = set()
    for finding in diff.new_findings:
        if finding.code not in ("FG001", "FG002"):
            continue
        ids = [by_place.get((r.file, r.line)) for r in finding.related]
        links = [i for i in ids if i is not None] or ([finding.symbol] if finding.symbol in head else [])
        if finding.code == "FG001" and links:
            out.update((a, b, "cycle") for a, b in zip(links, [*links[1:], links[0]], strict=True))
        elif len(links) >= 2:
            out.add((links[0], links[1], "mismatch"))
    return tuple(sorted(out))


def _label(node: DiffNode) -> str:
    name = shorten(node.fixture.name, LABEL_LIMIT)
    facts = node.fixture.scope_label + (f", {node.fixture.impact}" if node.fixture.impact else "")
    if node.status == "removed":
        return f"{strike(name)}\nremoved"
    return f"{name}\n{facts}" + ("\nnew" if node.status == "added" else "")


def to_mermaid(graph: DiffGraph) -> str:
    """A Mermaid flowchart of the changed subgraph (empty when there is nothing to draw)."""
    if not graph.nodes:
        return ""
    ids = {n.id: f"n{i}" for i, n in enumerate(graph.nodes)}
    lines = ["```mermaid", "flowchart LR"]
    lines.extend(f"  {ids[n.id]}[{mermaid_label(_label(n))}]" for n in graph.nodes)
    arrows = {"added": "==>", "removed": "-.->", "context": "-->"}
    problem = _problem_kinds(graph)
    styled: list[tuple[int, str]] = []
    for number, (source, target, status) in enumerate(graph.edges):
        lines.append(f"  {ids[source]} {arrows[status]} {ids[target]}")
        if (source, target) in problem:
            styled.append((number, PROBLEM_STYLE[problem[source, target]]))
        elif status != "context":
            colour = "#15803d" if status == "added" else "#b91c1c"
            styled.append((number, f"stroke:{colour},stroke-width:2px"))
    for status, style in STATUS_STYLE.items():
        members = [ids[n.id] for n in graph.nodes if n.status == status]
        if members:
            lines.append(f"  classDef {status} {style}")
            lines.append(f"  class {','.join(members)} {status}")
    for number, style in styled:
        lines.append(f"  linkStyle {number} {style}")
    lines.append("```")
    kinds = {problem[s, t] for s, t, _ in graph.edges if (s, t) in problem}
    if kinds:
        said = {
            "cycle": "red arrows are the new circular dependencies",
            "mismatch": "orange arrows the new scope mismatches",
        }
        lines.append("")
        lines.append("_" + "; ".join(said[k] for k in sorted(kinds)) + "._")
    return "\n".join(lines) + "\n"


def _problem_kinds(graph: DiffGraph) -> dict[tuple[str, str], str]:
    """How each problem link is drawn; a link in a cycle and a mismatch is drawn as the cycle."""
    return {(s, t): kind for s, t, kind in sorted(graph.problems, key=lambda p: p[2] == "cycle")}


def to_dot(graph: DiffGraph) -> str:
    """The same subgraph as DOT, for ``diff --svg``."""
    colours = {"added": "#15803d", "removed": "#b91c1c", "changed": "#a16207", "context": "#555555"}
    lines = [
        "digraph fixture_diff {",
        '  graph [rankdir=LR, fontname="Helvetica"];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
    ]
    for node in graph.nodes:
        style = '"rounded,filled,dashed"' if node.status == "removed" else '"rounded,filled"'
        width = "3" if node.status in ("added", "removed") else "1"
        tooltip = f"{node.fixture.file}:{node.fixture.line}"
        lines.append(
            f"  {dot_string(node.id)} [label={dot_string(_label(node))}, style={style}, "
            f"fillcolor={dot_string(scope_fill(node.fixture.scope_label))}, "
            f"color={dot_string(colours[node.status])}, penwidth={width}, "
            f"tooltip={dot_string(tooltip, tooltip=True)}];"
        )
    problem = _problem_kinds(graph)
    for source, target, status in graph.edges:
        style = {"added": "bold", "removed": "dashed", "context": "solid"}[status]
        kind = problem.get((source, target))
        colour = dot_string({"cycle": "#d62828", "mismatch": "#d97706"}.get(kind or "", colours[status]))
        lines.append(f"  {dot_string(source)} -> {dot_string(target)} [color={colour}, style={style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_diff_svg(diff: ReportDiff, timeout: float = 60.0) -> str:
    """The changed subgraph as SVG (through Graphviz ``dot``)."""
    from fixture_graph.render.svg import dot_to_svg

    return dot_to_svg(to_dot(changed_subgraph(diff)), timeout)


def _finding_line(finding: object, show: ShowPath) -> str:
    from fixture_graph.analyze.findings import Finding

    assert isinstance(finding, Finding)
    icon = SEVERITY_ICON[finding.severity]
    where = md_code(f"{show(finding.file)}:{finding.line}")
    return f"- {icon} **{finding.code}** {where} {md_text(finding.message)}"


def render_diff_markdown(diff: ReportDiff, *, svg_url: str | None = None, budget: int = BUDGET) -> str:
    """The whole comment, at most ``budget`` characters."""
    parts = [MARKER, "## fixture-graph: what this change does to the fixture graph", ""]
    parts += ["| | base | head |", "|---|---:|---:|"]
    for what, before, after in delta_rows(diff):
        mark = " \u2b06\ufe0f" if _grew(before, after) else (" \u2b07\ufe0f" if _grew(after, before) else "")
        parts.append(f"| {what} | {before} | {after}{mark} |")
    parts.append("")
    new = ordered_findings(diff.new_findings)
    parts.append(f"### New findings ({len(new)})")
    parts.append("")
    show = path_display(diff.head.scan.rootdir)
    parts += [_finding_line(f, show) for f in new[:MAX_LIST]] or ["None."]
    if len(new) > MAX_LIST:
        parts.append(f"- _and {len(new) - MAX_LIST} more (see the job log)_")
    if diff.fixed_findings:
        parts += ["", f"### Fixed findings ({len(diff.fixed_findings)})", ""]
        parts += [_finding_line(f, show) for f in ordered_findings(diff.fixed_findings)[:MAX_LIST]]
    changes = _changes(diff)
    if changes:
        parts += ["", "### Changes", "", *changes]
    if diff.heavier_tests:
        parts += [
            "",
            "### Tests whose fixtures got heavier",
            "",
            "| test | before | after |",
            "|---|---:|---:|",
        ]
        parts += [
            f"| {md_code(d.nodeid)} | {weight_text(d.before)} | {weight_text(d.after)} |"
            for d in diff.heavier_tests
        ]
    parts += _closure_table(diff)
    head = "\n".join(parts) + "\n"
    graph = changed_subgraph(diff)
    diagram = to_mermaid(graph)
    while len(head) + len(diagram) > budget - 500 and len(graph.nodes) > 5:
        smaller = changed_subgraph(diff, max_nodes=len(graph.nodes) // 2)
        if len(smaller.nodes) >= len(graph.nodes):
            break  # only the cycles and mismatches are left: they are never dropped
        graph, diagram = smaller, to_mermaid(smaller)
    tail = "\n### Changed subgraph\n\n"
    if not diagram or len(head) + len(diagram) > budget - 500:
        tail += "_Nothing to draw._\n" if not graph.nodes else "_The diagram does not fit in a comment._\n"
    else:
        tail += diagram
        if graph.left_out:
            tail += f"\n_{graph.left_out} more changed fixtures are not drawn._\n"
    if svg_url:
        tail += f"\n[The changed subgraph as SVG](<{svg_url.strip()}>)\n"
    text = head + tail
    if len(text) > budget:
        text = text[: budget - 80].rsplit("\n", 1)[0] + "\n\n_The comment was cut to fit GitHub's limit._\n"
    return text


def _inline(text: str) -> str:
    """A reason whose fixture names are between backticks, as Markdown: the names as code."""
    out = []
    for index, piece in enumerate(text.split("`")):
        if index % 2:
            out.append(md_code(piece))
        elif piece.strip():
            lead = " " if piece[0].isspace() else ""
            trail = " " if piece[-1].isspace() else ""
            out.append(f"{lead}{md_text(piece)}{trail}")
        else:
            out.append(" " if piece else "")
    return "".join(out)


def _closure_table(diff: ReportDiff) -> list[str]:
    """Each closure change with its count of tests and a few of them, most tests first."""
    if not diff.closure_changes:
        return []
    lines = [
        "",
        f"### Tests whose closure changed ({diff.closure_changed_tests})",
        "",
        "| change | tests | for example |",
        "|---|---:|---|",
    ]
    ordered = sorted(diff.closure_changes, key=lambda c: -len(c.tests))  # stable: kind, name, text
    for change in ordered[:MAX_LIST]:
        examples = ", ".join(md_code(t) for t in change.tests[:MAX_EXAMPLES])
        more = f" and {len(change.tests) - MAX_EXAMPLES} more" if len(change.tests) > MAX_EXAMPLES else ""
        lines.append(f"| {_inline(change.text)} | {len(change.tests)} | {examples}{more} |")
    if len(ordered) > MAX_LIST:
        lines.append(f"\n_and {len(ordered) - MAX_LIST} more changes (see the job log)_")
    return lines


def _grew(before: str, after: str) -> bool:
    try:
        return float(after) > float(before)
    except ValueError:
        return False


def _changes(diff: ReportDiff) -> list[str]:
    lines: list[str] = []

    def add(items: list[str]) -> None:
        lines.extend(items[:MAX_LIST])
        if len(items) > MAX_LIST:
            lines.append(f"- _and {len(items) - MAX_LIST} more_")

    add([f"- \u2795 added {md_code(f.id)} ({f.scope_label})" for f in diff.added])
    add([f"- \u2796 removed {md_code(f.id)}" for f in diff.removed])
    add([f"- \u27a1\ufe0f moved {md_code(m.old_id)} \u2192 {md_code(m.new_id)}" for m in diff.moved])
    add([f"- \U0001f501 scope of {md_code(c.id)}: {c.old} \u2192 **{c.new}**" for c in diff.scope_changes])
    add([f"- \u2795 edge {md_code(s)} \u2192 {md_code(t)}" for s, t in diff.edges_added])
    add([f"- \u2796 edge {md_code(s)} \u2192 {md_code(t)}" for s, t in diff.edges_removed])
    before, after = diff.heaviest_before, diff.heaviest_after
    if before != after:
        weight = weight_text(after.weight) if after else "0"
        was = weight_text(before.weight) if before else "0"
        lines.append(f"- heaviest chain: {was} \u2192 **{weight}**")
    return lines
