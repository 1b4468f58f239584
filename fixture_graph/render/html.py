"""The HTML report: one self-contained file (no network), built from jinja2 templates.

The report is a CI artifact made from code in pull requests, so nothing from the suite reaches
markup or script unescaped: jinja2 autoescaping is on for every template, the data the script
reads sits in a ``<script type="application/json">`` island written by ``tojson`` (which escapes
``<``, ``>``, ``&`` and ``'``), the script sets text with ``textContent`` only, and the inline SVG
is graphviz's output re-serialized through an element allowlist (see :mod:`.svg`).

Templates live in the top-level ``templates/`` folder of a source checkout and ship in the wheel
as ``fixture_graph/templates``; :func:`templates_dir` finds either.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from fixture_graph import __version__
from fixture_graph.analyze.common import weight_text
from fixture_graph.analyze.findings import Finding
from fixture_graph.model import FixtureDef
from fixture_graph.render.escape import clean_text
from fixture_graph.render.style import SCOPE_ORDER, scope_fill
from fixture_graph.render.summary import (
    impact_note,
    measured_rows,
    ordered_findings,
    override_chain,
    summarize,
)
from fixture_graph.render.svg import RenderError, inline_svg, view_to_svg
from fixture_graph.render.view import GraphIndex, GraphOptions, GraphView, build_index, build_view, used_by
from fixture_graph.report import USER_KINDS, Report

TEMPLATE = "report.html.j2"
ASSETS = ("report.css", "report.js")
HEAVIEST_TESTS = 50

SvgMaker = Callable[[GraphView, float], str]


def templates_dir() -> Path:
    """``fixture_graph/templates`` (installed wheel) or ``templates/`` (source checkout)."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / TEMPLATE).is_file():
            return candidate
    raise RenderError(f"the HTML templates are missing (looked for {TEMPLATE} beside {package})")


