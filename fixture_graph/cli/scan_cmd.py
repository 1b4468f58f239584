"""``fixture-graph scan`` (the default command): scan, resolve, analyze, render, gate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from fixture_graph.cli.common import (
    GATE_OPTIONS,
    SCAN_OPTIONS,
    ExitCode,
    apply_options,
    build_configs,
    user_errors,
    write_atomic,
)

FORMATS = ("text", "json")


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
@apply_options(SCAN_OPTIONS)
@apply_options(GATE_OPTIONS)
def scan(paths: tuple[Path, ...], fmt: str, output: Path | None, **opts: Any) -> None:
    """Scan a pytest suite statically and report its fixture graph.

    PATHS are what you would pass to pytest (default: the ini's testpaths, else the current
    directory). Nothing is imported or executed.
    """
    with user_errors(bool(opts.get("debug"))):
        configs = build_configs(paths, opts)
        code = _run(configs.paths, configs, fmt, output)
    sys.exit(code)


def _run(paths: tuple[Path, ...], configs: Any, fmt: str, output: Path | None) -> int:
    from fixture_graph.cli.progress import progress_bar
    from fixture_graph.render import RENDERERS
    from fixture_graph.report import build_report
    from fixture_graph.scan.session import scan_paths

    bar = progress_bar()
    try:
        scanned = scan_paths(list(paths), configs.scan, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    report = build_report(scanned)
    text = RENDERERS[fmt](report)
    if output is not None:
        write_atomic(output, text)
        if fmt != "text":
            click.echo(RENDERERS["text"](report), nl=False)
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)
    if report.resolution.cycles:
        return ExitCode.FINDINGS
    if report.has_fatal_issues:
        return ExitCode.INPUT
    return ExitCode.OK
