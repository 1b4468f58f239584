"""Rules on scopes and setups: the scope advisor (FG013), autouse fixtures with params (FG016)
and pytest-xdist grouping (FG019). The numbers come from :mod:`~.fanout`, the scope reasoning
from :mod:`~.scope_advice`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator

from fixture_graph.analyze.common import loc
from fixture_graph.analyze.context import Context
from fixture_graph.analyze.fanout import module_of
from fixture_graph.analyze.findings import Finding, Location, Severity
from fixture_graph.analyze.registry import rule
from fixture_graph.analyze.scope_advice import (
    WIDER_BUILTINS,
    best_wider,
    blocker_path,
    is_costly,
    narrowest_fit,
    widest_allowed,
)
from fixture_graph.model import FixtureDef, FixtureKind
from fixture_graph.scope import Scope
from fixture_graph.words import counted

_ADVISED = "MEDIUM"  # the scope advisor speaks about fixtures costing at least this much
_HEAVY = "HIGH"  # xdist grouping is worth it for fixtures costing at least this much
_LOADFILE = "--dist loadfile keeps each module on one worker"


def _facts(fixture: FixtureDef) -> str:
    return f"{fixture.scope.value}, {fixture.impact}" if fixture.impact else fixture.scope.value


def over_budget(ctx: Context) -> set[str]:
    """The session fixtures FG005 counts, when there are more than ``max-session-fixtures``."""
    session = {
        f.id
        for f in ctx.scan.fixtures
        if ctx.is_user(f)
        and not f.scope_is_dynamic
        and f.scope is Scope.SESSION
        and not {"FG005", "*"}.intersection(f.suppress)
    }
    return session if len(session) > ctx.config.max_session_fixtures else set()


@rule(
    "FG013",
    "scope-advice",
    Severity.INFO,
    "A costly fixture whose scope could be wider (fewer setups) or narrower (one setup, shorter "
    "life), or whose widening a narrower dependency blocks.",
)
def scope_advice(ctx: Context) -> Iterator[Finding]:
    """Widening advice for costly fixtures set up more than once per wider scope instance, and
    narrowing advice for costly (or over-budget) session and package fixtures."""
    budget = over_budget(ctx)
    for fixture in sorted(ctx.scan.fixtures, key=lambda f: f.id):
        if not ctx.is_user(fixture) or fixture.scope_is_dynamic or fixture.id not in ctx.fan_out:
            continue
        costly = is_costly(ctx, fixture, _ADVISED)
        if costly and fixture.scope < Scope.SESSION:
            finding = _widen(ctx, fixture)
            if finding is not None:
                yield finding
        if fixture.scope >= Scope.PACKAGE and (costly or fixture.id in budget):
            finding = _narrow(ctx, fixture, fixture.id in budget)
            if finding is not None:
                yield finding


def _widen(ctx: Context, fixture: FixtureDef) -> Finding | None:
    """Widening advice, or what blocks it; None when a wider scope saves nothing or the scan
    cannot tell (``getfixturevalue``, indirect parametrization)."""
    if fixture.dynamic_deps or any(
        fixture.name in ctx.items[t].marked_params for t in ctx.tests_of.get(fixture.id, ())
    ):
        return None
    fan = ctx.fan_out[fixture.id]
    allowed = widest_allowed(ctx, fixture.id)
    wanted = best_wider(ctx, fixture, Scope.SESSION)
    if wanted is None:
        return None
    if allowed > fixture.scope:
        reachable = best_wider(ctx, fixture, allowed)
        if reachable is not None:
            scope, setups = reachable
            return Finding(
                code="FG013",
                severity=Severity.INFO,
                message=(
                    f"'{fixture.name}' ({_facts(fixture)}) is set up {counted(fan.setups, 'time')} for "
                    f"{counted(fan.items, 'item')}; {scope.value} scope would set it up "
                    f"{counted(setups.count, 'time')} ({fan.setups - setups.count} fewer), and its "
                    f"dependencies allow up to {allowed.value}"
                ),
                file=fixture.file,
                line=fixture.line,
                symbol=fixture.id,
                fix=(
                    f'declare scope="{scope.value}" if the tests of one {scope.value} can share its '
                    "value (none of them changes it)"
                ),
                key=f"FG013:{fixture.id}:widen",
            )
    scope, setups = wanted
    path = blocker_path(ctx, fixture.id, scope)
    if not path:
        return None
    cause = ctx.fixtures[path[-1]]
    through = path[:-1]
    via = f" through {' -> '.join(repr(ctx.label(i)) for i in through)}" if through else ""
    origin = {FixtureKind.BUILTIN: ", builtin", FixtureKind.PLUGIN: ", plugin"}.get(cause.kind, "")
    return Finding(
        code="FG013",
        severity=Severity.INFO,
        message=(
            f"widening '{fixture.name}' ({_facts(fixture)}) to {scope.value} would set it up "
            f"{counted(setups.count, 'time')} instead of {fan.setups}, but it is blocked by '{cause.name}' "
            f"({cause.scope.value}{origin}{_at(cause)}){via}"
        ),
        file=fixture.file,
        line=fixture.line,
        symbol=fixture.id,
        related=tuple(
            loc(ctx, i, f"{ctx.label(i)} ({ctx.fixtures[i].scope.value})") for i in (fixture.id, *path)
        ),
        fix=_unblock(ctx, fixture, path, scope),
        key=f"FG013:{fixture.id}:blocked",
    )


def _at(fixture: FixtureDef) -> str:
    return f", {fixture.file}:{fixture.line}" if fixture.line else ""


def _unblock(ctx: Context, fixture: FixtureDef, path: list[str], scope: Scope) -> str:
    """How to lift the block: a session-scoped builtin, or widening the fixtures on the way."""
    cause = ctx.fixtures[path[-1]]
    requester = ctx.label(path[-2]) if len(path) > 1 else fixture.name
    chain = list(dict.fromkeys(ctx.label(i) for i in path[:-1]))
    also = f", and widen {', '.join(repr(n) for n in chain)} with it" if chain else ""
    if cause.kind is FixtureKind.BUILTIN and cause.name in WIDER_BUILTINS:
        return (
            f"request {WIDER_BUILTINS[cause.name]} instead of '{cause.name}' in '{requester}'{also}, then "
            f'declare scope="{scope.value}", if the tests of one {scope.value} can share the value'
        )
    if ctx.is_user(cause):
        widened = list(dict.fromkeys([*chain, cause.name]))
        return (
            f"widen {', '.join(repr(n) for n in widened)} to {scope.value} too (nothing below "
            f"'{cause.name}' is narrower), if the tests of one {scope.value} can share their values"
        )
    return (
        f"'{cause.name}' is {cause.scope.value}-scoped where it is defined ({cause.file}): build what "
        f"'{requester}' needs from it without it, or keep '{fixture.name}' {fixture.scope.value}-scoped"
    )


def _narrow(ctx: Context, fixture: FixtureDef, over: bool) -> Finding | None:
    """Narrowing advice for a session or package fixture whose tests one narrower scope holds."""
    fit = narrowest_fit(ctx, fixture)
    if fit is None:
        return None
    budget = (
        f"; it is one of the session fixtures over the budget of {ctx.config.max_session_fixtures} (FG005)"
        if over
        else ""
    )
    move = f" and move it to {fit.move_to}/conftest.py" if fit.move_to is not None else ""
    return Finding(
        code="FG013",
        severity=Severity.INFO,
        message=(
            f"{fixture.scope.value} fixture '{fixture.name}'"
            + (f" ({fixture.impact})" if fixture.impact else "")
            + f" is only used {fit.place} ({counted(fit.tests, 'test')}): {fit.text} still sets it "
            f"up once and tears it down when they are done, not at the end of the run{budget}"
        ),
        file=fixture.file,
        line=fixture.line,
        symbol=fixture.id,
        fix=f'declare scope="{fit.scope.value}"{move}',
        key=f"FG013:{fixture.id}:narrow",
    )


@rule(
    "FG016",
    "autouse-with-params",
    Severity.WARNING,
    "An autouse fixture with params (its own or a requested fixture's): every test it reaches "
    "runs once per param.",
)
def autouse_with_params(ctx: Context) -> Iterator[Finding]:
    """Each user autouse fixture whose closure holds params that multiply the tests it reaches."""
    for fixture in sorted(ctx.scan.fixtures, key=lambda f: f.id):
        if not fixture.autouse or not ctx.is_user(fixture):
            continue
        tests = ctx.tests_of.get(fixture.id, [])
        sources = ctx.param_closure.get(fixture.id, frozenset())
        if fixture.params is not None and fixture.param_count is None and tests:
            yield _autouse_finding(ctx, fixture, "has computed params", len(tests), None)
            continue
        if not sources or not tests:
            continue
        items = added = 0
        for nodeid in tests:
            info = ctx.test_items[nodeid]
            factor = math.prod(
                ctx.fixtures[p].param_count or 1 for p in sources.intersection(info.param_defs)
            )
            items += info.count
            added += info.count - info.count // max(factor, 1)
        if added == 0:
            continue
        if fixture.id in sources:
            how = f"has {fixture.param_count} params"
        else:
            named = ", ".join(
                f"'{ctx.label(p)}' ({ctx.fixtures[p].param_count} params)" for p in sorted(sources)
            )
            how = f"requests parametrized {named}"
        yield _autouse_finding(ctx, fixture, how, len(tests), (items, added))


def _autouse_finding(
    ctx: Context, fixture: FixtureDef, how: str, tests: int, counts: tuple[int, int] | None
) -> Finding:
    numbers = (
        f" ({counted(counts[0], 'item')}, {counts[1]} more than without them)" if counts is not None else ""
    )
    return Finding(
        code="FG016",
        severity=Severity.WARNING,
        message=(
            f"autouse fixture '{fixture.name}' {how}: each of the {counted(tests, 'test')} it reaches "
            f"runs once per param{numbers}"
        ),
        file=fixture.file,
        line=fixture.line,
        symbol=fixture.id,
        fix=(
            "drop autouse and request it (or parametrize) only where every case is needed; if every "
            "test must run under each case, keep it and silence this with # fixture-graph: ignore[FG016]"
        ),
        key=f"FG016:{fixture.id}",
    )


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
        modules = sorted({module_of(ctx.items[t]) for t in ctx.tests_of[fixture.id]})
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
    heavier groups gets no group of its own. A group bigger than one worker's share of the
    items (items / workers) is not proposed: it would serialize the run.
    """
    total = sum(i.count for i in ctx.test_items.values())
    group_of: dict[str, str] = {}
    planned: list[tuple[FixtureDef, list[str]]] = []
    for fixture in sorted(fixtures, key=lambda f: (-ctx.weight(f.id), f.id)):
        free = [t for t in ctx.tests_of[fixture.id] if t not in group_of and not ctx.items[t].xdist_group]
        if not free or sum(ctx.test_items[t].count for t in free) * workers > total:
            continue
        group_of.update((t, fixture.name) for t in free)
        planned.append((fixture, free))
    for fixture, members in sorted(planned, key=lambda p: p[0].id):
        yield _group_finding(ctx, fixture, members, group_of, workers)


