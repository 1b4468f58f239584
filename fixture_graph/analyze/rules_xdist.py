"""pytest-xdist grouping (FG019): heavy session, package and module fixtures set up on several
workers, and the ``xdist_group`` marks or ``--dist`` mode that keep their tests on one.

pytest-xdist's ``--dist loadgroup`` appends ``@<name>`` to the node id of each test carrying an
``xdist_group`` mark (several marks join into one name, ``a_b``) and schedules all the tests of
one name as one unit on one worker; unmarked tests are scheduled one by one, as with ``--dist
load`` (``xdist/scheduler/loadgroup.py``, ``xdist/remote.py``). ``--dist loadfile`` keeps each
module on one worker. Setups come from :mod:`~.fanout`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

from fixture_graph.analyze.common import loc
from fixture_graph.analyze.context import Context
from fixture_graph.analyze.findings import Finding, Location, Severity
from fixture_graph.analyze.registry import rule
from fixture_graph.analyze.scope_advice import is_costly
from fixture_graph.model import FixtureDef
from fixture_graph.scope import Scope
from fixture_graph.words import counted

_HEAVY = "HIGH"  # xdist grouping is worth it for fixtures costing at least this much
_LOADFILE = "--dist loadfile keeps each module on one worker"


@rule(
    "FG019",
    "xdist-grouping",
    Severity.INFO,
    "With --workers N: heavy module- or session-scoped fixtures set up on several pytest-xdist "
    "workers, and the xdist_group marks or --dist mode that keep their tests on one.",
)
def xdist_grouping(ctx: Context) -> Iterator[Finding]:
    """Groups of heavy session/package fixtures sharing tests (one ``xdist_group`` each, when
    the group fits one worker's share of the items), and heavy module fixtures (``loadfile``)."""
    workers = ctx.config.workers
    if workers < 2:
        return
    heavy = [
        f
        for f in sorted(ctx.scan.fixtures, key=lambda f: f.id)
        if ctx.is_user(f)
        and not f.scope_is_dynamic
        and f.scope >= Scope.MODULE
        and f.id in ctx.fan_out
        and ctx.fan_out[f.id].setups_workers > ctx.fan_out[f.id].setups
        and is_costly(ctx, f, _HEAVY)
    ]
    yield from _group_findings(ctx, [f for f in heavy if f.scope >= Scope.PACKAGE], workers)
    for fixture in (f for f in heavy if f.scope is Scope.MODULE):
        if all(ctx.items[t].xdist_group for t in ctx.tests_of[fixture.id]):
            continue
        fan = ctx.fan_out[fixture.id]
        modules = sorted({ctx.test_units[t][1] for t in ctx.tests_of[fixture.id]})
        yield Finding(
            code="FG019",
            severity=Severity.INFO,
            message=(
                f"with {workers} xdist workers, module fixture '{fixture.name}' "
                f"({fixture.impact or 'measured'}) is set up up to {counted(fan.setups_workers, 'time')} "
                f"under --dist load, as its modules' tests spread over workers; {_LOADFILE}: "
                f"{counted(fan.setups, 'setup')} ({fan.setups_workers - fan.setups} saved)"
            ),
            file=fixture.file,
            line=fixture.line,
            symbol=fixture.id,
            related=tuple(Location(m, 1, f"module using '{fixture.name}'") for m in modules),
            fix=(
                "run pytest -n N --dist loadfile (or, with --dist loadgroup, give each of these "
                "modules its own xdist_group mark)"
            ),
            key=f"FG019:{fixture.id}",
        )


def _group_findings(ctx: Context, fixtures: list[FixtureDef], workers: int) -> Iterator[Finding]:
    """One ``xdist_group`` per heavy session/package fixture, heaviest first.

    Tests that already carry an ``xdist_group`` mark are left where they are.

    Each test joins the group of the heaviest fixture it reaches (a test with two group marks
    would form a third group, ``a_b``, on its own worker); a fixture whose tests all joined
    heavier groups gets no group of its own, and neither does one whose group would save no
    setup. A group bigger than half of one worker's share of the items (items / (2 x workers))
    is not proposed: it would hold back the run's balance.
    """
    total = sum(i.count for i in ctx.test_items.values())
    group_of: dict[str, str] = {}
    planned: list[tuple[FixtureDef, list[str]]] = []
    for fixture in sorted(fixtures, key=lambda f: (-ctx.weight(f.id), f.id)):
        free = [t for t in ctx.tests_of[fixture.id] if t not in group_of and not ctx.items[t].xdist_group]
        if not free or sum(ctx.test_items[t].count for t in free) * 2 * workers > total:
            continue
        group_of.update((t, fixture.name) for t in free)
        if _after(ctx, fixture, group_of, workers) >= ctx.fan_out[fixture.id].setups_workers:
            for nodeid in free:  # saves nothing: its tests stay free for lighter fixtures
                del group_of[nodeid]
            continue
        planned.append((fixture, free))
    for fixture, members in sorted(planned, key=lambda p: p[0].id):
        yield _group_finding(ctx, fixture, members, group_of, workers)


def _after(ctx: Context, fixture: FixtureDef, group_of: dict[str, str], workers: int) -> int:
    """Setups of ``fixture`` under the plan, at most: each of its groups is one unit of work on
    one worker, each of its ungrouped items may go to any worker, and each worker that gets
    some sets it up once per case."""
    cases = max(1, ctx.fan_out[fixture.id].setups)
    tests = ctx.tests_of[fixture.id]
    groups = {group_of[t] for t in tests if t in group_of}
    loose = sum(ctx.test_items[t].count for t in tests if t not in group_of)
    return min(workers, len(groups) + loose) * cases


def _group_finding(
    ctx: Context, lead: FixtureDef, members: list[str], group_of: dict[str, str], workers: int
) -> Finding:
    name = lead.name
    items = sum(ctx.test_items[t].count for t in members)
    modules = {ctx.test_units[t][1] for t in members}
    inside = set(members)
    now = ctx.fan_out[lead.id].setups_workers
    after = _after(ctx, lead, group_of, workers)
    others = [
        f"'{f.name}' from {ctx.fan_out[f.id].setups_workers} setups to {_after(ctx, f, group_of, workers)}"
        for f in sorted(ctx.scan.fixtures, key=lambda f: f.id)
        if f is not lead
        and f.id in ctx.fan_out
        and ctx.is_user(f)
        and f.scope >= Scope.PACKAGE
        and is_costly(ctx, f, _HEAVY)
        and inside.issuperset(ctx.tests_of[f.id])
        and ctx.fan_out[f.id].setups_workers > _after(ctx, f, group_of, workers)
    ]
    taken = " that no heavier group holds" if len(members) < len(ctx.tests_of[lead.id]) else ""
    also = f"; the group also brings {', '.join(others)}" if others else ""
    return Finding(
        code="FG019",
        severity=Severity.INFO,
        message=(
            f"with {workers} xdist workers, {lead.scope.value} fixture '{name}' "
            f"({lead.impact or 'measured'}) is set up up to {counted(now, 'time')}; mark the "
            f"{counted(len(members), 'test')} reaching it{taken} "
            f"({counted(items, 'item')} in {counted(len(modules), 'module')}) "
            f'@pytest.mark.xdist_group("{name}") and run --dist loadgroup: '
            f"{counted(after, 'setup')} ({now - after} saved){also}"
        ),
        file=lead.file,
        line=lead.line,
        symbol=lead.id,
        related=_marks(ctx, members),
        fix=(
            f'add pytestmark = pytest.mark.xdist_group("{name}") to each module listed (or the mark '
            "to each test listed), and run pytest -n N --dist loadgroup"
        ),
        key=f"FG019:{lead.id}",
    )


def _marks(ctx: Context, tests: list[str]) -> tuple[Location, ...]:
    """Where to put the mark: a module whose every test is in the group, else each test."""
    by_module: dict[str, list[str]] = defaultdict(list)
    for nodeid in tests:
        by_module[ctx.test_units[nodeid][1]].append(nodeid)
    everyone = Counter(module for _, module in ctx.test_units.values())
    out: list[Location] = []
    for module, members in sorted(by_module.items()):
        if len(members) == everyone[module]:
            out.append(Location(module, 1, f"module: all {counted(len(members), 'test')}"))
        else:
            out.extend(loc(ctx, t, f"test {t}") for t in members)
    return tuple(out)
