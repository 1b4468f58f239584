"""The statements ``plan-split`` moves: every top-level statement of a conftest and of the
modules it star-imports, numbered, with what each one reads and each fixture's ``def``.

A statement's *guards* are the ``if`` conditions it sits under, after those of the star import
that loads its file. Reads resolve to the statements of the same file that bind the name (for
the conftest, also to those of the files it star-imports); names in guards resolve separately,
as only a statement wrapped in its guard needs them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from fixture_graph.analyze.split_text import guard_names
from fixture_graph.model import FixtureDef
from fixture_graph.scan.segments import Segment, SourceModule


@dataclass(frozen=True, slots=True)
class Unit:
    """A segment of one source file, numbered in reading order."""

    index: int
    source: int
    file: str
    segment: Segment
    guards: tuple[str, ...]


@dataclass(frozen=True)
class Placement:
    """The statements of the files to split, their dependencies, and each fixture's statement.

    ``deps`` maps a statement to the statements binding the names it reads, ``guard_deps`` to
    those binding the names its guards read; ``fixture_unit`` maps a fixture id to its ``def``
    and ``fixture_guards`` gives its guards; ``dropped`` are the conftest's star imports of the
    files being split (the orchestrator replaces them).
    """

    conftest: str
    sources: tuple[SourceModule, ...]
    units: tuple[Unit, ...]
    deps: dict[int, tuple[int, ...]]
    guard_deps: dict[int, tuple[int, ...]]
    fixture_unit: dict[str, int]
    fixture_guards: dict[str, tuple[str, ...]]
    dropped: frozenset[int]
    heavy: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())


def place_segments(
    conftest: str, sources: tuple[SourceModule, ...], fixtures: list[FixtureDef], heavy: tuple[str, ...]
) -> Placement:
    """Number the statements of ``sources`` (the conftest first), find what each one reads,
    and match each fixture to its ``def``."""
    star_imported = {s.imported_as: s.file for s in sources if s.imported_as is not None}
    loader_guards: dict[str, tuple[str, ...]] = {}
    dropped: set[int] = set()
    units: list[Unit] = []
    for number, source in enumerate(sources):
        for segment in source.segments:
            index = len(units)
            if number == 0 and segment.kind == "import" and segment.star and segment.module:
                target = star_imported.get(segment.module)
                if target is not None:
                    loader_guards.setdefault(target, segment.guards)
                    dropped.add(index)
            units.append(Unit(index, number, source.file, segment, ()))
    units = [
        Unit(u.index, u.source, u.file, u.segment, (*loader_guards.get(u.file, ()), *u.segment.guards))
        for u in units
    ]
    binders: dict[tuple[str, str], list[int]] = defaultdict(list)
    anywhere: dict[str, list[int]] = defaultdict(list)
    fixture_unit: dict[str, int] = {}
    by_place = {(f.file, f.line): f.id for f in fixtures}
    for unit in units:
        segment = unit.segment
        if unit.index in dropped:
            continue
        if segment.kind == "def":
            matched = [
                fid
                for (file, line), fid in by_place.items()
                if file == unit.file and segment.start <= line <= segment.end
            ]
            if matched:
                for fixture_id in matched:
                    fixture_unit[fixture_id] = unit.index
                continue
        for name in segment.binds:
            binders[unit.file, name].append(unit.index)
            anywhere[name].append(unit.index)
    deps: dict[int, tuple[int, ...]] = {}
    guard_deps: dict[int, tuple[int, ...]] = {}
    for unit in units:
        found: dict[int, None] = {}
        for name in unit.segment.reads:
            for binder in binders.get((unit.file, name)) or (
                anywhere.get(name, []) if unit.source == 0 else []
            ):
                found[binder] = None
        found.pop(unit.index, None)
        deps[unit.index] = tuple(found)
        by_guard: dict[int, None] = {}
        for name in guard_names(unit.guards):
            for binder in binders.get((unit.file, name)) or binders.get((conftest, name), []):
                by_guard[binder] = None
        guard_deps[unit.index] = tuple(by_guard)
    guards = {fid: units[i].guards for fid, i in fixture_unit.items()}
    missing = sorted(f.name for f in fixtures if f.id not in fixture_unit)
    notes = (
        (f"no definition found in the source for: {', '.join(missing)} (left in the conftest)",)
        if missing
        else ()
    )
    for fixture in fixtures:
        guards.setdefault(fixture.id, ())
    return Placement(
        conftest,
        sources,
        tuple(units),
        deps,
        guard_deps,
        fixture_unit,
        guards,
        frozenset(dropped),
        heavy,
        notes,
    )
