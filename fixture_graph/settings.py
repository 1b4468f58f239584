"""``[tool.fixture_graph]`` in pyproject.toml: read, validate, and turn into keyword overrides.

Precedence is defaults < pyproject < command line. This module knows the file format and the
key names; the CLI knows its flags. Both produce plain ``{field: value}`` overrides for
:class:`~fixture_graph.config.ScanConfig`, :class:`~fixture_graph.config.AnalyzeConfig` and the
gate, so one table of keys serves every command. An unknown key or a wrong type is a
:class:`SettingsError` that names the key, never a silent default.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fixture_graph.config import Contract, PluginFixture
from fixture_graph.scope import Scope

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

TABLE = "fixture_graph"
SEVERITY_NAMES = ("info", "warning", "error")
FAIL_ON_NAMES = (*SEVERITY_NAMES, "never")


class SettingsError(ValueError):
    """A configuration file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Overrides read from one configuration file, grouped by the object they configure."""

    source: str | None = None
    paths: tuple[str, ...] = ()
    scan: dict[str, Any] = field(default_factory=dict)
    analyze: dict[str, Any] = field(default_factory=dict)
    gate: dict[str, Any] = field(default_factory=dict)


def _str_list(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise SettingsError(f"{key}: expected a string or a list of strings, got {value!r}")


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise SettingsError(f"{key}: expected a non-negative number, got {value!r}")
    return float(value)


def _count(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SettingsError(f"{key}: expected a non-negative integer, got {value!r}")
    return value


def _choice(choices: tuple[str, ...]) -> Callable[[str, Any], str]:
    def convert(key: str, value: Any) -> str:
        if not isinstance(value, str) or value.lower() not in choices:
            raise SettingsError(f"{key}: expected one of {', '.join(choices)}, got {value!r}")
        return value.lower()

    return convert


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise SettingsError(f"{key}: expected true or false, got {value!r}")
    return value


def _codes(key: str, value: Any) -> tuple[str, ...]:
    return tuple(c.upper() for c in _str_list(key, value))


def _env(key: str, value: Any) -> tuple[tuple[str, str | None], ...]:
    if not isinstance(value, dict):
        raise SettingsError(f'{key}: expected a table of NAME = "value" (false for unset)')
    out: dict[str, str | None] = {}
    for name, val in value.items():
        if val is False:
            out[name] = None
        elif isinstance(val, str):
            out[name] = val
        else:
            raise SettingsError(f"{key}.{name}: expected a string, or false for unset, got {val!r}")
    return tuple(sorted(out.items()))


def parse_plugin_fixture(text: str) -> PluginFixture:
    """``NAME`` or ``NAME:SCOPE`` (the CLI and the file share this form)."""
    name, _, scope_text = text.partition(":")
    scope = Scope.parse(scope_text or "function")
    if not name or scope is None:
        raise SettingsError(f"{text!r}: expected NAME or NAME:SCOPE")
    return PluginFixture(name, scope)


def _plugin_fixtures(key: str, value: Any) -> tuple[PluginFixture, ...]:
    if not isinstance(value, list):
        raise SettingsError(f"{key}: expected a list")
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(parse_plugin_fixture(item))
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            unknown = set(item) - {"name", "scope", "autouse"}
            if unknown:
                raise SettingsError(f"{key}: unknown key {sorted(unknown)[0]!r} in {item!r}")
            scope = Scope.parse(str(item.get("scope", "function")))
            if scope is None:
                raise SettingsError(f"{key}: bad scope in {item!r}")
            out.append(
                PluginFixture(item["name"], scope, _bool(f"{key}.autouse", item.get("autouse", False)))
            )
        else:
            raise SettingsError(f'{key}: expected "NAME[:SCOPE]" or {{name, scope, autouse}}, got {item!r}')
    return tuple(out)


def _weights(key: str, value: Any) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, dict) or not value:
        raise SettingsError(f"{key}: expected a table of LEVEL = weight")
    return tuple((str(level), _number(f"{key}.{level}", w)) for level, w in value.items())


CONTRACT_KEYS = {"name", "tests", "forbid", "forbid-impact", "forbid-scope"}


def _contracts(key: str, value: Any) -> tuple[Contract, ...]:
    if not isinstance(value, list):
        raise SettingsError(f"{key}: expected an array of tables ([[tool.fixture_graph.contracts]])")
    out = []
    for i, item in enumerate(value):
        where = f"{key}[{i}]"
        if not isinstance(item, dict):
            raise SettingsError(f"{where}: expected a table")
        norm = {k.replace("_", "-"): v for k, v in item.items()}
        unknown = sorted(set(norm) - CONTRACT_KEYS)
        if unknown:
            raise SettingsError(f"{where}: unknown key {unknown[0]!r}")
        if "tests" not in norm:
            raise SettingsError(f"{where}: 'tests' is required")
        contract = Contract(
            name=str(norm.get("name", f"contract {i + 1}")),
            tests=_str_list(f"{where}.tests", norm["tests"]),
            forbid=_str_list(f"{where}.forbid", norm.get("forbid", [])),
            forbid_impact=_str_list(f"{where}.forbid-impact", norm.get("forbid-impact", [])),
            forbid_scope=_str_list(f"{where}.forbid-scope", norm.get("forbid-scope", [])),
        )
        if not (contract.forbid or contract.forbid_impact or contract.forbid_scope):
            raise SettingsError(f"{where}: forbids nothing (set forbid, forbid-impact or forbid-scope)")
        out.append(contract)
    return tuple(out)


Converter = Callable[[str, Any], Any]

# file key -> (group, field, converter)
KEYS: dict[str, tuple[str, str, Converter]] = {
    "paths": ("paths", "paths", _str_list),
    "env": ("scan", "env", _env),
    "env-inherit": ("scan", "env_inherit", _bool),
    "traced": ("scan", "traced", _bool),
    "python": ("scan", "python", lambda k, v: _str_list(k, v)[0]),
    "impact-decorators": ("extract", "impact_decorators", _str_list),
    "impact-levels": ("extract", "impact_levels", _str_list),
    "plugin-fixtures": ("scan", "plugin_fixtures", _plugin_fixtures),
    "scan-plugins": ("scan", "scan_plugins", _bool),
    "exclude": ("scan", "exclude", _str_list),
    "follow-symlinks": ("scan", "follow_symlinks", _bool),
    "max-file-bytes": ("scan", "max_file_bytes", _count),
    "cache-dir": ("scan", "cache_dir", lambda k, v: _str_list(k, v)[0]),
    "no-cache": ("scan", "cache", lambda k, v: not _bool(k, v)),
    "jobs": ("scan", "jobs", _count),
    "max-tests": ("scan", "max_tests", _count),
    "max-fixtures": ("scan", "max_fixtures", _count),
    "weights": ("analyze", "weights", _weights),
    "untagged-weight": ("analyze", "untagged_weight", _number),
    "weight-unit": ("analyze", "weight_unit", lambda k, v: _str_list(k, v)[0]),
    "heavy-chain-threshold": ("analyze", "heavy_chain_threshold", _number),
    "top": ("analyze", "top", _count),
    "max-session-fixtures": ("analyze", "max_session_fixtures", _count),
    "workers": ("analyze", "workers", _count),
    "autouse-cost-threshold": ("analyze", "autouse_cost_threshold", _number),
    "scope-advice-threshold": ("analyze", "scope_advice_threshold", _number),
    "heavy-modules": ("analyze", "heavy_modules", _str_list),
    "extend-heavy-modules": ("analyze", "extend_heavy_modules", _str_list),
    "unused-exclude": ("analyze", "unused_exclude", _str_list),
    "cycle-bound": ("analyze", "cycle_bound", _count),
    "contracts": ("analyze", "contracts", _contracts),
    "cost": ("analyze", "cost", _choice(("declared", "measured"))),
    "drift-memory-mb": ("analyze", "drift_memory_mb", _weights),
    "drift-seconds": ("analyze", "drift_seconds", _weights),
    "fail-on": ("gate", "fail_on", _choice(FAIL_ON_NAMES)),
    "select": ("gate", "select", _codes),
    "ignore": ("gate", "ignore", _codes),
    "extend-select": ("gate", "extend_select", _codes),
}


def parse_table(table: dict[str, Any], source: str) -> Settings:
    """Validate a ``[tool.fixture_graph]`` table (keys may use ``-`` or ``_``)."""
    groups: dict[str, dict[str, Any]] = {"paths": {}, "scan": {}, "extract": {}, "analyze": {}, "gate": {}}
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        if key not in KEYS:
            raise SettingsError(f"{source}: unknown key {raw_key!r} in [tool.{TABLE}]")
        group, name, convert = KEYS[key]
        try:
            groups[group][name] = convert(key, value)
        except SettingsError as exc:
            raise SettingsError(f"{source}: [tool.{TABLE}] {exc}") from None
    extra = groups["analyze"].pop("extend_heavy_modules", None)
    if extra:
        from fixture_graph.config import DEFAULT_HEAVY_MODULES

        base = groups["analyze"].get("heavy_modules", DEFAULT_HEAVY_MODULES)
        groups["analyze"]["heavy_modules"] = tuple(dict.fromkeys((*base, *extra)))
    scan = dict(groups["scan"])
    if groups["extract"]:
        scan["extract"] = groups["extract"]
    return Settings(
        source=source,
        paths=groups["paths"].get("paths", ()),
        scan=scan,
        analyze=groups["analyze"],
        gate=groups["gate"],
    )


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` that has a ``[tool.fixture_graph]`` table."""
    directory = start if start.is_dir() else start.parent
    for candidate in (directory, *directory.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if TABLE in data.get("tool", {}):
                return path
    return None


def load_settings(path: Path) -> Settings:
    """Read ``[tool.fixture_graph]`` from ``path`` (a pyproject.toml, or a TOML file of that table)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: invalid TOML: {exc}") from None
    table = data.get("tool", {}).get(TABLE, {}) if path.name == "pyproject.toml" or "tool" in data else data
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: [tool.{TABLE}] must be a table")
    return parse_table(table, str(path))
