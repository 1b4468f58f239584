"""Graph exports for other tools: GraphML (yEd, Gephi) and networkx node-link JSON.

The graph itself comes from the graph layer (:func:`fixture_graph.graph.build_graph`); this
module only adds the attributes a reader wants (docstring, guards, fan-in) and serializes it.
networkx itself stays in the graph layer, which builds and serializes the graph.
"""

from __future__ import annotations

import json
from typing import Any

from fixture_graph.render.escape import clean_text
from fixture_graph.render.view import used_by
from fixture_graph.report import Report


def render_graphml(report: Report, options: object = None) -> str:
    """The definition graph as GraphML (one node per fixture definition)."""
    from fixture_graph.graph import graphml_text

    del options
    return graphml_text(_export_graph(report))


def render_node_link(report: Report, options: object = None) -> str:
    """The definition graph as networkx node-link JSON (``nx.node_link_graph`` reads it back)."""
    from fixture_graph.graph import node_link_data

    del options
    data = node_link_data(_export_graph(report))
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _export_graph(report: Report) -> Any:
    from fixture_graph.graph import build_graph

    graph = build_graph(report.scan, report.resolution)
    fixtures = {f.id: f for f in report.scan.fixtures}
    counts = used_by(report)
    pairs = {(a, b) for c in report.resolution.cycles for a, b in zip(c.links, c.links[1:], strict=False)}
    for node, attrs in graph.nodes(data=True):
        fixture = fixtures[node]
        attrs.update(
            {
                "id": node,
                "docstring": fixture.docstring,
                "impact_description": fixture.impact_description,
                "guards": "; ".join(fixture.guards) or None,
                "registered_in": fixture.registered_in,
                "used_by": counts.get(node, 0),
            }
        )
        _clean(attrs)
    for source, target, attrs in graph.edges(data=True):
        attrs["cycle"] = (source, target) in pairs
        _clean(attrs)
    return graph


def _clean(attrs: dict[str, Any]) -> None:
    """GraphML has no null and XML no control characters: drop Nones, clean strings."""
    for key in [k for k, v in attrs.items() if v is None]:
        del attrs[key]
    for key, value in attrs.items():
        if isinstance(value, str):
            attrs[key] = clean_text(value)
