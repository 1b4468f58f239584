"""Findings: what a rule reports, as frozen data every renderer and the gate can read.

A finding points at one place (``file``/``line``, the fixture or test definition) and may carry
``related`` locations: the links of a chain, the outer definition an override hides. ``symbol``
is the fixture definition id or test node id the finding is about, so renderers can attach it to
a graph node and the diff can match findings across revisions without line numbers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.IntEnum):
    """Ordered like log levels, so ``severity >= fail_on`` is the gate."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """The lower-case name used in every output (``error``)."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """``"error"`` -> :attr:`ERROR` (KeyError for an unknown name)."""
        return cls[text.upper()]


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A related place: one link of a chain, or another definition."""

    file: str
    line: int
    label: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One reported problem.

    ``key`` identifies the finding independently of line numbers (code plus symbol plus the
    related symbols), which baselines and diffs need.
    """

    code: str
    severity: Severity
    message: str
    file: str
    line: int
    symbol: str | None = None
    related: tuple[Location, ...] = ()
    fix: str | None = None
    col: int = 1
    key: str = ""

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Findings are shown by file, line, then code: the order of ``ruff`` and compilers."""
        return (self.file, self.line, self.col, self.code, self.message)


@dataclass(frozen=True, slots=True)
class Chain:
    """A dependency path between fixture definitions, heaviest-first in reports."""

    ids: tuple[str, ...]
    weight: float


@dataclass(frozen=True, slots=True)
class TestCost:
    """The summed weight of one test's fixture closure (each definition counted once)."""

    nodeid: str
    weight: float
    fixtures: int


@dataclass(frozen=True, slots=True)
class FanOut:
    """How much one fixture definition multiplies a run (see :mod:`fixture_graph.analyze.fanout`).

    ``tests``/``items``: the test functions whose closure holds it and their items.
    ``params``: its ``param_count`` when it is parametrized (None otherwise, or uncounted);
    ``multiplied``: the items its params make beyond one each for the tests they apply to.
    ``setups``: how many times pytest sets it up in one run at its scope; ``setups_workers``:
    at most that many with ``workers`` pytest-xdist workers (``--dist load``). ``exact`` is
    False when a parametrization the scan could not count touches it (the counts are minimums).
    """

    id: str
    name: str
    scope: str
    autouse: bool
    tests: int
    items: int
    setups: int
    setups_workers: int
    params: int | None = None
    multiplied: int = 0
    exact: bool = True


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the analyzers computed: findings plus the numbers reports show.

    ``fan_in`` maps a fixture definition id to the number of tests whose closure includes it;
    ``fan_out`` holds the reached definitions' items and setups, sorted by id.
    ``suppressed`` counts findings silenced by ``# fixture-graph: ignore[...]`` comments.
    """

    findings: tuple[Finding, ...] = ()
    heavy_chains: tuple[Chain, ...] = ()
    test_costs: tuple[TestCost, ...] = ()
    fan_in: tuple[tuple[str, int], ...] = ()
    fan_out: tuple[FanOut, ...] = ()
    suppressed: int = 0
    rules_run: tuple[str, ...] = ()
    weight_unit: str = "points"
