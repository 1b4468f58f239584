"""How test closures changed between two reports (two revisions of one suite).

A test's closure is the set of names pytest gives it, the definition each name gets (the
closest one: its *winner*) and the overridden definitions an override chain still runs
(``def db(db)``). Comparing them test by test would cost a few set unions per test on each
revision, so the comparison goes through the parts tests share (:class:`ClosurePart`): each
distinct part is numbered by content, a test whose parts have the same numbers on both
revisions has the same closure, and only the other tests are compared, once per distinct pair
of (base parts, head parts).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from fixture_graph.model import ClosurePart, FixtureDef, ResolvedTest
from fixture_graph.report import Report

# The kinds of change, in the order a test's reasons list them.
KINDS = ("gained", "lost", "resolves", "overridden")
# pytest's ``request`` object: in a closure whenever something asks for it, never a definition.
_NOT_FIXTURES = frozenset({"request"})


@dataclass(frozen=True, slots=True)
class ClosureChange:
    """One change to test closures, as users read it, and the tests it happened to (sorted).

    ``kind`` is ``gained`` (a name joined the closure), ``lost`` (a name left it), ``resolves``
    (a name now gets another definition, or none) or ``overridden`` (a definition an override
    chain runs joined or left the closure). ``name`` is the fixture name, ``text`` the reason.
    """

    kind: str
    name: str
    text: str
    tests: tuple[str, ...]


def location(fixture: FixtureDef) -> str:
    """``file:line`` of a definition."""
    return f"{fixture.file}:{fixture.line}"


class _Numbers:
    """One number per distinct part content, shared by both revisions; a test's key is the
    sorted numbers of its parts (memoized per parts tuple, which tests of a closure share)."""

    def __init__(self) -> None:
        self._by_content: dict[ClosurePart, int] = {}
        self._by_id: dict[int, int] = {}
        self._keys: dict[int, tuple[int, ...]] = {}

    def key(self, test: ResolvedTest) -> tuple[int, ...]:
        parts = test.parts
        found = self._keys.get(id(parts))
        if found is None:
            if not parts:  # a resolution built by hand: its closure is one part
                parts = (ClosurePart(test.closure, test.closure_defs, ()),)
            numbers = []
            for part in parts:
                number = self._by_id.get(id(part))
                if number is None:
                    number = self._by_id[id(part)] = self._by_content.setdefault(part, len(self._by_content))
                numbers.append(number)
            found = self._keys[id(test.parts)] = tuple(sorted(numbers))
        return found


class _Explain:
    """What the reasons need to know about both revisions: definitions, requests, unknowns."""

    def __init__(self, base: Report, head: Report) -> None:
        self.base_defs = {f.id: f for f in base.scan.fixtures}
        self.head_defs = {f.id: f for f in head.scan.fixtures}
        self.base_unknown = {u.name for u in base.resolution.unknown}
        self.head_unknown = {u.name for u in head.resolution.unknown}
        self.ini = frozenset(head.scan.ini_usefixtures)
        inifile = head.scan.inifile
        self.ini_name = os.path.relpath(inifile, head.scan.rootdir) if inifile else "the ini file"
        self._requesters: dict[str, list[str]] | None = None
        self._edges = head.resolution.fixture_edges

    def requesters(self, target: str) -> list[str]:
        """The head's definitions that request ``target`` (built on first use)."""
        if self._requesters is None:
            self._requesters = defaultdict(list)
            for edge in self._edges:
                if not edge.dynamic:
                    self._requesters[edge.target].append(edge.source)
        return self._requesters.get(target, [])

    def compare(self, old: ResolvedTest, new: ResolvedTest) -> list[tuple[str, str, str]]:
        """(kind, name, text) for each way ``new``'s closure differs from ``old``'s."""
        before, after = dict(old.winners), dict(new.winners)
        names_before, names_after = set(old.closure) - _NOT_FIXTURES, set(new.closure) - _NOT_FIXTURES
        out: list[tuple[str, str, str]] = []
        for name in sorted(names_after - names_before):
            out.append(("gained", name, f"closure gained `{name}` ({self._how(name, after.get(name), new)})"))
        for name in sorted(names_before - names_after):
            was = self._was(before.get(name), name)
            out.append(("lost", name, f"closure lost `{name}` (was {was})"))
        for name in sorted(names_before & names_after):
            old_id, new_id = before.get(name), after.get(name)
            if old_id == new_id:
                continue
            was = self._was(old_id, name)
            if new_id is None:
                now = "no longer resolves" if name in self.head_unknown else "is now a direct parameter"
                out.append(("resolves", name, f"`{name}` {now} (was {was})"))
            else:
                text = f"`{name}` now resolves to {location(self.head_defs[new_id])} (was {was})"
                out.append(("resolves", name, text))
        won_before, won_after = set(before.values()), set(after.values())
        defs_before, defs_after = set(old.closure_defs), set(new.closure_defs)
        for fixture_id in sorted(defs_after - defs_before - won_after):
            fixture = self.head_defs[fixture_id]
            text = f"closure now also runs the overridden `{fixture.name}` at {location(fixture)}"
            out.append(("overridden", fixture.name, text))
        for fixture_id in sorted(defs_before - defs_after - won_before):
            fixture = self.base_defs[fixture_id]
            text = f"closure no longer runs the overridden `{fixture.name}` at {location(fixture)}"
            out.append(("overridden", fixture.name, text))
        return out

    def _was(self, fixture_id: str | None, name: str) -> str:
        if fixture_id is not None:
            return location(self.base_defs[fixture_id])
        return "not found" if name in self.base_unknown else "a direct parameter"

    def _how(self, name: str, fixture_id: str | None, test: ResolvedTest) -> str:
        """Why a name joined a test's closure on the head revision."""
        if fixture_id is None:
            return "not found" if name in self.head_unknown else "a direct parameter"
        fixture = self.head_defs[fixture_id]
        direct = any(n == name for _, n in test.from_test)
        if direct and name in self.ini:
            return f"usefixtures in {self.ini_name}; {location(fixture)}"
        if direct and fixture.autouse:
            return f"autouse in {location(fixture)}"
        if direct:
            return f"requested by the test; {location(fixture)}"
        used = set(test.closure_defs)
        sources = sorted(s for s in self.requesters(fixture_id) if s in used)
        if sources and sources[0] in self.head_defs:
            return f"requested by `{self.head_defs[sources[0]].name}`; {location(fixture)}"
        return location(fixture)


