"""FG011: a declared impact tag that measured cost contradicts.

The tags are promises ("this fixture is MINIMAL"); the measurement plugin records what each
definition really cost. A fixture costing more than its level allows is under-tagged (a
warning: the heavy-chain and autouse rules then underestimate it); one costing less than the
level two below allows is over-tagged (info). Untagged fixtures that measure above LOW get a
suggested tag too.
"""

from __future__ import annotations

from collections.abc import Iterator

from fixture_graph.analyze.context import Context
from fixture_graph.analyze.findings import Finding, Severity
from fixture_graph.analyze.registry import rule
from fixture_graph.measure import FixtureMeasurement


def _levels(ctx: Context) -> list[tuple[str, float, float]]:
    """(level, memory ceiling MB, seconds ceiling), lightest first."""
    memory = dict(ctx.config.drift_memory_mb)
    seconds = dict(ctx.config.drift_seconds)
    ordered = list(ctx.config.levels)
    inf = float("inf")
    return [(level, memory.get(level, inf), seconds.get(level, inf)) for level in ordered]


def _fitting(levels: list[tuple[str, float, float]], mb: float, seconds: float) -> str:
    """The lightest level whose ceilings cover the measured cost."""
    return next((lv for lv, m, s in levels if mb <= m and seconds <= s), levels[-1][0])


def _cost_text(mb: float, measurement: FixtureMeasurement) -> str:
    slowest = measurement.setup_max_s * 1000
    return f"{mb:.1f} MB peak, slowest setup {slowest:.0f} ms over {measurement.setups} setups"


@rule(
    "FG011",
    "impact-drift",
    Severity.WARNING,
    "A fixture's measured memory or time contradicts its impact tag (needs --measurements).",
)
def impact_drift(ctx: Context) -> Iterator[Finding]:
    """Compare each measured definition with the ceilings of its tag."""
    if not ctx.measured:
        return
    levels = _levels(ctx)
    names = [lv for lv, _, _ in levels]
    ceilings = {lv: (m, s) for lv, m, s in levels}
    for fixture_id, measurement in sorted(ctx.measured.items()):
        fixture = ctx.fixtures.get(fixture_id)
        if fixture is None or not ctx.is_user(fixture) or measurement.setups == 0:
            continue
        mb = measurement.megabytes
        seconds = measurement.setup_max_s
        fits = _fitting(levels, mb, seconds)
        cost = _cost_text(mb, measurement)
        tag = fixture.impact
        if tag is None or tag not in ceilings:
            if names.index(fits) >= 2:
                yield Finding(
                    code="FG011",
                    severity=Severity.INFO,
                    message=f"untagged fixture '{fixture.name}' measured {cost}: tag it {fits}",
                    file=fixture.file,
                    line=fixture.line,
                    symbol=fixture.id,
                    fix=f'add @memory_profile(..., "{fits}")',
                    key=f"FG011:{fixture.id}:untagged",
                )
            continue
        max_mb, max_s = ceilings[tag]
        if mb > max_mb or seconds > max_s:
            over = f"{mb:.1f} MB > {max_mb:g} MB" if mb > max_mb else f"{seconds:.2f} s > {max_s:g} s"
            yield Finding(
                code="FG011",
                severity=Severity.WARNING,
                message=(
                    f"'{fixture.name}' is tagged {tag} but measured {cost} ({over}): it behaves like {fits}"
                ),
                file=fixture.file,
                line=fixture.line,
                symbol=fixture.id,
                fix=f"retag it {fits}, or make it cheaper",
                key=f"FG011:{fixture.id}:under",
            )
        elif names.index(tag) - names.index(fits) >= 2:
            yield Finding(
                code="FG011",
                severity=Severity.INFO,
                message=f"'{fixture.name}' is tagged {tag} but measured only {cost}: it behaves like {fits}",
                file=fixture.file,
                line=fixture.line,
                symbol=fixture.id,
                fix=f"retag it {fits}",
                key=f"FG011:{fixture.id}:over",
            )
