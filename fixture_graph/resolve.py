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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain

from fixture_graph.model import (
    SESSION_NODE,
    ClosurePart,
    Cycle,
    Edge,
    FixtureDef,
    Resolution,
    ResolvedTest,
    ScanResult,
    TestItem,
    UnknownRequest,
)
from fixture_graph.reach import Reach, Reachability, links_of, winners_of
from fixture_graph.scan.builtins import parse_version

GetDefs = Callable[[str], Sequence[FixtureDef] | None]


@dataclass
class _Walk:
    """The outcome of one closure walk.

    ``links`` are the requests as ``(requester, definition id, name)`` tuples (cheap to hash);
    :attr:`edges` turns them into :class:`Edge` objects for callers that want those.
    """

    names: list[str] = field(default_factory=list)
    used: dict[str, FixtureDef] = field(default_factory=dict)
    links: set[tuple[str, str, str]] = field(default_factory=set)
    unknown: list[tuple[str, str]] = field(default_factory=list)
    cycles: list[tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)

    @property
    def edges(self) -> set[Edge]:
        """The requests as edges."""
        return {Edge(*link) for link in self.links}


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
    names, used, links, unknown = out.names, out.used, out.links, out.unknown
    current: dict[str, int] = {}
    # One entry per open frame: the iterator over its requests, the requester's id, and the
    # name and override index to restore when it closes (None for the root frame).
    iterators: list[Iterator[str]] = []
    requesters: list[str] = []
    restores: list[tuple[str, int] | None] = []
    # The fixtures on the stack (ids and names), and where each name first appears on it, so a
    # recursive dependency's chain is one slice, not a scan of the stack.
    stack_ids: list[str] = []
    stack_names: list[str] = []
    first_at: dict[str, int] = {}
    if start is not None:
        fixture, index = start
        current[fixture.name] = index - 1
        used[fixture.id] = fixture
        iterators.append(iter(initial))
        requesters.append(fixture.id)
        restores.append((fixture.name, index))
        stack_ids.append(fixture.id)
        stack_names.append(fixture.name)
        first_at[fixture.name] = 0
    else:
        iterators.append(iter(initial))
        requesters.append(root)
        restores.append(None)
    while iterators:
        dep = next(iterators[-1], None)
        if dep is None:
            iterators.pop()
            requesters.pop()
            restore = restores.pop()
            if restore is not None:
                name, previous = restore
                current[name] = previous
                stack_ids.pop()
                stack_names.pop()
                if first_at.get(name) == len(stack_ids):
                    del first_at[name]
            continue
        requester = requesters[-1]
        seen = current.get(dep)
        if seen is None and shared is not None and shared.reused(dep):
            seen = current[dep] = -1
        if seen is None:
            names.append(dep)
            current[dep] = -1
            index = -1
        elif seen == -1:
            defs = None if dep in ignore else get_defs(dep)
            if defs:
                links.add((requester, defs[-1].id, dep))
            continue
        else:
            index = seen
        defs = None if dep in ignore else get_defs(dep)
        if not defs:
            if dep not in ignore and dep != "request" and index == -1:
                unknown.append((dep, requester))
            continue
        if -index > len(defs):
            first = first_at[dep]
            out.cycles.append(((*stack_ids[first:], stack_ids[first]), (*stack_names[first:], dep)))
            continue
        fixture = defs[index]
        links.add((requester, fixture.id, dep))
        used[fixture.id] = fixture
        if shared is not None and shared.reuse(fixture, index, stack_names):
            continue
        current[dep] = index - 1
        iterators.append(iter(fixture.argnames))
        requesters.append(fixture.id)
        restores.append((dep, index))
        first_at.setdefault(dep, len(stack_ids))
        stack_ids.append(fixture.id)
        stack_names.append(dep)
    return out


