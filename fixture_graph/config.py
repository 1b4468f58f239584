"""Scan configuration: one frozen object handed down from the CLI (or a library caller).

Only :class:`ExtractOptions` influences the per-file extraction, so it alone goes into the
per-file cache key; everything else is applied after extraction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fixture_graph.scope import Scope

DEFAULT_IMPACT_LEVELS = ("MINIMAL", "LOW", "MEDIUM", "HIGH", "VERY_HIGH")
DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """The settings a single file's extraction depends on (and nothing else)."""

    impact_decorators: tuple[str, ...] = ("memory_profile",)
    impact_levels: tuple[str, ...] = DEFAULT_IMPACT_LEVELS


@dataclass(frozen=True, slots=True)
class PluginFixture:
    """A fixture the scan cannot find on disk, declared by the user (``plugin_fixtures``)."""

    name: str
    scope: Scope = Scope.FUNCTION
    autouse: bool = False


@dataclass(frozen=True, slots=True)
class ScanConfig:
    """How to scan: the target environment, env-guard values, and limits.

    ``env`` holds the variables given with ``--env``: a value, or None for a variable declared
    unset. Guards that test any other variable stay undecided (included, marked conditional).
    """

    extract: ExtractOptions = field(default_factory=ExtractOptions)
    env: tuple[tuple[str, str | None], ...] = ()
    plugin_fixtures: tuple[PluginFixture, ...] = ()
    python: str | None = None
    scan_plugins: bool = True
    rootdir: str | None = None
    inifile: str | None = None
    confcutdir: str | None = None
    noconftest: bool = False
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    follow_symlinks: bool = False
