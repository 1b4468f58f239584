"""Set-based closures for the common case, shared between tests and between sibling modules.

pytest's closure walk (:func:`fixture_graph.resolve.traverse`) is a depth-first walk whose
result depends on the order of requests only through cycles, unknown names, and a name
requested again while its own override chain (``def db(db)``) is still being walked. When none
of those can occur below a name, its closure is a plain reachability set: the name, its override
chain, the closest definition of every other name it reaches, and one request per dependency.
Such a closure is computed once per (node, name) and reused by every test that asks for the name
there, and a module or class that defines none of the names involved reuses its parent
directory's closure outright. Anything else (a cycle, an unknown name, a name reached again from
inside its own chain, a very deep or wide closure) answers None, and the caller replays pytest's
walk instead; the answers are equal whenever this one is given (``tests/test_resolve_fast.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from fixture_graph.model import FixtureDef

GetDefs = Callable[[str], Sequence[FixtureDef] | None]
# Closures larger or deeper than this take the walk (this also bounds the recursion depth).
MAX_NAMES = 100
MAX_DEPTH = 120
MAX_ANCESTORS = 200  # deeper conftest trees take the walk (the per-level lookup recurses)


@dataclass(frozen=True, slots=True)
class Reach:
    """The closure below one name: names reached and definitions used (both transitive), and
    the requests its own override chain makes (``own_links``) to the reaches ``below`` it.

    ``top`` is the definition the name itself gets. The requests and the winners of the whole
    closure are not stored per reach (on a long chain that would be quadratic): :func:`links_of`
    and :func:`winners_of` gather them from the reaches below.
    """

    names: frozenset[str]
    used: frozenset[str]
    own_links: tuple[tuple[str, str, str], ...] = ()
    below: tuple[Reach, ...] = ()
    top: str | None = None
    # ``(top, name)``: the request of the name itself, one tuple shared by every closure.
    request: tuple[str, str] | None = None


def _walk(reaches: Iterable[Reach]) -> Iterator[Reach]:
    """Every reach in ``reaches`` and below them, once each (iterative)."""
    seen: set[int] = set()
    stack = list(reaches)
    while stack:
        reach = stack.pop()
        if id(reach) in seen:
            continue
        seen.add(id(reach))
        yield reach
        stack.extend(reach.below)


def links_of(reaches: Iterable[Reach]) -> set[tuple[str, str, str]]:
    """The requests (requester id, definition id, name) made inside the closures of ``reaches``."""
    out: set[tuple[str, str, str]] = set()
    for reach in _walk(reaches):
        out.update(reach.own_links)
    return out


def winners_of(reaches: Iterable[Reach]) -> set[tuple[str, str]]:
    """(name, closest definition id) for each name with a definition in the closures of ``reaches``."""
    return {(r.request[1], r.request[0]) for r in _walk(reaches) if r.request is not None}


@dataclass(frozen=True, slots=True)
class SimpleClosure:
    """A test's closure when every name in it is :class:`Reach`-simple."""

    names: frozenset[str]
    used: frozenset[str]
    from_test: tuple[tuple[str, str], ...]
    reaches: tuple[Reach, ...]


_REQUEST = Reach(frozenset(("request",)), frozenset())


class Reachability:
    """Memoized :class:`Reach` per (ancestor chain, name).

    Args:
        getter: visible definitions from an ancestor chain, farthest first.
        names_at: the fixture names defined at a holder node.
    """

    def __init__(
        self, getter: Callable[[tuple[str, ...]], GetDefs], names_at: Callable[[str], frozenset[str]]
    ) -> None:
        self._getter = getter
        self._names_at = names_at
        self._memo: dict[tuple[str, ...], dict[str, Reach | None]] = {}

    def closure(
        self, ancestors: tuple[str, ...], initial: Sequence[str], ignore: frozenset[str]
    ) -> SimpleClosure | None:
        """The closure of a test's ``initial`` names, or None when the walk is needed."""
        memo = self._memo.get(ancestors)
        names: set[str] = set()
        used: set[str] = set()
        reaches: list[Reach] = []
        from_test: list[tuple[str, str]] = []
        for name in initial:
            if name in ignore:
                names.add(name)
                continue
            reach = memo.get(name) if memo is not None else None
            if reach is None:
                reach = self.reach(ancestors, name)
                if reach is None:
                    return None
                memo = self._memo[ancestors]
            if not ignore.isdisjoint(reach.names):
                return None
            names |= reach.names
            used |= reach.used
            reaches.append(reach)
            if reach.request is not None:
                from_test.append(reach.request)
        return SimpleClosure(frozenset(names), frozenset(used), tuple(from_test), tuple(reaches))

    def reach(self, ancestors: tuple[str, ...], name: str, depth: int = 0) -> Reach | None:
        """The closure below ``name`` seen from ``ancestors``, or None when it is not simple."""
        memo = self._memo.get(ancestors)
        if memo is None:
            memo = self._memo[ancestors] = {}
        if name in memo:
            return memo[name]
        # In progress: a request that comes back here is a cycle, which is not simple.
        memo[name] = None
        if depth > MAX_DEPTH or len(ancestors) > MAX_ANCESTORS:
            return None
        if len(ancestors) > 1:
            own = self._names_at(ancestors[-1])
            above = self.reach(ancestors[:-1], name, depth)
            if above is not None and name not in own and above.names.isdisjoint(own):
                memo[name] = above
                return above
            if not own:
                return None
        found = self._compute(ancestors, name, depth)
        memo[name] = found
        return found

    def _compute(self, ancestors: tuple[str, ...], name: str, depth: int) -> Reach | None:
        """Follow the override chain of ``name`` (``def db(db)``) and every other request."""
        get = self._getter(ancestors)
        defs = get(name)
        if not defs:
            # pytest's ``request`` is no definition, yet no unknown name either.
            return _REQUEST if name == "request" else None
        top = defs[-1].id
        position = len(defs) - 1
        parts: list[Reach] = []
        links = set()
        used = set()
        while True:
            fixture = defs[position]
            used.add(fixture.id)
            overrides = False
            for dep in fixture.argnames:
                if dep == name:
                    overrides = True
                    if position == 0:
                        return None  # pytest's "recursive dependency"
                    links.add((fixture.id, defs[position - 1].id, dep))
                    continue
                part = self.reach(ancestors, dep, depth + 1)
                if part is None or name in part.names:
                    return None
                parts.append(part)
                targets = get(dep)
                if targets:
                    links.add((fixture.id, targets[-1].id, dep))
            if not overrides:
                break
            position -= 1
        names = frozenset((name,)).union(*(p.names for p in parts))
        if len(names) > MAX_NAMES:
            return None
        return Reach(
            names,
            frozenset(used).union(*(p.used for p in parts)),
            tuple(sorted(links)),
            tuple({id(p): p for p in parts}.values()),
            top,
            (top, name),
        )
