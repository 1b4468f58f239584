"""One palette for every picture: the DOT graph, the Mermaid diagram and the HTML legend.

Scopes get fill colours from warm (session: expensive, shared) to cool (function: cheap,
isolated), so the costly part of a graph stands out at a glance. Impact sets the border width.
"""

from __future__ import annotations

SCOPE_ORDER = ("session", "package", "module", "class", "function", "dynamic")

SCOPE_FILL = {
    "session": "#f4a261",
    "package": "#f6c76b",
    "module": "#e9e98b",
    "class": "#a8d8b9",
    "function": "#cfe3f5",
    "dynamic": "#dddddd",
}

DEFAULT_FILL = "#ffffff"
CYCLE_COLOUR = "#d62828"
SEVERITY_COLOUR = {1: "#457b9d", 2: "#e76f51", 3: "#d62828"}
EDGE_COLOUR = "#5c6670"

IMPACT_PENWIDTH = {"MINIMAL": 1.0, "LOW": 1.5, "MEDIUM": 2.0, "HIGH": 3.0, "VERY_HIGH": 4.5}


def scope_fill(scope: str) -> str:
    """The fill colour of a scope label (``dynamic`` included)."""
    return SCOPE_FILL.get(scope, DEFAULT_FILL)


def penwidth(impact: str | None) -> float:
    """Border width for an impact level; untagged and unknown levels are thin."""
    return IMPACT_PENWIDTH.get(impact or "", 1.0)
