"""``fixture-graph scan`` (the default command): scan, resolve, analyze, render, gate."""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fixture_graph.cli.color import color_option, paint, should_color
from fixture_graph.cli.common import (
    GATE_OPTIONS,
    SCAN_OPTIONS,
    Configs,
    ExitCode,
    apply_options,
    build_configs,
    note_line,
    require_paths,
    user_errors,
    write_atomic,
)
from fixture_graph.cli.graph_opts import GRAPH_FORMATS, GRAPH_OPTIONS, render_output, write_graph_outputs
from fixture_graph.cli.help import CONTEXT_SETTINGS, GroupedCommand
from fixture_graph.words import counted

if TYPE_CHECKING:
    from fixture_graph.render.text import TextOptions
    from fixture_graph.replay import Replay
    from fixture_graph.report import Report

TERMINAL_FORMATS = ("text", "concise")
FORMATS = (*TERMINAL_FORMATS, "json", "github", "sarif", "junit", "gitlab", *GRAPH_FORMATS)
DRAWN_BY_GRAPHVIZ = ("svg", "html")


@dataclass(frozen=True, slots=True)
class Terminal:
    """How the terminal part of the output looks: colour, statistics, quiet."""

    color: bool
    statistics: bool
    quiet: bool

    def text_options(self, *, colored: bool) -> TextOptions:
        """The renderer's options (``colored`` False for a file, which never gets colour)."""
        from fixture_graph.render.paint import plain
        from fixture_graph.render.text import TextOptions

        return TextOptions(
            paint=paint if colored and self.color else plain, statistics=self.statistics, quiet=self.quiet
        )


