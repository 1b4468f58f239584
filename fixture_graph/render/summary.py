"""The headline numbers and per-fixture facts that the HTML report and the Markdown share.

Counts of findings come from the analyzers (``report.analysis``) when they ran; a circular
dependency is also known to the resolver, so the cycle count never depends on them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from fixture_graph.analyze.fanout import top_multipliers
from fixture_graph.analyze.findings import Chain, FanOut, Finding, Severity
from fixture_graph.model import FixtureDef
from fixture_graph.report import Report
from fixture_graph.scope import Scope
from fixture_graph.words import counted

CYCLE_CODE = "FG001"
SCOPE_MISMATCH_CODE = "FG002"
IMPACT_TAG_EXAMPLE = '@memory_profile("what it holds", "HIGH")'
NO_IMPACT_NOTE = (
    "no impact tags found, so there are no heavy chains or test weights to show: tag costly "
    f"fixtures with {IMPACT_TAG_EXAMPLE} (MINIMAL, LOW, MEDIUM, HIGH, VERY_HIGH), or pass --measurements"
)


@dataclass(frozen=True, slots=True)
class Summary:
    """What the summary cards and the Markdown table show."""

    fixtures: int
    definitions: int
    tests: int
    cycles: int
    scope_mismatches: int
    unknown: int
    session_fixtures: int
    session_budget: int
    conditional: int
    errors: int
    warnings: int
    infos: int
    heaviest_chain: Chain | None
    weight_unit: str
    # pytest's items (parametrizations expanded where static; a minimum when not ``items_exact``)
    items: int = 0
    items_exact: bool = True


def summarize(report: Report) -> Summary:
    """Count what a reader wants first."""
    codes = Counter(f.code for f in report.analysis.findings)
    severities = Counter(f.severity for f in report.analysis.findings)
    chains = sorted(report.analysis.heavy_chains, key=lambda c: (-c.weight, c.ids))
    user = report.user_fixtures
    items = report.items
    return Summary(
        fixtures=len(user),
        definitions=len(report.scan.fixtures),
        tests=len(report.scan.tests),
        cycles=max(codes[CYCLE_CODE], len(report.resolution.cycles)),
        scope_mismatches=codes[SCOPE_MISMATCH_CODE],
        unknown=len({u.name for u in report.resolution.unknown}),
        session_fixtures=sum(1 for f in user if f.scope is Scope.SESSION and not f.scope_is_dynamic),
        session_budget=report.config.max_session_fixtures,
        conditional=sum(1 for f in user if f.conditional),
        errors=severities[Severity.ERROR],
        warnings=severities[Severity.WARNING],
        infos=severities[Severity.INFO],
        heaviest_chain=chains[0] if chains else None,
        weight_unit=report.analysis.weight_unit,
        items=items.items,
        items_exact=items.exact,
    )


def impact_note(report: Report) -> str | None:
    """:data:`NO_IMPACT_NOTE` when nothing in the suite carries a weight, else None.

    That is: no definition has an impact tag, no measurements were given and untagged
    fixtures weigh nothing (``untagged-weight`` 0, the default). Every weight is then 0, so the
    outputs show this one line instead of heavy-chain and heaviest-test tables full of zeros.
    """
    if report.measurements is not None or report.config.untagged_weight > 0:
        return None
    if any(f.impact for f in report.scan.fixtures):
        return None
    return NO_IMPACT_NOTE


def ordered_findings(findings: tuple[Finding, ...]) -> list[Finding]:
    """Worst first, then by place: what to read (or keep, when truncating) first."""
    return sorted(findings, key=lambda f: (-int(f.severity), f.sort_key))


def override_chain(fixture: FixtureDef, same_name: Iterable[FixtureDef]) -> list[str]:
    """Definitions of ``fixture``'s name on its line of visibility, farthest first.

    ``same_name`` holds every definition of that name. The farther ones are what ``fixture``
    overrides; the closer ones override it in their part of the tree. A chain of one means
    nothing is overridden.
    """
    line = [f for f in same_name if _within(fixture.holder, f.holder) or _within(f.holder, fixture.holder)]
    return [f.id for f in sorted(line, key=lambda f: (_depth(f.holder), f.order, f.id))]


def _within(outer: str, inner: str) -> bool:
    """True when node ``inner`` is ``outer`` or below it (``""`` is the Session)."""
    return outer == "" or inner == outer or inner.startswith((outer + "/", outer + "::"))


def _depth(holder: str) -> int:
    return 0 if holder == "" else 1 + holder.count("/") + holder.count("::")


@dataclass(frozen=True, slots=True)
class MeasuredRow:
    """One measured definition, for the "measured cost" tables beside the declared impact."""

    id: str
    name: str
    impact: str | None
    megabytes: float
    setup_max_s: float
    setups: int

    @property
    def text(self) -> str:
        """``52.3 MB, slowest setup 120 ms, 3 setups``."""
        return (
            f"{self.megabytes:.1f} MB, slowest setup {self.setup_max_s * 1000:.0f} ms, {self.setups} setups"
        )


def measured_rows(report: Report) -> list[MeasuredRow]:
    """Measured user definitions, heaviest first (empty without ``--measurements``)."""
    if report.measurements is None:
        return []
    fixtures = {f.id: f for f in report.user_fixtures}
    rows = [
        MeasuredRow(
            m.id,
            fixtures[m.id].name,
            fixtures[m.id].impact,
            m.megabytes,
            m.setup_max_s,
            m.setups,
        )
        for m in report.measurements.fixtures
        if m.id in fixtures
    ]
    return sorted(rows, key=lambda r: (-r.megabytes, -r.setup_max_s, r.id))


def multipliers(report: Report) -> list[FanOut]:
    """The ``top`` user fixtures that multiply the run most: parametrized ones by the items
    their params add, then autouse ones by their setups (empty when none)."""
    user = {f.id for f in report.user_fixtures}
    return top_multipliers(report.analysis.fan_out, user, report.config.top)


def fan_out_text(fan: FanOut, workers: int) -> str:
    """``18 items from 9 tests (+9 from 2 params), 18 setups at function scope``."""
    at_least = "" if fan.exact else "at least "
    items = f"{at_least}{counted(fan.items, 'item')} from {counted(fan.tests, 'test')}"
    if fan.multiplied:
        items += f" (+{fan.multiplied} from its params)"
    setups = f"{counted(fan.setups, 'setup')} at {fan.scope} scope"
    if workers > 1 and fan.setups_workers != fan.setups:
        setups += f" (up to {fan.setups_workers} with {workers} xdist workers)"
    return f"{items}, {setups}"


def fan_out_tags(fan: FanOut) -> str:
    """``[autouse, 2 params]``, or "" when neither."""
    tags = (["autouse"] if fan.autouse else []) + ([counted(fan.params, "param")] if fan.params else [])
    return f" [{', '.join(tags)}]" if tags else ""