def environment() -> jinja2.Environment:
    """The jinja2 environment: autoescape everywhere, undefined names are errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.filters["weight"] = weight_text
    env.filters["clean"] = clean_text
    return env


def render_html(
    report: Report,
    options: GraphOptions | None = None,
    *,
    make_svg: SvgMaker = view_to_svg,
) -> str:
    """The report as one HTML document.

    ``make_svg`` draws the graph (graphviz by default); when it fails (``dot`` missing or too
    slow) the report says why in place of the graph and everything else still works.
    There is no timestamp: the same report gives the same bytes.
    """
    options = options or GraphOptions()
    index = build_index(report)
    view = build_view(report, options, index)
    svg: str | None = None
    graph_error: str | None = None
    if view.nodes:
        try:
            svg = inline_svg(make_svg(view, options.dot_timeout))
        except RenderError as exc:
            graph_error = str(exc)
    env = environment()
    assets = {name.replace(".", "_"): _asset(name) for name in ASSETS}
    script_hash = "sha256-" + base64.b64encode(hashlib.sha256(assets["report_js"].encode()).digest()).decode()
    context = _context(report, index, view)
    return env.get_template(TEMPLATE).render(
        **context,
        **{name: Markup(text) for name, text in assets.items()},
        script_hash=script_hash,
        svg=Markup(svg) if svg else None,
        graph_error=graph_error,
        notes=view.notes,
        version=__version__,
    )


def _asset(name: str) -> str:
    # Our own CSS/JS, inlined as trusted text: it must not contain a closing tag of its element.
    text = (templates_dir() / name).read_text(encoding="utf-8")
    if "</" in text.replace("<\\/", ""):
        raise RenderError(f"{name} must not contain '</'")
    return text


def _context(report: Report, index: GraphIndex, view: GraphView) -> dict[str, Any]:
    counts = dict(report.analysis.fan_in) or used_by(report)
    ordered = sorted(index.base)
    position = {fid: i for i, fid in enumerate(ordered)}
    shown_node = _node_of(view)
    svg_of = {node.key: node.svg_id for node in view.nodes}
    findings_by_symbol: dict[str, list[Finding]] = {}
    for finding in report.analysis.findings:
        if finding.symbol:
            findings_by_symbol.setdefault(finding.symbol, []).append(finding)

    by_name: dict[str, list[FixtureDef]] = {}
    for fixture in index.fixtures.values():
        by_name.setdefault(fixture.name, []).append(fixture)
    measured = {row.id: row for row in measured_rows(report)}
    fixtures = []
    for fid in ordered:
        f = index.fixtures[fid]
        fixtures.append(
            {
                "id": fid,
                "name": f.name,
                "kind": f.kind.value,
                "user": f.kind in USER_KINDS,
                "scope": f.scope_label,
                "scopeSource": f.scope_source,
                "impact": f.impact,
                "impactDescription": f.impact_description,
                "weight": report.config.weight(f.impact),
                "measured": measured[fid].text if fid in measured else None,
                "file": f.file,
                "line": f.line,
                "doc": f.docstring,
                "usedBy": counts.get(fid, 0),
                "autouse": f.autouse,
                "conditional": f.conditional,
                "guards": list(f.guards),
                "params": f.params,
                "isYield": f.is_yield,
                "isAsync": f.is_async,
                "overrides": override_chain(f, by_name[f.name]),
                "deps": [position[t] for t in index.deps.get(fid, ()) if t in position],
                "dependents": [position[s] for s in index.dependents.get(fid, ()) if s in position],
                "node": shown_node.get(fid),
                "findings": [
                    f"{x.code} {x.severity.label}: {x.message}" for x in findings_by_symbol.get(fid, [])
                ],
            }
        )
    data = {
        "fixtures": fixtures,
        "edges": [[svg_of[e.source], svg_of[e.target], e.svg_id] for e in view.edges],
        "collapsed": view.collapsed,
    }
    summary = summarize(report)
    chain = summary.heaviest_chain
    tests = {t.nodeid: t for t in report.scan.tests}
    weighed = (c for c in report.analysis.test_costs if c.weight > 0)
    costs = sorted(weighed, key=lambda c: (-c.weight, c.nodeid))[:HEAVIEST_TESTS]
    return {
        "report": report,
        "summary": summary,
        "chain_names": [index.fixtures[i].name if i in index.fixtures else i for i in chain.ids]
        if chain
        else [],
        "data": data,
        "fixtures": fixtures,
        "position": position,
        "findings": ordered_findings(report.analysis.findings),
        "session": [fx for fx in fixtures if fx["scope"] == "session" and fx["user"]],
        "chains": [
            {
                "weight": c.weight,
                "ids": c.ids,
                "names": [index.fixtures[i].name if i in index.fixtures else i for i in c.ids],
            }
            for c in sorted(report.analysis.heavy_chains, key=lambda c: (-c.weight, c.ids))
        ],
        "costs": [(c, tests.get(c.nodeid)) for c in costs],
        "analyzed": bool(report.analysis.rules_run or report.analysis.findings),
        "legend": [(s, scope_fill(s)) for s in SCOPE_ORDER if s in report.scope_counts() or s == "function"],
        "rootdir": report.scan.rootdir,
        "root_name": Path(report.scan.rootdir).name or report.scan.rootdir,
        "inifile": _relative(report.scan.inifile, report.scan.rootdir),
        "env": report.scan.env,
        "weight_unit": report.analysis.weight_unit,
        "impact_note": impact_note(report),
    }


def _relative(path: str | None, root: str) -> str | None:
    if path is None:
        return None
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path


def _node_of(view: GraphView) -> dict[str, str]:
    """Where each fixture appears in the picture: its own box, or its module's when collapsed."""
    out: dict[str, str] = {}
    for node in view.nodes:
        if node.kind == "fixture":
            out[node.key] = node.svg_id
        for member in node.members:
            out[member] = node.svg_id
    return out
