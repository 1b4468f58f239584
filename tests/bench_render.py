"""Renderer scale bench (``make bench-render``): a generated suite, every output, and the browser.

Prints one line per step with its wall time, for 2,000 fixtures by default (``--fixtures N``):
scan, DOT, SVG (collapsed to modules above the node budget), Markdown, HTML, then Chromium
opening the report and answering a search. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from helpers.browser import chromium, missing_reason
from helpers.render import scan_tree, write_synthetic_suite

from fixture_graph.render.dot import render_dot
from fixture_graph.render.html import render_html
from fixture_graph.render.markdown import render_markdown
from fixture_graph.render.svg import RenderError, render_svg

T = TypeVar("T")


def timed(label: str, step: Callable[[], T], size: Callable[[T], str] = lambda _: "") -> T:
    started = time.perf_counter()
    result = step()
    elapsed = time.perf_counter() - started
    extra = size(result)
    print(f"  {label:<28} {elapsed * 1000:8.0f} ms{('  ' + extra) if extra else ''}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fixtures", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = write_synthetic_suite(Path(tmp) / "suite", fixtures=args.fixtures, per_file=50)
        print(f"renderers on a generated suite of {args.fixtures} fixtures")
        report = timed(
            "scan + resolve", lambda: scan_tree(root), lambda r: f"{len(r.resolution.edges)} edges"
        )
        timed("dot (auto-collapsed)", lambda: render_dot(report), lambda t: f"{len(t) // 1024} KiB")
        try:
            timed("svg (auto-collapsed)", lambda: render_svg(report), lambda t: f"{len(t) // 1024} KiB")
        except RenderError as exc:
            print(f"  svg skipped: {exc}")
        timed("markdown", lambda: render_markdown(report), lambda t: f"{len(t)} chars")
        html = Path(tmp) / "report.html"
        timed("html", lambda: html.write_text(render_html(report)), lambda n: f"{n // 1024} KiB")
        why = missing_reason()
        if why:
            print(f"  browser skipped: {why}")
            return 0
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            timed("chromium: open the report", lambda: page.goto(html.as_uri()))
            timed("chromium: search 'p17_f3'", lambda: _search(page, "p17_f3"), lambda t: t)
            timed("chromium: select a fixture", lambda: _select(page), lambda t: t)
    return 0


def _search(page: object, query: str) -> str:
    page.fill("#fg-search", query)  # type: ignore[attr-defined]
    return str(page.inner_text("#fg-count"))  # type: ignore[attr-defined]


def _select(page: object) -> str:
    page.locator("#fg-t-fixtures button.fx:visible").first.click()  # type: ignore[attr-defined]
    return str(page.inner_text("#fg-d-name"))  # type: ignore[attr-defined]


if __name__ == "__main__":
    sys.exit(main())
