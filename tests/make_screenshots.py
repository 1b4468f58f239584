"""Regenerate the README pictures from the bundled sample suite (``make screenshots``).

Writes ``report.png`` (the HTML report with a fixture selected) and ``graph.png`` (the whole
graph as SVG, drawn by Chromium) into the folder given on the command line, and prints their
paths. Needs Graphviz and Chromium, which ``make deps`` installs.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from helpers.browser import chromium, missing_reason
from helpers.render import DATA

from fixture_graph.config import ScanConfig
from fixture_graph.render.html import render_html
from fixture_graph.render.svg import inline_svg, render_svg
from fixture_graph.report import build_report
from fixture_graph.scan.session import scan_paths

SELECTED = "tests/conftest.py::settings"


def main(target: Path) -> int:
    why = missing_reason()
    if why:
        print(f"cannot take screenshots: {why}", file=sys.stderr)
        return 2
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "sample_suite"
        shutil.copytree(DATA / "sample_suite", root)
        report = build_report(scan_paths([], ScanConfig(scan_plugins=False), invocation_dir=root))
        html = Path(tmp) / "report.html"
        svg = Path(tmp) / "graph.svg"
        html.write_text(render_html(report), encoding="utf-8")
        svg.write_text(render_svg(report), encoding="utf-8")
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.goto(html.as_uri())
            node = page.locator("#fg-graph g.node").filter(has=page.locator(f"title:text-is('{SELECTED}')"))
            node.click()
            page.screenshot(path=str(target / "report.png"))
            page.close()
            page = browser.new_page(viewport={"width": 900, "height": 600})
            page.set_content(f'<body style="margin:0;background:#fff">{inline_svg(svg.read_text())}</body>')
            page.locator("svg").screenshot(path=str(target / "graph.png"))
    for name in ("report.png", "graph.png"):
        print(f"wrote {target / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "templates/docs")))
