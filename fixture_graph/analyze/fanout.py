"""Fan-out: how many items each fixture multiplies and how many setups it causes per run.

pytest sets a fixture up once per instance of its scope that a test reaching it runs in:

* function scope: once per item (every parametrized case of every test reaching it);
* class scope: once per test class, and once per item for a test outside a class (the "class"
  is then the function itself);
* module scope: once per test module;
* package and session scope: once for all the tests that reach it. A package-scoped fixture is
  shared by the package it is defined in (pytest's ``get_scope_package``); every test that sees
  a conftest's fixture is below that conftest, so the tests reaching it span one instance, and
  a package-scoped fixture outside a package behaves as session-scoped.

Above function scope each instance is set up once per combination of the ``params`` of the
parametrized definitions in the fixture's own closure (pytest reorders items so each case is
set up once per instance). With pytest-xdist's ``--dist load`` the items of one instance are
spread over the workers and each worker sets it up again: at most ``workers`` times per case,
and never more often than the instance has items.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fixture_graph.analyze.findings import FanOut
from fixture_graph.model import TestItem
from fixture_graph.scope import Scope

if TYPE_CHECKING:
    from fixture_graph.analyze.context import Context


@dataclass(frozen=True, slots=True)
class Setups:
    """Setups of one fixture at one scope: ``count`` with one process, ``workers`` with xdist,
    ``units`` the scope instances its tests span (items, for per-item setups)."""

    count: int
    workers: int
    units: int


@dataclass
class _Unit:
    items: int = 0
    params: set[str] = field(default_factory=set)


def unit_of(scope: Scope, item: TestItem) -> str | None:
    """The node one setup of a fixture of ``scope`` lasts for, for ``item``'s tests.

    None when each item gets its own setup (function scope, or class scope outside a class);
    ``""`` (the session) for package and session scope (see the module docstring).
    """
    if scope is Scope.FUNCTION:
        return None
    if scope is Scope.CLASS:
        return item.ancestors[-1] if item.ancestors and "::" in item.ancestors[-1] else None
    if scope is Scope.MODULE:
        return module_of(item)
    return ""


def module_of(item: TestItem) -> str:
    """The module node id of ``item`` (the ancestor that is a ``.py`` file)."""
    return next((a for a in item.ancestors if a.endswith(".py")), item.nodeid.split("::", 1)[0])


class TestUnits(Mapping[str, tuple[str | None, str]]):
    """Node id -> (its class node or None, its module node), read from the test's ancestors on
    access; the tests of one class or module share one pair, and nothing is stored per test."""

    def __init__(self, items: Mapping[str, TestItem]) -> None:
        self._items = items
        self._shared: dict[tuple[str, ...], tuple[str | None, str]] = {}

    def __getitem__(self, nodeid: str) -> tuple[str | None, str]:
        test = self._items[nodeid]
        pair = self._shared.get(test.ancestors)
        if pair is None:
            pair = (unit_of(Scope.CLASS, test), module_of(test))
            # Both are read from the ancestors, but for a test with no module among them.
            if any(a.endswith(".py") for a in test.ancestors):
                self._shared[test.ancestors] = pair
        return pair

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def setups_at(ctx: Context, fixture_id: str, scope: Scope) -> Setups:
    """How many times ``fixture_id`` would be set up in one run if it had ``scope``."""
    memo = ctx.setups_memo
    if fixture_id not in memo:
        memo[fixture_id] = _setups_by_scope(ctx, fixture_id)
    return memo[fixture_id][scope]


def _setups_by_scope(ctx: Context, fixture_id: str) -> dict[Scope, Setups]:
    """:func:`setups_at` for every scope, in one pass over the tests reaching the fixture."""
    workers = max(1, ctx.config.workers)
    relevant = ctx.param_closure.get(fixture_id, frozenset())
    where = ctx.test_units
    items = outside = 0
    classes: dict[str, _Unit] = defaultdict(_Unit)
    modules: dict[str, _Unit] = defaultdict(_Unit)
    session = _Unit()
    for nodeid in ctx.tests_of.get(fixture_id, ()):
        info = ctx.test_items[nodeid]
        klass, module = where[nodeid]
        params = relevant.intersection(info.param_defs) if relevant else ()
        items += info.count
        shared = [modules[module], session]
        if klass is None:
            outside += info.count
        else:
            shared.append(classes[klass])
        for unit in shared:
            unit.items += info.count
            unit.params.update(params)

    def total(per_item: int, units: list[_Unit]) -> Setups:
        count = with_workers = per_item
        for unit in units:
            cases = math.prod(max(1, ctx.fixtures[p].param_count or 1) for p in unit.params)
            count += cases
            with_workers += min(workers * cases, max(unit.items, cases))
        return Setups(count, with_workers, per_item + len(units))

    reached = [session] if session.items else []
    return {
        Scope.FUNCTION: Setups(items, items, items),
        Scope.CLASS: total(outside, list(classes.values())),
        Scope.MODULE: total(0, list(modules.values())),
        Scope.PACKAGE: total(0, reached),
        Scope.SESSION: total(0, reached),
    }


def param_closure(ctx: Context) -> dict[str, frozenset[str]]:
    """Definition id -> the parametrized definitions in its own closure (itself included).

    Only definitions whose params multiply some test are considered, so this stays small.
    """
    import networkx as nx

    sources = {p for info in ctx.test_items.values() for p in info.param_defs}
    out: dict[str, set[str]] = defaultdict(set)
    for source in sorted(sources):
        if source not in ctx.graph:
            continue
        for node in (source, *nx.ancestors(ctx.graph, source)):
            out[node].add(source)
    return {k: frozenset(v) for k, v in out.items()}


def fan_out(ctx: Context) -> dict[str, FanOut]:
    """Every definition some test reaches, with its items and setups (see :class:`FanOut`).

    One pass over each definition's tests; setups above function scope come from
    :func:`setups_at` (a function-scoped fixture is set up once per item).
    """
    out: dict[str, FanOut] = {}
    items_of = ctx.test_items
    for fixture_id, tests in sorted(ctx.tests_of.items()):
        fixture = ctx.fixtures.get(fixture_id)
        if fixture is None:
            continue
        params = fixture.param_count if fixture.params is not None else None
        items = multiplied = 0
        exact = True
        for nodeid in tests:
            info = items_of[nodeid]
            items += info.count
            exact = exact and info.exact
            if params is not None and params > 1 and fixture_id in info.param_defs:
                multiplied += info.count - info.count // params
        if fixture.scope is Scope.FUNCTION:
            setups = Setups(items, items, items)
        else:
            setups = setups_at(ctx, fixture_id, fixture.scope)
        out[fixture_id] = FanOut(
            id=fixture_id,
            name=fixture.name,
            scope=fixture.scope_label,
            autouse=fixture.autouse,
            tests=len(tests),
            items=items,
            setups=setups.count,
            setups_workers=setups.workers,
            params=params,
            multiplied=multiplied,
            exact=exact,
        )
    return out


def top_multipliers(fan: Iterable[FanOut], user: set[str], top: int) -> list[FanOut]:
    """The ``top`` user fixtures that multiply the most: parametrized ones by the items they add,
    then autouse ones by their setups."""
    rows = [f for f in fan if f.id in user and (f.multiplied > 0 or f.autouse)]
    rows.sort(key=lambda f: (-f.multiplied, -f.setups, f.id))
    return rows[:top]
