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

from dataclasses import dataclass

from fixture_graph.model import FixtureDef, Resolution, ScanResult


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


def count_items(scan: ScanResult, resolution: Resolution) -> ItemCount:
    """Count the items pytest would collect from ``scan``'s tests, resolved by ``resolution``."""
    fixtures = {f.id: f for f in scan.fixtures}
    outer = {(e.source, e.name): e.target for e in resolution.edges if not e.dynamic}
    resolved = {t.nodeid: t for t in resolution.tests}
    items = uncounted = 0
    for test in scan.tests:
        cases = test.param_cases
        known = cases is not None
        count = cases or 1
        found = resolved.get(test.nodeid)
        if found is not None and not test.is_unittest:
            closure = set(found.closure)
            if any(g.argnames and all(r in closure for r in g.requires) for g in test.generated):
                known = False
            skip = set(test.marked_params) | set(test.direct_params)
            for name, winner in found.winners:
                if name in skip:
                    continue
                params = _fixture_params(name, winner, fixtures, outer)
                if params is None:
                    known = False
                else:
                    count *= max(params, 1)
        items += count
        uncounted += not known
    return ItemCount(len(scan.tests), items, uncounted)


def _fixture_params(
    name: str, winner: str, fixtures: dict[str, FixtureDef], outer: dict[tuple[str, str], str]
) -> int | None:
    """How many cases the definitions of ``name`` give a test (1: not parametrized; None: unknown)."""
    current: str | None = winner
    seen: set[str] = set()
    while current is not None and current not in seen:
        seen.add(current)
        fixture = fixtures.get(current)
        if fixture is None:
            return 1
        if fixture.params is not None:
            return fixture.param_count
        if name not in fixture.argnames:
            return 1
        current = outer.get((current, name))
    return 1
