"""``fixture-graph verify``: compare the static graph with the suite's real pytest.

Exit codes: 0 when the comparison ran (whatever it found, unless ``--strict``), 1 with
``--strict`` and any disagreement or any error finding pytest contradicts (a false error), 2 when
pytest could not even start (or a usage error).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from fixture_graph.cli.common import (
    SCAN_OPTIONS,
    ExitCode,
    apply_options,
    build_configs,
    require_paths,
    user_errors,
    write_atomic,
)
from fixture_graph.cli.help import CONTEXT_SETTINGS, GroupedCommand

FORMATS = ("text", "json")


@click.command(cls=GroupedCommand, context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format."
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the output to FILE."
)
@click.option("--strict", is_flag=True, help="Exit 1 on any disagreement or false error finding.")
@click.option(
    "--run",
    "execute",
    is_flag=True,
    help="Run the tests for real (not only collect) to observe dynamic getfixturevalue requests.",
)
@click.option(
    "--oracle",
    type=click.Choice(("probe", "setup-plan")),
    default="probe",
    show_default=True,
    help="How to read pytest: the probe plugin (falls back to setup-plan) or --setup-plan -q only.",
)
@click.option(
    "--pytest-arg", "pytest_args", multiple=True, metavar="ARG", help="Extra pytest argument. Repeatable."
)
@click.option(
    "--timeout", type=float, default=900.0, show_default=True, help="Seconds before pytest is stopped."
)
@apply_options(SCAN_OPTIONS)
def verify(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    strict: bool,
    execute: bool,
    oracle: str,
    pytest_args: tuple[str, ...],
    timeout: float,
    **opts: Any,
) -> None:
    """Check the static resolution against pytest itself, test by test.

    Runs the suite's pytest (--python, default this interpreter) in collect-only mode in the
    current directory with PATHS, and compares each test's fixture names and winning definitions
    with the static graph. Each error finding (FG001-FG003) is judged confirmed, false or
    unverified by pytest's resolution, and each FG006 unused fixture by whether pytest reaches it.
    --env values are set in pytest's environment too.
    """
    with user_errors(bool(opts.get("debug"))):
        from fixture_graph.verify import verify_suite
        from fixture_graph.verify.output import render_verify_json, render_verify_text

        configs = build_configs(paths, opts)
        require_paths(configs.paths)
        result = verify_suite(
            configs.paths,
            configs.scan,
            execute=execute,
            oracle=oracle,
            pytest_args=pytest_args,
            timeout=timeout,
            analyze=configs.analyze,
            gate=configs.gate,
        )
        text = render_verify_json(result) if fmt == "json" else render_verify_text(result)
        if output is not None:
            write_atomic(output, text)
            click.echo(render_verify_text(result) if fmt != "text" else text, nl=False)
            click.echo(f"wrote {output}")
        else:
            click.echo(text, nl=False)
    if result.failure:
        sys.exit(ExitCode.USAGE)
    failed = result.disagreements or result.false_errors
    sys.exit(ExitCode.FINDINGS if strict and failed else ExitCode.OK)
