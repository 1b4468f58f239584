"""``fixture-graph scan`` (the default command): scan, resolve, analyze, render, gate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fixture_graph.cli.common import (
    GATE_OPTIONS,
    SCAN_OPTIONS,
    Configs,
    ExitCode,
    apply_options,
    build_configs,
    user_errors,
    write_atomic,
)
from fixture_graph.cli.graph_opts import GRAPH_FORMATS, GRAPH_OPTIONS, render_output, write_graph_outputs

if TYPE_CHECKING:
    from fixture_graph.analyze.findings import Finding
    from fixture_graph.report import Report

FORMATS = ("text", "json", "github", "sarif", *GRAPH_FORMATS)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the output to FILE (atomically); the text summary still goes to stdout.",
)
@click.option(
    "--measurements",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Measured fixture cost from a pytest run with --fixture-graph-measure=FILE.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Findings recorded in FILE do not fail the run; new ones do.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Record the current findings in FILE (then they do not fail).",
)
@apply_options(SCAN_OPTIONS)
@apply_options(GATE_OPTIONS)
@apply_options(GRAPH_OPTIONS)
def scan(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    measurements: Path | None,
    baseline: Path | None,
    write_baseline: Path | None,
    **opts: Any,
) -> None:
    """Scan a pytest suite statically and report its fixture graph and findings.

    PATHS are what you would pass to pytest (default: [tool.fixture_graph] paths, else the ini's
    testpaths, else the current directory). Nothing is imported or executed.
    """
    with user_errors(bool(opts.get("debug"))):
        from fixture_graph.baseline import dump_baseline, load_baseline, split_by_baseline

        configs = build_configs(paths, opts)
        report = make_report(configs, measurements)
        emit(report, fmt, output, opts)
        graphs_failed = write_graph_outputs(report, opts)
        failing = report.analysis.findings
        if write_baseline is not None:
            write_atomic(write_baseline, dump_baseline(failing))
            click.echo(f"wrote a baseline of {len(failing)} findings to {write_baseline}", err=True)
            failing = ()
        elif baseline is not None:
            split = split_by_baseline(failing, load_baseline(baseline))
            failing = split.new
            click.echo(
                f"baseline: {len(split.known)} known findings do not fail, {len(split.new)} new", err=True
            )
            for key in split.stale:
                click.echo(f"baseline: stale entry (no longer found; remove it): {key}", err=True)
        code = ExitCode.USAGE if graphs_failed else exit_code(report, configs.gate.fail_on, failing)
    sys.exit(code)


def make_report(configs: Configs, measurements: Path | None = None) -> Report:
    """Scan, resolve and analyze once (with measured cost when a measurement file is given)."""
    from fixture_graph.cli.progress import progress_bar
    from fixture_graph.measure import MeasurementsError, load_measurements
    from fixture_graph.report import build_report
    from fixture_graph.scan.session import scan_paths

    measured = None
    if measurements is not None:
        try:
            measured = load_measurements(measurements)
        except MeasurementsError as exc:
            raise click.BadParameter(str(exc), param_hint="--measurements") from None
    bar = progress_bar()
    try:
        scan_result = scan_paths(list(configs.paths), configs.scan, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    return build_report(scan_result, configs.analyze, configs.gate, measurements=measured)


def emit(report: Report, fmt: str, output: Path | None, opts: dict[str, Any] | None = None) -> None:
    """Print ``fmt`` (or write it to ``output`` and print the summary)."""
    from fixture_graph.render import render_summary

    text = render_output(fmt, report, opts or {})
    if output is None:
        # A lone surrogate (an undecodable file name) would make printing fail half-way.
        click.echo(text.encode("utf-8", "backslashreplace").decode("utf-8"), nl=False)
        return
    write_atomic(output, text)
    click.echo(render_summary(report), nl=False)
    click.echo(f"wrote {output}")


def exit_code(report: Report, fail_on: str, failing: tuple[Finding, ...] | None = None) -> int:
    """1 for a finding at or above ``fail_on``; else 3 when input was unreadable; else 0.

    ``failing`` are the findings that may fail the run (all of them unless a baseline says otherwise).
    """
    from fixture_graph.analyze.findings import Severity

    pool = report.analysis.findings if failing is None else failing
    if fail_on != "never":
        threshold = Severity.parse(fail_on)
        if any(f.severity >= threshold for f in pool):
            return ExitCode.FINDINGS
    if report.has_fatal_issues:
        return ExitCode.INPUT
    return ExitCode.OK
