"""What changed in the fixture graph between two reports (two revisions of one suite).

Definitions are matched by id (``tests/conftest.py::db``), which does not depend on line
numbers; findings by their line-independent ``key``. A definition whose id changed but whose name
is the only one of its kind removed and added is "moved" rather than removed plus added. Tests
are matched by node id, and the changes to their closures grouped (one entry per change, with
its tests).
"""

from __future__ import annotations

from dataclasses import dataclass

from fixture_graph.analyze.findings import Chain, Finding
from fixture_graph.closures import ClosureChange, closure_changes
from fixture_graph.model import FixtureDef
from fixture_graph.report import Report


@dataclass(frozen=True, slots=True)
class Moved:
    """A definition that now lives elsewhere (another id, or the same id defined in another file)."""

    name: str
    old_id: str
    new_id: str
    old_file: str
    new_file: str


@dataclass(frozen=True, slots=True)
class ScopeChange:
    """A definition whose scope changed."""

    id: str
    name: str
    old: str
    new: str
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class TestDelta:
    """A test whose closure weight changed."""

    nodeid: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        """after - before."""
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class ReportDiff:
    """Everything a reviewer needs to see about a change to the fixture graph."""

    base: Report
    head: Report
    added: tuple[FixtureDef, ...]
    removed: tuple[FixtureDef, ...]
    moved: tuple[Moved, ...]
    scope_changes: tuple[ScopeChange, ...]
    edges_added: tuple[tuple[str, str], ...]
    edges_removed: tuple[tuple[str, str], ...]
    new_findings: tuple[Finding, ...]
    fixed_findings: tuple[Finding, ...]
    existing_findings: tuple[Finding, ...]
    heavier_tests: tuple[TestDelta, ...]
    tests_added: int
    tests_removed: int
    # How the closures of tests on both revisions changed (see :mod:`fixture_graph.closures`).
    closure_changes: tuple[ClosureChange, ...] = ()

    @property
    def closure_changed_tests(self) -> int:
        """How many tests have some closure change."""
        return len({nodeid for change in self.closure_changes for nodeid in change.tests})

    @property
    def heaviest_before(self) -> Chain | None:
        """The heaviest chain on the base revision."""
        chains = self.base.analysis.heavy_chains
        return chains[0] if chains else None

    @property
    def heaviest_after(self) -> Chain | None:
        """The heaviest chain on the head revision."""
        chains = self.head.analysis.heavy_chains
        return chains[0] if chains else None

    @property
    def is_empty(self) -> bool:
        """True when nothing a reviewer would care about changed."""
        return not (
            self.added
            or self.removed
            or self.moved
            or self.scope_changes
            or self.edges_added
            or self.edges_removed
            or self.new_findings
            or self.fixed_findings
            or self.heavier_tests
            or self.closure_changes
        )


def _definition_edges(report: Report) -> set[tuple[str, str]]:
    ids = {f.id for f in report.scan.fixtures}
    return {(e.source, e.target) for e in report.resolution.fixture_edges if e.target in ids}


def _user(report: Report) -> dict[str, FixtureDef]:
    return {f.id: f for f in report.user_fixtures}


def compare_reports(base: Report, head: Report, *, top: int = 10) -> ReportDiff:
    """The difference from ``base`` to ``head``."""
    before, after = _user(base), _user(head)
    removed_ids = sorted(set(before) - set(after))
    added_ids = sorted(set(after) - set(before))
    moved: list[Moved] = []
    by_name_removed: dict[str, list[str]] = {}
    by_name_added: dict[str, list[str]] = {}
    for i in removed_ids:
        by_name_removed.setdefault(before[i].name, []).append(i)
    for i in added_ids:
        by_name_added.setdefault(after[i].name, []).append(i)
    for name, olds in by_name_removed.items():
        news = by_name_added.get(name, [])
        if len(olds) == 1 and len(news) == 1:
            old, new = before[olds[0]], after[news[0]]
            moved.append(Moved(name, old.id, new.id, old.file, new.file))
    moved_old = {m.old_id for m in moved}
    moved_new = {m.new_id for m in moved}
    for i in sorted(set(before) & set(after)):
        if before[i].file != after[i].file:
            moved.append(Moved(after[i].name, i, i, before[i].file, after[i].file))
    scope_changes = tuple(
        ScopeChange(
            i, after[i].name, before[i].scope_label, after[i].scope_label, after[i].file, after[i].line
        )
        for i in sorted(set(before) & set(after))
        if before[i].scope_label != after[i].scope_label
    )
    edges_before, edges_after = _definition_edges(base), _definition_edges(head)
    keys_before = {f.key: f for f in base.analysis.findings}
    keys_after = {f.key: f for f in head.analysis.findings}
    cost_before = {c.nodeid: c.weight for c in base.analysis.test_costs}
    heavier = sorted(
        (
            TestDelta(c.nodeid, cost_before[c.nodeid], c.weight)
            for c in head.analysis.test_costs
            if c.nodeid in cost_before and c.weight > cost_before[c.nodeid]
        ),
        key=lambda d: (-d.delta, d.nodeid),
    )
    tests_before = {t.nodeid for t in base.scan.tests}
    tests_after = {t.nodeid for t in head.scan.tests}
    return ReportDiff(
        base=base,
        head=head,
        added=tuple(after[i] for i in added_ids if i not in moved_new),
        removed=tuple(before[i] for i in removed_ids if i not in moved_old),
        moved=tuple(sorted(moved, key=lambda m: (m.name, m.new_id))),
        scope_changes=scope_changes,
        edges_added=tuple(sorted(edges_after - edges_before)),
        edges_removed=tuple(sorted(edges_before - edges_after)),
        new_findings=tuple(f for k, f in keys_after.items() if k not in keys_before),
        fixed_findings=tuple(f for k, f in keys_before.items() if k not in keys_after),
        existing_findings=tuple(f for k, f in keys_after.items() if k in keys_before),
        heavier_tests=tuple(heavier[:top]),
        tests_added=len(tests_after - tests_before),
        tests_removed=len(tests_before - tests_after),
        closure_changes=closure_changes(base, head),
    )
