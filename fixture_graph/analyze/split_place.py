"""Place every top-level statement of a conftest (and the modules it star-imports) in a module
of the split or in the orchestrating conftest, and write their texts (see
:mod:`fixture_graph.analyze.split`).

A statement's *guards* are the ``if`` conditions it sits under, after those of the star import
that loads its file; a statement placed in a module loading under fewer guards keeps the rest
as an ``if`` around it, so nothing runs in a setting where it did not run before.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePosixPath

from fixture_graph.analyze.rules_imports import heavy_module
from fixture_graph.analyze.split_groups import Group
from fixture_graph.analyze.split_text import condition, guard_names, indent, rebase_import, wrapped
from fixture_graph.analyze.split_units import Placement, Unit
from fixture_graph.words import counted

ORCHESTRATOR = ""
HELPERS = "conftest_helpers"
_STAR = "  # noqa: F401,F403"


@dataclass(frozen=True, slots=True)
class BuiltModule:
    """One module's placement and text (see :class:`~fixture_graph.analyze.split.PlannedModule`)."""

    name: str
    file: str
    guards: tuple[str, ...]
    members: tuple[str, ...]
    helpers: tuple[str, ...]
    imports: tuple[str, ...]
    shared: tuple[str, ...]
    heavy_imports: tuple[str, ...]
    moved_lines: int
    text: str


@dataclass(frozen=True, slots=True)
class Built:
    """Every module, the orchestrator's text, the statements kept in it, and notes."""

    modules: tuple[BuiltModule, ...]
    orchestrator: str
    kept: tuple[str, ...]
    always_heavy: tuple[str, ...]
    notes: tuple[str, ...]


