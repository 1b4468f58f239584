"""What every command shares: exit codes, the scan options, settings precedence, safe writes.

Precedence is defaults < ``[tool.fixture_graph]`` < command line: a flag overrides the file only
when it was given, which is why every option here defaults to None.
"""

from __future__ import annotations

import dataclasses
import enum
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from fixture_graph.config import AnalyzeConfig, ExtractOptions, GateConfig, ScanConfig
from fixture_graph.settings import (
    FAIL_ON_NAMES,
    Settings,
    SettingsError,
    find_pyproject,
    load_settings,
    parse_plugin_fixture,
)


class ExitCode(enum.IntEnum):
    """Process exit codes, the same for every command and output option (the README's table).

    ``USAGE`` covers every error the user can fix by changing the command or its files: a bad
    option value, a missing path, an unreadable or invalid settings file, an output that could
    not be written or drawn (Graphviz missing or out of time).
    """

    OK = 0
    FINDINGS = 1
    USAGE = 2
    INPUT = 3
    INTERRUPTED = 130


F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """An error the user can fix that is not about the command's syntax (no "see --help"): exit 2."""

    exit_code = ExitCode.USAGE


class OutputError(UserError):
    """An output that was asked for could not be made (written, or drawn by Graphviz): exit 2."""


def error_line(message: str) -> None:
    """``fixture-graph: error: MESSAGE``, one line on stderr (clear of the progress line)."""
    _stderr_line(f"fixture-graph: error: {message}")


def warning_line(message: str) -> None:
    """``fixture-graph: warning: MESSAGE``, one line on stderr (clear of the progress line)."""
    _stderr_line(f"fixture-graph: warning: {message}")


def note_line(message: str) -> None:
    """A plain line on stderr (``wrote FILE``), clear of the progress line."""
    _stderr_line(message)


def _stderr_line(text: str) -> None:
    from fixture_graph.cli.progress import active

    progress = active()
    if progress is not None:
        progress.echo(text)
    else:
        click.echo(text, err=True)


def require_paths(paths: tuple[Path, ...]) -> None:
    """Refuse a path argument that does not exist, as pytest does ("file or directory not found").

    A node id (``tests/test_a.py::test_x``) is checked by its file part; what it selects is the
    scan's business. Raises :class:`UserError` (exit 2) naming the first missing path.
    """
    for path in paths:
        file = str(path).split("::", 1)[0]
        if file and not os.path.lexists(file):
            raise UserError(f"file or directory not found: {path}")


def _parse_env(values: tuple[str, ...]) -> tuple[tuple[str, str | None], ...]:
    out: dict[str, str | None] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not key:
            raise click.BadParameter(f"{item!r}: expected KEY=VALUE (or KEY to declare it unset)")
        out[key] = value if sep else None
    return tuple(sorted(out.items()))


