"""DOT for Graphviz, written by hand so every byte is sorted and every string escaped.

Clusters are defining modules; fill colour is the scope (one legend), border width the impact,
a double border marks autouse, a dashed border a definition behind an env guard. Dashed arrows
are ``getfixturevalue`` or env-guarded requests; red arrows are circular dependencies.
"""

from __future__ import annotations

from fixture_graph.render.escape import dot_string, shorten
from fixture_graph.render.style import (
    CYCLE_COLOUR,
    EDGE_COLOUR,
    SCOPE_ORDER,
    SEVERITY_COLOUR,
    penwidth,
    scope_fill,
)
from fixture_graph.render.view import GraphOptions, GraphView, ViewEdge, ViewNode, build_view
from fixture_graph.report import Report

FONT = "Helvetica,Arial,sans-serif"
TOOLTIP_LIMIT = 800


def render_dot(report: Report, options: GraphOptions | None = None) -> str:
    """The DOT source of the view ``options`` selects (the whole suite by default)."""
    return view_to_dot(build_view(report, options or GraphOptions()))


def view_to_dot(view: GraphView) -> str:
    """Serialize a :class:`GraphView`; the same view always gives the same text."""
    out = [
        "digraph fixtures {",
        f'  graph [rankdir={view.rankdir}, fontname="{FONT}", fontsize=11, newrank=true, '
        f'nodesep=0.25, ranksep=0.5, id="fixture-graph"];',
        f'  node [shape=box, style="rounded,filled", fontname="{FONT}", fontsize=10, '
        f'color="#333333", fillcolor="#ffffff", margin="0.12,0.05"];',
        f'  edge [color="{EDGE_COLOUR}", arrowsize=0.7];',
    ]
    for note in view.notes:
        out.append(f"  // {_comment(note)}")
    if view.left_out:
        # Said in the picture itself, not only in a comment: the reader must know it is partial.
        label = dot_string(_wrap(view.left_out))
        out.append(f"  graph [label={label}, labelloc=t, labeljust=l, fontsize=12];")
    by_cluster: dict[str, list[ViewNode]] = {}
    for node in view.nodes:
        by_cluster.setdefault(node.cluster, []).append(node)
    for i, (key, label, tip) in enumerate(view.clusters):
        out.append(f"  subgraph cluster_{i} {{")
        out.append(
            f'    graph [id="cluster-{i}", label={dot_string(label)}, '
            f"tooltip={dot_string(tip, tooltip=True)}, "
            'style=rounded, color="#9aa5b1", fontsize=10, labeljust=l];'
        )
        out.extend(f"    {_node(node)}" for node in by_cluster.get(key, ()))
        out.append("  }")
    clustered = {key for key, _, _ in view.clusters}
    for cluster, nodes in sorted(by_cluster.items()):
        if cluster not in clustered:
            out.extend(f"  {_node(node)}" for node in nodes)
    out.extend(f"  {_edge(edge)}" for edge in view.edges)
    out.extend(_legend(view))
    out.append("}")
    return "\n".join(out) + "\n"


def _wrap(text: str, width: int = 100) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) >= width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


def _comment(text: str) -> str:
    return " ".join(text.split())


def _attrs(pairs: list[tuple[str, str]]) -> str:
    return "[" + ", ".join(f"{k}={v}" for k, v in pairs) + "]"


def _node_label(node: ViewNode) -> str:
    if node.kind == "test":
        return f"test\n{node.name}"
    if node.kind == "module":
        count = len(node.members)
        return f"{node.name}\n{count} fixture{'s' if count != 1 else ''}"
    facts = node.scope + (f" \u00b7 {node.impact}" if node.impact else "")
    return f"{node.name}\n{facts}" + ("\nautouse" if node.autouse else "")


def _node(node: ViewNode) -> str:
    style = "rounded,filled" + (",dashed" if node.conditional else "")
    pairs = [
        ("id", dot_string(node.svg_id)),
        ("label", dot_string(_node_label(node))),
        ("tooltip", dot_string(shorten(node.tooltip, TOOLTIP_LIMIT), tooltip=True)),
    ]
    if node.kind == "test":
        pairs += [("shape", "note"), ("style", '"filled"'), ("fillcolor", '"#ffffff"')]
    else:
        pairs += [("fillcolor", f'"{scope_fill(node.scope)}"'), ("style", f'"{style}"')]
        width = penwidth(node.impact)
        if width != 1.0:
            pairs.append(("penwidth", f"{width:g}"))
    if node.autouse and node.kind == "fixture":
        pairs.append(("peripheries", "2"))
    if node.severity:
        pairs.append(("color", f'"{SEVERITY_COLOUR[node.severity]}"'))
    return f"{dot_string(node.key)} {_attrs(pairs)};"


def _edge(edge: ViewEdge) -> str:
    pairs = [("id", dot_string(edge.svg_id)), ("tooltip", dot_string(edge.tooltip, tooltip=True))]
    if edge.dynamic or edge.conditional:
        pairs.append(("style", "dashed"))
    if edge.cycle:
        pairs += [("color", f'"{CYCLE_COLOUR}"'), ("penwidth", "2")]
    if edge.count > 1:
        pairs.append(("label", dot_string(str(edge.count))))
    return f"{dot_string(edge.source)} -> {dot_string(edge.target)} {_attrs(pairs)};"


def _legend(view: GraphView) -> list[str]:
    """One small cluster: the scopes present, then a note on border and arrow styles."""
    scopes = [s for s in SCOPE_ORDER if any(n.scope == s for n in view.nodes)]
    if not scopes:
        return []
    out = [
        "  subgraph cluster_legend {",
        '    graph [label="legend", style="rounded,dashed", color="#9aa5b1", fontsize=10, id="legend"];',
    ]
    for scope in scopes:
        out.append(
            f'    "legend:{scope}" [id="legend-{scope}", label="{scope}", '
            f'fillcolor="{scope_fill(scope)}", tooltip="{scope} scope"];'
        )
    notes = [
        "thick border: high impact",
        "double border: autouse",
        "dashed: dynamic or env-guarded",
        "red arrow: circular dependency",
    ]
    if view.collapsed:
        notes.append("boxes are modules")
    label = "\\l".join(notes) + "\\l"
    out.append(f'    "legend:styles" [id="legend-styles", shape=plaintext, style="", label="{label}"];')
    chain = [f'"legend:{s}"' for s in scopes] + ['"legend:styles"']
    out.append(f"    {' -> '.join(chain)} [style=invis];")
    out.append("  }")
    return out
