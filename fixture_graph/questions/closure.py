"""One test's closure with every request in it: pytest's walk replayed for that test alone.

The resolution keeps closures as sets shared between tests, and definition edges merged over
every context; a question about one test needs the requests as *that* test makes them (which
definition of ``db`` it gets where ``db`` is overridden per directory, the override chain of
``def db(db)``). :func:`test_closure` replays :func:`fixture_graph.resolve.traverse` from the
test's initial names (ini ``usefixtures``, autouse, marks, arguments) with its visibility, then
adds the ``request.getfixturevalue`` requests with literal names (the test's and its fixtures')
and walks below them the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from fixture_graph.model import FixtureDef, Resolution, ResolvedTest, ScanResult, TestItem
from fixture_graph.questions.reasons import AutouseIndex, Origin, origins
from fixture_graph.resolve import DefinitionIndex, hook_parametrized, initial_names, traverse


@dataclass(frozen=True, slots=True)
class Request:
    """``requester`` (a definition id, or the test's node id) asks for ``name`` and gets ``target``
    (None: a direct parameter or a name with no definition). ``dynamic``: by ``getfixturevalue``."""

    requester: str
    name: str
    target: str | None
    dynamic: bool = False


@dataclass(frozen=True, slots=True)
class Root:
    """A name the test requests itself, what it gets, and every reason it asks (see :class:`Origin`)."""

    name: str
    target: str | None
    origins: tuple[Origin, ...]


@dataclass(frozen=True, slots=True)
class TestClosure:
    """One test's closure: its roots in pytest's request order, and the requests each definition
    makes in the order of its arguments (getfixturevalue requests after them).

    ``item`` carries the direct parameters the test's ``pytest_generate_tests`` hooks add.
    ``fixtures`` holds every definition of the scan by id.
    """

    item: TestItem
    resolved: ResolvedTest
    roots: tuple[Root, ...]
    requests: Mapping[str, tuple[Request, ...]]
    fixtures: Mapping[str, FixtureDef]

    @property
    def nodeid(self) -> str:
        """The test's node id."""
        return self.item.nodeid

    def definitions(self) -> frozenset[str]:
        """Every definition the test gets, through any request."""
        found = {r.target for r in self.roots if r.target is not None}
        found.update(q.target for qs in self.requests.values() for q in qs if q.target is not None)
        return frozenset(found)


class Closures:
    """Replays test closures of one scan; the definition index is built once for all of them.

    Args:
        scan: the scan.
        resolution: its resolution (for each test's closure names and winners).
    """

    def __init__(self, scan: ScanResult, resolution: Resolution) -> None:
        self.scan = scan
        self._index = DefinitionIndex(scan)
        self._fixtures = {f.id: f for f in scan.fixtures}
        self._items = {t.nodeid: t for t in scan.tests}
        self._resolved = {t.nodeid: t for t in resolution.tests}
        self._autouse = AutouseIndex(scan.fixtures)

    def winner(self, nodeid: str, name: str) -> str | None:
        """The definition of ``name`` the test ``nodeid`` gets when it asks for it (the closest
        visible one); None when none is visible or the test parametrizes ``name`` directly."""
        item = self._items[nodeid]
        if name in item.direct_params:
            return None
        defs = self._index.getter(item.ancestors)(name)
        return defs[-1].id if defs else None

    def of(self, nodeid: str) -> TestClosure:
        """The closure of the test ``nodeid``; raises KeyError when the scan has no such test."""
        item = self._items[nodeid]
        resolved = self._resolved[nodeid]
        if item.generated:
            item = hook_parametrized(item, resolved.closure)
        index = self._index
        get = index.getter(item.ancestors)
        initial = initial_names(self.scan, index, item)[0]
        walk = traverse(initial, get, nodeid, ignore=frozenset(item.direct_params))
        links = set(walk.links)
        used = dict(walk.used)
        # getfixturevalue with a literal name: the test's, then those of every definition reached.
        pending = [(nodeid, name) for name in item.dynamic_deps]
        pending += [(f.id, name) for f in walk.used.values() for name in f.dynamic_deps]
        dynamic: set[tuple[str, str, str]] = set()
        done: set[tuple[str, str]] = set()
        while pending:
            requester, name = pending.pop()
            if (requester, name) in done:
                continue
            done.add((requester, name))
            defs = get(name)
            if not defs:
                continue
            dynamic.add((requester, defs[-1].id, name))
            below = traverse((name,), get, requester)
            links.update(link for link in below.links if link[0] != requester)
            used.update(below.used)
            pending += [(f.id, n) for f in below.used.values() for n in f.dynamic_deps]
        roots = _roots(self.scan, item, initial, links, dynamic, self._autouse)
        requests = _requests(item, used, links, dynamic)
        return TestClosure(item, resolved, roots, requests, self._fixtures)


def test_closure(scan: ScanResult, resolution: Resolution, nodeid: str) -> TestClosure:
    """The closure of the test ``nodeid`` (see :class:`Closures`; raises KeyError when absent)."""
    return Closures(scan, resolution).of(nodeid)


def _roots(
    scan: ScanResult,
    item: TestItem,
    initial: tuple[str, ...],
    links: set[tuple[str, str, str]],
    dynamic: set[tuple[str, str, str]],
    autouse: AutouseIndex,
) -> tuple[Root, ...]:
    gets = {name: target for source, target, name in links if source == item.nodeid}
    gets.update({name: target for source, target, name in dynamic if source == item.nodeid})
    # ``request`` is pytest's own object, no fixture a test gets (as in ``_requests``).
    names = [n for n in initial if n != "request"]
    names += [n for n in item.dynamic_deps if n not in names]
    names += [n for n in item.direct_params if n not in names]
    return tuple(Root(name, gets.get(name), origins(scan, item, name, autouse)) for name in names)


def _requests(
    item: TestItem,
    used: Mapping[str, FixtureDef],
    links: set[tuple[str, str, str]],
    dynamic: set[tuple[str, str, str]],
) -> dict[str, tuple[Request, ...]]:
    """Each definition's requests, in the order of its arguments, then its getfixturevalue names.

    An argument with no target is a direct parameter of the test, or a name pytest finds no
    definition for (``request`` itself is no request).
    """
    static: dict[str, dict[str, str]] = defaultdict(dict)
    for source, target, name in links:
        if source != item.nodeid:
            static[source][name] = target
    late: dict[str, dict[str, str]] = defaultdict(dict)
    for source, target, name in dynamic:
        if source != item.nodeid:
            late[source][name] = target
    out: dict[str, tuple[Request, ...]] = {}
    for source in sorted(used):
        got = static.get(source, {})
        row = [
            Request(source, name, got.get(name))
            for name in dict.fromkeys(used[source].argnames)
            if name != "request"
        ]
        row += [Request(source, name, target, True) for name, target in sorted(late.get(source, {}).items())]
        out[source] = tuple(row)
    return out
