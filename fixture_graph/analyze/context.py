"""What every rule reads, computed once per run: the graph, indexes, fan-in and weights.

Rules stay small because the expensive shared work (the networkx graph, which tests reach which
definition, which definitions are visible where) happens here, once, in linear time.
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, overload

from fixture_graph.analyze.findings import Chain, FanOut, TestCost
from fixture_graph.config import AnalyzeConfig
from fixture_graph.graph import build_graph
from fixture_graph.items import TestItems, items_per_test
from fixture_graph.measure import FixtureMeasurement, Measurements
from fixture_graph.model import FixtureDef, FixtureKind, Resolution, ResolvedTest, ScanResult, TestItem
from fixture_graph.resolve import DefinitionIndex
from fixture_graph.scope import Scope

if TYPE_CHECKING:
    import networkx as nx

    from fixture_graph.analyze.fanout import Setups
    from fixture_graph.analyze.scope_advice import Fit

USER_KINDS = frozenset({FixtureKind.CONFTEST, FixtureKind.MODULE, FixtureKind.CLASS})


class NodeIds(Sequence[str]):
    """Node ids picked from a shared tuple by an array of positions (read-only)."""

    __slots__ = ("_nodeids", "_positions")

    def __init__(self, nodeids: tuple[str, ...], positions: array[int]) -> None:
        self._nodeids = nodeids
        self._positions = positions

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self._nodeids[i] for i in self._positions[index]]
        return self._nodeids[self._positions[index]]

    def __iter__(self) -> Iterator[str]:
        nodeids = self._nodeids
        return (nodeids[i] for i in self._positions)


@dataclass
class Context:
    """Read-only inputs of the rules, plus lazily computed shared structures."""

    scan: ScanResult
    resolution: Resolution
    config: AnalyzeConfig
    measurements: Measurements | None = None

    @cached_property
    def measured(self) -> dict[str, FixtureMeasurement]:
        """Measured cost by definition id (empty without a measurement file)."""
        return self.measurements.fixture_map() if self.measurements is not None else {}

    @property
    def uses_measured_cost(self) -> bool:
        """True when weights are measured megabytes (``cost = "measured"`` and a measurement file)."""
        return self.config.cost == "measured" and self.measurements is not None

    @property
    def weight_unit(self) -> str:
        """The unit every weight in this analysis is in."""
        return "MB measured" if self.uses_measured_cost else self.config.weight_unit

    @cached_property
    def graph(self) -> nx.DiGraph[str]:
        """Definition -> definition edges (see :mod:`fixture_graph.graph`); nodes carry no
        attributes: rules read definitions from :attr:`fixtures`."""
        return build_graph(self.scan, self.resolution, attributes=False)

    @cached_property
    def fixtures(self) -> dict[str, FixtureDef]:
        """Definitions by id."""
        return {f.id: f for f in self.scan.fixtures}

    @cached_property
    def by_name(self) -> dict[str, list[FixtureDef]]:
        """Definitions by fixture name."""
        out: dict[str, list[FixtureDef]] = defaultdict(list)
        for fixture in self.scan.fixtures:
            out[fixture.name].append(fixture)
        return out

    @cached_property
    def items(self) -> dict[str, TestItem]:
        """Collected tests by node id."""
        return {t.nodeid: t for t in self.scan.tests}

    @cached_property
    def fan_in(self) -> Counter[str]:
        """Definition id -> number of tests whose closure includes it (from :attr:`tests_of`)."""
        return Counter({fixture_id: len(tests) for fixture_id, tests in self.tests_of.items()})

    @cached_property
    def tests_of(self) -> dict[str, Sequence[str]]:
        """Definition id -> node ids of the tests whose closure includes it (in test order).

        Each value is a :class:`NodeIds` (4 bytes per test: a suite's closures hold millions
        of (definition, test) pairs).
        """
        tests = self.resolution.tests
        nodeids = tuple(t.nodeid for t in tests)
        indexes: dict[str, array[int]] = {}
        closures: dict[int, tuple[str, ...]] = {}  # by id(parts): tests that share a closure share its parts
        for position, test in enumerate(tests):
            defs = closures.get(id(test.parts))
            if defs is None:
                defs = closures[id(test.parts)] = test.closure_defs
            for fixture_id in defs:
                found = indexes.get(fixture_id)
                if found is None:
                    found = indexes[fixture_id] = array("I")
                found.append(position)
        return {fixture_id: NodeIds(nodeids, found) for fixture_id, found in indexes.items()}

    @cached_property
    def test_items(self) -> dict[str, TestItems]:
        """Node id -> the items that test function makes (parametrizations expanded)."""
        return items_per_test(self.scan, self.resolution)

    @cached_property
    def test_units(self) -> Mapping[str, tuple[str | None, str]]:
        """Node id -> (the class node it is in, or None; its module node)."""
        from fixture_graph.analyze.fanout import TestUnits

        return TestUnits(self.items)

    @cached_property
    def suite_directory(self) -> str:
        """The deepest directory holding every collected test module (``""``: the rootdir)."""
        import posixpath

        dirs = {posixpath.dirname(module) for _, module in self.test_units.values()}
        return posixpath.commonpath(sorted(dirs)) if dirs else ""

    @cached_property
    def fit_memo(self) -> dict[str, Fit | None]:
        """Filled by :func:`~.scope_advice.narrowest_fit` (FG005 and FG013 both ask)."""
        return {}

    @cached_property
    def setups_memo(self) -> dict[str, dict[Scope, Setups]]:
        """Filled by :func:`~.fanout.setups_at`: each fixture's setups at every scope."""
        return {}

    @cached_property
    def param_closure(self) -> dict[str, frozenset[str]]:
        """Definition id -> the parametrized definitions in its closure whose params apply."""
        from fixture_graph.analyze.fanout import param_closure

        return param_closure(self)

    @cached_property
    def fan_out(self) -> dict[str, FanOut]:
        """Reached definition id -> its items and setups per run (:mod:`~.fanout`)."""
        from fixture_graph.analyze.fanout import fan_out

        return fan_out(self)

    @cached_property
    def index(self) -> DefinitionIndex:
        """Visible definitions by name from any node."""
        return DefinitionIndex(self.scan)

    @cached_property
    def _fixture_requests(self) -> dict[str, list[tuple[str, bool]]]:
        out: dict[str, list[tuple[str, bool]]] = defaultdict(list)
        for edge in self.resolution.fixture_edges:
            out[edge.source].append((edge.target, edge.dynamic))
        return out

    @cached_property
    def resolved(self) -> dict[str, ResolvedTest]:
        """Resolved tests by node id."""
        return {t.nodeid: t for t in self.resolution.tests}

    def requests_from(self, node: str) -> list[tuple[str, bool]]:
        """[(definition id, dynamic)] that a requester (test node id or fixture id) requests,
        sorted (fixtures' in edge order); empty for an unknown node. A test's list is made on
        each call, from its resolution (a suite has many more tests than rules ask about)."""
        found = self._fixture_requests.get(node)
        if found is not None:
            return found
        test = self.resolved.get(node)
        if test is None:
            return []
        pairs = {(target, False) for target, _ in test.from_test}
        pairs.update((target, True) for target, _ in test.dynamic)
        return sorted(pairs)

    def is_user(self, fixture: FixtureDef) -> bool:
        """Written in the suite (conftest, test module or class), not a builtin or plugin."""
        return fixture.kind in USER_KINDS

    @cached_property
    def weights(self) -> dict[str, float]:
        """Every definition's weight, computed once (per-test costs look them up many times)."""
        if self.uses_measured_cost:
            measured = self.measured
            return {
                f.id: round(measured[f.id].megabytes, 1) if f.id in measured else 0.0
                for f in self.scan.fixtures
            }
        return {f.id: self.config.weight(f.impact) for f in self.scan.fixtures}

    def weight(self, fixture_id: str) -> float:
        """The impact weight of a definition: declared, or measured MB with ``cost = "measured"``."""
        return self.weights.get(
            fixture_id, self.config.untagged_weight if not self.uses_measured_cost else 0.0
        )

    def visible(self, fixture: FixtureDef) -> tuple[FixtureDef, ...]:
        """Definitions of ``fixture.name`` visible where ``fixture`` is defined, farthest first."""
        return tuple(self.index.getter(self.index.ancestors(fixture.holder))(fixture.name) or ())

    @cached_property
    def _below(self) -> dict[str, dict[str, list[str]]]:
        """name -> holder -> ids of the definitions of ``name`` in nodes strictly below
        ``holder``, filled per name on first use (see :meth:`overriders`)."""
        return {}

    def overriders(self, fixture: FixtureDef) -> list[str]:
        """Ids of the definitions of ``fixture.name`` below its holder (they override it there).

        The first question about a name walks up once from each of its definitions (depth per
        definition), so asking for every overrider stays linear even with 50,000 definitions
        of one name; names never asked about cost nothing.
        """
        below = self._below.get(fixture.name)
        if below is None:
            below = self._below[fixture.name] = defaultdict(list)
            for other in self.by_name.get(fixture.name, ()):
                for holder in self.index.ancestors(other.holder)[:-1]:
                    below[holder].append(other.id)
        return below.get(fixture.holder, [])

    def where(self, node: str) -> tuple[str, int]:
        """file and line of a fixture id or test node id."""
        fixture = self.fixtures.get(node)
        if fixture is not None:
            return fixture.file, fixture.line
        item = self.items.get(node)
        if item is not None:
            return item.file, item.line
        return node.split("::", 1)[0], 0

    def label(self, node: str) -> str:
        """A short display name: the fixture name, or the test's node id."""
        fixture = self.fixtures.get(node)
        return fixture.name if fixture is not None else node

    @cached_property
    def heavy_chains(self) -> tuple[Chain, ...]:
        """The ``top`` heaviest dependency chains, none a part of another, heaviest first.

        Cycles are cut first (inside a strongly connected component only edges to a larger id
        are kept), so the longest-path recurrence runs once over a DAG in topological order:
        linear in nodes and edges, never an enumeration of paths.
        """
        import networkx as nx

        graph = self.graph
        component: dict[str, int] = {}
        for number, members in enumerate(nx.strongly_connected_components(graph)):
            for member in members:
                component[member] = number
        dag: nx.DiGraph[str] = nx.DiGraph()
        dag.add_nodes_from(graph.nodes)
        dag.add_edges_from(
            (u, v) for u, v in graph.edges if u != v and (component[u] != component[v] or u < v)
        )
        best: dict[str, float] = {}
        successor: dict[str, str | None] = {}
        for node in reversed(list(nx.topological_sort(dag))):
            options = [(best[s], s) for s in dag.successors(node) if best[s] > 0]
            pick = min(options, key=lambda o: (-o[0], o[1]), default=None)
            best[node] = self.weight(node) + (pick[0] if pick else 0.0)
            successor[node] = pick[1] if pick else None
        chains: list[Chain] = []
        covered: set[str] = set()
        for node in sorted((n for n in best if best[n] > 0), key=lambda n: (-best[n], n)):
            if len(chains) >= self.config.top:
                break
            if node in covered:
                continue
            ids = [node]
            while (following := successor[ids[-1]]) is not None:
                ids.append(following)
            covered.update(ids)
            chains.append(Chain(tuple(ids), best[node]))
        return tuple(chains)

    @cached_property
    def test_costs(self) -> tuple[TestCost, ...]:
        """Every test's closure weight (each definition once), heaviest first."""
        weights = self.weights
        default = self.config.untagged_weight if not self.uses_measured_cost else 0.0
        # Tests that share a closure share its parts (see resolve's memo): sum each one once.
        totals: dict[int, tuple[float, int]] = {}
        costs = []
        for test in self.resolution.tests:
            total = totals.get(id(test.parts))
            if total is None:
                defs = test.closure_defs
                total = totals[id(test.parts)] = (sum([weights.get(d, default) for d in defs]), len(defs))
            costs.append(TestCost(test.nodeid, *total))
        costs.sort(key=lambda c: (-c.weight, c.nodeid))
        return tuple(costs)
