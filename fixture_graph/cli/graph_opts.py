"""The picture options of ``scan``: graph formats, view selection, and extra output files.

``--html``, ``--svg`` and ``--dot`` write files beside the main output, so one run can give the
CI log its summary and the artifacts their report. A missing Graphviz never costs the other
outputs: the HTML says so in place of the graph and DOT needs no Graphviz at all. The exit code
does not depend on which option asked for the picture: whenever Graphviz is missing, fails or
runs out of time, the run exits 2 with one line on stderr, whether the picture was an SVG
(``--svg``, ``--format svg``: not written) or the graph of an HTML report (``--html``,
``--format html``: written without it).
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

    Returns the text and :data:`ExitCode.USAGE` when an HTML report had to go without its
    graph (else :data:`ExitCode.OK`). Raises :class:`OutputError` when an SVG cannot be drawn.
    """
    from fixture_graph.render import GRAPH_RENDERERS, RENDERERS
    from fixture_graph.render.html import render_html
    from fixture_graph.render.svg import RenderError, view_to_svg
    from fixture_graph.render.view import ViewError

    if fmt not in GRAPH_RENDERERS:
        return RENDERERS[fmt](report), ExitCode.OK
    failed: list[str] = []
    try:
        if fmt == "html":
            make_svg = _noting_failure(view_to_svg, "the HTML report", failed)
            return render_html(report, graph_options(opts), make_svg=make_svg), _code(failed)
        with phase(f"drawing {fmt}" if fmt != "svg" else "running dot"):
            return GRAPH_RENDERERS[fmt](report, graph_options(opts)), ExitCode.OK
    except ViewError as exc:
        raise click.UsageError(str(exc)) from None
    except RenderError as exc:
        raise OutputError(str(exc)) from None


def _code(failed: list[str]) -> int:
    return ExitCode.USAGE if failed else ExitCode.OK


def write_graph_outputs(report: Report, opts: dict[str, Any], *, quiet: bool = False) -> int:
    """Write ``--dot``/``--svg``/``--html`` files; :data:`ExitCode.USAGE` if one could not be made
    in full (an SVG not drawn, an HTML report without its graph)."""
    from fixture_graph.render.dot import view_to_dot
    from fixture_graph.render.html import render_html
    from fixture_graph.render.svg import RenderError, view_to_svg
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
        failed: list[str] = []
        try:
            if kind == "dot_file":
                write_atomic(path, view_to_dot(view))
            elif kind == "svg_file":
                with phase(f"running dot on {len(view.nodes)} nodes for {path}"):
                    write_atomic(path, view_to_svg(view, options.dot_timeout))
            else:
                with phase(f"rendering {path}"):
                    html = render_html(
                        report, options, make_svg=_noting_failure(view_to_svg, str(path), failed)
                    )
                write_atomic(path, html)
        except RenderError as exc:
            error_line(f"{path}: {exc}")
            code = ExitCode.USAGE
            continue
        code = max(code, _code(failed))
        if not quiet:
            note_line(f"wrote {path}")
    return code


def _noting_failure(
    make: Callable[[GraphView, float], str], what: str, failed: list[str]
) -> Callable[[GraphView, float], str]:
    """Draw for the HTML report; when it has to go without its graph, say so on stderr (one
    line) and note it in ``failed``, which makes the run exit 2 as a failed ``--svg`` does."""
    from fixture_graph.render.svg import RenderError

    def draw(view: GraphView, timeout: float) -> str:
        try:
            with phase(f"running dot on {len(view.nodes)} nodes for {what}"):
                return make(view, timeout)
        except RenderError as exc:
            error_line(f"{what} is written without its graph: {exc}")
            failed.append(str(exc))
            raise

    return draw