def _check_expression(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse a malformed ``-m``/``-k`` expression as pytest does (a usage error)."""
    from fixture_graph.scan.select import ExpressionError, compile_expression

    if not value or not value.strip():
        return value
    try:
        expression = compile_expression(value)
    except ExpressionError as exc:
        raise click.BadParameter(str(exc)) from None
    if param.name == "keyword" and expression.has_kwargs():
        raise click.BadParameter("Keyword expressions do not support call parameters.")
    return value


SCAN_OPTIONS: list[Callable[[F], F]] = [
    click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Settings file [default: nearest pyproject.toml].",
    ),
    click.option(
        "--env",
        "env",
        multiple=True,
        metavar="KEY=VALUE",
        help="Decide env guards; KEY alone: unset. Repeatable.",
    ),
    click.option(
        "--env-inherit",
        is_flag=True,
        default=None,
        help="With --env: other variables as in this process.",
    ),
    click.option(
        "--traced",
        is_flag=True,
        default=None,
        help="Decide trace/coverage guards as under coverage.",
    ),
    click.option(
        "--python",
        "python",
        metavar="PATH",
        help="The suite's interpreter or venv (for plugins).",
    ),
    click.option("--rootdir", metavar="DIR", help="Like pytest --rootdir."),
    click.option("-c", "--inifile", metavar="FILE", help="Like pytest -c: use this ini file."),
    click.option("--confcutdir", metavar="DIR", help="Like pytest --confcutdir."),
    click.option("--noconftest", is_flag=True, default=None, help="Like pytest --noconftest."),
    click.option(
        "-m",
        "markexpr",
        metavar="MARKEXPR",
        callback=_check_expression,
        help="Like pytest -m (overrides -m in addopts).",
    ),
    click.option(
        "-k",
        "keyword",
        metavar="EXPRESSION",
        callback=_check_expression,
        help="Like pytest -k (overrides -k in addopts).",
    ),
    click.option("--no-plugins", is_flag=True, default=None, help="Do not scan installed pytest11 plugins."),
    click.option(
        "--plugin-fixture",
        multiple=True,
        metavar="NAME",
        help="A fixture from an unscanned plugin (NAME[:SCOPE]).",
    ),
    click.option(
        "--impact-decorator",
        multiple=True,
        metavar="NAME",
        help="Impact tag decorator [default: memory_profile].",
    ),
    click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths (relative to the rootdir)."),
    click.option("--follow-symlinks", is_flag=True, default=None, help="Follow symlinked directories."),
    click.option("--max-file-bytes", type=int, metavar="N", help="Skip larger files [default: 4 MiB]."),
    click.option("--no-cache", is_flag=True, default=None, help="Do not read or write the cache."),
    click.option(
        "--cache-dir",
        metavar="DIR",
        help="Cache folder [default: .fixture_graph_cache].",
    ),
    click.option(
        "-j", "--jobs", type=click.IntRange(min=1), metavar="N", help="Parsing processes [default: cores]."
    ),
    click.option("--max-tests", type=int, metavar="N", help="Collect at most N tests [default: 500000]."),
    click.option(
        "--max-fixtures", type=int, metavar="N", help="Register at most N fixtures [default: 200000]."
    ),
    click.option("--debug", is_flag=True, help="Show tracebacks."),
]

# The files and directories a command scans, for the commands whose arguments are something
# else (a revision, a test, a fixture, a conftest).
PATH_OPTION: Callable[[F], F] = click.option(
    "--path", "paths", multiple=True, type=click.Path(path_type=Path), help="Paths to scan (repeatable)."
)

GATE_OPTIONS: list[Callable[[F], F]] = [
    click.option(
        "--fail-on",
        type=click.Choice(FAIL_ON_NAMES),
        metavar="LEVEL",
        help="Exit 1 from: info, warning, error, never [error].",
    ),
    click.option("--select", multiple=True, metavar="CODE", help="Only these rules (codes or prefixes)."),
    click.option("--ignore", "ignore_codes", multiple=True, metavar="CODE", help="Skip these rules."),
    click.option("--workers", type=int, metavar="N", help="pytest-xdist workers (session cost x N)."),
    click.option(
        "--max-session-fixtures", type=int, metavar="N", help="Session fixture budget [default: 4]."
    ),
    click.option("--top", type=int, metavar="N", help="Heavy chains and tests to show [default: 5]."),
]


def apply_options(options: list[Callable[[F], F]]) -> Callable[[F], F]:
    """Decorate a command with a list of click options, first option first in ``--help``."""

    def decorate(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


@dataclass(frozen=True, slots=True)
class Configs:
    """Everything a command needs, after defaults < file < flags."""

    paths: tuple[Path, ...]
    scan: ScanConfig
    analyze: AnalyzeConfig
    gate: GateConfig
    source: str | None


def _settings_for(config_file: Path | None, paths: tuple[Path, ...]) -> Settings:
    if config_file is not None:
        return load_settings(config_file)
    start = paths[0] if paths else Path.cwd()
    found = find_pyproject(start.resolve() if start.exists() else Path.cwd())
    return load_settings(found) if found is not None else Settings()


def build_configs(paths: tuple[Path, ...], opts: dict[str, Any]) -> Configs:
    """Merge defaults, the settings file and the given flags (``opts`` are the command's kwargs)."""
    settings = _settings_for(opts.get("config_file"), paths)
    scan_kw = dict(settings.scan)
    extract_kw = scan_kw.pop("extract", {})
    if opts.get("impact_decorator"):
        extract_kw["impact_decorators"] = tuple(opts["impact_decorator"])
    if opts.get("env"):
        scan_kw["env"] = tuple(
            sorted({**dict(scan_kw.get("env", ())), **dict(_parse_env(opts["env"]))}.items())
        )
    if opts.get("plugin_fixture"):
        try:
            extra = tuple(parse_plugin_fixture(p) for p in opts["plugin_fixture"])
        except SettingsError as exc:
            raise click.BadParameter(str(exc), param_hint="--plugin-fixture") from None
        scan_kw["plugin_fixtures"] = (*scan_kw.get("plugin_fixtures", ()), *extra)
    if opts.get("exclude"):
        scan_kw["exclude"] = (*scan_kw.get("exclude", ()), *opts["exclude"])
    for flag in (
        "python",
        "rootdir",
        "inifile",
        "confcutdir",
        "noconftest",
        "markexpr",
        "keyword",
        "follow_symlinks",
        "max_file_bytes",
        "jobs",
        "max_tests",
        "max_fixtures",
        "env_inherit",
        "traced",
    ):
        if opts.get(flag) is not None:
            scan_kw[flag] = opts[flag]
    if opts.get("no_plugins"):
        scan_kw["scan_plugins"] = False
    if opts.get("no_cache"):
        scan_kw["cache"] = False
    if opts.get("cache_dir") is not None:
        scan_kw["cache_dir"] = str(Path(opts["cache_dir"]).resolve())
    scan = ScanConfig(extract=ExtractOptions(**extract_kw), **scan_kw)

    analyze_kw = dict(settings.analyze)
    for flag in ("workers", "max_session_fixtures", "top"):
        if opts.get(flag) is not None:
            analyze_kw[flag] = opts[flag]
    analyze = AnalyzeConfig(**analyze_kw)

    gate = GateConfig(**settings.gate)
    if opts.get("fail_on"):
        gate = dataclasses.replace(gate, fail_on=opts["fail_on"])
    if opts.get("select"):
        gate = dataclasses.replace(gate, select=tuple(c.upper() for c in opts["select"]))
    if opts.get("ignore_codes"):
        gate = dataclasses.replace(gate, ignore=(*gate.ignore, *(c.upper() for c in opts["ignore_codes"])))
    chosen = paths or tuple(Path(p) for p in settings.paths)
    if settings.paths and not paths and settings.source:
        base = Path(settings.source).parent
        chosen = tuple(Path(os.path.relpath(base / p)) for p in settings.paths)
    return Configs(chosen, scan, analyze, gate, settings.source)


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write via a temporary file and rename, so a failed run never leaves half a report."""
    from fixture_graph.storage import write_atomic as write_bytes

    # backslashreplace: a lone surrogate (an undecodable file name) cannot be UTF-8.
    write_bytes(path, text.encode("utf-8", "backslashreplace") if isinstance(text, str) else text)


@contextmanager
def user_errors(debug: bool) -> Iterator[None]:
    """Turn expected failures into one line and an exit code; tracebacks only with ``--debug``."""
    try:
        yield
    except KeyboardInterrupt:
        click.echo("fixture-graph: interrupted", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
        raise
    except Exception as exc:
        if debug:
            raise
        from fixture_graph.baseline import BaselineError
        from fixture_graph.measure import MeasurementsError
        from fixture_graph.scan.environment import EnvironmentError_
        from fixture_graph.scan.git import GitError
        from fixture_graph.scan.ini import ConfigFileError

        known = (
            ConfigFileError | EnvironmentError_ | SettingsError | GitError | BaselineError | MeasurementsError
        )
        if isinstance(exc, known):
            error_line(str(exc))
        elif isinstance(exc, OSError) and exc.filename is not None:
            error_line(f"{exc.filename}: {exc.strerror or exc}")
        else:
            _stderr_line(f"fixture-graph: internal error: {type(exc).__name__}: {exc} (rerun with --debug)")
        sys.exit(ExitCode.USAGE)