class _Builder:
    """One placement run (mutable while it runs; only frozen results leave it)."""

    def __init__(self, placement: Placement, groups: list[Group]) -> None:
        self.p = placement
        self.groups = list(groups)
        folder = str(PurePosixPath(placement.conftest).parent)
        self.folder = "" if folder == "." else folder
        self.package = placement.sources[0].package
        self.guards: dict[str, tuple[str, ...]] = {g.name: g.guards for g in groups}
        self.home: dict[int, str] = {}
        for group in groups:
            for member in group.members:
                if member in placement.fixture_unit:
                    self.home[placement.fixture_unit[member]] = group.name
        self.notes: list[str] = list(placement.notes)
        if not self.package:
            self.notes.append(
                f"{self.folder or 'the rootdir'} is not a package: the modules are imported by their bare "
                "names, which must not clash with modules of another test folder"
            )

    # -- placement --------------------------------------------------------------------------

    def _is_import(self, index: int) -> bool:
        segment = self.p.units[index].segment
        return segment.kind == "import" and not segment.star

    def _needers(self) -> dict[int, set[str]]:
        """Helper statement -> the places whose statements need it (through other helpers too)."""
        needers: dict[int, set[str]] = defaultdict(set)
        work = [(i, place) for i, place in self.home.items()]
        fixture_units = set(self.home)
        seen: set[tuple[int, str]] = set()
        while work:
            index, place = work.pop()
            for dep in self.p.deps[index]:
                if dep in fixture_units or (dep, place) in seen:
                    continue
                seen.add((dep, place))
                needers[dep].add(place)
                work.append((dep, place))
        return needers

    def _base(self) -> str:
        """The always-loaded module shared helpers live in (a helpers-only one when every
        group loads under a guard)."""
        unguarded = [g.name for g in self.groups if not g.guards]
        if unguarded:
            return unguarded[0]
        self.groups.insert(0, Group(HELPERS, (), ()))
        self.guards[HELPERS] = ()
        return HELPERS

    def _place_helpers(self) -> None:
        """Each helper goes where it is needed: one module, the base module when several need
        it, or the orchestrator when only its own statements (or nothing) do. A helper the
        orchestrator or the base module needs is never left in a guarded module, whose import
        would run it (and load that module) outside its guard."""
        needers = self._needers()
        fixture_units = set(self.home)
        for unit in self.p.units:
            index = unit.index
            if index in self.home or index in self.p.dropped or unit.segment.kind in ("docstring", "import"):
                continue
            places = needers.get(index, set())
            if len(places) == 1:
                self.home[index] = next(iter(places))
            elif not places:
                self.home[index] = ORCHESTRATOR
            else:
                self.home[index] = self._base()
        work = [i for i, place in self.home.items() if not self.guards.get(place, ())]
        while work:
            index = work.pop()
            for dep in self.p.deps[index]:
                if dep in fixture_units or dep in self.p.dropped or self._is_import(dep):
                    continue
                home = self.home.get(dep)
                if home is None:
                    self.home[dep] = self.home[index]
                    work.append(dep)
                elif home != ORCHESTRATOR and self.guards.get(home):
                    self.home[dep] = self._base()
                    work.append(dep)

    # -- texts ------------------------------------------------------------------------------

    def _import_text(self, unit: Unit) -> str:
        """The import as it must read from the conftest's folder (relative imports re-based)."""
        text = rebase_import(unit.segment.text, unit.segment.module or "", unit.file, self.folder)
        if text is None:
            return unit.segment.text
        where = f"{self.folder or '.'}/"
        self.notes.append(f"re-based a relative import of {unit.file} for {where}: {text.strip()}")
        return text

    def _needs(self, place: str) -> tuple[list[Unit], dict[str, set[str]]]:
        """Import statements a place copies, and the names it takes from other modules."""
        imports: dict[int, Unit] = {}
        borrowed: dict[str, set[str]] = defaultdict(set)
        for index, home in self.home.items():
            if home != place:
                continue
            unit = self.p.units[index]
            needs_if = any(g not in self.guards.get(place, ()) for g in unit.guards)
            for dep in (*self.p.deps[index], *(self.p.guard_deps[index] if needs_if else ())):
                dep_unit = self.p.units[dep]
                if self._is_import(dep):
                    imports[dep] = dep_unit
                elif dep in self.home and self.home[dep] != place and self.home[dep] != ORCHESTRATOR:
                    names = set(dep_unit.segment.binds) & {*unit.segment.reads, *guard_names(unit.guards)}
                    borrowed[self.home[dep]].update(names)
        for unit in self.p.units:
            segment = unit.segment
            copied = segment.module == "__future__" or (segment.star and unit.index not in self.p.dropped)
            if segment.kind != "import" or not copied:
                continue
            if unit.source == 0 or any(
                self.p.units[i].file == unit.file for i, h in self.home.items() if h == place
            ):
                imports[unit.index] = unit
        return sorted(imports.values(), key=lambda u: u.index), borrowed

    def _module_ref(self, name: str) -> str:
        return f".{name}" if self.package else name

    def _head(self, units: list[Unit], borrowed: dict[str, set[str]], guards: tuple[str, ...]) -> str:
        future = [u for u in units if u.segment.module == "__future__"]
        rest = [u for u in units if u.segment.module != "__future__"]
        texts = [self._import_text(u) for u in future]
        seen: set[str] = set(texts)
        plain = [u for u in rest if not tuple(g for g in u.guards if g not in guards)]
        guarded = [u for u in rest if u not in plain]
        for unit in plain:
            text = self._import_text(unit)
            if text not in seen:
                seen.add(text)
                texts.append(text)
        for text in wrapped([(u.guards, self._import_text(u)) for u in guarded], guards):
            if text not in seen:
                seen.add(text)
                texts.append(text)
        for module, names in sorted(borrowed.items()):
            if names:
                texts.append(f"from {self._module_ref(module)} import {', '.join(sorted(names))}\n")
        return "".join(texts)

    def _module_text(self, group: Group, placed: list[Unit]) -> tuple[str, list[Unit], dict[str, set[str]]]:
        imports, borrowed = self._needs(group.name)
        count = sum(1 for u in placed if u.index in self.p.fixture_unit.values())
        what = f"{counted(count, 'fixture')} split out of {self.p.conftest} by fixture-graph plan-split"
        doc = f'"""{group.name}: {what}."""\n'
        texts = wrapped([(u.guards, u.segment.text) for u in placed], group.guards)
        body = "\n\n".join(t.rstrip("\n") + "\n" for t in texts)
        return f"{doc}{self._head(imports, borrowed, group.guards)}\n\n{body}", imports, borrowed

    def _orchestrator(self, modules: list[BuiltModule]) -> str:
        units = [self.p.units[i] for i, h in sorted(self.home.items()) if h == ORCHESTRATOR]
        docstring = next((u for u in self.p.units if u.source == 0 and u.segment.kind == "docstring"), None)
        imports, borrowed = self._needs(ORCHESTRATOR)
        for module in modules:
            for name in guard_names(module.guards):
                imports.extend(
                    u
                    for u in self.p.units
                    if u.source == 0
                    and self._is_import(u.index)
                    and name in u.segment.binds
                    and u not in imports
                )
        imports.sort(key=lambda u: u.index)
        lines = [docstring.segment.text if docstring else "", self._head(imports, borrowed, ())]
        blocks: list[str] = []
        for guards in dict.fromkeys(m.guards for m in modules):
            rows = []
            for module in (m for m in modules if m.guards == guards):
                ref = self._module_ref(module.name)
                rows.append(f"from {ref} import *{_STAR}\n")
                private = sorted(
                    self.p.units[self.p.fixture_unit[m]].segment.binds[0]
                    for m in module.members
                    if self.p.units[self.p.fixture_unit[m]].segment.binds[0].startswith("_")
                )
                if private:
                    rows.append(f"from {ref} import {', '.join(private)}  # noqa: F401\n")
            text = "".join(rows)
            blocks.append(f"if {condition(guards)}:\n{indent(text)}" if guards else text)
        lines.append("\n" + "\n".join(blocks))
        kept = wrapped([(u.guards, u.segment.text) for u in units], ())
        if kept:
            lines.append("\n\n" + "\n\n".join(t.rstrip("\n") + "\n" for t in kept))
        return "".join(lines)

    def run(self) -> Built:
        """Place every statement and write every file's text."""
        self._place_helpers()
        built: list[BuiltModule] = []
        always_heavy: set[str] = set()
        for group in self.groups:
            placed = [self.p.units[i] for i, h in sorted(self.home.items()) if h == group.name]
            placed.sort(key=lambda u: (u.source, u.segment.start))
            text, imports, borrowed = self._module_text(group, placed)
            heavy = sorted({h for u in imports if (h := heavy_module(u.segment.module or "", self.p.heavy))})
            if not group.guards:
                always_heavy.update(
                    h
                    for u in imports
                    if not u.guards and (h := heavy_module(u.segment.module or "", self.p.heavy))
                )
            fixture_units = set(self.p.fixture_unit.values())
            built.append(
                BuiltModule(
                    name=group.name,
                    file=str(PurePosixPath(self.folder, f"{group.name}.py"))
                    if self.folder
                    else f"{group.name}.py",
                    guards=group.guards,
                    members=tuple(
                        sorted(
                            (m for m in group.members if m in self.p.fixture_unit),
                            key=lambda m: (
                                self.p.units[self.p.fixture_unit[m]].source,
                                self.p.fixture_unit[m],
                            ),
                        )
                    ),
                    helpers=tuple(n for u in placed if u.index not in fixture_units for n in u.segment.binds),
                    imports=tuple(dict.fromkeys(self._import_text(u).strip() for u in imports)),
                    shared=tuple(sorted({n for names in borrowed.values() for n in names})),
                    heavy_imports=tuple(heavy),
                    moved_lines=sum(
                        u.segment.end - u.segment.start + 1 for u in placed if group.guards and not u.guards
                    ),
                    text=text,
                )
            )
        orchestrator = self._orchestrator(built)
        kept_units = [self.p.units[i] for i, h in sorted(self.home.items()) if h == ORCHESTRATOR]
        orchestrator_imports, _ = self._needs(ORCHESTRATOR)
        always_heavy.update(
            h
            for u in orchestrator_imports
            if not u.guards and (h := heavy_module(u.segment.module or "", self.p.heavy))
        )
        kept = tuple(n for u in kept_units for n in (u.segment.binds or (f"line {u.segment.start}",)))
        return Built(
            tuple(built), orchestrator, kept, tuple(sorted(always_heavy)), tuple(dict.fromkeys(self.notes))
        )


def build(placement: Placement, groups: list[Group]) -> Built:
    """Place every statement of ``placement`` given the fixture groups, and write each file."""
    return _Builder(placement, groups).run()