def closure_names_8x(initial: Sequence[str], get_defs: GetDefs, ignore: frozenset[str]) -> list[str]:
    """pytest 8.x ``getfixtureclosure``: names only, following the *closest* definition's arguments.

    Dependencies of an overridden parent (``engine`` in ``db(engine)`` overridden by ``db(db)``)
    still run, but 8.x leaves them out of ``item.fixturenames`` (fixed in 9.0, tricky case 27).
    The definitions and edges stay those of the 9.x walk, which is what executes.
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


@dataclass(frozen=True, slots=True)
class _Memo:
    """One test closure, shared by the tests that request the same names in the same place."""

    from_test: tuple[tuple[str, str], ...]
    unknown: tuple[tuple[str, str], ...] = ()
    cycles: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    # With pytest 8.x, every name the walk reached (the closure lists a subset); else None, as
    # the walk's names are the closure itself.
    reached_names: frozenset[str] | None = None
    # The closure, as the parts whose unions it is (no union is stored: see ResolvedTest).
    parts: tuple[ClosurePart, ...] = ()

    def names(self) -> Iterator[str]:
        """The closure's names, unsorted, a name once per part that holds it."""
        return chain.from_iterable(part.names for part in self.parts)

    def defs(self) -> Iterator[str]:
        """The closure's definition ids, unsorted, an id once per part that holds it."""
        return chain.from_iterable(part.defs for part in self.parts)

    @property
    def walked(self) -> Iterable[str]:
        """Every name the walk reached."""
        return self.names() if self.reached_names is None else self.reached_names


# What a closure adds to the resolution once a test uses it: the requests between definitions
# its walk made, and the set-based reaches (whose requests are added at the end). Kept aside
# until then, and dropped once applied, so memos stay small.
_Effects = tuple[tuple[tuple[str, str, str], ...], tuple[Reach, ...]]


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

    def reuse(self, fixture: FixtureDef, index: int, stack: Sequence[str]) -> bool:
        """True when the subtree below ``fixture`` can be skipped (see the class docstring).

        ``stack`` holds the names of the fixtures on the current request stack.
        """
        if fixture.holder != self._holder:
            return False
        mask = self._done.get((fixture.id, index))
        if mask is None:
            return False
        for name in stack:
            # Any request stack entry the subtree touches (its own name included, since a
            # re-request past the last definition reports the stack as the cycle) forbids reuse.
            bit = self._bit.get(name)
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


class _Getter:
    """``getfixturedefs`` for one node: its parent's answer plus the node's own definitions."""

    __slots__ = ("by_name", "cache", "last", "parent")

    def __init__(
        self, by_name: dict[str, dict[str, list[FixtureDef]]], last: str | None, parent: _Getter | None
    ) -> None:
        self.by_name = by_name
        self.last = last
        self.parent = parent
        self.cache: dict[str, tuple[FixtureDef, ...]] = {}

    def __call__(self, name: str) -> tuple[FixtureDef, ...]:
        found = self.cache.get(name)
        if found is not None:
            return found
        holders = self.by_name.get(name)
        if not holders:
            self.cache[name] = ()
            return ()
        # Walk up to the nearest node that knows the answer, then fill the caches downwards.
        pending: list[_Getter] = []
        node: _Getter | None = self
        while node is not None and name not in node.cache:
            pending.append(node)
            node = node.parent
        above: tuple[FixtureDef, ...] = node.cache[name] if node is not None else ()
        for getter in reversed(pending):
            own = holders.get(getter.last) if getter.last is not None else None
            above = (*above, *own) if own else above
            getter.cache[name] = above
        return above


