"""Output formats, as a registry: name -> function(report) -> text.

Renderers are pure and deterministic: the same report always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable

from fixture_graph.render.github import render_github
from fixture_graph.render.json_out import render_json
from fixture_graph.render.sarif import render_sarif
from fixture_graph.render.text import render_summary, render_text
from fixture_graph.report import Report

RENDERERS: dict[str, Callable[[Report], str]] = {
    "github": render_github,
    "json": render_json,
    "sarif": render_sarif,
    "text": render_text,
}

__all__ = ["RENDERERS", "render_summary"]
