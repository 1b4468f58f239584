"""Measured fixture cost: the file format written by the pytest plugin, and its loader.

The plugin (:mod:`fixture_graph.measure.plugin`, enabled with ``--fixture-graph-measure=FILE``)
writes one JSON document, ``"schema": "fixture-graph-measure/1"``:

* ``fixtures[]``: one entry per fixture *definition*, keyed by ``id``, the same id the static
  graph uses (``tests/conftest.py::db``, ``tests/test_a.py::TestX::db``, ``builtin::tmp_path``,
  ``plugin:pytest_asyncio.plugin::event_loop_policy``), with ``setups`` (how many times it ran),
  ``setup_total_s``, ``setup_max_s``, ``teardown_total_s``, ``peak_alloc_bytes`` (largest
  tracemalloc peak above the starting level during one setup) and ``rss_delta_bytes`` (largest
  growth of the resident set during one setup; 0 where RSS cannot be read);
* ``conftests[]``: one entry per conftest module imported, keyed by its path relative to the
  rootdir, with ``import_s``, ``peak_alloc_bytes`` and ``rss_delta_bytes``.

This module is model-level: frozen records and a loader, nothing from pytest or networkx.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = "fixture-graph-measure/1"


class MeasurementsError(ValueError):
    """A measurement file that cannot be read or does not follow the format."""


def _megabytes(peak_alloc_bytes: int, rss_delta_bytes: int) -> float:
    """The traced allocation peak, or the RSS growth when larger, in MB."""
    return max(peak_alloc_bytes, rss_delta_bytes, 0) / (1024 * 1024)


@dataclass(frozen=True, slots=True)
class FixtureMeasurement:
    """What one fixture definition cost over a run."""

    id: str
    setups: int
    setup_total_s: float
    setup_max_s: float
    teardown_total_s: float
    peak_alloc_bytes: int
    rss_delta_bytes: int
    name: str = ""
    scope: str = ""

    @property
    def megabytes(self) -> float:
        """Measured memory in MB: the traced allocation peak, or the RSS growth when larger."""
        return _megabytes(self.peak_alloc_bytes, self.rss_delta_bytes)

    @property
    def setup_mean_s(self) -> float:
        """Average setup time (0.0 when it never ran)."""
        return self.setup_total_s / self.setups if self.setups else 0.0


@dataclass(frozen=True, slots=True)
class ModuleImportMeasurement:
    """What importing one conftest module cost during collection."""

    path: str
    import_s: float
    peak_alloc_bytes: int
    rss_delta_bytes: int

    @property
    def megabytes(self) -> float:
        """Measured memory in MB, as :attr:`FixtureMeasurement.megabytes`."""
        return _megabytes(self.peak_alloc_bytes, self.rss_delta_bytes)


@dataclass(frozen=True, slots=True)
class Measurements:
    """A whole measurement file, sorted by id and path."""

    source: str
    pytest_version: str | None
    tracemalloc: bool
    fixtures: tuple[FixtureMeasurement, ...]
    conftests: tuple[ModuleImportMeasurement, ...]

    def fixture(self, fixture_id: str) -> FixtureMeasurement | None:
        """The measurement of one definition id, or None when it never ran."""
        return next((f for f in self.fixtures if f.id == fixture_id), None)

    def fixture_map(self) -> dict[str, FixtureMeasurement]:
        """All fixture measurements by id (build once, look up many)."""
        return {f.id: f for f in self.fixtures}


def load_measurements(path: str | Path) -> Measurements:
    """Read a measurement file written by the plugin.

    Raises:
        MeasurementsError: unreadable, not JSON, another schema, or a malformed entry.
    """
    source = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise MeasurementsError(f"{source}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise MeasurementsError(f"{source}: not JSON: {exc}") from None
    return parse_measurements(data, source)


def parse_measurements(data: Any, source: str = "<data>") -> Measurements:
    """Validate an already-decoded document (see :func:`load_measurements`)."""
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise MeasurementsError(f"{source}: expected schema {SCHEMA!r}, found {found!r}")
    try:
        fixtures = tuple(
            sorted(
                (
                    FixtureMeasurement(
                        id=str(f["id"]),
                        setups=_int(f["setups"]),
                        setup_total_s=_float(f["setup_total_s"]),
                        setup_max_s=_float(f["setup_max_s"]),
                        teardown_total_s=_float(f["teardown_total_s"]),
                        peak_alloc_bytes=_int(f["peak_alloc_bytes"]),
                        rss_delta_bytes=_int(f["rss_delta_bytes"], signed=True),
                        name=str(f.get("name", "")),
                        scope=str(f.get("scope", "")),
                    )
                    for f in data.get("fixtures", [])
                ),
                key=lambda f: f.id,
            )
        )
        conftests = tuple(
            sorted(
                (
                    ModuleImportMeasurement(
                        path=str(c["path"]),
                        import_s=_float(c["import_s"]),
                        peak_alloc_bytes=_int(c["peak_alloc_bytes"]),
                        rss_delta_bytes=_int(c["rss_delta_bytes"], signed=True),
                    )
                    for c in data.get("conftests", [])
                ),
                key=lambda c: c.path,
            )
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise MeasurementsError(f"{source}: malformed entry: {type(exc).__name__}: {exc}") from None
    version = data.get("pytest_version")
    return Measurements(
        source=source,
        pytest_version=str(version) if version is not None else None,
        tracemalloc=bool(data.get("tracemalloc", False)),
        fixtures=fixtures,
        conftests=conftests,
    )


def _int(value: Any, *, signed: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or (value < 0 and not signed):
        raise ValueError(f"expected a {'' if signed else 'non-negative '}integer, got {value!r}")
    return value


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"expected a non-negative number, got {value!r}")
    return float(value)