def closure_changes(base: Report, head: Report) -> tuple[ClosureChange, ...]:
    """Every change to the closures of the tests both revisions have, with its tests.

    Sorted by kind (gained, lost, resolves, overridden), then name and text.
    """
    numbers = _Numbers()
    before = {t.nodeid: t for t in base.resolution.tests}
    pairs: dict[tuple[tuple[int, ...], tuple[int, ...], int], list[ResolvedTest]] = {}
    olds: dict[tuple[tuple[int, ...], tuple[int, ...], int], ResolvedTest] = {}
    for test in head.resolution.tests:
        old = before.get(test.nodeid)
        if old is None:
            continue
        old_key, new_key = numbers.key(old), numbers.key(test)
        if old_key == new_key:
            continue
        # The test's own requests explain how a name joined, so they are part of the key.
        pair = (old_key, new_key, id(test.from_test))
        if pair not in pairs:
            pairs[pair] = []
            olds[pair] = old
        pairs[pair].append(test)
    explain = _Explain(base, head)
    grouped: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for pair, tests in pairs.items():
        for change in explain.compare(olds[pair], tests[0]):
            grouped[change].extend(t.nodeid for t in tests)
    rank = {kind: i for i, kind in enumerate(KINDS)}
    return tuple(
        ClosureChange(kind, name, text, tuple(sorted(nodeids)))
        for (kind, name, text), nodeids in sorted(grouped.items(), key=lambda kv: (rank[kv[0][0]], kv[0][1:]))
    )


def reasons_by_test(changes: Iterable[ClosureChange]) -> dict[str, list[str]]:
    """Node id -> the texts of the changes that happened to it, in the order of ``changes``."""
    out: dict[str, list[str]] = defaultdict(list)
    for change in changes:
        for nodeid in change.tests:
            out[nodeid].append(change.text)
    return out