class _Getters:
    """``getter(ancestors)``: the :class:`_Getter` of one node, memoized (see :class:`DefinitionIndex`).

    Each node's answer extends its parent's, so siblings share the work of the levels above.
    Built and answered without recursion, so a 10,000-deep conftest tree is fine.
    """

    def __init__(self, by_name: dict[str, dict[str, list[FixtureDef]]]) -> None:
        self.by_name = by_name
        self._getters: dict[tuple[str, ...], _Getter] = {}

    def __call__(self, ancestors: tuple[str, ...]) -> GetDefs:
        get = self._getters.get(ancestors)
        if get is None:
            missing = [ancestors]
            while len(missing[-1]) > 1 and missing[-1][:-1] not in self._getters:
                missing.append(missing[-1][:-1])
            for prefix in reversed(missing):
                parent = self._getters.get(prefix[:-1]) if len(prefix) > 1 else None
                self._getters[prefix] = _Getter(self.by_name, prefix[-1] if prefix else None, parent)
            get = self._getters[ancestors]
        return get


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
        self._ancestors: dict[str, tuple[str, ...]] = {}
        self._local: dict[tuple[str, ...], tuple[tuple[str, ...], frozenset[str]]] = {}
        # Reaches live as long as the index (memoized), so their ids are stable keys.
        self._parts: dict[int | tuple[int, ...], ClosurePart] = {}
        self._interned: dict[ClosurePart, ClosurePart] = {}
        # (name, definition id) pairs, one tuple each, shared by the closures that hold them.
        self.pairs: dict[tuple[str, str], tuple[str, str]] = {}
        names_at: dict[str, set[str]] = defaultdict(set)
        for fixture in scan.fixtures:
            names_at[fixture.holder].add(fixture.name)
        self._names_at = own = {holder: frozenset(names) for holder, names in names_at.items()}
        # Neither callback refers back to the index, so the index and its memo form no reference
        # cycle: both are freed as soon as the last user lets go (the CLI runs without the
        # cycle collector).
        self.getter = _Getters(by_name)
        self.reach = Reachability(self.getter, lambda holder: own.get(holder, frozenset()))

    def ancestors(self, holder: str) -> tuple[str, ...]:
        """:func:`holder_ancestors`, memoized: deep trees share one tuple prefix per node."""
        missing = []
        node = holder
        while node not in self._ancestors and node != SESSION_NODE:
            missing.append(node)
            node = holder_parent(node)
        chain = self._ancestors.get(node, (SESSION_NODE,))
        for node in reversed(missing):
            chain = self._ancestors[node] = (*chain, node)
        return chain

    def local_names(self, ancestors: tuple[str, ...], nodeid: str) -> tuple[tuple[str, ...], frozenset[str]]:
        """The directories in a test's ``ancestors``, and the names its module and classes define.

        The module is the first ancestor that ``nodeid`` continues with ``::``; every test with
        the same ancestors sits in the same module, so the answer is kept per ancestor chain.
        """
        found = self._local.get(ancestors)
        if found is None:
            cut = next((i for i, a in enumerate(ancestors) if nodeid.startswith(f"{a}::")), len(ancestors))
            names = frozenset().union(*(self._names_at.get(a, frozenset()) for a in ancestors[cut:]))
            found = self._local[ancestors] = (ancestors[:cut], names)
        return found

    def part(self, *reaches: Reach) -> ClosurePart:
        """The closure part of the union of set-based reaches (one object per content)."""
        key: int | tuple[int, ...] = id(reaches[0]) if len(reaches) == 1 else tuple(map(id, reaches))
        found = self._parts.get(key)
        if found is None:
            names = frozenset().union(*(r.names for r in reaches))
            used = frozenset().union(*(r.used for r in reaches))
            winners = winners_of(reaches)
            found = self._parts[key] = self.intern(
                ClosurePart(tuple(sorted(names)), tuple(sorted(used)), tuple(sorted(winners)))
            )
        return found

    def intern(self, part: ClosurePart) -> ClosurePart:
        """One object per distinct part, so tests and memos share it."""
        return self._interned.setdefault(part, part)

    def autouse_names(self, ancestors: tuple[str, ...]) -> list[str]:
        return [n for a in ancestors for n in self.autouse.get(a, ())]


def holder_parent(holder: str) -> str:
    """The node above ``holder``: its class, module or directory, up to the Session."""
    if "::" in holder:
        return holder.rsplit("::", 1)[0]
    if "/" in holder:
        return holder.rsplit("/", 1)[0]
    return SESSION_NODE


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


