"""``why TEST FIXTURE``: every route by which a test gets a fixture.

A route starts at a name the test requests itself for one reason (its signature, a mark, the
ini, autouse, getfixturevalue, a parametrize) and follows requests between definitions down to the
fixture. The fixture is a name (the test's winning definition of it, or its direct parameter)
or a definition id (that definition, which may sit farther up an override chain).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from fixture_graph.questions.closure import Request, Root, TestClosure
from fixture_graph.questions.reasons import Origin

#: Routes listed at most; the rest are counted (up to :data:`MAX_COUNTED`).
MAX_ROUTES = 50
MAX_COUNTED = 10_000


@dataclass(frozen=True, slots=True)
class Route:
    """``root``, requested for the reason ``origin`` (None: the scan knows none), and the requests
    from it down to the fixture (empty: the root is the fixture). A root the test requests for
    two reasons (its signature and a mark) starts two routes."""

    root: Root
    origin: Origin | None
    links: tuple[Request, ...]


@dataclass(frozen=True, slots=True)
class Routes:
    """The answer: the definitions asked about in the closure (None for a direct parameter),
    the routes listed, and how many there are in all (at least, when ``capped``)."""

    name: str
    targets: tuple[str | None, ...]
    routes: tuple[Route, ...]
    total: int
    capped: bool = False


def find_routes(closure: TestClosure, name: str, definition: str | None = None) -> Routes:
    """The routes by which the test gets ``name`` (or the definition id ``definition`` of it).

    Returns no routes when the closure does not hold it. Routes are in pytest's request order of
    their roots, then in the order of each definition's arguments.
    """
    targets: tuple[str | None, ...]
    if definition is not None:
        targets = (definition,) if definition in closure.definitions() else ()
    else:
        found = _winner(closure, name)
        targets = (found,) if found is not None or _is_parameter(closure, name) else ()
    if not targets:
        return Routes(name, (), (), 0)
    wanted = set(targets)
    reaching = _reaching(closure, name, wanted)
    listed: list[Route] = []
    count = 0
    for root in closure.roots:
        reasons: tuple[Origin | None, ...] = root.origins or (None,)
        for links in _paths(closure, root, name, wanted, reaching):
            for origin in reasons:
                count += 1
                if len(listed) < MAX_ROUTES:
                    listed.append(Route(root, origin, links))
            if count >= MAX_COUNTED:
                return Routes(name, targets, tuple(listed), count, True)
    return Routes(name, targets, tuple(listed), count)


def _winner(closure: TestClosure, name: str) -> str | None:
    """The definition the test gets for ``name``: the resolver's winner, else a getfixturevalue's."""
    for root in closure.roots:
        if root.name == name:
            return root.target
    winners = dict(closure.resolved.winners)
    if name in winners:
        return winners[name]
    for requests in closure.requests.values():
        for request in requests:
            if request.dynamic and request.name == name:
                return request.target
    return None


def _is_parameter(closure: TestClosure, name: str) -> bool:
    return name in closure.item.direct_params


def _reaching(closure: TestClosure, name: str, wanted: set[str | None]) -> set[str]:
    """The definitions from which some request chain ends in a wanted request of ``name``."""
    above: dict[str, list[str]] = defaultdict(list)
    found: list[str] = []
    for requester, requests in closure.requests.items():
        for request in requests:
            if request.name == name and request.target in wanted:
                found.append(requester)
            elif request.target is not None:
                above[request.target].append(requester)
    reaching: set[str] = set()
    while found:
        node = found.pop()
        if node not in reaching:
            reaching.add(node)
            found.extend(above.get(node, ()))
    return reaching


def _paths(
    closure: TestClosure, root: Root, name: str, wanted: set[str | None], reaching: set[str]
) -> Iterator[tuple[Request, ...]]:
    """Every simple path of requests from ``root`` to a wanted target (a generator of tuples).

    Only definitions in ``reaching`` are entered, so the walk never explores a dead end: its
    time grows with the routes it yields, not with the paths of the whole closure.
    """
    if root.name == name and root.target in wanted:
        yield ()
        return
    if root.target is None or root.target not in reaching:
        return
    # Depth-first over (definition, its requests iterator), without recursion.
    path: list[Request] = []
    on_path = {root.target}
    stack = [iter(closure.requests.get(root.target, ()))]
    while stack:
        request = next(stack[-1], None)
        if request is None:
            stack.pop()
            if path:
                on_path.discard(path.pop().target)
            continue
        if request.name == name and request.target in wanted:
            yield (*path, request)
            continue
        if request.target is None or request.target in on_path or request.target not in reaching:
            continue
        path.append(request)
        on_path.add(request.target)
        stack.append(iter(closure.requests.get(request.target, ())))
