"""``fixture-graph plan-split CONFTEST``: how to split a monolithic conftest (changes no file)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from fixture_graph.cli.common import (
    PATH_OPTION,
    SCAN_OPTIONS,
    ExitCode,
    UserError,
    apply_options,
    build_configs,
    require_paths,
    user_errors,
)
from fixture_graph.cli.help import CONTEXT_SETTINGS, GroupedCommand


@click.command("plan-split", cls=GroupedCommand, context_settings=CONTEXT_SETTINGS)
@click.argument("conftest", type=click.Path(dir_okay=False, path_type=Path))
@PATH_OPTION
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option(
    "--measurements",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Costs measured by pytest --fixture-graph-measure.",
)
@apply_options(SCAN_OPTIONS)
def plan_split(
    conftest: Path, paths: tuple[Path, ...], fmt: str, measurements: Path | None, **opts: Any
) -> None:
    """Propose modules for a monolithic CONFTEST: grouped fixtures, their imports and helpers,
    which load only under which env guard or folder, the orchestrating conftest, and the
    collection-time saving. Text, or --format json with every module's full text.
    """
    with user_errors(bool(opts.get("debug"))):
        from fixture_graph.analyze.split import SplitError, plan_for
        from fixture_graph.cli.scan_cmd import make_report
        from fixture_graph.render.split_out import render_split_json, render_split_text
        from fixture_graph.scan.segments import SegmentError, read_split_sources, star_imports

        configs = build_configs(paths, opts)
        require_paths((conftest, *configs.paths))
        # The plan reads the scan and resolution only: no rule runs.
        report = make_report(configs, measurements, quiet=True, analyze=False)
        rootdir = Path(report.scan.rootdir)
        if rootdir.resolve() not in conftest.resolve().parents:
            raise UserError(f"{conftest} is not under the rootdir {rootdir}")
        try:
            shown = conftest.resolve().relative_to(rootdir.resolve()).as_posix()
            sources = read_split_sources(conftest, rootdir, star_imports(report.scan, shown))
            plan = plan_for(report.scan, report.resolution, configs.analyze, report.measurements, sources)
        except (SegmentError, SplitError) as exc:
            raise UserError(str(exc)) from None
        if fmt == "json":
            click.echo(render_split_json(plan, report.scan.rootdir), nl=False)
        else:
            click.echo(render_split_text(plan, report.scan.rootdir), nl=False)
    sys.exit(ExitCode.OK)
