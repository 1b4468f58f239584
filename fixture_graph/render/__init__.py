"""Output formats, as a registry: name -> function(report) -> text.

Renderers are pure and deterministic: the same report always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable

from fixture_graph.render.json_out import render_json
from fixture_graph.render.text import render_text
from fixture_graph.report import Report

RENDERERS: dict[str, Callable[[Report], str]] = {
    "json": render_json,
    "text": render_text,
}
