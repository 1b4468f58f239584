"""``plan-split CONFTEST``: a proposed set of modules for a monolithic conftest, changing no file.

The conftest's own fixtures (and those of the local modules it star-imports) are grouped by
:mod:`fixture_graph.analyze.split_groups`; then every top-level statement of those files
(:mod:`fixture_graph.analyze.split_units`) is placed exactly once
(:mod:`fixture_graph.analyze.split_place`):

* a fixture goes to its group's module;
* a helper (class, function, constant) goes to the one module that needs it, to the base module
  when several do (the others import it from there), or stays in the conftest when only the
  conftest's own statements need it or nothing does;
* an import is copied wherever a name it binds is read;
* hooks and everything else stay in the conftest, which becomes a small orchestrator that
  star-imports the modules, guarded ones under their guard (private fixture functions, which a
  star import skips, by name).

The plan carries each module's full text, so writing it out is mechanical (the acceptance test
does that, then compares ``pytest --setup-plan`` before and after). The collection-time saving
is what ran at every collection before and now runs only under a guard: statements, and heavy
imports by FG009's ``heavy-modules``; with ``--measurements``, the conftest's measured import
cost is shown beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fixture_graph.analyze.context import Context
from fixture_graph.analyze.placement import common_folder, is_below, node_folder, user_folders
from fixture_graph.analyze.split_groups import group_fixtures
from fixture_graph.analyze.split_place import Built, build
from fixture_graph.analyze.split_units import place_segments
from fixture_graph.config import AnalyzeConfig
from fixture_graph.measure import Measurements
from fixture_graph.model import FixtureDef, FixtureKind, Resolution, ScanResult
from fixture_graph.scan.segments import SourceModule


class SplitError(ValueError):
    """The conftest cannot be planned (not a conftest of the scan, or no fixture of its own)."""


@dataclass(frozen=True, slots=True)
class PlannedFixture:
    """One fixture as the plan moves it: where it was, and its source."""

    id: str
    name: str
    scope: str
    impact: str | None
    file: str
    line: int
    tests: int


@dataclass(frozen=True, slots=True)
class PlannedModule:
    """One proposed module: its fixtures, what it needs, when it loads, and its text.

    ``guards`` are the env guards it loads under (empty: always); ``folder`` is a folder below
    the conftest's whose ``conftest.py`` could import it instead, because every test using its
    fixtures is there (None when they are spread out); ``helpers`` are the classes, functions and
    constants it carries; ``imports`` the import statements it copies; ``shared`` the helper
    names it imports from the base module; ``moved_from_collection`` the statements that used to
    run at every collection and now run only under its guards.
    """

    name: str
    file: str
    guards: tuple[str, ...]
    folder: str | None
    fixtures: tuple[PlannedFixture, ...]
    helpers: tuple[str, ...]
    imports: tuple[str, ...]
    shared: tuple[str, ...]
    heavy_imports: tuple[str, ...]
    moved_from_collection: int
    text: str


@dataclass(frozen=True, slots=True)
class SplitPlan:
    """The whole plan: modules in import order and the conftest that would orchestrate them.

    ``kept`` names the conftest's statements that stay (hooks, settings, unused helpers);
    ``saved_lines`` counts source lines that ran at every collection and would run only under a
    guard, ``saved_heavy`` the heavy imports among them; ``measured`` is the conftest's measured
    import (seconds, MB) when measurements were given.
    """

    conftest: str
    sources: tuple[str, ...]
    lines: int
    modules: tuple[PlannedModule, ...]
    orchestrator: str
    kept: tuple[str, ...]
    saved_lines: int
    saved_heavy: tuple[str, ...]
    measured: tuple[float, float] | None
    notes: tuple[str, ...]


def plan_for(
    scan: ScanResult,
    resolution: Resolution,
    config: AnalyzeConfig,
    measurements: Measurements | None,
    sources: tuple[SourceModule, ...],
) -> SplitPlan:
    """Plan the split of ``sources[0]`` (a conftest of ``scan``; see :func:`plan_split`).

    Raises:
        SplitError: the conftest registers no fixture of its own in this scan.
    """
    return plan_split(Context(scan, resolution, config, measurements), sources[0].file, sources)


def plan_split(ctx: Context, conftest: str, sources: tuple[SourceModule, ...]) -> SplitPlan:
    """Plan the split of ``conftest`` (rootdir-relative) whose files are ``sources`` (the
    conftest first, then the local modules it star-imports).

    Raises:
        SplitError: the conftest registers no fixture of its own in this scan.
    """
    fixtures = _planned(ctx, conftest, {s.file for s in sources})
    if not fixtures:
        raise SplitError(f"{conftest}: no fixture of its own to split (is it a conftest.py of this scan?)")
    placement = place_segments(conftest, sources, fixtures, ctx.config.heavy_modules)
    guards = {f.id: placement.fixture_guards[f.id] for f in fixtures}
    groups = group_fixtures(ctx, [f.id for f in fixtures], guards)
    built = build(placement, groups)
    here = node_folder(fixtures[0].holder)
    reaching = ctx.tests_of
    modules = tuple(
        PlannedModule(
            name=module.name,
            file=module.file,
            guards=module.guards,
            folder=_folder(ctx, module.members, here, reaching),
            fixtures=tuple(_fixture(ctx.fixtures[m], len(reaching.get(m, ()))) for m in module.members),
            helpers=module.helpers,
            imports=module.imports,
            shared=module.shared,
            heavy_imports=module.heavy_imports,
            moved_from_collection=module.moved_lines,
            text=module.text,
        )
        for module in built.modules
    )
    measured = None
    if ctx.measurements is not None:
        entry = next((c for c in ctx.measurements.conftests if c.path == conftest), None)
        if entry is not None:
            measured = (round(entry.import_s, 3), round(entry.megabytes, 1))
    return SplitPlan(
        conftest=conftest,
        sources=tuple(s.file for s in sources),
        lines=sum(s.lines for s in sources),
        modules=modules,
        orchestrator=built.orchestrator,
        kept=built.kept,
        saved_lines=sum(m.moved_from_collection for m in modules),
        saved_heavy=tuple(
            sorted({h for m in modules if m.guards for h in m.heavy_imports} - set(built.always_heavy))
        ),
        measured=measured,
        notes=_notes(ctx, modules, built),
    )


def _planned(ctx: Context, conftest: str, files: set[str]) -> list[FixtureDef]:
    """The user fixtures the conftest registers from its own files, by id."""
    return sorted(
        (
            f
            for f in ctx.scan.fixtures
            if f.kind is FixtureKind.CONFTEST and f.registered_in == conftest and f.file in files
        ),
        key=lambda f: f.id,
    )


def _fixture(fixture: FixtureDef, tests: int) -> PlannedFixture:
    return PlannedFixture(
        id=fixture.id,
        name=fixture.name,
        scope=fixture.scope_label,
        impact=fixture.impact,
        file=fixture.file,
        line=fixture.line,
        tests=tests,
    )


def _folder(
    ctx: Context, members: tuple[str, ...], here: str, reaching: dict[str, Sequence[str]]
) -> str | None:
    """A folder strictly below the conftest's holding every user of the module's fixtures."""
    if not any(reaching.get(m) for m in members):
        return None
    home = common_folder(sorted(user_folders(ctx, members, reaching, frozenset(members))))
    if home is None or home == here or not is_below(home, here):
        return None
    return home


def _notes(ctx: Context, modules: tuple[PlannedModule, ...], built: Built) -> tuple[str, ...]:
    heavy = ctx.config.heavy_levels
    notes = list(built.notes)
    for module in modules:
        if module.guards:
            continue
        weighty = [f"{f.name} [{f.impact}]" for f in module.fixtures if f.impact in heavy]
        if weighty:
            notes.append(
                f"{module.name} is always loaded but holds heavy fixtures ({', '.join(weighty)}): "
                "consider loading it only under an env guard"
                + (f" or from {module.folder}/conftest.py" if module.folder else "")
            )
    return tuple(notes)
