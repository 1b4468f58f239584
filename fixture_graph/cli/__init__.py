"""The command line: a click group whose default command is ``scan``.

``fixture-graph tests/`` is ``fixture-graph scan tests/``, so the common case stays short while
``verify``, ``diff`` and ``affected`` live beside it. Each command is its own module; this one
only assembles them. Tracebacks are shown only with ``--debug``.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from typing import Any

import click

from fixture_graph import __version__
from fixture_graph.cli.affected_cmd import affected
from fixture_graph.cli.common import ExitCode, error_line
from fixture_graph.cli.diff_cmd import diff
from fixture_graph.cli.help import CONTEXT_SETTINGS
from fixture_graph.cli.plan_split_cmd import plan_split
from fixture_graph.cli.query_cmd import tree, uses, why
from fixture_graph.cli.rules_cmd import rule, rules
from fixture_graph.cli.scan_cmd import scan
from fixture_graph.cli.verify_cmd import verify

__all__ = ["ExitCode", "main"]

DEFAULT_COMMAND = "scan"


class DefaultGroup(click.Group):
    """A group that runs :data:`DEFAULT_COMMAND` when the first argument is not a command name."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        group_flags = {"-h", "--help", "--version"}
        if not args or (args[0] not in self.commands and args[0] not in group_flags):
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[COMMAND] [OPTIONS] [PATHS]...")

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """click's ``main``, but a usage error is one line on stderr (``fixture-graph: error:
        ...``, exit 2) instead of click's usage block, and Ctrl-C is exit 130."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            hint = " (see --help)" if isinstance(exc, click.UsageError) else ""
            error_line(f"{exc.format_message()}{hint}")
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("fixture-graph: interrupted", err=True)
            sys.exit(ExitCode.INTERRUPTED)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=DefaultGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="fixture-graph")
def main(**_: Any) -> None:
    """Static analyzer of pytest fixture graphs: nothing in the suite is imported or run.

    Without a command, 'scan' runs: 'fixture-graph tests/' is 'fixture-graph scan tests/'.
    Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage, config or output error,
    3 some input could not be read, 130 interrupted (the README has the table).
    """
    # The scan builds hundreds of thousands of small, long-lived, acyclic records; the cycle
    # collector would traverse each of them at least once more and free nothing (40% of a large
    # warm run with the default thresholds, 15% with high ones). The scan state and the
    # resolution index break their own reference cycles, so everything is freed by reference
    # counting; only a little cyclic garbage from libraries waits for the command to end.
    if gc.isenabled():
        gc.disable()
        click.get_current_context().call_on_close(gc.enable)  # in-process callers get it back


main.add_command(scan)
main.add_command(rules)
main.add_command(rule)
main.add_command(diff)
main.add_command(affected)
main.add_command(verify)
main.add_command(why)
main.add_command(tree)
main.add_command(uses)
main.add_command(plan_split)
