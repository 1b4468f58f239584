"""``fixture-graph diff BASE [HEAD]``: what a change does to the fixture graph.

Both revisions are read from git objects (HEAD defaults to the work tree as it is); nothing is
checked out and neither the work tree nor the index is touched.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fixture_graph.cli.common import (
    GATE_OPTIONS,
    PATH_OPTION,
    SCAN_OPTIONS,
    Configs,
    ExitCode,
    OutputError,
    apply_options,
    build_configs,
    note_line,
    user_errors,
    write_atomic,
)
from fixture_graph.cli.help import CONTEXT_SETTINGS, GroupedCommand

if TYPE_CHECKING:
    from fixture_graph.compare import ReportDiff

DIFF_FORMATS = ("text", "json", "markdown", "github", "sarif")


def both_reports(configs: Configs, base: str, head: str | None) -> tuple[Any, Any, Path]:
    """Scan ``base`` and ``head`` (None: the work tree) of the repository around the cwd."""
    from fixture_graph.revisions import scan_revision
    from fixture_graph.scan.git import repo_root

    repo = repo_root(Path.cwd())
    args = (configs.paths, configs.scan, configs.analyze, configs.gate)
    return scan_revision(repo, base, *args), scan_revision(repo, head, *args), repo


@click.command(cls=GroupedCommand, context_settings=CONTEXT_SETTINGS)
@click.argument("base")
@click.argument("head", required=False)
@PATH_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(DIFF_FORMATS),
    default="text",
    metavar="FORMAT",
    help="text, json, markdown; github, sarif: the new findings only [default: text].",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE (atomically)."
)
@click.option("--fail-on-existing", is_flag=True, help="Also fail on findings that already exist on BASE.")
@click.option(
    "--svg",
    "svg_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the changed subgraph as SVG.",
)
@click.option("--svg-url", help="Link to the uploaded SVG of the changed subgraph (markdown).")
@apply_options(SCAN_OPTIONS)
@apply_options(GATE_OPTIONS)
def diff(
    base: str,
    head: str | None,
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    fail_on_existing: bool,
    svg_file: Path | None,
    svg_url: str | None,
    **opts: Any,
) -> None:
    """Compare the fixture graph of BASE with HEAD (default: the work tree).

    Exit 1 only when HEAD introduces a finding at --fail-on level (or has one, with
    --fail-on-existing). --format github and sarif give the findings HEAD introduces (all of
    HEAD's with --fail-on-existing), ready for annotations or code-scanning upload.
    """
    with user_errors(bool(opts.get("debug"))):
        from fixture_graph.compare import compare_reports

        configs = build_configs(paths, opts)
        base_report, head_report, _ = both_reports(configs, base, head)
        result = compare_reports(base_report, head_report, top=configs.analyze.top)
        text = render(result, fmt, svg_url, fail_on_existing=fail_on_existing)
        if output is None:
            click.echo(text, nl=False)
        else:
            write_atomic(output, text)
            note_line(f"wrote {output}")
        if svg_file is not None:
            from fixture_graph.render.diff_markdown import render_diff_svg
            from fixture_graph.render.svg import RenderError

            try:
                write_atomic(svg_file, render_diff_svg(result))
            except RenderError as exc:
                raise OutputError(f"{svg_file}: {exc}") from None
            note_line(f"wrote {svg_file}")
        code = diff_exit_code(result, configs.gate.fail_on, fail_on_existing)
    sys.exit(code)


def render(
    result: ReportDiff, fmt: str, svg_url: str | None = None, *, fail_on_existing: bool = False
) -> str:
    """Render a diff in ``fmt`` (``github`` and ``sarif``: the findings that can fail the run)."""
    from fixture_graph.render.diff_out import render_diff_json, render_diff_text

    if fmt in ("github", "sarif"):
        findings = (*result.new_findings, *(result.existing_findings if fail_on_existing else ()))
        ordered = tuple(sorted(findings, key=lambda f: f.sort_key))
        if fmt == "sarif":
            from fixture_graph.render.sarif import render_sarif

            return render_sarif(result.head, ordered)
        from fixture_graph.render.github import render_github

        return render_github(result.head, ordered)

    if fmt == "json":
        return render_diff_json(result)
    if fmt == "markdown":
        from fixture_graph.render.diff_markdown import render_diff_markdown

        return render_diff_markdown(result, svg_url=svg_url)
    return render_diff_text(result)


def diff_exit_code(result: ReportDiff, fail_on: str, fail_on_existing: bool) -> int:
    """1 when the change brings a finding at ``fail_on`` or worse; 3 when HEAD had unreadable input."""
    from fixture_graph.analyze.findings import Severity

    if fail_on != "never":
        threshold = Severity.parse(fail_on)
        pool = (*result.new_findings, *(result.existing_findings if fail_on_existing else ()))
        if any(f.severity >= threshold for f in pool):
            return ExitCode.FINDINGS
    if result.head.has_fatal_issues:
        return ExitCode.INPUT
    return ExitCode.OK
