"""``fixture-graph affected BASE``: the tests a change since BASE can affect, ready for pytest."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import click

from fixture_graph.cli.common import (
    PATH_OPTION,
    SCAN_OPTIONS,
    ExitCode,
    apply_options,
    build_configs,
    user_errors,
)
from fixture_graph.cli.help import CONTEXT_SETTINGS, GroupedCommand


@click.command(cls=GroupedCommand, context_settings=CONTEXT_SETTINGS)
@click.argument("base")
@PATH_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("lines", "text", "json")),
    default="lines",
    show_default=True,
    help="lines: node ids for pytest; text: each with its reasons; json: both, and the changed files.",
)
@apply_options(SCAN_OPTIONS)
def affected(base: str, paths: tuple[Path, ...], fmt: str, **opts: Any) -> None:
    """Print the node ids of tests whose closure, fixtures, conftests, imports or module changed
    since BASE.

    One per line, for pytest $(fixture-graph affected origin/main). Compares BASE with the work
    tree; --format text says why each test is affected.
    """
    with user_errors(bool(opts.get("debug"))):
        from fixture_graph.affected import affected_tests
        from fixture_graph.cli.diff_cmd import both_reports
        from fixture_graph.revisions import rootdir_relative
        from fixture_graph.scan.git import changed_files, resolve_revision

        configs = build_configs(paths, opts)
        # Which suite modules each test module imports: a change to one affects its tests.
        configs = dataclasses.replace(configs, scan=dataclasses.replace(configs.scan, test_imports=True))
        base_report, head_report, repo = both_reports(configs, base, None)
        changed = rootdir_relative(head_report, repo, changed_files(repo, resolve_revision(repo, base), None))
        tests = affected_tests(base_report, head_report, changed)
        if fmt == "json":
            document = {
                "base": base,
                "changed_files": sorted(changed),
                "tests": [{"nodeid": t.nodeid, "reasons": list(t.reasons)} for t in tests],
            }
            click.echo(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))
        elif fmt == "text":
            for test in tests:
                click.echo(test.nodeid)
                for reason in test.reasons:
                    click.echo(f"    {reason}")
        else:
            for test in tests:
                click.echo(test.nodeid)
    sys.exit(ExitCode.OK)
