"""The picture options of ``scan``: graph formats, view selection, and extra output files.

``--html``, ``--svg`` and ``--dot`` write files beside the main output, so one run can give the
CI log its summary and the artifacts their report. Graphviz runs at most once per invocation:
the HTML report draws its graph in the page, and the SVG of ``--format svg`` and ``--svg FILE``
is the same drawing. A missing Graphviz never costs the other outputs: the HTML and DOT need no
Graphviz at all, and only a requested SVG (``--svg``, ``--format svg``) fails the run: exit 2,
with one line on stderr naming the package to install.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fixture_graph.cli.common import ExitCode, F, OutputError, error_line, note_line, write_atomic
from fixture_graph.cli.progress import phase

if TYPE_CHECKING:
    from fixture_graph.render.view import GraphOptions, GraphView
    from fixture_graph.report import Report

GRAPH_FORMATS = ("markdown", "dot", "svg", "html", "graphml", "node-link")

GRAPH_OPTIONS: list[Callable[[F], F]] = [
    click.option(
        "--html",
        "html_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also write the HTML report to FILE.",
    ),
    click.option(
        "--svg",
        "svg_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also write the graph as SVG (needs Graphviz).",
    ),
    click.option(
        "--dot",
        "dot_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also write the graph as Graphviz DOT.",
    ),
    click.option("--focus", metavar="NAME", help="Draw NAME with its dependencies and dependents."),
    click.option(
        "--depth", type=click.IntRange(min=0), metavar="N", help="Links from --focus [default: all]."
    ),
    click.option("--test", "test_id", metavar="NODEID", help="Draw one test's fixture closure."),
    click.option(
        "--scope",
        "scopes",
        multiple=True,
        type=click.Choice(["session", "package", "module", "class", "function", "dynamic"]),
        metavar="SCOPE",
        help="Draw only fixtures of SCOPE (session, ...).",
    ),
    click.option(
        "--exclude-fixture",
        "exclude_fixture",
        multiple=True,
        metavar="GLOB",
        help="Leave out fixtures whose name/id/file match.",
    ),
    click.option(
        "--rankdir",
        type=click.Choice(["LR", "TB", "RL", "BT"]),
        metavar="DIR",
        help="Direction: LR, TB, RL, BT [default: LR].",
    ),
    click.option(
        "--collapse",
        type=click.Choice(["auto", "none", "module"]),
        metavar="MODE",
        help="auto, none, module: one box per module [auto].",
    ),
    click.option(
        "--max-nodes",
        type=click.IntRange(min=1),
        metavar="N",
        help="Nodes before auto-collapse [default: 150].",
    ),
    click.option("--svg-url", metavar="URL", help="Link the uploaded SVG from the Markdown."),
    click.option(
        "--dot-timeout", type=click.FloatRange(min=1), metavar="S", help="Seconds dot may take [default: 60]."
    ),
]


def graph_options(opts: dict[str, Any]) -> GraphOptions:
    """The :class:`~fixture_graph.render.view.GraphOptions` the flags ask for."""
    from fixture_graph.render.view import GraphOptions

    if opts.get("depth") is not None and not opts.get("focus"):
        raise click.UsageError("--depth needs --focus")
    given: dict[str, Any] = {
        "focus": opts.get("focus"),
        "depth": opts.get("depth"),
        "test": opts.get("test_id"),
        "scopes": tuple(opts.get("scopes") or ()),
        "exclude": tuple(opts.get("exclude_fixture") or ()),
        "rankdir": opts.get("rankdir"),
        "collapse": opts.get("collapse"),
        "max_nodes": opts.get("max_nodes"),
        "svg_url": opts.get("svg_url"),
        "dot_timeout": opts.get("dot_timeout"),
    }
    return GraphOptions(**{k: v for k, v in given.items() if v is not None})


def render_output(fmt: str, report: Report, opts: dict[str, Any]) -> tuple[str, int]:
    """``--format`` output: a graph format with the view options, or a plain renderer.

    Returns the text and the exit code of making it (:data:`ExitCode.OK`). Raises
    :class:`OutputError` when an SVG cannot be drawn.
    """
    from fixture_graph.render import GRAPH_RENDERERS, RENDERERS
    from fixture_graph.render.svg import RenderError
    from fixture_graph.render.view import ViewError

    if fmt == "json" and opts.get("json_schema") not in (None, "2"):
        from fixture_graph.render.json_out import render_json

        return render_json(report, int(opts["json_schema"])), ExitCode.OK
    if fmt not in GRAPH_RENDERERS:
        return RENDERERS[fmt](report), ExitCode.OK
    try:
        if fmt == "svg":
            return _svg(report, opts), ExitCode.OK
        with phase(f"drawing {fmt}"):
            return GRAPH_RENDERERS[fmt](report, graph_options(opts)), ExitCode.OK
    except ViewError as exc:
        raise click.UsageError(str(exc)) from None
    except RenderError as exc:
        raise OutputError(str(exc)) from None


def write_graph_outputs(report: Report, opts: dict[str, Any], *, quiet: bool = False) -> int:
    """Write ``--dot``/``--svg``/``--html`` files; :data:`ExitCode.USAGE` if one could not be made."""
    from fixture_graph.render.dot import view_to_dot
    from fixture_graph.render.html import render_html
    from fixture_graph.render.svg import RenderError
    from fixture_graph.render.view import ViewError, build_view

    wanted: list[tuple[Path, str]] = [
        (opts[k], k) for k in ("dot_file", "svg_file", "html_file") if opts.get(k)
    ]
    if not wanted:
        return ExitCode.OK
    options = graph_options(opts)
    try:
        view = build_view(report, options)
    except ViewError as exc:
        raise click.UsageError(str(exc)) from None
    code: int = ExitCode.OK
    for path, kind in wanted:
        try:
            if kind == "dot_file":
                write_atomic(path, view_to_dot(view))
            elif kind == "svg_file":
                write_atomic(path, _svg(report, opts, view))
            else:
                with phase(f"rendering {path}"):
                    html = render_html(report, options)
                write_atomic(path, html)
        except RenderError as exc:
            error_line(f"{path}: {exc}")
            code = ExitCode.USAGE
            continue
        if not quiet:
            note_line(f"wrote {path}")
    return code


def _svg(report: Report, opts: dict[str, Any], view: GraphView | None = None) -> str:
    """The SVG of the invocation's view, drawn by ``dot`` once and kept in ``opts``.

    Raises:
        RenderError: ``dot`` is missing, failed or ran out of time (also remembered, so a
            second output does not wait for ``dot`` again).
    """
    from fixture_graph.render.svg import RenderError, view_to_svg
    from fixture_graph.render.view import build_view

    drawn = opts.setdefault("_drawn_svg", {})
    options = graph_options(opts)
    if options not in drawn:
        try:
            view = view or build_view(report, options)
            with phase(f"running dot on {len(view.nodes)} nodes"):
                drawn[options] = view_to_svg(view, options.dot_timeout)
        except RenderError as exc:
            drawn[options] = exc
    result = drawn[options]
    if isinstance(result, RenderError):
        raise result
    return str(result)
