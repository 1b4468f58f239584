"""The complete result of one run: the scan, its resolution, and derived counts.

Renderers take a :class:`Report` and nothing else, so every format shows the same facts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from fixture_graph.analyze.findings import Analysis
from fixture_graph.config import AnalyzeConfig
from fixture_graph.measure import Measurements
from fixture_graph.model import FixtureDef, FixtureKind, Resolution, ScanResult
from fixture_graph.resolve import resolve
from fixture_graph.scope import Scope

USER_KINDS = (FixtureKind.CONFTEST, FixtureKind.MODULE, FixtureKind.CLASS)


@dataclass(frozen=True, slots=True)
class Report:
    """A scan plus its resolution (and, with ``--measurements``, measured fixture cost)."""

    scan: ScanResult
    resolution: Resolution
    analysis: Analysis = field(default_factory=Analysis)
    config: AnalyzeConfig = field(default_factory=AnalyzeConfig)
    measurements: Measurements | None = None

    @property
    def user_fixtures(self) -> tuple[FixtureDef, ...]:
        """Definitions written in the suite (not builtins, plugins or xunit shims)."""
        return tuple(f for f in self.scan.fixtures if f.kind in USER_KINDS)

    def scope_counts(self) -> dict[str, int]:
        """User fixtures per scope, widest first; dynamic scopes counted apart."""
        counts: Counter[str] = Counter(f.scope_label for f in self.user_fixtures)
        order = [s.value for s in sorted(Scope, reverse=True)] + ["dynamic"]
        return {k: counts[k] for k in order if counts[k]}

    def impact_counts(self, levels: tuple[str, ...]) -> dict[str, int]:
        """User fixtures per impact level, heaviest first, then untagged."""
        counts: Counter[str] = Counter(f.impact or "untagged" for f in self.user_fixtures)
        order = [*reversed(levels), "untagged"]
        return {k: counts[k] for k in order if counts[k]}

    @property
    def has_fatal_issues(self) -> bool:
        """True when some input could not be read."""
        return any(i.fatal for i in self.scan.issues)


def build_report(scan: ScanResult, config: AnalyzeConfig | None = None, *, analyze: bool = True) -> Report:
    """Resolve ``scan``, run the analyzers (unless ``analyze`` is False) and wrap it all up."""
    config = config or AnalyzeConfig()
    resolution = resolve(scan)
    if not analyze:
        return Report(scan, resolution, config=config)
    from fixture_graph.analyze import run_analysis

    return Report(scan, resolution, run_analysis(scan, resolution, config), config)
