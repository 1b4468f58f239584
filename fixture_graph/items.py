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

from fixture_graph.model import FixtureDef, Resolution, ResolvedTest, ScanResult, TestItem


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
    """Node id -> the items of that test function (see :func:`count_items`).

    Equal answers are one shared object (most tests make one item from no fixture params).
    """
    fixtures = {f.id: f for f in scan.fixtures}
    outer = {(e.source, e.name): e.target for e in resolution.fixture_edges if not e.dynamic}
    # Tests share closure parts (resolve's memo): walk each part once per set of names the
    # test parametrizes itself.
    memo: dict[tuple[int, tuple[str, ...]], tuple[tuple[str, str, int | None], ...]] = {}
    interned: dict[TestItems, TestItems] = {}
    out: dict[str, TestItems] = {}
    for test, found in _pairs(scan, resolution):
        cases = test.param_cases
        known = cases is not None
        count = cases or 1
        sources: list[str] = []
        if found is not None and not test.is_unittest:
            if test.generated:
                closure = frozenset(chain.from_iterable(part.names for part in found.parts))
                if any(g.argnames and closure.issuperset(g.requires) for g in test.generated):
                    known = False
            skip = (*test.marked_params, *test.direct_params)
            applied: set[tuple[str, str, int | None]] = set()
            for part in found.parts:
                entries = memo.get((id(part), skip))
                if entries is None:
                    entries = memo[id(part), skip] = _part_params(
                        part.winners, frozenset(skip), fixtures, outer
                    )
                applied.update(entries)
            for _, source, params in applied:
                if params is None:
                    known = False
                else:
                    count *= max(params, 1)
                    sources.append(source)
        answer = TestItems(count, known, tuple(sorted(sources)))
        out[test.nodeid] = interned.setdefault(answer, answer)
    return out


def _part_params(
    winners: tuple[tuple[str, str], ...],
    skip: frozenset[str],
    fixtures: dict[str, FixtureDef],
    outer: dict[tuple[str, str], str],
) -> tuple[tuple[str, str, int | None], ...]:
    """(name, definition, params) for each name of ``winners`` (not in ``skip``) that a
    definition's params parametrize; params None when they could not be counted."""
    out = []
    for name, winner in winners:
        if name in skip:
            continue
        source = params_source(name, winner, fixtures, outer)
        if source is not None:
            out.append((name, source, fixtures[source].param_count))
    return tuple(out)


def count_items(scan: ScanResult, resolution: Resolution) -> ItemCount:
    """Count the items pytest would collect from ``scan``'s tests, resolved by ``resolution``.

    O(tests + distinct closures x their winners): tests that share a closure (the same
    :attr:`~fixture_graph.model.ResolvedTest.parts`) and the same directly parametrized names
    share one product of fixture ``params``.
    """
    fixtures = {f.id: f for f in scan.fixtures}
    # Only fixtures request outward along an override chain (a test's requests start chains).
    outer = {(e.source, e.name): e.target for e in resolution.fixture_edges if not e.dynamic}
    # Keyed by ``id(parts)`` (plus the skipped names, when there are any): the parts tuples live
    # as long as ``resolution``, so their ids are stable here.
    products: dict[object, int] = {}  # 2 x the product, + 1 when every count was known
    items = uncounted = 0
    for test, found in _pairs(scan, resolution):
        cases = test.param_cases
        known = cases is not None
        count = cases or 1
        if found is not None and not test.is_unittest:
            shared = id(found.parts)
            if test.generated:
                # A hook whose requirements the closure meets parametrizes it with values the
                # scan does not read.
                closure = frozenset(chain.from_iterable(part.names for part in found.parts))
                if any(g.argnames and closure.issuperset(g.requires) for g in test.generated):
                    known = False
            skipped = (*test.marked_params, *test.direct_params)
            key: object = (shared, skipped) if skipped else shared
            product = products.get(key)
            if product is None:
                winners = {w for part in found.parts for w in part.winners}
                product = products[key] = _closure_params(winners, frozenset(skipped), fixtures, outer)
            count *= product // 2
            known = known and bool(product % 2)
        items += count
        uncounted += not known
    return ItemCount(len(scan.tests), items, uncounted)


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
    winners: Iterable[tuple[str, str]],
    skip: frozenset[str],
    fixtures: dict[str, FixtureDef],
    outer: dict[tuple[str, str], str],
) -> int:
    """Twice the product of the ``params`` counts of a closure's winners outside ``skip``, plus
    one when every one of them was known (one small int: most products are 1)."""
    product, known = 1, True
    for name, winner in winners:
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
    return product * 2 + known


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