@click.command(cls=GroupedCommand, context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    metavar="FORMAT",
    help="text, concise, json, github, sarif, junit, gitlab, markdown, dot, svg, html, graphml, "
    "node-link [default: text].",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the output to FILE (summary on stdout).",
)
@color_option
@click.option("-q", "--quiet", is_flag=True, help="Findings only: no summary, no progress.")
@click.option("--statistics", is_flag=True, help="Count findings per rule, not each one.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even on findings or unreadable input.")
@click.option(
    "--json-schema",
    type=click.Choice(("1", "2")),
    default="2",
    show_default=True,
    help="JSON schema of --format json (1: a whole closure per test; for one release).",
)
@click.option(
    "--measurements",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Costs measured by pytest --fixture-graph-measure.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Findings recorded in FILE do not fail.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Record the current findings in FILE.",
)
@apply_options(SCAN_OPTIONS)
@apply_options(GATE_OPTIONS)
@apply_options(GRAPH_OPTIONS)
def scan(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    color: str,
    quiet: bool,
    statistics: bool,
    exit_zero: bool,
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
        if statistics and output is None and fmt not in TERMINAL_FORMATS:
            raise click.UsageError(
                "--statistics prints a table: use it with --format text or concise, or with -o"
            )
        configs = build_configs(paths, opts)
        require_paths(configs.paths)
        if baseline is not None:  # read first: a bad baseline is an error before any output
            from fixture_graph.baseline import load_baseline

            recorded = load_baseline(baseline)
        terminal = Terminal(should_color(color, sys.stdout), statistics, quiet)
        run, graphs_failed = _run(configs, fmt, output, measurements, opts, terminal)
        _print(run, output, quiet)
        worst = run.worst
        if write_baseline is not None:
            from fixture_graph.baseline import dump_baseline

            failing = run.load_findings()
            write_atomic(write_baseline, dump_baseline(failing))
            if not quiet:
                note_line(f"wrote a baseline of {counted(len(failing), 'finding')} to {write_baseline}")
            worst = 0
        elif baseline is not None:
            from fixture_graph.baseline import split_by_baseline

            split = split_by_baseline(run.load_findings(), recorded)
            worst = max((int(f.severity) for f in split.new), default=0)
            if not quiet:
                known = counted(len(split.known), "known finding")
                note_line(f"baseline: {known} do not fail, {len(split.new)} new")
            for key in split.stale:
                note_line(f"baseline: stale entry (no longer found; remove it): {key}")
        code: int = ExitCode.USAGE if graphs_failed else gate_code(worst, run.fatal, configs.gate.fail_on)
        if exit_zero and code in (ExitCode.FINDINGS, ExitCode.INPUT):
            code = ExitCode.OK
    sys.exit(code)


def _run(
    configs: Configs,
    fmt: str,
    output: Path | None,
    measurements: Path | None,
    opts: dict[str, Any],
    terminal: Terminal,
) -> tuple[Replay, int]:
    """The run's output and findings: replayed when nothing changed, else scanned (and stored).

    Returns the run and the exit code of writing ``--dot``/``--svg``/``--html`` files (and
    of drawing the graph an HTML output holds). With ``GITHUB_STEP_SUMMARY`` set, the job
    summary is appended to that file (such a run is never replayed: it needs the report).
    """
    from fixture_graph.cli.progress import phase
    from fixture_graph.replay import Replay, load_replay, store_replay

    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    slot = None if step_summary else replay_slot(configs, fmt, measurements, opts, (terminal, output is None))
    if slot is not None:
        replayed = load_replay(*slot)
        if replayed is not None:
            return replayed, ExitCode.OK
    from fixture_graph.render import render_summary
    from fixture_graph.scan.inputs import recording

    with recording() if slot is not None else contextlib.nullcontext() as recorder:
        report = make_report(configs, measurements, quiet=terminal.quiet)
    with phase(f"rendering {fmt}"):
        if fmt in TERMINAL_FORMATS:
            from fixture_graph.render import TEXT_RENDERERS

            text = TEXT_RENDERERS[fmt](report, terminal.text_options(colored=output is None))
            failed: int = ExitCode.OK
        else:
            text, failed = render_output(fmt, report, opts)
    run = Replay.of(
        output=text,
        summary=render_summary(report, terminal.text_options(colored=True)),
        fatal=report.has_fatal_issues,
        findings=report.analysis.findings,
    )
    if slot is not None and recorder is not None:
        store_replay(slot[0], slot[1], recorder.finish(), run)
    if step_summary:
        from fixture_graph.render.markdown import render_markdown

        append_text(Path(step_summary), render_markdown(report))
    return run, write_graph_outputs(report, opts, quiet=terminal.quiet) or failed


def append_text(path: Path, text: str) -> None:
    """Append ``text`` to ``path`` (GitHub's job summary file is appended to, never replaced)."""
    with path.open("a", encoding="utf-8", errors="backslashreplace") as handle:
        handle.write(text)


def replay_slot(
    configs: Configs, fmt: str, measurements: Path | None, opts: dict[str, Any], *looks: object
) -> tuple[Path, str] | None:
    """Where this run's replay lives and its key, or None when the run cannot be replayed.

    Not replayed: without the cache; with inputs the recording does not cover (a measurements
    file, an env-expanded rootdir); with extra picture files to write; and for the formats
    Graphviz draws, whose version is no input. A ``--python`` interpreter is covered: the scan
    records its executable, ``pyvenv.cfg``, search path and metadata as inputs. ``looks`` (the
    colour decision, quiet, statistics) go into the key with the options: the same options print
    differently on a terminal and into a pipe.
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
    key = replay_key(configs, fmt, sorted(opts.items()), looks)
    return replay_path(directory, key), key


def make_report(
    configs: Configs, measurements: Path | None = None, *, quiet: bool = False, analyze: bool = True
) -> Report:
    """Scan, resolve and analyze once (with measured cost when a measurement file is given).

    ``analyze=False`` stops after resolving (the questions need no findings).

    The progress line (on a terminal, unless ``quiet``) names each phase; it stays up through
    rendering and Graphviz, until the command closes it.
    """
    import dataclasses

    from fixture_graph.analyze import run_analysis
    from fixture_graph.cli.progress import finish, progress_bar
    from fixture_graph.measure import MeasurementsError, load_measurements
    from fixture_graph.report import build_report
    from fixture_graph.scan.session import scan_paths

    measured = None
    if measurements is not None:
        try:
            measured = load_measurements(measurements)
        except MeasurementsError as exc:
            raise click.BadParameter(str(exc), param_hint="--measurements") from None
    bar = progress_bar(quiet)
    context = click.get_current_context(silent=True)
    if context is not None:  # closed with the command, whatever happens
        context.call_on_close(lambda: finish(bar))
    scan_result = scan_paths(list(configs.paths), configs.scan, progress=bar)
    with _phase(bar, f"resolving {counted(len(scan_result.tests), 'test')}"):
        report = build_report(
            scan_result, configs.analyze, configs.gate, analyze=False, measurements=measured
        )
    if not analyze:
        return report
    with _phase(bar, f"analyzing {counted(len(report.user_fixtures), 'fixture')}"):
        analysis = run_analysis(scan_result, report.resolution, configs.analyze, configs.gate, measured)
    return dataclasses.replace(report, analysis=analysis)


def _phase(bar: Any, what: str) -> Any:
    return bar.phase(what) if bar is not None else contextlib.nullcontext()


def _print(run: Replay, output: Path | None, quiet: bool) -> None:
    """The output on stdout, or written to ``output`` with the summary on stdout.

    Colour was decided when rendering; ``color=True`` stops click from stripping it again.
    """
    from fixture_graph.cli.progress import active, finish

    finish(active())  # the progress line goes before the output
    if output is None:
        # A lone surrogate (an undecodable file name) would make printing fail half-way.
        click.echo(run.output.encode("utf-8", "backslashreplace").decode("utf-8"), nl=False, color=True)
        return
    write_atomic(output, run.output)
    click.echo(run.summary, nl=False, color=True)
    if not quiet:
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
