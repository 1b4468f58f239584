"""Compare resolutions by what they say, not by how closures are split into shared parts."""

from __future__ import annotations

from fixture_graph.model import Resolution


def semantic(resolution: Resolution) -> tuple[object, ...]:
    """``resolution`` with each test as its facts; checks that its parts add up to its closure.

    The set-based path splits a closure into parts per requested name while a replayed walk
    keeps it whole, so two equal resolutions may differ in ``parts`` only.
    """
    tests = []
    for test in resolution.tests:
        assert tuple(sorted({n for p in test.parts for n in p.names})) == test.closure
        assert tuple(sorted({d for p in test.parts for d in p.defs})) == test.closure_defs
        tests.append(
            (
                test.nodeid,
                test.closure,
                test.closure_defs,
                test.requests,
                tuple(sorted(test.from_test)),
                test.dynamic,
                test.winners,
            )
        )
    return (
        tuple(tests),
        resolution.fixture_edges,
        resolution.cycles,
        resolution.unknown,
        resolution.reached,
    )
