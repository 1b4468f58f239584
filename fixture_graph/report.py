"""The complete result of one run: the scan, its resolution, and derived counts.

Renderers take a :class:`Report` and nothing else, so every format shows the same facts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from fixture_graph.analyze.findings import Analysis
from fixture_graph.config import AnalyzeConfig, GateConfig
from fixture_graph.items import ItemCount, count_items
from fixture_graph.measure import Measurements
from fixture_graph.model import FixtureDef, FixtureKind, Resolution, ScanResult
from fixture_graph.resolve import resolve
from fixture_graph.scope import Scope

USER_KINDS = (FixtureKind.CONFTEST, FixtureKind.MODULE, FixtureKind.CLASS)


@dataclass(frozen=True)
class Report:
    """A scan plus its resolution (and, with ``--measurements``, measured fixture cost).

    Derived figures that several renderers print (:attr:`items`) are computed once per report.
    """

    scan: ScanResult
    resolution: Resolution
    analysis: Analysis = field(default_factory=Analysis)
    config: AnalyzeConfig = field(default_factory=AnalyzeConfig)
    measurements: Measurements | None = None

    @cached_property
    def items(self) -> ItemCount:
        """The items pytest would collect (see :func:`~fixture_graph.items.count_items`)."""
        return count_items(self.scan, self.resolution)

    @property
    def user_fixtures(self) -> tuple[FixtureDef, ...]:
        """Definitions written in the suite (not builtins, plugins or xunit shims)."""
        return tuple(f for f in self.scan.fixtures if f.kind in USER_KINDS)

    def scope_counts(self) -> dict[str, int]:
        """User fixtures per scope, widest first; dynamic scopes counted apart."""
        counts: Counter[str] = Counter(f.scope_label for f in self.user_fixtures)
        order = [s.value for s in sorted(Scope, reverse=True)] + ["dynamic"]
        return {k: counts[k] for k in order if counts[k]}

    def impact_counts(self) -> dict[str, int]:
        """User fixtures per impact level, heaviest first, then untagged."""
        counts: Counter[str] = Counter(f.impact or "untagged" for f in self.user_fixtures)
        levels = list(reversed(self.config.levels))
        order = [*levels, *sorted(set(counts) - {*levels, "untagged"}), "untagged"]
        return {k: counts[k] for k in order if counts[k]}

    def test_guards(self) -> dict[str, tuple[str, ...]]:
        """Node id -> the undecided conditions each conditional test depends on: its own guards,
        then those of each conditional definition in its closure (``"db: USE_REAL == 'true'"``).

        A test whose closure holds a conditional fixture is itself conditional.
        """
        conditional = {f.id: f for f in self.scan.fixtures if f.conditional}
        out = {t.nodeid: t.guards for t in self.scan.tests if t.guards}
        if not conditional:
            return out
        shared: dict[int, list[str]] = {}  # by id(parts): tests that share a closure share its parts
        for resolved in self.resolution.tests:
            via = shared.get(id(resolved.parts))
            if via is None:
                via = shared[id(resolved.parts)] = [
                    f"{conditional[d].name}: {g}"
                    for d in resolved.closure_defs
                    if d in conditional
                    for g in conditional[d].guards
                ]
            if via:
                out[resolved.nodeid] = tuple(dict.fromkeys((*out.get(resolved.nodeid, ()), *via)))
        return out

    @property
    def has_fatal_issues(self) -> bool:
        """True when some input could not be read."""
        return any(i.fatal for i in self.scan.issues)


def build_report(
    scan: ScanResult,
    config: AnalyzeConfig | None = None,
    gate: GateConfig | None = None,
    *,
    analyze: bool = True,
    measurements: Measurements | None = None,
) -> Report:
    """Resolve ``scan``, run the selected analyzers (unless ``analyze`` is False), wrap it all up.

    ``measurements`` (from the pytest plugin) feed FG011 and ``cost = "measured"``.
    """
    config = config or AnalyzeConfig()
    resolution = resolve(scan)
    if not analyze:
        return Report(scan, resolution, config=config, measurements=measurements)
    from fixture_graph.analyze import run_analysis

    analysis = run_analysis(scan, resolution, config, gate, measurements)
    return Report(scan, resolution, analysis, config, measurements)
