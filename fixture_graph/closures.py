"""How test closures changed between two reports (two revisions of one suite).

A test's closure is the set of names pytest gives it, the definition each name gets (the
closest one: its *winner*) and the overridden definitions an override chain still runs
(``def db(db)``). Comparing them test by test would cost a few set unions per test on each
revision, so the comparison goes through the parts tests share (:class:`ClosurePart`): each
distinct part is numbered by content, and a test whose parts have the same numbers on both
revisions has the same closure. For the others only the parts a test has on one revision are
compared, once per distinct pair (a new autouse fixture changes one part, the context's, for
every test below it); a name or definition one of the test's common parts holds is no change.
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


@dataclass(frozen=True, slots=True)
class _Part:
    """A numbered part's contents as sets, for the comparisons."""

    names: frozenset[str]
    defs: frozenset[str]
    winners: dict[str, str]


class _Parts:
    """One number per distinct part content, shared by both revisions; a test's key is the
    numbers of its parts (memoized per parts tuple, which the tests of a closure share)."""

    def __init__(self) -> None:
        self._by_content: dict[ClosurePart, int] = {}
        self._by_id: dict[int, int] = {}
        self._keys: dict[int, tuple[int, ...]] = {}
        self.parts: list[_Part] = []

    def _number(self, part: ClosurePart) -> int:
        number = self._by_content.get(part)
        if number is None:
            number = self._by_content[part] = len(self.parts)
            names = frozenset(part.names) - _NOT_FIXTURES
            self.parts.append(_Part(names, frozenset(part.defs), dict(part.winners)))
        return number

    def key(self, test: ResolvedTest) -> tuple[int, ...]:
        """The numbers of ``test``'s parts (a test without fixtures has none)."""
        found = self._keys.get(id(test.parts))
        if found is None:
            found = self._keys[id(test.parts)] = tuple(map(self._part_number, test.parts))
        return found

    def _part_number(self, part: ClosurePart) -> int:
        """The number of ``part``, looked up by identity first (parts are shared objects)."""
        number = self._by_id.get(id(part))
        if number is None:
            number = self._by_id[id(part)] = self._number(part)
        return number


# A change before it is checked against a test's common parts: (kind, name, definition id or
# None for a change of name, text).
_Found = tuple[str, str, str | None, str]


class _Explain:
    """What the reasons need to know about both revisions: definitions, requests, unknowns."""

    def __init__(self, base: Report, head: Report, parts: _Parts) -> None:
        self.parts = parts.parts
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

    def compare(self, old: tuple[int, ...], new: tuple[int, ...]) -> list[_Found]:
        """Each way the parts ``new`` differ from the parts ``old`` (the parts a test has on
        only one revision). A test's other parts are the same on both sides, and a name keeps
        one definition across a test's parts, so a name or definition they hold is no change:
        the caller drops those (:func:`closure_changes`)."""
        olds, news = [self.parts[n] for n in old], [self.parts[n] for n in new]
        names_before = frozenset().union(*(p.names for p in olds))
        names_after = frozenset().union(*(p.names for p in news))
        defs_before = frozenset().union(*(p.defs for p in olds))
        defs_after = frozenset().union(*(p.defs for p in news))
        before = {k: v for p in olds for k, v in p.winners.items()}
        after = {k: v for p in news for k, v in p.winners.items()}
        out: list[_Found] = []
        for name in sorted(names_after - names_before):
            how = self._how(name, after.get(name), defs_after)
            out.append(("gained", name, None, f"closure gained `{name}` ({how})"))
        for name in sorted(names_before - names_after):
            out.append(
                ("lost", name, None, f"closure lost `{name}` (was {self._was(before.get(name), name)})")
            )
        for name in sorted(names_before & names_after):
            old_id, new_id = before.get(name), after.get(name)
            if old_id == new_id:
                continue
            was = self._was(old_id, name)
            if new_id is None:
                now = "no longer resolves" if name in self.head_unknown else "is now a direct parameter"
                out.append(("resolves", name, None, f"`{name}` {now} (was {was})"))
            else:
                text = f"`{name}` now resolves to {location(self.head_defs[new_id])} (was {was})"
                out.append(("resolves", name, None, text))
        for fixture_id in sorted(defs_after - defs_before):
            fixture = self.head_defs[fixture_id]
            if after.get(fixture.name) != fixture_id:
                text = f"closure now also runs the overridden `{fixture.name}` at {location(fixture)}"
                out.append(("overridden", fixture.name, fixture_id, text))
        for fixture_id in sorted(defs_before - defs_after):
            fixture = self.base_defs[fixture_id]
            if before.get(fixture.name) != fixture_id:
                text = f"closure no longer runs the overridden `{fixture.name}` at {location(fixture)}"
                out.append(("overridden", fixture.name, fixture_id, text))
        return out

    def _was(self, fixture_id: str | None, name: str) -> str:
        if fixture_id is not None:
            return location(self.base_defs[fixture_id])
        return "not found" if name in self.base_unknown else "a direct parameter"

    def _how(self, name: str, fixture_id: str | None, defs: frozenset[str]) -> str:
        """Why a name joined a test's closure on the head revision (``defs``: the definitions
        of the parts that brought it, among which is whatever fixture requests it)."""
        if fixture_id is None:
            return "not found" if name in self.head_unknown else "a direct parameter"
        fixture = self.head_defs[fixture_id]
        if name in self.ini:
            return f"usefixtures in {self.ini_name}; {location(fixture)}"
        if fixture.autouse:
            return f"autouse in {location(fixture)}"
        sources = sorted(s for s in self.requesters(fixture_id) if s in defs and s in self.head_defs)
        if sources:
            return f"requested by `{self.head_defs[sources[0]].name}`; {location(fixture)}"
        return f"requested by the test; {location(fixture)}"


def closure_changes(base: Report, head: Report) -> tuple[ClosureChange, ...]:
    """Every change to the closures of the tests both revisions have, with its tests.

    Sorted by kind (gained, lost, resolves, overridden), then name and text.
    """
    parts = _Parts()
    before = {t.nodeid: t for t in base.resolution.tests}
    explain = _Explain(base, head, parts)
    memo: dict[tuple[tuple[int, ...], tuple[int, ...]], list[_Found]] = {}
    grouped: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for test in head.resolution.tests:
        old = before.get(test.nodeid)
        if old is None:
            continue
        old_key, new_key = parts.key(old), parts.key(test)
        if old_key == new_key:
            continue
        common = set(old_key).intersection(new_key)
        pair = (
            tuple(n for n in old_key if n not in common),
            tuple(n for n in new_key if n not in common),
        )
        found = memo.get(pair)
        if found is None:
            found = memo[pair] = explain.compare(*pair)
        shared = [parts.parts[n] for n in common]
        for kind, name, fixture_id, text in found:
            if shared and any(
                (name in p.names) if fixture_id is None else (fixture_id in p.defs) for p in shared
            ):
                continue
            grouped[kind, name, text].append(test.nodeid)
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
