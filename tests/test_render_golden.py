"""Golden files for the DOT and Markdown renderers, on the sample suite and on a cycle case.

Regenerate after an intended change with::

    FIXTURE_GRAPH_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render_golden.py

then review the diff of ``tests/data/golden/``. Findings are built from the resolution by the
helpers (not by the rules), so these files change only when a renderer or the scan changes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.render import (
    GOLDEN,
    UPDATE_ENV,
    copy_sample,
    cycle_findings,
    sample_analysis,
    scan_tree,
    with_analysis,
    write_cycle_suite,
)

from fixture_graph.render.dot import render_dot
from fixture_graph.render.markdown import render_markdown
from fixture_graph.render.view import GraphOptions
from fixture_graph.report import Report


def _sample(tmp_path: Path) -> Report:
    report = scan_tree(copy_sample(tmp_path))
    return with_analysis(report, sample_analysis(report))


def _cycle(tmp_path: Path) -> Report:
    report = scan_tree(write_cycle_suite(tmp_path / "cycle"))
    return with_analysis(report, cycle_findings(report))


CASES: dict[str, Callable[[Path], Report]] = {"sample_suite": _sample, "cycle": _cycle}
RENDER: dict[str, Callable[[Report], str]] = {
    "dot": render_dot,
    "md": render_markdown,
    "focus.md": lambda r: render_markdown(r, GraphOptions(focus="settings", depth=1, svg_url="graph.svg")),
}


GOLDENS = [
    (case, fmt)
    for case in sorted(CASES)
    for fmt in sorted(RENDER)
    if case == "sample_suite" or "." not in fmt
]


@pytest.mark.parametrize(("case", "fmt"), GOLDENS)
def test_output_matches_golden_file(
    case: str, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = CASES[case](tmp_path)
    monkeypatch.chdir(report.scan.rootdir)  # paths are printed from the working directory
    text = RENDER[fmt](report)
    golden = GOLDEN / f"{case}.{fmt}"
    if os.environ.get(UPDATE_ENV):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        pytest.skip(f"regenerated {golden}")
    assert golden.is_file(), f"missing {golden}: run with {UPDATE_ENV}=1 to create it"
    expected = golden.read_text(encoding="utf-8")
    assert text == expected, f"{golden} differs: review the change, then rerun with {UPDATE_ENV}=1"


def test_rendering_twice_gives_identical_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = _sample(tmp_path)
    again = _sample(tmp_path / "again")
    monkeypatch.chdir(report.scan.rootdir)
    first = render_dot(report), render_markdown(report)
    monkeypatch.chdir(again.scan.rootdir)
    assert (render_dot(again), render_markdown(again)) == first
