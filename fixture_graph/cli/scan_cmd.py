"""``fixture-graph scan`` (the default command): scan, resolve, analyze, render, gate."""

from __future__ import annotations

import contextlib
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
    from fixture_graph.replay import Replay
    from fixture_graph.report import Report

FORMATS = ("text", "json", "github", "sarif", *GRAPH_FORMATS)
DRAWN_BY_GRAPHVIZ = ("svg", "html")


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
    "--json-schema",
    type=click.Choice(("1", "2")),
    default="2",
    show_default=True,
    help="JSON schema version of --format json (1: one full closure per test; kept for one release).",
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
        configs = build_configs(paths, opts)
        run, graphs_failed = _run(configs, fmt, measurements, opts)
        _print(run, output)
        worst = run.worst
        if write_baseline is not None:
            from fixture_graph.baseline import dump_baseline

            failing = run.load_findings()
            write_atomic(write_baseline, dump_baseline(failing))
            click.echo(f"wrote a baseline of {len(failing)} findings to {write_baseline}", err=True)
            worst = 0
        elif baseline is not None:
            from fixture_graph.baseline import load_baseline, split_by_baseline

            split = split_by_baseline(run.load_findings(), load_baseline(baseline))
            worst = max((int(f.severity) for f in split.new), default=0)
            click.echo(
                f"baseline: {len(split.known)} known findings do not fail, {len(split.new)} new", err=True
            )
            for key in split.stale:
                click.echo(f"baseline: stale entry (no longer found; remove it): {key}", err=True)
        code = ExitCode.USAGE if graphs_failed else gate_code(worst, run.fatal, configs.gate.fail_on)
    sys.exit(code)


def _run(configs: Configs, fmt: str, measurements: Path | None, opts: dict[str, Any]) -> tuple[Replay, int]:
    """The run's output and findings: replayed when nothing changed, else scanned (and stored).

    Returns the run and the exit code of writing ``--dot``/``--svg``/``--html`` files.
    """
    from fixture_graph.replay import Replay, load_replay, store_replay

    slot = replay_slot(configs, fmt, measurements, opts)
    if slot is not None:
        replayed = load_replay(*slot)
        if replayed is not None:
            return replayed, ExitCode.OK
    from fixture_graph.render import render_summary
    from fixture_graph.scan.inputs import recording

    with recording() if slot is not None else contextlib.nullcontext() as recorder:
        report = make_report(configs, measurements)
    run = Replay.of(
        output=render_output(fmt, report, opts),
        summary=render_summary(report),
        fatal=report.has_fatal_issues,
        findings=report.analysis.findings,
    )
    if slot is not None and recorder is not None:
        store_replay(slot[0], slot[1], recorder.finish(), run)
    return run, write_graph_outputs(report, opts)


def replay_slot(
    configs: Configs, fmt: str, measurements: Path | None, opts: dict[str, Any]
) -> tuple[Path, str] | None:
    """Where this run's replay lives and its key, or None when the run cannot be replayed.

    Not replayed: without the cache; with inputs the recording does not cover (a measurements
    file, an env-expanded rootdir); with extra picture files to write; and for the formats
    Graphviz draws, whose version is no input. A ``--python`` interpreter is covered: the scan
    records its executable, ``pyvenv.cfg``, search path and metadata as inputs.
    """
    from fixture_graph.replay import replay_key, replay_path
    from fixture_graph.scan.ini import cache_directory, locate
    from fixture_graph.storage import make_cache_directory

    scan_config = configs.scan
    if (
        not scan_config.cache
        or scan_config.cache_alias is not None
        or "$" in (scan_config.rootdir or "")
        or measurements is not None
        or fmt in DRAWN_BY_GRAPHVIZ
        or any(opts.get(k) for k in ("dot_file", "svg_file", "html_file"))
    ):
        return None
    directory = cache_directory(scan_config, locate(configs.paths, scan_config)[2].rootdir)
    try:
        # Made before the scan records its inputs, so making it cannot look like a change.
        make_cache_directory(directory)
    except OSError:
        return None
    key = replay_key(configs, fmt, sorted(opts.items()))
    return replay_path(directory, key), key


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


def _print(run: Replay, output: Path | None) -> None:
    if output is None:
        # A lone surrogate (an undecodable file name) would make printing fail half-way.
        click.echo(run.output.encode("utf-8", "backslashreplace").decode("utf-8"), nl=False)
        return
    write_atomic(output, run.output)
    click.echo(run.summary, nl=False)
    click.echo(f"wrote {output}")


def gate_code(worst: int, fatal: bool, fail_on: str) -> int:
    """1 when the worst failing finding is at or above ``fail_on``; else 3 when input was
    unreadable; else 0. ``worst`` is the highest severity among the findings that may fail the
    run (those not in a baseline), 0 for none."""
    from fixture_graph.analyze.findings import Severity

    if fail_on != "never" and worst >= Severity.parse(fail_on):
        return ExitCode.FINDINGS
    if fatal:
        return ExitCode.INPUT
    return ExitCode.OK
