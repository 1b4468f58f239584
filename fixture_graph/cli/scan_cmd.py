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

if TYPE_CHECKING:
    from fixture_graph.report import Report

FORMATS = ("text", "json", "github", "sarif")


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
    """Scan a pytest suite statically and report its fixture graph and findings.

    PATHS are what you would pass to pytest (default: [tool.fixture_graph] paths, else the ini's
    testpaths, else the current directory). Nothing is imported or executed.
    """
    with user_errors(bool(opts.get("debug"))):
        configs = build_configs(paths, opts)
        report = make_report(configs)
        emit(report, fmt, output)
        code = exit_code(report, configs.gate.fail_on)
    sys.exit(code)


def make_report(configs: Configs) -> Report:
    """Scan, resolve and analyze once."""
    from fixture_graph.report import build_report
    from fixture_graph.scan.session import scan_paths

    return build_report(scan_paths(list(configs.paths), configs.scan), configs.analyze, configs.gate)


def emit(report: Report, fmt: str, output: Path | None) -> None:
    """Print ``fmt`` (or write it to ``output`` and print the summary)."""
    from fixture_graph.render import RENDERERS, render_summary

    text = RENDERERS[fmt](report)
    if output is None:
        # A lone surrogate (an undecodable file name) would make printing fail half-way.
        click.echo(text.encode("utf-8", "backslashreplace").decode("utf-8"), nl=False)
        return
    write_atomic(output, text)
    click.echo(render_summary(report), nl=False)
    click.echo(f"wrote {output}")


def exit_code(report: Report, fail_on: str) -> int:
    """1 for a finding at or above ``fail_on``; else 3 when input was unreadable; else 0."""
    from fixture_graph.analyze.findings import Severity

    if fail_on != "never":
        threshold = Severity.parse(fail_on)
        if any(f.severity >= threshold for f in report.analysis.findings):
            return ExitCode.FINDINGS
    if report.has_fatal_issues:
        return ExitCode.INPUT
    return ExitCode.OK
