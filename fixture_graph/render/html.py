"""The HTML report: one self-contained file (no network), built from jinja2 templates.

The graph is drawn in the page by Cytoscape.js with the dagre layered layout (vendored under
``templates/vendor`` with their licenses), from the data :mod:`.html_data` reads off the report;
Graphviz draws only the SVG and DOT outputs. The data travels gzipped and base64-encoded, so a
suite of 5,000 fixtures and 100,000 tests stays within a few megabytes; the page inflates it
with the browser's own ``DecompressionStream``.

The report is a CI artifact made from code in pull requests, so nothing from the suite reaches
markup or script unescaped: jinja2 autoescaping is on for every template, the suite's text
reaches the page only inside the encoded data island, and the script sets text with
``textContent`` only. The Content-Security-Policy allows the one inline script by its hash and
nothing else (no fetch, no eval).

Templates live in the top-level ``templates/`` folder of a source checkout and ship in the wheel
as ``fixture_graph/templates``; :func:`templates_dir` finds either.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from fixture_graph import __version__
from fixture_graph.analyze.common import weight_text
from fixture_graph.render.escape import clean_text
from fixture_graph.render.html_data import report_data
from fixture_graph.render.summary import impact_note, summarize
from fixture_graph.render.svg import RenderError
from fixture_graph.render.view import GraphOptions, ViewError, build_index, find_fixtures, find_test
from fixture_graph.report import Report

TEMPLATE = "report.html.j2"
STYLES = ("report.css",)
# Inlined in this order into one script element: the libraries, then the report's own code.
SCRIPTS = ("vendor/cytoscape.min.js", "vendor/cytoscape-dagre.min.js", "report.js")


def templates_dir() -> Path:
    """``fixture_graph/templates`` (installed wheel) or ``templates/`` (source checkout)."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / TEMPLATE).is_file():
            return candidate
    raise RenderError(f"the HTML templates are missing (looked for {TEMPLATE} beside {package})")


@functools.cache
def environment() -> jinja2.Environment:
    """The jinja2 environment: autoescape everywhere, undefined names are errors (one per
    process, so a template is compiled once however many reports a process renders)."""
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


def render_html(report: Report, options: GraphOptions | None = None) -> str:
    """The report as one HTML document.

    ``options.focus`` or ``options.test`` (``--focus``, ``--test``) open the page on that
    fixture or test; the other view options only concern the SVG, DOT and Mermaid pictures.
    There is no timestamp: the same report gives the same bytes.

    Raises:
        RenderError: the templates or the vendored scripts are missing.
    """
    options = options or GraphOptions()
    index = build_index(report)
    data = report_data(report, index)
    data["open"] = _opening(index, options)
    env = environment()
    script = "\n".join(_asset(name) for name in SCRIPTS)
    script_hash = "sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    summary = summarize(report)
    return env.get_template(TEMPLATE).render(
        report=report,
        summary=summary,
        chain_names=[index.fixtures[i].name if i in index.fixtures else i for i in summary.heaviest_chain.ids]
        if summary.heaviest_chain
        else [],
        analyzed=bool(report.analysis.rules_run or report.analysis.findings),
        rootdir=report.scan.rootdir,
        root_name=Path(report.scan.rootdir).name or report.scan.rootdir,
        inifile=index.show(report.scan.inifile) if report.scan.inifile else None,
        env_flags=report.scan.env,
        weight_unit=report.analysis.weight_unit,
        impact_note=impact_note(report),
        report_css=Markup("\n".join(_asset(name) for name in STYLES)),
        report_js=Markup(script),
        script_hash=script_hash,
        data=encode_data(data),
        version=__version__,
    )


def encode_data(data: dict[str, Any]) -> str:
    """``data`` as gzipped JSON in base64 (deterministic: no timestamp in the gzip header)."""
    # ASCII JSON: a lone surrogate from a badly encoded file travels as \\udcff, never as bad UTF-8.
    text = json.dumps(data, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return base64.b64encode(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)).decode("ascii")


def decode_data(encoded: str) -> dict[str, Any]:
    """The inverse of :func:`encode_data` (for tests and tools reading a report)."""
    loaded: dict[str, Any] = json.loads(gzip.decompress(base64.b64decode(encoded)).decode("utf-8"))
    return loaded


def _opening(index: Any, options: GraphOptions) -> dict[str, str]:
    """What the page opens on: ``--test`` or ``--focus`` when given and found."""
    try:
        if options.test is not None:
            return {"test": find_test(index, options.test)}
        if options.focus is not None:
            return {"fixture": find_fixtures(index, options.focus)[0]}
    except ViewError:
        return {}
    return {}


def _asset(name: str) -> str:
    # Trusted text inlined into <style>/<script>: it must not close its element early.
    text = (templates_dir() / name).read_text(encoding="utf-8")
    if "</" in text.replace("<\\/", ""):
        raise RenderError(f"{name} must not contain '</'")
    return text
