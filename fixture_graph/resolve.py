"""Resolve every fixture request exactly as pytest does (visibility, overrides, closures).

This is a pure function of a :class:`ScanResult`. For each test it replays pytest 9.2's
``traverse_fixture_closure``: a depth-first walk from the initial names (ini ``usefixtures``,
autouse names from the Session down, ``usefixtures`` marks closest first, then arguments) in
which a fixture that requests its own name gets the next farther definition. Each request is
recorded as an edge between *definitions*, so ``def db(db)`` is a chain, never a cycle; a name
requested again with no farther definition left is pytest's "recursive dependency" (a cycle).

The walk is iterative, so a 10,000-link chain cannot hit Python's recursion limit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fixture_graph.model import (
    SESSION_NODE,
    Cycle,
    Edge,
    FixtureDef,
    Resolution,
    ResolvedTest,
    ScanResult,
    UnknownRequest,
)
from fixture_graph.scan.builtins import parse_version

GetDefs = Callable[[str], Sequence[FixtureDef] | None]
# A request-stack entry: (name, definition, index to restore, its requests, next position).
_Frame = tuple[str | None, FixtureDef | None, int, list[str], int]


@dataclass
class _Walk:
    """The outcome of one closure walk."""

    names: list[str] = field(default_factory=list)
    used: dict[str, FixtureDef] = field(default_factory=dict)
    edges: set[Edge] = field(default_factory=set)
    unknown: list[tuple[str, str]] = field(default_factory=list)
    cycles: list[tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)


def traverse(
    initial: Sequence[str],
    get_defs: GetDefs,
    root: str,
    *,
    ignore: frozenset[str] = frozenset(),
    start: tuple[FixtureDef, int] | None = None,
    shared: SharedWalks | None = None,
) -> _Walk:
    """pytest's closure walk from ``initial`` names requested by ``root``.

    Args:
        initial: the names requested first, in pytest's order.
        get_defs: visible definitions of a name, farthest first (None or empty: not found).
        root: the id of the requester (a test nodeid or a fixture id).
        ignore: directly parametrized names; they stay in the closure but are not followed.
        start: walk as if inside this definition at this (negative) override index.
        shared: earlier root walks in the same context, whose subtrees may be reused
            (see :class:`SharedWalks`); only for walks from a fixture (no ``ignore``).
    """
    out = _Walk()
    current: dict[str, int] = {}
    frames: list[_Frame] = []
    if start is not None:
        fixture, index = start
        current[fixture.name] = index - 1
        out.used[fixture.id] = fixture
        frames.append((fixture.name, fixture, index, list(initial), 0))
    else:
        frames.append((None, None, 0, list(initial), 0))
    while frames:
        name, owner, restore, deps, pos = frames[-1]
        if pos >= len(deps):
            frames.pop()
            if name is not None:
                current[name] = restore
            continue
        frames[-1] = (name, owner, restore, deps, pos + 1)
        dep = deps[pos]
        requester = owner.id if owner is not None else root
        seen = current.get(dep)
        if seen is None and shared is not None and shared.reused(dep):
            seen = current[dep] = -1
        if seen is None:
            out.names.append(dep)
            current[dep] = -1
        elif seen == -1:
            defs = None if dep in ignore else get_defs(dep)
            if defs:
                out.edges.add(Edge(requester, defs[-1].id, dep))
            continue
        index = -1 if seen is None else seen
        defs = None if dep in ignore else get_defs(dep)
        if not defs:
            if dep not in ignore and dep != "request" and index == -1:
                out.unknown.append((dep, requester))
            continue
        if -index > len(defs):
            chain = [f for (n, f, _r, _d, _p) in frames if f is not None]
            first = next(i for i, f in enumerate(chain) if f.name == dep)
            links = (*tuple(f.id for f in chain[first:]), chain[first].id)
            names = (*tuple(f.name for f in chain[first:]), dep)
            out.cycles.append((links, names))
            continue
        fixture = defs[index]
        out.edges.add(Edge(requester, fixture.id, dep))
        out.used[fixture.id] = fixture
        if shared is not None and shared.reuse(fixture, index, frames):
            continue
        current[dep] = index - 1
        frames.append((dep, fixture, index, list(fixture.argnames), 0))
    return out


class SharedWalks:
    """Reuse the root walks of earlier fixtures inside later walks from the same holder.

    Every fixture gets its own walk, and a walk visits the fixture's whole closure, so a
    10,000-link chain would be walked 10,000 times (quadratic). Within one holder (one context,
    so the same definitions are visible), the subtree below definition G at override index k
    behaves exactly like G's own earlier root walk as long as no name that walk touched (G's
    own name included) is on the current request stack. Its edges and cycles were recorded by
    that walk already, so the later walk marks the names as seen and goes on. Names are bits
    of an int, so a recorded closure costs one bit per name. Fixtures are walked in scan order,
    so a chain defined dependencies-first is linear; one defined the other way round is not.
    """

    def __init__(self) -> None:
        self._bit: dict[str, int] = {}
        self._done: dict[tuple[str, int], int] = {}
        self._holder: str | None = None
        self._reused = 0

    def begin(self, holder: str) -> None:
        """Start a root walk from a fixture of ``holder``."""
        self._holder = holder
        self._reused = 0

    def reused(self, name: str) -> bool:
        """True when ``name`` was visited by a reused subtree of the current walk."""
        bit = self._bit.get(name)
        return bit is not None and bool((self._reused >> bit) & 1)

    def reuse(self, fixture: FixtureDef, index: int, frames: Sequence[_Frame]) -> bool:
        """True when the subtree below ``fixture`` can be skipped (see the class docstring)."""
        if fixture.holder != self._holder:
            return False
        mask = self._done.get((fixture.id, index))
        if mask is None:
            return False
        for frame in frames:
            # Any request stack entry the subtree touches (its own name included, since a
            # re-request past the last definition reports the stack as the cycle) forbids reuse.
            bit = self._bit.get(frame[0]) if frame[0] is not None else None
            if bit is not None and (mask >> bit) & 1:
                return False
        self._reused |= mask
        return True

    def record(self, fixture: FixtureDef, index: int, walk: _Walk) -> None:
        """Remember the names the root walk from ``fixture`` at ``index`` touched."""
        bits = [self._bit.setdefault(n, len(self._bit)) for n in (fixture.name, *walk.names)]
        bitmap = bytearray((max(bits) >> 3) + 1)
        for bit in bits:
            bitmap[bit >> 3] |= 1 << (bit & 7)
        self._done[(fixture.id, index)] = self._reused | int.from_bytes(bitmap, "little")


class DefinitionIndex:
    """Definitions by name and holder, in pytest's farthest-to-closest order.

    ``getter(holder_ancestors(node))(name)`` is what pytest's ``getfixturedefs`` returns for
    ``name`` requested from ``node``: the visible definitions, farthest first.
    """

    def __init__(self, scan: ScanResult) -> None:
        by_name: dict[str, dict[str, list[FixtureDef]]] = defaultdict(lambda: defaultdict(list))
        autouse: dict[str, list[FixtureDef]] = defaultdict(list)
        for fixture in scan.fixtures:
            by_name[fixture.name][fixture.holder].append(fixture)
            if fixture.autouse:
                autouse[fixture.holder].append(fixture)
        for holders in by_name.values():
            for defs in holders.values():
                defs.sort(key=lambda f: f.order)
        self.by_name = by_name
        self.autouse = {h: [f.name for f in sorted(fs, key=lambda f: f.order)] for h, fs in autouse.items()}
        self._getters: dict[tuple[str, ...], GetDefs] = {}
        self._ancestors: dict[str, tuple[str, ...]] = {}

    def getter(self, ancestors: tuple[str, ...]) -> GetDefs:
        # One getter (and one cache) per context: hashing the ancestors tuple on every lookup
        # costs its depth, which made deeply nested conftests cubic.
        known = self._getters.get(ancestors)
        if known is not None:
            return known
        cache: dict[str, tuple[FixtureDef, ...]] = {}

        def get(name: str) -> tuple[FixtureDef, ...]:
            found = cache.get(name)
            if found is None:
                holders = self.by_name.get(name)
                found = tuple(f for a in ancestors for f in holders.get(a, ())) if holders else ()
                cache[name] = found
            return found

        self._getters[ancestors] = get
        return get

    def ancestors(self, holder: str) -> tuple[str, ...]:
        """:func:`holder_ancestors`, memoized: deep trees share one string per node."""
        missing = []
        node = holder
        while node not in self._ancestors and node != SESSION_NODE:
            missing.append(node)
            node = holder_parent(node)
        chain = self._ancestors.get(node, (SESSION_NODE,))
        for node in reversed(missing):
            chain = self._ancestors[node] = (*chain, node)
        return chain

    def autouse_names(self, ancestors: tuple[str, ...]) -> list[str]:
        return [n for a in ancestors for n in self.autouse.get(a, ())]


def closure_names_8x(initial: Sequence[str], get_defs: GetDefs, ignore: frozenset[str]) -> list[str]:
    """pytest 8.x's static closure: only the closest definition's arguments are followed.

    Dependencies of overridden parents (``engine`` in ``db(engine)`` overridden by ``db(db)``)
    still run, but 8.x leaves them out of ``item.fixturenames``; pytest 9.0 fixed that. The
    definitions and edges stay those of the 9.x walk, which is what executes.
    """
    names = list(dict.fromkeys(initial))
    seen = set(names)
    position = 0
    while position < len(names):
        name = names[position]
        position += 1
        if name in ignore:
            continue
        defs = get_defs(name)
        if defs:
            for arg in defs[-1].argnames:
                if arg not in seen:
                    seen.add(arg)
                    names.append(arg)
    return names


def holder_ancestors(holder: str) -> tuple[str, ...]:
    """The ancestor chain of a holder node, e.g. ``tests/a.py::C`` -> ``("", "tests", "tests/a.py", ...)``."""
    chain = []
    while holder != SESSION_NODE:
        chain.append(holder)
        holder = holder_parent(holder)
    chain.append(SESSION_NODE)
    return tuple(reversed(chain))


def holder_parent(holder: str) -> str:
    """The node above ``holder``: its class, module or directory, up to the Session."""
    if "::" in holder:
        return holder.rsplit("::", 1)[0]
    if "/" in holder:
        return holder.rsplit("/", 1)[0]
    return SESSION_NODE


def resolve(scan: ScanResult, *, share_walks: bool = True) -> Resolution:
    """Resolve all tests and all fixture definitions of ``scan``.

    ``share_walks=False`` replays every fixture's walk in full (the reference for the tests of
    :class:`SharedWalks`, which gives the same result in linear time on long chains).
    """
    index = DefinitionIndex(scan)
    legacy = parse_version(scan.pytest_version) < (9, 0)
    edges: set[Edge] = set()
    cycles: dict[tuple[str, ...], Cycle] = {}
    unknown: set[UnknownRequest] = set()
    reached: set[str] = set()
    tests: list[ResolvedTest] = []
    memo: dict[tuple[object, ...], tuple[_Walk, tuple[tuple[str, str], ...]]] = {}
    for test in scan.tests:
        initial = tuple(
            dict.fromkeys(
                [
                    *scan.ini_usefixtures,
                    *index.autouse_names(test.ancestors),
                    *test.usefixtures,
                    *test.argnames,
                ]
            )
        )
        get = index.getter(test.ancestors)
        key = (test.ancestors, initial, test.direct_params)
        cached = memo.get(key)
        if cached is None:
            walk = traverse(initial, get, "", ignore=frozenset(test.direct_params))
            if legacy:
                walk.names = closure_names_8x(initial, get, frozenset(test.direct_params))
            winners = tuple(
                (n, defs[-1].id)
                for n in sorted(walk.names)
                if n not in test.direct_params and (defs := get(n))
            )
            cached = memo[key] = (walk, winners)
        walk, winners = cached
        for edge in walk.edges:
            source = test.nodeid if edge.source == "" else edge.source
            edges.add(Edge(source, edge.target, edge.name))
        for dynamic in test.dynamic_deps:
            if targets := get(dynamic):
                edges.add(Edge(test.nodeid, targets[-1].id, dynamic, dynamic=True))
        for name, requester in walk.unknown:
            if name in test.param_names:
                continue
            unknown.add(UnknownRequest(name, requester or test.nodeid, test.nodeid))
        _add_cycles(cycles, walk, test.nodeid)
        reached.update(walk.used)
        tests.append(
            ResolvedTest(
                nodeid=test.nodeid,
                closure=tuple(sorted(walk.names)),
                closure_defs=tuple(sorted(walk.used)),
                requests=tuple(dict.fromkeys((*test.usefixtures, *test.argnames))),
                winners=winners,
            )
        )
    shared = SharedWalks() if share_walks else None
    for fixture in scan.fixtures:
        get = index.getter(index.ancestors(fixture.holder))
        defs = get(fixture.name) or ()
        position = next((i for i, f in enumerate(defs) if f.id == fixture.id), None)
        if position is None:
            continue
        start = position - len(defs)
        if shared is not None:
            shared.begin(fixture.holder)
        walk = traverse(fixture.argnames, get, fixture.id, start=(fixture, start), shared=shared)
        if shared is not None:
            shared.record(fixture, start, walk)
        edges.update(walk.edges)
        for dynamic in fixture.dynamic_deps:
            targets = get(dynamic)
            if targets:
                edges.add(Edge(fixture.id, targets[-1].id, dynamic, dynamic=True))
        _add_cycles(cycles, walk, fixture.id)
    return Resolution(
        tests=tuple(tests),
        edges=tuple(sorted(edges)),
        cycles=tuple(sorted(cycles.values(), key=lambda c: c.links)),
        unknown=tuple(sorted(unknown)),
        reached=frozenset(reached),
    )


def _add_cycles(cycles: dict[tuple[str, ...], Cycle], walk: _Walk, entered_by: str) -> None:
    for links, names in walk.cycles:
        body = links[:-1]
        pivot = body.index(min(body))
        key = body[pivot:] + body[:pivot]
        if key not in cycles:
            rotated_names = names[:-1][pivot:] + names[:-1][:pivot]
            cycles[key] = Cycle((*key, key[0]), (*rotated_names, rotated_names[0]), entered_by)
