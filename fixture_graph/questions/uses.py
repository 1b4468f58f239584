"""``uses FIXTURE``: the tests that get a fixture, as node ids pytest accepts.

By name, a test gets the fixture when its closure holds a definition of that name as the winner
(the one it gets; a directly parametrized name is no use of the fixture); by definition id, when
its closure holds that definition (an outer definition of an override chain included). A test
that calls ``request.getfixturevalue`` with a literal name, or whose closure holds a fixture that
does, also gets what that fetches and everything below it: for those tests (few) the closure is
replayed (:class:`~fixture_graph.questions.closure.Closures`), as ``why`` and ``tree`` see it.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass

from fixture_graph.model import Resolution, ScanResult
from fixture_graph.questions.closure import Closures
from fixture_graph.questions.lookup import FixtureQuery

CLOSURE, GETFIXTUREVALUE = "closure", "getfixturevalue"


@dataclass(frozen=True, slots=True)
class Use:
    """A test that gets the fixture: its node id, the definitions it gets, and how (closure first)."""

    nodeid: str
    definitions: tuple[str, ...]
    how: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Deselect:
    """A ``--deselect`` prefix that also drops ``others`` (tests that do not get the fixture):
    pytest's ``--deselect`` matches node id prefixes, so ``test_a`` also drops ``test_ab``."""

    prefix: str
    others: tuple[str, ...]


def tests_using(scan: ScanResult, resolution: Resolution, query: FixtureQuery) -> tuple[Use, ...]:
    """The tests that get the fixture ``query`` names, sorted by node id."""
    wanted = {f.id for f in scan.fixtures if f.name == query.name and query.definition in (None, f.id)}
    fetching = {f.id for f in scan.fixtures if f.dynamic_deps}
    closures: Closures | None = None
    # Tests that share a closure share its parts: what they get statically is computed once.
    shared: dict[int, tuple[frozenset[str], bool]] = {}
    out = []
    for test in resolution.tests:
        found = shared.get(id(test.parts))
        if found is None:
            defs = test.closure_defs
            if query.definition is None:
                static = frozenset(target for name, target in test.winners if name == query.name)
            else:
                static = frozenset(wanted.intersection(defs))
            found = shared[id(test.parts)] = (static, not fetching.isdisjoint(defs))
        got = set(found[0])
        how = [CLOSURE] if got else []
        if test.dynamic or found[1]:
            # getfixturevalue: what it fetches (and requests in turn) comes from the replayed walk.
            closures = closures or Closures(scan, resolution)
            reached = closures.of(test.nodeid).definitions()
            if query.definition is None:
                # A name fetched by getfixturevalue resolves in the test's context, as a request.
                winner = closures.winner(test.nodeid, query.name)
                extra = {winner} - got if winner is not None and winner in reached else set()
            else:
                extra = wanted.intersection(reached) - got
            if extra:
                how.append(GETFIXTUREVALUE)
                got |= extra
        if got:
            out.append(Use(test.nodeid, tuple(sorted(got)), tuple(how)))
    return tuple(sorted(out, key=lambda u: u.nodeid))


def deselect_clashes(resolution: Resolution, uses: tuple[Use, ...]) -> tuple[Deselect, ...]:
    """The ``--deselect`` prefixes of ``uses`` that would also drop tests not in ``uses``."""
    chosen = {u.nodeid for u in uses}
    others = sorted(t.nodeid for t in resolution.tests if t.nodeid not in chosen)
    out = []
    for use in uses:
        clash: list[str] = []
        for other in itertools.islice(others, bisect.bisect_left(others, use.nodeid), None):
            if not other.startswith(use.nodeid):
                break
            clash.append(other)
        if clash:
            out.append(Deselect(use.nodeid, tuple(clash)))
    return tuple(out)
