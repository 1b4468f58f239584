"""``uses FIXTURE``: the tests that get a fixture, as node ids pytest accepts.

By name, a test gets the fixture when its closure holds a definition of that name as the winner
(the one it gets; a directly parametrized name is no use of the fixture), or when the test or a
fixture of its closure calls ``request.getfixturevalue`` with that literal name. By definition
id, when the closure holds that definition (an outer definition of an override chain included)
or such a ``getfixturevalue`` gets it. getfixturevalue is followed one level: what the fetched
fixture requests in turn is not.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from dataclasses import dataclass

from fixture_graph.model import Resolution, ScanResult
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
    fetched: dict[str, set[str]] = defaultdict(set)  # requester -> definitions it fetches
    for edge in resolution.fixture_edges:
        if edge.dynamic and edge.target in wanted:
            fetched[edge.source].add(edge.target)
    out = []
    for test in resolution.tests:
        if query.definition is None:
            got = {target for name, target in test.winners if name == query.name}
        else:
            got = wanted.intersection(test.closure_defs)
        how = [CLOSURE] if got else []
        extra = {target for target, _ in test.dynamic if target in wanted}
        for fixture_id in fetched.keys() & set(test.closure_defs):
            extra |= fetched[fixture_id]
        if extra:
            how.append(GETFIXTUREVALUE)
        if got or extra:
            out.append(Use(test.nodeid, tuple(sorted(got | extra)), tuple(how)))
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
