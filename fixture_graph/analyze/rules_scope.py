"""Rules on scopes and setups: the scope advisor (FG013) and autouse fixtures with params
(FG016). The numbers come from :mod:`~.fanout`, the scope reasoning from :mod:`~.scope_advice`;
pytest-xdist grouping (FG019) is in :mod:`~.rules_xdist`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from fixture_graph.analyze.common import loc
from fixture_graph.analyze.context import Context
from fixture_graph.analyze.findings import Finding, Severity
from fixture_graph.analyze.registry import rule
from fixture_graph.analyze.scope_advice import (
    WIDER_BUILTINS,
    best_wider,
    blocker_path,
    is_costly,
    narrowest_fit,
    widest_allowed,
)
from fixture_graph.model import FixtureDef, FixtureKind, ResolvedTest
from fixture_graph.scope import Scope
from fixture_graph.words import counted

_ADVISED = "MEDIUM"  # the scope advisor speaks about fixtures costing at least this much
_LISTED = 5  # blocked fixtures named in one message; the related locations hold them all


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
    blocked: dict[str, list[_Blocked]] = defaultdict(list)
    for fixture in sorted(ctx.scan.fixtures, key=lambda f: f.id):
        if not ctx.is_user(fixture) or fixture.scope_is_dynamic or fixture.id not in ctx.fan_out:
            continue
        costly = is_costly(ctx, fixture, _ADVISED)
        if costly and fixture.scope < Scope.SESSION:
            advice = _widen(ctx, fixture)
            if isinstance(advice, Finding):
                yield advice
            elif advice is not None:
                blocked[advice.path[-1]].append(advice)
        if fixture.scope >= Scope.PACKAGE and (costly or fixture.id in budget):
            finding = _narrow(ctx, fixture, fixture.id in budget)
            if finding is not None:
                yield finding
    for cases in blocked.values():
        yield _blocked_finding(ctx, cases[0]) if len(cases) == 1 else _blocked_by(ctx, cases)


@dataclass(frozen=True, slots=True)
class _Blocked:
    """Widening ``fixture`` to ``scope`` (``now`` -> ``then`` setups) is blocked along ``path``."""

    fixture: FixtureDef
    scope: Scope
    now: int
    then: int
    path: tuple[str, ...]


def _widen(ctx: Context, fixture: FixtureDef) -> Finding | _Blocked | None:
    """Widening advice, or what blocks it; None when a wider scope saves less than
    ``scope-advice-threshold`` (weight x setups saved) or the scan cannot tell
    (``getfixturevalue``, indirect parametrization)."""
    if fixture.dynamic_deps or any(
        fixture.name in ctx.items[t].marked_params for t in ctx.tests_of.get(fixture.id, ())
    ):
        return None
    fan = ctx.fan_out[fixture.id]
    allowed = widest_allowed(ctx, fixture.id)
    wanted = best_wider(ctx, fixture, Scope.SESSION)
    threshold = ctx.config.scope_advice_threshold
    if wanted is None or ctx.weight(fixture.id) * (fan.setups - wanted[1].count) < threshold:
        return None
    if allowed > fixture.scope:
        reachable = best_wider(ctx, fixture, allowed)
        saved = fan.setups - reachable[1].count if reachable is not None else 0
        if reachable is not None and ctx.weight(fixture.id) * saved >= threshold:
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
    return _Blocked(fixture, scope, fan.setups, setups.count, tuple(path))


def _through(ctx: Context, path: tuple[str, ...]) -> list[str]:
    """The names between a blocked fixture and the cause (an override chain's name once)."""
    cause = ctx.fixtures[path[-1]].name
    return [n for n in dict.fromkeys(ctx.label(i) for i in path[:-1]) if n != cause]


def _blocked_finding(ctx: Context, case: _Blocked) -> Finding:
    """One fixture whose widening one dependency blocks."""
    fixture, scope, path = case.fixture, case.scope, case.path
    cause = ctx.fixtures[path[-1]]
    through = _through(ctx, path)
    via = f" through {' -> '.join(repr(n) for n in through)}" if through else ""
    return Finding(
        code="FG013",
        severity=Severity.INFO,
        message=(
            f"widening '{fixture.name}' ({_facts(fixture)}) to {scope.value} would set it up "
            f"{counted(case.then, 'time')} instead of {case.now}, but it is blocked by '{cause.name}' "
            f"({cause.scope.value}{_origin(cause)}{_at(cause)}){via}"
        ),
        file=fixture.file,
        line=fixture.line,
        symbol=fixture.id,
        related=tuple(
            loc(ctx, i, f"{ctx.label(i)} ({ctx.fixtures[i].scope.value})") for i in (fixture.id, *path)
        ),
        fix=_unblock(ctx, fixture, list(path), scope),
        key=f"FG013:{fixture.id}:blocked",
    )


def _blocked_by(ctx: Context, cases: list[_Blocked]) -> Finding:
    """One finding for a dependency that blocks widening several costly fixtures."""
    cause = ctx.fixtures[cases[0].path[-1]]
    cases = sorted(cases, key=lambda c: (-(c.now - c.then), c.fixture.id))

    def brief(case: _Blocked) -> str:
        through = _through(ctx, case.path)
        via = f", through {' -> '.join(repr(n) for n in through)}" if through else ""
        return f"'{case.fixture.name}' to {case.scope.value} ({case.now} -> {case.then} setups{via})"

    shown = ", ".join(brief(c) for c in cases[:_LISTED])
    if len(cases) > _LISTED:
        shown += f", and {len(cases) - _LISTED} more"
    saved = sum(c.now - c.then for c in cases)
    if ctx.is_user(cause):
        place = cause
        fix = (
            f"widen '{cause.name}' first (nothing it requests is narrower), then the fixtures on the "
            "way to these, if the tests sharing each can share its value"
        )
    else:
        place = min((c.fixture for c in cases), key=lambda f: (f.file, f.line))
        alternative = WIDER_BUILTINS.get(cause.name) if cause.kind is FixtureKind.BUILTIN else None
        fix = (
            f"request {alternative} instead of '{cause.name}' where these get it, then widen them"
            if alternative is not None
            else f"build what these need from '{cause.name}' without it, or keep them as they are"
        )
    return Finding(
        code="FG013",
        severity=Severity.INFO,
        message=(
            f"'{cause.name}' ({cause.scope.value}{_origin(cause)}{_at(cause)}) blocks widening "
            f"{len(cases)} costly fixtures ({saved} fewer setups in all): {shown}"
        ),
        file=place.file,
        line=place.line,
        symbol=place.id,
        related=tuple(loc(ctx, c.fixture.id, brief(c)) for c in cases),
        fix=fix,
        key=f"FG013:blocked-by:{cause.id}",
    )


def _origin(fixture: FixtureDef) -> str:
    return {FixtureKind.BUILTIN: ", builtin", FixtureKind.PLUGIN: ", plugin"}.get(fixture.kind, "")


def _at(fixture: FixtureDef) -> str:
    return f", {fixture.file}:{fixture.line}" if fixture.line else ""


def _unblock(ctx: Context, fixture: FixtureDef, path: list[str], scope: Scope) -> str:
    """How to lift the block: a session-scoped builtin, or widening the fixtures on the way."""
    cause = ctx.fixtures[path[-1]]
    requester = ctx.label(path[-2]) if len(path) > 1 else fixture.name
    chain = [n for n in dict.fromkeys(ctx.label(i) for i in path[:-1]) if n != cause.name]
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
    """Each user autouse fixture whose closure holds params that multiply the tests it reaches.

    A test that asks for a parametrized fixture itself (an argument, a ``usefixtures`` mark)
    would run once per param anyway: the autouse fixture adds nothing to it.
    """
    resolved = ctx.resolved
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
            applied = sources.intersection(info.param_defs) - _asked_for(ctx, resolved[nodeid])
            factor = math.prod(ctx.fixtures[p].param_count or 1 for p in applied)
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


def _asked_for(ctx: Context, test: ResolvedTest) -> frozenset[str]:
    """The parametrized definitions a test reaches through what it asks for itself."""
    item = ctx.items[test.nodeid]
    own = {*item.argnames, *item.usefixtures}
    closure = ctx.param_closure
    return frozenset(p for target, name in test.from_test if name in own for p in closure.get(target, ()))


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
