"""The command line: parse options, build a config, run the pipeline once, map to an exit code.

``fixture-graph [PATHS]...`` scans like ``pytest [PATHS]`` would collect. Tracebacks are shown
only with ``--debug``; every other failure is one line on stderr and an exit code.
"""

from __future__ import annotations

import enum
import os
import sys
import tempfile
from pathlib import Path

import click

from fixture_graph import __version__
from fixture_graph.config import DEFAULT_MAX_FILE_BYTES, ExtractOptions, PluginFixture, ScanConfig
from fixture_graph.scope import Scope


class ExitCode(enum.IntEnum):
    """Process exit codes (documented in the README)."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    INPUT = 3


FORMATS = ("text", "json")


def _parse_env(values: tuple[str, ...]) -> tuple[tuple[str, str | None], ...]:
    out: dict[str, str | None] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not key:
            raise click.BadParameter(f"{item!r}: expected KEY=VALUE (or KEY to declare it unset)")
        out[key] = value if sep else None
    return tuple(sorted(out.items()))


def _parse_plugin_fixtures(values: tuple[str, ...]) -> tuple[PluginFixture, ...]:
    out = []
    for item in values:
        name, _, scope_text = item.partition(":")
        scope = Scope.parse(scope_text or "function")
        if not name or scope is None:
            raise click.BadParameter(f"{item!r}: expected NAME or NAME:SCOPE")
        out.append(PluginFixture(name, scope))
    return tuple(out)


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a failed run never leaves half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the output to FILE (atomically).",
)
@click.option(
    "--env",
    "env",
    multiple=True,
    metavar="KEY=VALUE",
    help="Decide env guards statically; KEY alone means unset. Repeatable.",
)
@click.option(
    "--python",
    "python",
    metavar="PATH",
    help="Interpreter of the suite's environment (for plugins and pytest's version).",
)
@click.option("--rootdir", help="Like pytest --rootdir.")
@click.option("-c", "--inifile", help="Like pytest -c: use this config file.")
@click.option("--confcutdir", help="Like pytest --confcutdir.")
@click.option("--noconftest", is_flag=True, help="Like pytest --noconftest.")
@click.option("--no-plugins", is_flag=True, help="Do not scan installed pytest11 plugins.")
@click.option(
    "--plugin-fixture",
    multiple=True,
    metavar="NAME[:SCOPE]",
    help="A fixture provided by a plugin that cannot be scanned.",
)
@click.option(
    "--impact-decorator",
    multiple=True,
    metavar="NAME",
    help="Decorator names carrying impact tags (default: memory_profile).",
)
@click.option("--follow-symlinks", is_flag=True, help="Follow symlinked directories and files.")
@click.option(
    "--max-file-bytes",
    type=int,
    default=DEFAULT_MAX_FILE_BYTES,
    show_default=True,
    help="Skip larger files (reported as an issue).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(__version__, prog_name="fixture-graph")
def main(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    env: tuple[str, ...],
    python: str | None,
    rootdir: str | None,
    inifile: str | None,
    confcutdir: str | None,
    noconftest: bool,
    no_plugins: bool,
    plugin_fixture: tuple[str, ...],
    impact_decorator: tuple[str, ...],
    follow_symlinks: bool,
    max_file_bytes: int,
    debug: bool,
) -> None:
    """Scan a pytest suite statically and report its fixture graph.

    PATHS are what you would pass to pytest (default: the ini's testpaths, else the current
    directory). Nothing is imported or executed. Exit codes: 0 clean, 1 error findings
    (circular dependencies), 2 usage or config error, 3 some input could not be read.
    """
    config = ScanConfig(
        extract=ExtractOptions(impact_decorators=impact_decorator or ("memory_profile",)),
        env=_parse_env(env),
        plugin_fixtures=_parse_plugin_fixtures(plugin_fixture),
        python=python,
        scan_plugins=not no_plugins,
        rootdir=rootdir,
        inifile=inifile,
        confcutdir=confcutdir,
        noconftest=noconftest,
        max_file_bytes=max_file_bytes,
        follow_symlinks=follow_symlinks,
    )
    try:
        code = _run(list(paths), config, fmt, output)
    except KeyboardInterrupt:
        click.echo("fixture-graph: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if debug:
            raise
        from fixture_graph.scan.environment import EnvironmentError_
        from fixture_graph.scan.ini import ConfigFileError

        if isinstance(exc, ConfigFileError | EnvironmentError_):
            click.echo(f"fixture-graph: error: {exc}", err=True)
            sys.exit(ExitCode.USAGE)
        click.echo(
            f"fixture-graph: internal error: {type(exc).__name__}: {exc} (rerun with --debug)", err=True
        )
        sys.exit(ExitCode.USAGE)
    sys.exit(code)


def _run(paths: list[Path], config: ScanConfig, fmt: str, output: Path | None) -> int:
    from fixture_graph.render import RENDERERS
    from fixture_graph.report import build_report
    from fixture_graph.scan.session import scan_paths

    report = build_report(scan_paths(paths, config))
    text = RENDERERS[fmt](report)
    if output is not None:
        _write_atomic(output, text)
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
