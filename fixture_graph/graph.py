"""The fixture dependency graph as a ``networkx.DiGraph``: one node per fixture definition.

An edge ``A -> B`` means definition A gets definition B when it asks for ``B.name`` (in at least
one test's context; override chains are edges between definitions, never name -> name).
Dynamic ``getfixturevalue`` edges carry ``dynamic=True``. networkx is imported here and in the
analyzers only, so the CLI starts fast when it is not needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fixture_graph.model import FixtureDef, Resolution, ScanResult

if TYPE_CHECKING:
    import networkx as nx


def node_attributes(fixture: FixtureDef) -> dict[str, Any]:
    """The attributes a graph node carries for ``fixture``."""
    return {
        "name": fixture.name,
        "scope": fixture.scope_label,
        "autouse": fixture.autouse,
        "params": fixture.params,
        "impact": fixture.impact,
        "file": fixture.file,
        "line": fixture.line,
        "conditional": fixture.conditional,
        "kind": fixture.kind.value,
    }


def build_graph(scan: ScanResult, resolution: Resolution, *, attributes: bool = True) -> nx.DiGraph[str]:
    """Build the definition graph from a scan and its resolution (deterministic order).

    Nodes carry :func:`node_attributes` unless ``attributes`` is False (the analyzers read the
    definitions by id instead; the attribute dicts are most of a large graph's memory). Edges
    always carry ``name`` and ``dynamic``.
    """
    import networkx as nx

    graph: nx.DiGraph[str] = nx.DiGraph()
    ids = set()
    for fixture in sorted(scan.fixtures, key=lambda f: f.id):
        if attributes:
            graph.add_node(fixture.id, **node_attributes(fixture))
        else:
            graph.add_node(fixture.id)
        ids.add(fixture.id)
    for edge in resolution.fixture_edges:
        if edge.source in ids and edge.target in ids:
            if graph.has_edge(edge.source, edge.target):
                if not edge.dynamic:
                    graph.edges[edge.source, edge.target]["dynamic"] = False
                continue
            graph.add_edge(edge.source, edge.target, name=edge.name, dynamic=edge.dynamic)
    return graph


def graphml_text(graph: nx.DiGraph[str]) -> str:
    """``graph`` as pretty-printed GraphML (networkx's writer; attributes must be GraphML types)."""
    import networkx as nx

    return "\n".join(nx.generate_graphml(graph, prettyprint=True)) + "\n"


def node_link_data(graph: nx.DiGraph[str]) -> dict[str, Any]:
    """``graph`` as networkx node-link data, links under ``"edges"`` (``nx.node_link_graph``
    reads it back with ``edges="edges"``)."""
    import networkx as nx

    try:
        return nx.node_link_data(graph, edges="edges")
    except TypeError:  # networkx < 3.4 names the keyword ``link``
        return nx.node_link_data(graph, link="edges")  # type: ignore[call-arg]
