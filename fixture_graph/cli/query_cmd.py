"""``fixture-graph why TEST FIXTURE``, ``tree TEST`` and ``uses FIXTURE``: questions about one
test or one fixture, answered from the static graph.

Exit codes: 0 answered; 1 the answer is "no" (the fixture is not in the test's closure, or no
test gets it), with a one-line message; 2 the test or fixture is not in the scan (or another
usage error).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fixture_graph.cli.common import (
    PATH_OPTION,
    SCAN_OPTIONS,
    ExitCode,
    UserError,
    apply_options,
    build_configs,
    note_line,
    require_paths,
    user_errors,
)
from fixture_graph.cli.help import CONTEXT_SETTINGS, GroupedCommand

if TYPE_CHECKING:
    from fixture_graph.questions.closure import TestClosure
    from fixture_graph.render.paths import ShowPath
    from fixture_graph.report import Report


@click.command(cls=GroupedCommand, context_settings=CONTEXT_SETTINGS)
@click.argument("test")
@click.argument("fixture")
@PATH_OPTION
@apply_options(SCAN_OPTIONS)
def why(test: str, fixture: str, paths: tuple[Path, ...], **opts: Any) -> None:
    """Every route by which TEST gets FIXTURE, with file:line for each request.

    TEST is a node id as pytest takes it (FILE::TEST, FILE::CLASS::TEST, a [param] id is
    ignored). FIXTURE is a name or a definition id (tests/conftest.py::db). Exit 1 when the
    fixture is not in the test's closure, 2 when the test or the fixture is not in the scan.
    """
    with user_errors(bool(opts.get("debug"))):
        from fixture_graph.questions.lookup import NotFound, find_fixture, nearest_definitions
        from fixture_graph.questions.routes import find_routes
        from fixture_graph.render.questions import render_not_in_closure, render_why

        report, closure, show = _one_test(test, paths, opts)
        try:
            query = find_fixture(report.scan, fixture)
        except NotFound as exc:
            raise UserError(str(exc)) from None
        routes = find_routes(closure, query.name, query.definition)
        if not routes.routes:
            near = nearest_definitions(report.scan, query.name, closure.item)
            click.echo(render_not_in_closure(query.definition or query.name, closure, near, show))
            sys.exit(ExitCode.FINDINGS)
        click.echo(render_why(closure, routes, show), nl=False)
    sys.exit(ExitCode.OK)


@click.command(cls=GroupedCommand, context_settings=CONTEXT_SETTINGS)
@click.argument("test")
@PATH_OPTION
@apply_options(SCAN_OPTIONS)
def tree(test: str, paths: tuple[Path, ...], **opts: Any) -> None:
    """The closure of TEST as a tree: each request under the fixture that makes it, with scope,
    impact and definition; a fixture shown again is marked (*); autouse, usefixtures, ini and
    parametrize roots are labelled.

    TEST is a node id as pytest takes it (a [param] id is ignored).
    """
    with user_errors(bool(opts.get("debug"))):
        from fixture_graph.questions.tree import tree_rows
        from fixture_graph.render.questions import render_tree

        _, closure, show = _one_test(test, paths, opts)
        click.echo(render_tree(closure, tree_rows(closure), show), nl=False)
    sys.exit(ExitCode.OK)


@click.command(cls=GroupedCommand, context_settings=CONTEXT_SETTINGS)
@click.argument("fixture")
@PATH_OPTION
@click.option(
    "--deselect",
    is_flag=True,
    help="Print --deselect NODEID lines: pytest $(fixture-graph uses X --deselect) runs the rest.",
)
@click.option("--format", "fmt", type=click.Choice(("lines", "json")), default="lines", show_default=True)
@apply_options(SCAN_OPTIONS)
def uses(fixture: str, paths: tuple[Path, ...], deselect: bool, fmt: str, **opts: Any) -> None:
    """Print the node ids of the tests that get FIXTURE, one per line, sorted.

    FIXTURE is a name (every test whose closure gets a definition of it) or a definition id
    (only the tests that get that definition). For pytest $(fixture-graph uses db), run from
    the rootdir. Exit 1 (printing nothing) when no test gets it, 2 when it is not in the scan.
    """
    with user_errors(bool(opts.get("debug"))):
        from fixture_graph.questions.lookup import NotFound, find_fixture
        from fixture_graph.questions.uses import deselect_clashes, tests_using
        from fixture_graph.render.questions import render_uses, render_uses_json

        report = _report(paths, opts)
        try:
            query = find_fixture(report.scan, fixture)
        except NotFound as exc:
            raise UserError(str(exc)) from None
        found = tests_using(report.scan, report.resolution, query)
        clashes = deselect_clashes(report.resolution, found)
        if fmt == "json":
            definitions = [f.id for f in report.scan.fixtures if f.name == query.name]
            click.echo(render_uses_json(query, found, clashes, definitions), nl=False)
        else:
            click.echo(render_uses(found, deselect=deselect), nl=False)
            if deselect:
                for clash in clashes:
                    note_line(
                        f"fixture-graph: warning: --deselect {clash.prefix} also deselects "
                        f"{', '.join(clash.others)} (pytest matches node id prefixes)"
                    )
        if not found:
            note_line(f"no test gets {query.definition or query.name}")
            sys.exit(ExitCode.FINDINGS)
    sys.exit(ExitCode.OK)


def _one_test(
    test: str, paths: tuple[Path, ...], opts: dict[str, Any]
) -> tuple[Report, TestClosure, ShowPath]:
    """Scan the suite (``paths``, else what ``fixture-graph`` alone scans), and replay the test's
    closure; when the test is not in that scan, scan its file alone, as ``pytest FILE`` would."""
    from fixture_graph.questions.closure import test_closure
    from fixture_graph.questions.lookup import NotFound, find_test, split_test_argument
    from fixture_graph.render.paths import path_display

    file, _ = split_test_argument(test)
    require_paths((Path(file),))
    report = _report(paths, opts)
    try:
        item = find_test(report.scan, test)
    except NotFound as exc:
        alone = _report((Path(file),), opts)
        try:
            item = find_test(alone.scan, test)
        except NotFound:
            raise UserError(str(exc)) from None
        report = alone
    closure = test_closure(report.scan, report.resolution, item.nodeid)
    return report, closure, path_display(report.scan.rootdir)


def _report(paths: tuple[Path, ...], opts: dict[str, Any]) -> Report:
    """Scan ``paths`` (none: what ``fixture-graph`` alone scans) and resolve; no rule runs."""
    from fixture_graph.cli.scan_cmd import make_report

    configs = build_configs(paths, opts)
    require_paths(configs.paths)
    return make_report(configs, quiet=True, analyze=False)
