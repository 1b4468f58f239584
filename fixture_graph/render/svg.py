"""SVG through Graphviz ``dot`` (via the ``graphviz`` package), with a time limit and a clean-up.

``dot`` is a system program, so it may be missing: :class:`GraphvizMissing` says how to install
it, and every DOT-only output keeps working. The SVG that comes back is parsed and re-serialized
with an allowlist of elements and attributes, so nothing in it can run script when the HTML
report embeds it inline, whatever the scanned suite's names and docstrings contain.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET

from fixture_graph.render.dot import view_to_dot
from fixture_graph.render.view import GraphOptions, GraphView, build_view
from fixture_graph.report import Report

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
INSTALL_HINT = (
    "Graphviz 'dot' was not found; install Graphviz (apt: graphviz, brew: graphviz, choco: graphviz) "
    "to draw the graph. DOT output (--dot FILE, --format dot) works without it."
)

_ALLOWED_TAGS = frozenset(
    {"svg", "g", "title", "polygon", "polyline", "ellipse", "path", "text", "a", "defs", "stop"}
    | {"linearGradient", "radialGradient", "tspan"}
)
_DROPPED_ATTRS = frozenset({"href", f"{{{XLINK_NS}}}href", "style"})


class RenderError(RuntimeError):
    """A picture could not be drawn (``dot`` failed or ran out of time)."""


class GraphvizMissing(RenderError):
    """``dot`` is not installed; the message names the package to install."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


def render_svg(report: Report, options: GraphOptions | None = None) -> str:
    """The SVG picture of the view ``options`` selects."""
    options = options or GraphOptions()
    return view_to_svg(build_view(report, options), options.dot_timeout)


def view_to_svg(view: GraphView, timeout: float) -> str:
    """Lay out ``view`` with ``dot`` and return a cleaned, standalone SVG document."""
    return dot_to_svg(view_to_dot(view), timeout)


def dot_to_svg(source: str, timeout: float) -> str:
    """Run ``dot -Tsvg`` on ``source`` (at most ``timeout`` seconds) and clean the result."""
    import graphviz  # type: ignore[import-untyped]
    from graphviz.backend import dot_command, execute  # type: ignore[import-untyped]

    cmd = dot_command.command("dot", "svg")
    try:
        proc = execute.run_check(
            cmd, input=source.encode("utf-8"), capture_output=True, quiet=True, timeout=timeout
        )
    except graphviz.ExecutableNotFound:
        raise GraphvizMissing() from None
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"dot took longer than {timeout:g}s; draw less (--focus, --test, --scope, --collapse module)"
        ) from None
    except graphviz.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise RenderError(f"dot failed: {detail[-1] if detail else exc}") from None
    return clean_svg(bytes(proc.stdout).decode("utf-8", "replace"))


def clean_svg(text: str) -> str:
    """Re-serialize graphviz's SVG: no comments, no DOCTYPE, no script, no links, no handlers."""
    root = ET.fromstring(text.encode("utf-8"))
    _scrub(root)
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def inline_svg(svg: str) -> str:
    """The ``<svg>`` element alone, for embedding in HTML."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def _scrub(element: ET.Element) -> None:
    for child in list(element):
        tag = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
        if tag not in _ALLOWED_TAGS:
            element.remove(child)
            continue
        _scrub(child)
    for name in list(element.attrib):
        local = name.rsplit("}", 1)[-1]
        if name in _DROPPED_ATTRS or local.lower().startswith("on"):
            del element.attrib[name]
