"""Resolve every fixture request exactly as pytest does (visibility, overrides, closures).

This is a pure function of a :class:`ScanResult`. For each test it replays pytest 9.2's
``traverse_fixture_closure``: a depth-first walk from the initial names (ini ``usefixtures``,
autouse names from the Session down, ``usefixtures`` marks closest first, then arguments) in
which a fixture that requests its own name gets the next farther definition. Each request is
recorded as an edge between *definitions*, so ``def db(db)`` is a chain, never a cycle; a name
requested again with no farther definition left is pytest's "recursive dependency" (a cycle).
When the target environment runs pytest 8.x, ``closure`` (the names) follows 8.x's rule
(:func:`closure_names_8x`); the definitions that run, and so the edges, are the same.

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
) -> _Walk:
    """pytest's closure walk from ``initial`` names requested by ``root``.

    Args:
        initial: the names requested first, in pytest's order.
        get_defs: visible definitions of a name, farthest first (None or empty: not found).
        root: the id of the requester (a test nodeid or a fixture id).
        ignore: directly parametrized names; they stay in the closure but are not followed.
        start: walk as if inside this definition at this (negative) override index.
    """
    out = _Walk()
    current: dict[str, int] = {}
    frames: list[tuple[str | None, FixtureDef | None, int, list[str], int]] = []
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
        current[dep] = index - 1
        frames.append((dep, fixture, index, list(fixture.argnames), 0))
    return out


def closure_names_8x(initial: Sequence[str], get_defs: GetDefs, ignore: frozenset[str]) -> list[str]:
    """pytest 8.x ``getfixtureclosure``: names only, following the *closest* definition's arguments.

    Dependencies of an overridden parent (``engine`` in ``db(engine)`` overridden by ``db(db)``)
    still run, but 8.x leaves them out of ``item.fixturenames`` (fixed in 9.0, tricky case 27).
    """
    names = list(dict.fromkeys(initial))
    seen = set(names)
    position = 0
    while position < len(names):
        name = names[position]
        position += 1
        defs = None if name in ignore else get_defs(name)
        for arg in defs[-1].argnames if defs else ():
            if arg not in seen:
                seen.add(arg)
                names.append(arg)
    return names


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
        self._cache: dict[tuple[tuple[str, ...], str], tuple[FixtureDef, ...]] = {}

    def getter(self, ancestors: tuple[str, ...]) -> GetDefs:
        def get(name: str) -> tuple[FixtureDef, ...]:
            key = (ancestors, name)
            found = self._cache.get(key)
            if found is None:
                holders = self.by_name.get(name)
                found = tuple(f for a in ancestors for f in holders.get(a, ())) if holders else ()
                self._cache[key] = found
            return found

        return get

    def autouse_names(self, ancestors: tuple[str, ...]) -> list[str]:
        return [n for a in ancestors for n in self.autouse.get(a, ())]


def holder_ancestors(holder: str) -> tuple[str, ...]:
    """The ancestor chain of a holder node, e.g. ``tests/a.py::C`` -> ``("", "tests", "tests/a.py", ...)``."""
    if holder == SESSION_NODE:
        return (SESSION_NODE,)
    path, *classes = holder.split("::")
    parts = path.split("/")
    chain = [SESSION_NODE, *("/".join(parts[: i + 1]) for i in range(len(parts)))]
    for i in range(len(classes)):
        chain.append("::".join([path, *classes[: i + 1]]))
    return tuple(chain)


def resolve(scan: ScanResult) -> Resolution:
    """Resolve all tests and all fixture definitions of ``scan``."""
    index = DefinitionIndex(scan)
    edges: set[Edge] = set()
    cycles: dict[tuple[str, ...], Cycle] = {}
    unknown: set[UnknownRequest] = set()
    reached: set[str] = set()
    tests: list[ResolvedTest] = []
    memo: dict[tuple[object, ...], tuple[_Walk, tuple[str, ...], tuple[tuple[str, str], ...]]] = {}
    legacy_closure = parse_version(scan.pytest_version) < (9, 0)
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
            ignore = frozenset(test.direct_params)
            walk = traverse(initial, get, "", ignore=ignore)
            names = tuple(sorted(closure_names_8x(initial, get, ignore) if legacy_closure else walk.names))
            winners = tuple(
                (n, defs[-1].id) for n in names if n not in test.direct_params and (defs := get(n))
            )
            cached = memo[key] = (walk, names, winners)
        walk, names, winners = cached
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
                closure=names,
                closure_defs=tuple(sorted(walk.used)),
                requests=tuple(dict.fromkeys((*test.usefixtures, *test.argnames))),
                winners=winners,
            )
        )
    for fixture in scan.fixtures:
        ancestors = holder_ancestors(fixture.holder)
        get = index.getter(ancestors)
        defs = get(fixture.name) or ()
        position = next((i for i, f in enumerate(defs) if f.id == fixture.id), None)
        if position is None:
            continue
        walk = traverse(fixture.argnames, get, fixture.id, start=(fixture, position - len(defs)))
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
