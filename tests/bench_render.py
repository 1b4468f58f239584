"""Renderer scale bench (``make bench-render``): a generated suite, every output, and the browser.

On a generated suite of 5,000 fixtures and about 100,000 tests (``--fixtures``, ``--tests``;
:func:`bench.synth.render_scale_spec`) it times the scan, DOT, SVG (the findings' subgraph past
the node budget), Markdown and the HTML report, then opens the report in headless Chromium and
times the opening, a search (in the page, from the keystroke's input event to the redrawn
tables and graph), selecting a fixture and opening a test. Then ``--html --svg`` through the CLI
on the 1,000-file suite (``suite_spec(1000)``). Each line names its target; the exit code is 1
when a target is missed (these are wall times on a shared machine: rerun before believing one).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bench.synth import generate_suite, render_scale_spec, suite_spec
from helpers.browser import chromium, missing_reason

from fixture_graph.config import ScanConfig
from fixture_graph.render.dot import render_dot
from fixture_graph.render.html import render_html
from fixture_graph.render.markdown import render_markdown
from fixture_graph.render.svg import RenderError, render_svg
from fixture_graph.report import build_report
from fixture_graph.scan.session import scan_paths

T = TypeVar("T")
TARGETS = {"report size": 3_000_000, "open": 2.0, "search": 0.100, "html + svg (1,000 files)": 30.0}
missed: list[str] = []


def timed(label: str, step: Callable[[], T], size: Callable[[T], str] = lambda _: "") -> tuple[T, float]:
    started = time.perf_counter()
    result = step()
    elapsed = time.perf_counter() - started
    extra = size(result)
    print(f"  {label:<34} {elapsed * 1000:9.0f} ms{('  ' + extra) if extra else ''}", flush=True)
    return result, elapsed


def check(what: str, value: float, unit: str) -> None:
    limit = TARGETS[what]
    ok = value <= limit
    if not ok:
        missed.append(what)
    print(f"  target {what}: {value:.3f} {unit} (at most {limit:g}) {'ok' if ok else 'MISSED'}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fixtures", type=int, default=5000)
    parser.add_argument("--tests", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "suite"
        stats = generate_suite(root, render_scale_spec(args.fixtures, args.tests))
        print(
            f"renderers on a generated suite of {stats.fixtures} fixtures and {stats.tests} tests", flush=True
        )
        report, _ = timed(
            "scan + resolve + analyze", lambda: _analyzed(root), lambda r: f"{len(r.analysis.findings)} found"
        )
        timed("dot (budgeted view)", lambda: render_dot(report), lambda t: f"{len(t) // 1024} KiB")
        try:
            timed("svg (budgeted view)", lambda: render_svg(report), lambda t: f"{len(t) // 1024} KiB")
        except RenderError as exc:
            print(f"  svg skipped: {exc}")
        timed("markdown", lambda: render_markdown(report), lambda t: f"{len(t)} chars")
        html = Path(tmp) / "report.html"
        timed(
            "html",
            lambda: html.write_text(render_html(report), encoding="utf-8"),
            lambda n: f"{n // 1024} KiB",
        )
        check("report size", html.stat().st_size, "bytes")
        why = missing_reason()
        if why:
            print(f"  browser skipped: {why}")
        else:
            _browser(html, report)
        _cli_html_and_svg(Path(tmp) / "files1000")
    print("all targets met" if not missed else f"targets missed: {', '.join(missed)}")
    return 1 if missed else 0


def _browser(html: Path, report: Any) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        _, opened = timed("chromium: open the report", lambda: _open(page, html))
        check("open", opened, "s")
        took = page.evaluate(
            "() => { const s = document.getElementById('fg-search'); const t = performance.now();"
            " s.value = '_f3'; s.dispatchEvent(new Event('input')); return performance.now() - t; }"
        )
        print(f"  {'chromium: search _f3':<34} {took:9.0f} ms  {page.inner_text('#fg-count')}")
        check("search", took / 1000, "s")
        target = next(f.id for f in report.user_fixtures if f.name.endswith("_f30"))
        timed(
            "chromium: select a fixture",
            lambda: page.evaluate("(id) => window.fixtureGraph.selectFixture(id)", target),
        )
        nodeid = sorted(t.nodeid for t in report.scan.tests)[len(report.scan.tests) // 2]
        timed(
            "chromium: open a test",
            lambda: page.evaluate("(id) => window.fixtureGraph.selectTest(id)", nodeid),
        )


def _analyzed(root: Path) -> Any:
    config = ScanConfig(scan_plugins=False)
    return build_report(scan_paths([], config, invocation_dir=root))


def _open(page: Any, html: Path) -> None:
    page.goto(html.as_uri())
    page.wait_for_function("window.fixtureGraph && window.fixtureGraph.ready")


def _cli_html_and_svg(root: Path) -> None:
    generate_suite(root, suite_spec(1000))
    command = [
        sys.executable,
        "-m",
        "fixture_graph",
        "--no-plugins",
        "--no-cache",
        "--html",
        "r.html",
        "--svg",
        "g.svg",
    ]
    started = time.perf_counter()
    subprocess.run(command, cwd=root, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    print(f"  {'cli --html --svg, 1,000 files':<34} {elapsed * 1000:9.0f} ms")
    check("html + svg (1,000 files)", elapsed, "s")


if __name__ == "__main__":
    sys.exit(main())