def resolve(scan: ScanResult, *, share_walks: bool = True) -> Resolution:
    """Resolve all tests and all fixture definitions of ``scan``.

    ``share_walks=False`` replays every fixture's walk in full (the reference the tests hold
    :class:`SharedWalks` to; with it, long chains resolve in linear time).
    """
    index = DefinitionIndex(scan)
    # Fixture requests as plain tuples, sorted in C at the end. The tests' own requests stay on
    # their ResolvedTest (shared with their closure).
    links: set[tuple[str, str, str]] = set()  # static requests (source, target, name)
    dynamic_links: set[tuple[str, str, str]] = set()  # getfixturevalue requests
    cycles: dict[tuple[str, ...], Cycle] = {}
    unknown: set[UnknownRequest] = set()
    reached: set[str] = set()
    tests: list[ResolvedTest] = []
    memo: dict[tuple[object, ...], _Memo] = {}
    pending: dict[int, _Effects] = {}  # by memo id, until a test uses the memo
    legacy_closure = parse_version(scan.pytest_version) < (9, 0)
    reaches: dict[int, Reach] = {}
    for test in scan.tests:
        initial, context = initial_names(scan, index, test)
        get = index.getter(test.ancestors)
        cached = _shared_closure(index, memo, pending, test, initial, legacy_closure, context)
        if test.generated:
            generated = hook_parametrized(test, cached.names())
            if generated is not test:
                test = generated
                cached = _shared_closure(index, memo, pending, test, initial, legacy_closure, context)
        effects = pending.pop(id(cached), None)
        if effects is not None:
            reached.update(cached.defs())
            links.update(effects[0])
            for reach in effects[1]:
                reaches.setdefault(id(reach), reach)
        dynamic_targets = tuple(
            dict.fromkeys((targets[-1].id, name) for name in test.dynamic_deps if (targets := get(name)))
        )
        for name, requester in cached.unknown:
            if name in test.param_names:
                continue
            unknown.add(UnknownRequest(name, requester or test.nodeid, test.nodeid))
        _add_cycles(cycles, cached.cycles, test.nodeid)
        tests.append(
            ResolvedTest(
                nodeid=test.nodeid,
                requests=_requests(test),
                from_test=cached.from_test,
                dynamic=dynamic_targets,
                parts=cached.parts,
            )
        )
    # Long chains do not fit the set-based closures; their walks reuse each other (linear).
    shared = SharedWalks() if share_walks else None
    for fixture in scan.fixtures:
        ancestors = index.ancestors(fixture.holder)
        get = index.getter(ancestors)
        defs = get(fixture.name) or ()
        position = next((i for i, f in enumerate(defs) if f.id == fixture.id), None)
        if position is None:
            continue
        own = index.reach.reach(ancestors, fixture.name) if position == len(defs) - 1 else None
        if own is not None:
            reaches.setdefault(id(own), own)
        else:
            start = position - len(defs)
            if shared is not None:
                shared.begin(fixture.holder)
            walk = traverse(fixture.argnames, get, fixture.id, start=(fixture, start), shared=shared)
            if shared is not None:
                shared.record(fixture, start, walk)
            links.update(walk.links)
            _add_cycles(cycles, walk.cycles, fixture.id)
        for dynamic in fixture.dynamic_deps:
            targets = get(dynamic)
            if targets:
                dynamic_links.add((fixture.id, targets[-1].id, dynamic))
    links.update(links_of(reaches.values()))
    edges = sorted(chain(((*link, False) for link in links), ((*link, True) for link in dynamic_links)))
    return Resolution(
        tests=tuple(tests),
        fixture_edges=tuple(Edge(*e) for e in edges),
        cycles=tuple(sorted(cycles.values(), key=lambda c: c.links)),
        unknown=tuple(sorted(unknown)),
        reached=frozenset(reached),
    )


def _requests(test: TestItem) -> tuple[str, ...]:
    """The names a test requests itself (``usefixtures`` marks, then arguments), each once."""
    if not test.usefixtures and len(set(test.argnames)) == len(test.argnames):
        return test.argnames  # shared with the item
    return tuple(dict.fromkeys((*test.usefixtures, *test.argnames)))


def initial_names(scan: ScanResult, index: DefinitionIndex, test: TestItem) -> tuple[tuple[str, ...], int]:
    """The names a test requests itself, in pytest's order (``getfixtureclosure``'s initial
    names: ini ``usefixtures``, visible autouse names, ``usefixtures`` marks, arguments), each
    once; and how many of them its context gives (the first ones: ini and autouse)."""
    context = tuple(dict.fromkeys((*scan.ini_usefixtures, *index.autouse_names(test.ancestors))))
    return tuple(dict.fromkeys((*context, *test.usefixtures, *test.argnames))), len(context)


def hook_parametrized(test: TestItem, closure: Iterable[str]) -> TestItem:
    """``test`` with the names its ``pytest_generate_tests`` hooks parametrize.

    pytest calls the hooks with ``metafunc.fixturenames`` = the closure; a call applies when
    the names it requires are there. Its direct names (not ``indirect``) then become direct
    parameters, and pytest prunes the closure (``prune_dependency_tree``), so they shadow any
    fixture of that name. Calls the scan cannot be sure of change nothing here: an unknown
    fixture one of them might parametrize is a warning, not an error (analyze/certainty.py).
    Returns ``test`` itself when nothing changes.
    """
    names = frozenset(closure)
    direct: list[str] = []
    for call in test.generated:
        if call.certain and names.issuperset(call.requires):
            direct.extend(n for n in call.argnames if n not in call.indirect)
    new_direct = tuple(dict.fromkeys((*test.direct_params, *direct)))
    new_params = tuple(dict.fromkeys((*test.param_names, *direct)))
    if new_direct == test.direct_params and new_params == test.param_names:
        return test
    return replace(test, direct_params=new_direct, param_names=new_params)


