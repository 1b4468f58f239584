"""Tests counted as pytest counts them: items, with parametrizations expanded where static.

The scan works on test functions (a node id without ``[...]``); pytest users read "collected
N items". A function makes one item per combination of its ``parametrize`` marks' argvalues
times the ``params`` of each parametrized fixture in its closure, exactly as pytest's
``Metafunc`` does: a mark on an argname takes precedence over the fixture's own ``params``, and
along an override chain the closest definition with ``params`` wins, walking outward only
while a definition requests its own name (pytest's ``FixtureManager.pytest_generate_tests``).
Computed argvalues or ``params`` and the ``metafunc.parametrize`` calls of
``pytest_generate_tests`` hooks (whose values the scan does not read) cannot be counted
statically; such a function counts as one item and the count is marked as a lower bound. A
hook call whose argnames are computed (pytest-asyncio's, for one) is not known to apply to any
test and is left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain

from fixture_graph.model import ClosurePart, FixtureDef, Resolution, ResolvedTest, ScanResult, TestItem


@dataclass(frozen=True, slots=True)
class ItemCount:
    """``functions`` test functions make ``items`` items; ``uncounted`` functions had
    parametrizations the scan could not count (each counted once, so ``items`` is a minimum)."""

    functions: int
    items: int
    uncounted: int = 0

    @property
    def exact(self) -> bool:
        """True when every parametrization was counted."""
        return self.uncounted == 0


@dataclass(frozen=True, slots=True)
class TestItems:
    """The items one test function makes: ``count`` (a minimum unless ``exact``), and
    ``param_defs``, the definitions whose ``params`` multiply them (each by its
    ``param_count``)."""

    count: int
    exact: bool = True
    param_defs: tuple[str, ...] = ()


def items_per_test(scan: ScanResult, resolution: Resolution) -> dict[str, TestItems]:
    """Node id -> the items of that test function (see :func:`count_items`); equal answers are
    one shared object (most tests make one item from no fixture params)."""
    interned: dict[TestItems, TestItems] = {}
    return {nodeid: interned.setdefault(items, items) for nodeid, items in _each_test(scan, resolution)}


def count_items(scan: ScanResult, resolution: Resolution) -> ItemCount:
    """Count the items pytest would collect from ``scan``'s tests, resolved by ``resolution``."""
    items = uncounted = 0
    for _, found in _each_test(scan, resolution):
        items += found.count
        uncounted += not found.exact
    return ItemCount(len(scan.tests), items, uncounted)


def _each_test(scan: ScanResult, resolution: Resolution) -> Iterator[tuple[str, TestItems]]:
    """(node id, its items) for each scanned test, in scan order.

    O(tests + distinct closures x their winners): tests that share a closure (the same
    :attr:`~fixture_graph.model.ResolvedTest.parts`) and the same directly parametrized names
    share one product of fixture ``params``.
    """
    fixtures = {f.id: f for f in scan.fixtures}
    # Only fixtures request outward along an override chain (a test's requests start chains).
    outer = {(e.source, e.name): e.target for e in resolution.fixture_edges if not e.dynamic}
    # Keyed by ``id(parts)`` (plus the skipped names, when there are any): the parts tuples live
    # as long as ``resolution``, so their ids are stable here. Equal products are one object.
    products: dict[object, TestItems] = {}
    interned: dict[TestItems, TestItems] = {}
    for test, found in _pairs(scan, resolution):
        cases = test.param_cases
        known = cases is not None
        count = cases or 1
        sources: tuple[str, ...] = ()
        if found is not None and not test.is_unittest:
            if test.generated:
                # A hook whose requirements the closure meets parametrizes it with values the
                # scan does not read.
                closure = frozenset(chain.from_iterable(part.names for part in found.parts))
                if any(g.argnames and closure.issuperset(g.requires) for g in test.generated):
                    known = False
            skipped = (*test.marked_params, *test.direct_params)
            key: object = (id(found.parts), skipped) if skipped else id(found.parts)
            product = products.get(key)
            if product is None:
                product = _closure_params(found.parts, frozenset(skipped), fixtures, outer)
                product = products[key] = interned.setdefault(product, product)
            count *= product.count
            known = known and product.exact
            sources = product.param_defs
        yield test.nodeid, TestItems(count, known, sources)


def _pairs(scan: ScanResult, resolution: Resolution) -> Iterator[tuple[TestItem, ResolvedTest | None]]:
    """Each scanned test with its resolution (None when it has none).

    :func:`~fixture_graph.resolve.resolve` keeps the scan's order, one result per test; any
    other resolution is matched by node id.
    """
    tests = resolution.tests
    if len(tests) == len(scan.tests) and all(
        t.nodeid == r.nodeid for t, r in zip(scan.tests, tests, strict=True)
    ):
        yield from zip(scan.tests, tests, strict=True)
        return
    by_nodeid = {t.nodeid: t for t in tests}
    for test in scan.tests:
        yield test, by_nodeid.get(test.nodeid)


def _closure_params(
    parts: Iterable[ClosurePart],
    skip: frozenset[str],
    fixtures: dict[str, FixtureDef],
    outer: dict[tuple[str, str], str],
) -> TestItems:
    """The product of the ``params`` counts of a closure's winners outside ``skip`` (as
    ``count``), whether every one was known, and the definitions whose params they are."""
    product, known = 1, True
    sources: list[str] = []
    for name, winner in {w for part in parts for w in part.winners}:
        if name in skip:
            continue
        source = params_source(name, winner, fixtures, outer)
        if source is None:
            continue
        params = fixtures[source].param_count
        if params is None:
            known = False
        else:
            product *= max(params, 1)
            sources.append(source)
    return TestItems(product, known, tuple(sorted(sources)))


def params_source(
    name: str, winner: str, fixtures: dict[str, FixtureDef], outer: dict[tuple[str, str], str]
) -> str | None:
    """The definition whose ``params`` parametrize a test for ``name`` (None: not parametrized).

    ``winner`` is the closest definition; the walk goes outward only while a definition requests
    its own name (``outer`` maps (definition, name) to the definition it gets).
    """
    current: str | None = winner
    seen: set[str] = set()
    while current is not None and current not in seen:
        seen.add(current)
        fixture = fixtures.get(current)
        if fixture is None:
            return None
        if fixture.params is not None:
            return current
        if name not in fixture.argnames:
            return None
        current = outer.get((current, name))
    return None