def _after(ctx: Context, fixture: FixtureDef, group_of: dict[str, str], workers: int) -> int:
    """Setups of ``fixture`` under the plan: one per group its tests are in (per case), and its
    ungrouped items spread over the workers."""
    fan = ctx.fan_out[fixture.id]
    cases = max(1, fan.setups)
    tests = ctx.tests_of[fixture.id]
    groups = {group_of[t] for t in tests if t in group_of}
    loose = sum(ctx.test_items[t].count for t in tests if t not in group_of)
    return len(groups) * cases + (min(workers * cases, loose) if loose else 0)


def _group_finding(
    ctx: Context, lead: FixtureDef, members: list[str], group_of: dict[str, str], workers: int
) -> Finding:
    name = lead.name
    items = sum(ctx.test_items[t].count for t in members)
    modules = {module_of(ctx.items[t]) for t in members}
    now = ctx.fan_out[lead.id].setups_workers
    after = _after(ctx, lead, group_of, workers)
    others = [
        f"'{f.name}' {ctx.fan_out[f.id].setups_workers} -> {_after(ctx, f, group_of, workers)}"
        for f in sorted(ctx.scan.fixtures, key=lambda f: f.id)
        if f is not lead
        and f.id in ctx.fan_out
        and ctx.is_user(f)
        and f.scope >= Scope.PACKAGE
        and is_costly(ctx, f, _HEAVY)
        and set(ctx.tests_of[f.id]) <= set(members)
        and ctx.fan_out[f.id].setups_workers > _after(ctx, f, group_of, workers)
    ]
    taken = (
        f" ({len(ctx.tests_of[lead.id]) - len(members)} more are in heavier groups)"
        if len(members) < len(ctx.tests_of[lead.id])
        else ""
    )
    also = f"; the group also keeps {', '.join(others)} setups" if others else ""
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
        by_module[module_of(ctx.items[nodeid])].append(nodeid)
    everyone: dict[str, int] = defaultdict(int)
    for item in ctx.scan.tests:
        everyone[module_of(item)] += 1
    out: list[Location] = []
    for module, members in sorted(by_module.items()):
        if len(members) == everyone[module]:
            out.append(Location(module, 1, f"module: all {counted(len(members), 'test')}"))
        else:
            out.extend(loc(ctx, t, f"test {t}") for t in members)
    return tuple(out)