def _shared_closure(
    index: DefinitionIndex,
    memo: dict[tuple[object, ...], _Memo],
    pending: dict[int, _Effects],
    test: TestItem,
    initial: tuple[str, ...],
    legacy: bool,
    context: int = 0,
) -> _Memo:
    """The test's closure, shared with every test that requests the same names from the same place.

    "The same place" is the test's directory whenever its module and classes define none of the
    names in the closure: their definitions are then never consulted, so a closure computed from
    the directory is exactly the test's (an unknown name is in the closure too, so a module that
    defines it takes its own walk). This lets the tests of sibling modules share one closure.
    A closure computed but not used adds nothing to the resolution (its effects stay pending).
    """
    outer, local = index.local_names(test.ancestors, test.nodeid)
    keys = [(test.ancestors, initial, test.direct_params)]
    if outer != test.ancestors:
        keys.insert(0, (outer, initial, test.direct_params))
    for key in keys:
        cached = memo.get(key)
        if cached is None:
            ancestors = key[0]
            assert isinstance(ancestors, tuple)
            cached, effects = _closure(index, ancestors, initial, test.direct_params, legacy, context)
            memo[key] = cached
            pending[id(cached)] = effects
        if local.isdisjoint(cached.walked):
            break
    assert cached is not None
    return cached


def _closure(
    index: DefinitionIndex,
    ancestors: tuple[str, ...],
    initial: tuple[str, ...],
    direct_params: tuple[str, ...],
    legacy: bool = False,
    context: int = 0,
) -> tuple[_Memo, _Effects]:
    """A test's closure: set-based when it is simple, else pytest's walk replayed.

    ``legacy`` lists the names as pytest 8.x does (see :func:`closure_names_8x`); the first
    ``context`` names of ``initial`` are the ones every test of the context requests.
    """
    get = index.getter(ancestors)
    ignore = frozenset(direct_params)
    simple = index.reach.closure(ancestors, initial, ignore)
    links: tuple[tuple[str, str, str], ...] = ()
    reaches: tuple[Reach, ...] = ()
    if simple is not None:
        reaches = simple.reaches
        names, used, from_test = simple.names, simple.used, simple.from_test
        unknown: tuple[tuple[str, str], ...] = ()
        found_cycles: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    else:
        walk = traverse(initial, get, "", ignore=ignore)
        names, used = frozenset(walk.names), frozenset(walk.used)
        from_test = tuple((target, name) for source, target, name in walk.links if source == "")
        links = tuple(link for link in walk.links if link[0] != "")
        unknown, found_cycles = tuple(walk.unknown), tuple(walk.cycles)
    reached_names = None
    if legacy:
        reached_names, names = names, frozenset(closure_names_8x(initial, get, ignore))
    if simple is not None and not legacy:
        # The names every test of the context requests (ini usefixtures, autouse) make one part.
        shared = sum(1 for name in initial[:context] if name not in ignore)
        parts = tuple(index.part(*simple.reaches[:shared]) for _ in range(1 if shared else 0))
        parts += tuple(index.part(reach) for reach in simple.reaches[shared:])
        # Directly parametrized names are in the closure without a reach of their own.
        if ignore and (extra := tuple(sorted(names.difference(*(p.names for p in parts))))):
            parts += (index.intern(ClosurePart(extra, ())),)
    else:
        closure = tuple(sorted(names))
        pairs = index.pairs
        winners = tuple(
            pairs.setdefault(pair, pair)
            for n in closure
            if n not in direct_params and (defs := get(n))
            for pair in ((n, defs[-1].id),)
        )
        parts = (index.intern(ClosurePart(closure, tuple(sorted(used)), winners)),)
    memo = _Memo(from_test, unknown, found_cycles, reached_names, parts)
    return memo, (links, reaches)


def _add_cycles(
    cycles: dict[tuple[str, ...], Cycle],
    found: Sequence[tuple[tuple[str, ...], tuple[str, ...]]],
    entered_by: str,
) -> None:
    for links, names in found:
        body = links[:-1]
        pivot = body.index(min(body))
        key = body[pivot:] + body[:pivot]
        if key not in cycles:
            rotated_names = names[:-1][pivot:] + names[:-1][:pivot]
            cycles[key] = Cycle((*key, key[0]), (*rotated_names, rotated_names[0]), entered_by)
