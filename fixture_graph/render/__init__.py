"""Output formats, as a registry: name -> function(report) -> text.

Renderers are pure and deterministic: the same report always gives the same bytes. The graph
formats also take :class:`~fixture_graph.render.view.GraphOptions` (the view to draw);
``RENDERERS`` calls them with the default view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from fixture_graph.render.dot import render_dot
from fixture_graph.render.export import render_graphml, render_node_link
from fixture_graph.render.github import render_github
from fixture_graph.render.gitlab import render_gitlab
from fixture_graph.render.html import render_html
from fixture_graph.render.json_out import render_json
from fixture_graph.render.junit import render_junit
from fixture_graph.render.markdown import render_markdown
from fixture_graph.render.sarif import render_sarif
from fixture_graph.render.svg import render_svg
from fixture_graph.render.text import TextOptions, render_concise, render_summary, render_text
from fixture_graph.render.view import GraphOptions
from fixture_graph.report import Report


class GraphRenderer(Protocol):
    """A graph format: renders the view ``options`` selects, or the default view without them."""

    def __call__(self, report: Report, options: GraphOptions | None = None) -> str: ...


GRAPH_RENDERERS: dict[str, GraphRenderer] = {
    "dot": render_dot,
    "graphml": render_graphml,
    "html": render_html,
    "markdown": render_markdown,
    "node-link": render_node_link,
    "svg": render_svg,
}


class TextRenderer(Protocol):
    """A terminal format: colour, statistics and quiet come in :class:`TextOptions`."""

    def __call__(self, report: Report, options: TextOptions | None = None) -> str: ...


TEXT_RENDERERS: dict[str, TextRenderer] = {"concise": render_concise, "text": render_text}

RENDERERS: dict[str, Callable[[Report], str]] = {
    "github": render_github,
    "gitlab": render_gitlab,
    "json": render_json,
    "junit": render_junit,
    "sarif": render_sarif,
    **TEXT_RENDERERS,
    # Graph formats with their default view (the CLI passes view options to GRAPH_RENDERERS).
    **GRAPH_RENDERERS,
}

__all__ = ["RENDERERS", "TEXT_RENDERERS", "TextOptions", "render_summary"]
