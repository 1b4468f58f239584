"""Regenerate the README pictures (``make screenshots``) the way the browser tests take theirs.

Writes into the folder given on the command line (``templates/docs`` by default):
``report.png`` (the sample suite's report with ``settings`` selected: its neighbourhood, zoomed,
with the breadcrumb and the details), ``test-view.png`` (a test's closure with the reason for
each fixture), ``overview.png`` (a generated suite of 5,000 fixtures: directories and conftests
as boxes with their counts and heaviest fixtures), ``dark.png`` (the dark theme) and
``graph.png`` (the SVG output, drawn by Chromium). Needs Graphviz and Chromium (``make deps``).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.synth import fixture_rich_spec, generate_suite
from helpers.browser import chromium, missing_reason
from helpers.render import DATA, sample_analysis, scan_tree, with_analysis

from fixture_graph.render.html import render_html
from fixture_graph.render.svg import inline_svg, render_svg

SELECTED = "tests/conftest.py::settings"
TEST = "tests/e2e/test_full_stack.py::test_search_results_page"


def main(target: Path) -> int:
    why = missing_reason()
    if why:
        print(f"cannot take screenshots: {why}", file=sys.stderr)
        return 2
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "sample_suite"
        shutil.copytree(DATA / "sample_suite", root)
        report = scan_tree(root)
        report = with_analysis(report, sample_analysis(report))
        html = Path(tmp) / "report.html"
        html.write_text(render_html(report), encoding="utf-8")
        rich = Path(tmp) / "rich"
        generate_suite(rich, fixture_rich_spec(5000))
        big = Path(tmp) / "big.html"
        big.write_text(render_html(scan_tree(rich)), encoding="utf-8")
        svg = render_svg(report)
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            _open(page, html, "#fixture=" + SELECTED)
            page.screenshot(path=str(target / "report.png"))
            _open(page, html, "#test=" + TEST)
            page.screenshot(path=str(target / "test-view.png"))
            page.click("#fg-theme")
            page.click("#fg-theme")
            page.screenshot(path=str(target / "dark.png"))
            _open(page, big, "")
            page.screenshot(path=str(target / "overview.png"))
            page.close()
            page = browser.new_page(viewport={"width": 900, "height": 600})
            page.set_content(f'<body style="margin:0;background:#fff">{inline_svg(svg)}</body>')
            page.locator("svg").screenshot(path=str(target / "graph.png"))
    for name in ("report.png", "test-view.png", "overview.png", "dark.png", "graph.png"):
        print(f"wrote {target / name}")
    return 0


def _open(page: Any, html: Path, fragment: str) -> None:
    page.goto("about:blank")
    page.goto(html.as_uri() + fragment)
    page.wait_for_function("window.fixtureGraph && window.fixtureGraph.ready")


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "templates/docs")))
