"""Rules on how fixtures are requested and used: FG003, FG005-FG008, FG010 and FG012."""

from __future__ import annotations

import difflib
import fnmatch
import heapq
from collections import defaultdict, deque
from collections.abc import Iterator
from pathlib import PurePosixPath

from fixture_graph.analyze.certainty import Certainty, Doubt
from fixture_graph.analyze.common import chain_text, identical_copy, loc, overridden, weight_text
from fixture_graph.analyze.context import Context
from fixture_graph.analyze.findings import Finding, Severity
from fixture_graph.analyze.registry import rule
from fixture_graph.analyze.scope_advice import narrowest_fit
from fixture_graph.model import FixtureDef, FixtureKind
from fixture_graph.scope import Scope

_LISTED = 10  # fixtures named in a message; the related locations hold them all


@rule(
    "FG003",
    "unknown-fixture",
    Severity.ERROR,
    "A requested name that no visible fixture provides: pytest's \"fixture 'x' not found\" "
    "(a warning when something the scan could not read may provide it).",
)
def unknown_fixture(ctx: Context) -> Iterator[Finding]:
    """One finding per (name, requester), with the tests affected and a did-you-mean.

    An error only when certain (see :mod:`fixture_graph.analyze.certainty`): otherwise a warning
    naming what may provide the name and how to settle it.
    """
    affected: dict[tuple[str, str], set[str]] = defaultdict(set)
    for unknown in ctx.resolution.unknown:
        affected[(unknown.name, unknown.requester)].add(unknown.test)
    names = sorted({f.name for f in ctx.scan.fixtures})
    elsewhere: dict[str, list[str]] = defaultdict(list)
    for fixture in ctx.scan.fixtures:
        elsewhere[fixture.name].append(fixture.id)
    certainty = Certainty(ctx.scan)
    for (name, requester), tests in sorted(affected.items()):
        file, line = ctx.where(requester)
        hint = ""
        if name in elsewhere:
            defined = sorted(elsewhere[name])
            hint = f"; '{name}' is defined in {defined[0].split('::')[0]} but not visible here"
        else:
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
            if close:
                hint = f"; did you mean '{close[0]}'?"
        who = "test" if requester in ctx.items else f"fixture '{ctx.label(requester)}'"
        count = f" ({len(tests)} tests affected)" if len(tests) > 1 else ""
        requester_def = ctx.fixtures.get(requester)
        doubt = certainty.doubt(name, requester, [ctx.items[t] for t in sorted(tests) if t in ctx.items])
        if doubt is None and requester_def is not None and requester_def.conditional:
            doubt = Doubt(
                f"'{requester_def.name}' exists only under a condition the scan left undecided "
                f"({'; '.join(requester_def.guards)})",
                "--env (or --traced) to decide it",
            )
        fix = f"define '{name}' in a conftest.py above the requester, or configure it as a plugin fixture"
        severity, unsure = Severity.ERROR, ""
        if doubt is not None:
            severity = Severity.WARNING
            unsure = f"; not certain: {doubt.why}"
            fix = f"settle it with {doubt.settle}; if pytest fails too, {fix}"
        yield Finding(
            code="FG003",
            severity=severity,
            message=f"fixture '{name}' not found, requested by {who}{count}{hint}{unsure}",
            file=file,
            line=line,
            symbol=requester,
            related=tuple(loc(ctx, t) for t in sorted(tests)[:10]),
            fix=fix,
            key=f"FG003:{requester}:{name}",
        )


@rule(
    "FG005",
    "excess-session-fixtures",
    Severity.WARNING,
    "More session-scoped fixtures than max-session-fixtures: each lives for the whole run.",
)
def excess_session_fixtures(ctx: Context) -> Iterator[Finding]:
    """One finding for the budget once it is passed, naming every session fixture.

    The fixtures are listed cheapest to demote first (fewest tests reaching them, then by id),
    each as a related location with its fan-in and impact; the finding sits at the first of
    them and its fix names the ones to demote to get back within the budget. Its key does not
    name the fixtures, so a baseline keeps matching it when one more joins. A session fixture
    silenced with ``# fixture-graph: ignore[FG005]`` is accepted as session-scoped: it is not
    counted against the budget.
    """
    session = [
        f
        for f in ctx.scan.fixtures
        if ctx.is_user(f)
        and not f.scope_is_dynamic
        and f.scope is Scope.SESSION
        and not {"FG005", "*"}.intersection(f.suppress)
    ]
    budget = ctx.config.max_session_fixtures
    if len(session) <= budget:
        return
    workers = max(1, ctx.config.workers)
    ordered = sorted(session, key=lambda f: (ctx.fan_in[f.id], f.id))
    over = len(ordered) - budget

    def facts(fixture: FixtureDef) -> str:
        fan_in = ctx.fan_in[fixture.id]
        text = f"reached by {fan_in} test{'s' if fan_in != 1 else ''}"
        if fixture.impact:
            text += f", impact {fixture.impact}"
        weight = ctx.weight(fixture.id)
        if workers > 1 and weight > 0:
            text += f", weight {weight_text(weight * workers)} {ctx.weight_unit} over {workers} workers"
        return text

    def brief(fixture: FixtureDef) -> str:
        fan_in = ctx.fan_in[fixture.id]
        impact = f", {fixture.impact}" if fixture.impact else ""
        return f"{fixture.name} ({fan_in} test{'s' if fan_in != 1 else ''}{impact})"

    shown = ", ".join(brief(f) for f in ordered[:_LISTED])
    if len(ordered) > _LISTED:
        shown += f", ... {len(ordered) - _LISTED} more"
    xdist = f"; with {workers} xdist workers each is set up {workers} times" if workers > 1 else ""
    then = ", ".join(f"'{f.name}'{_fit_note(ctx, f)}" for f in ordered[1:over][:_LISTED])
    if over - 1 > _LISTED:
        then += f" and {over - 1 - _LISTED} more"
    then = f", then {then}" if then else ""
    yield Finding(
        code="FG005",
        severity=Severity.WARNING,
        message=(
            f"{len(ordered)} session-scoped fixtures, {over} over the budget of {budget} "
            f"(max-session-fixtures){xdist}; cheapest to demote first: {shown}"
        ),
        file=ordered[0].file,
        line=ordered[0].line,
        symbol=ordered[0].id,
        related=tuple(loc(ctx, f.id, f"{f.name}: {facts(f)}") for f in ordered),
        fix=(
            f"demote '{ordered[0].name}' to {_fitting_scope(ctx, ordered[0])} first "
            f"({facts(ordered[0])}){then}, "
            f"until {budget} remain; keep session scope for setups many tests share, or accept one "
            "with # fixture-graph: ignore[FG005] on its definition"
        ),
        key="FG005:budget",
    )


def _fitting_scope(ctx: Context, fixture: FixtureDef) -> str:
    """The narrowest scope that still sets ``fixture`` up once for its tests (FG013's advice),
    with where they are, or "module or function scope" when none does."""
    fit = narrowest_fit(ctx, fixture)
    return f"{fit.text}, as it is only used {fit.place}" if fit is not None else "module or function scope"


def _fit_note(ctx: Context, fixture: FixtureDef) -> str:
    """`` (module scope fits)`` when FG013 finds one, else nothing."""
    fit = narrowest_fit(ctx, fixture)
    return f" ({fit.scope.value} scope fits)" if fit is not None else ""


def _reached(ctx: Context) -> set[str]:
    """Definitions some test reaches, including through ``getfixturevalue`` edges."""
    reached = set(ctx.resolution.reached)
    res = ctx.resolution
    if not any(test.dynamic for test in res.tests) and not any(e.dynamic for e in res.fixture_edges):
        return reached
    queue = deque(target for test in res.tests for target, _ in test.dynamic)
    queue.extend(e.target for e in res.fixture_edges if e.dynamic and e.source in reached)
    requests: dict[str, list[str]] = defaultdict(list)
    for edge in res.fixture_edges:
        requests[edge.source].append(edge.target)
    while queue:
        node = queue.popleft()
        if node in reached:
            continue
        reached.add(node)
        queue.extend(requests.get(node, ()))
    return reached


@rule(
    "FG006",
    "unused-fixture",
    Severity.INFO,
    "A fixture no collected test reaches, directly, transitively, by autouse or usefixtures.",
)
def unused_fixture(ctx: Context) -> Iterator[Finding]:
    """User definitions outside every test's closure (``unused-exclude`` globs skip files).

    "Delete it" is said only when no route reaches the definition: not the same function
    registered elsewhere (imported into another conftest or module and used there), and no
    dynamic request (``getfixturevalue`` or a lazy fixture of a computed name) in code that can
    see it; the latter makes it "possibly unused", naming the call.
    """
    reached = _reached(ctx)
    excluded = ctx.config.unused_exclude
    used_functions = {(f.file, f.line, f.func_name) for f in ctx.scan.fixtures if f.id in reached}
    dynamic = [i for i in ctx.scan.issues if i.code in _DYNAMIC_REQUESTS]
    for fixture in sorted(ctx.scan.fixtures, key=lambda f: f.id):
        if not ctx.is_user(fixture) or fixture.id in reached:
            continue
        if (fixture.file, fixture.line, fixture.func_name) in used_functions:
            continue  # the same function, registered in another holder, is used there
        if any(fnmatch.fnmatch(fixture.file, p) or PurePosixPath(fixture.file).match(p) for p in excluded):
            continue
        overriders = heapq.nsmallest(3, ctx.overriders(fixture))
        why = f"; overridden by {', '.join(overriders)}" if overriders else ""
        maybe = next((i for i in dynamic if _can_see(fixture.holder, i.file)), None)
        if maybe is not None:
            message = (
                f"fixture '{fixture.name}' is possibly unused: no collected test requests it, but "
                f"a dynamic request at {maybe.file}:{maybe.line} may ({maybe.message}){why}"
            )
            fix = (
                f"check whether that call can name '{fixture.name}'; if not, delete it "
                "(or silence it with '# fixture-graph: ignore[FG006]')"
            )
        else:
            message = f"fixture '{fixture.name}' is not used by any collected test{why}"
            fix = "delete it, or exclude plugin-style modules with unused-exclude"
        yield Finding(
            code="FG006",
            severity=Severity.INFO,
            message=message,
            file=fixture.file,
            line=fixture.line,
            symbol=fixture.id,
            fix=fix,
            key=f"FG006:{fixture.id}",
        )


# Scan issues for requests of a computed name: they may reach any fixture they can see.
_DYNAMIC_REQUESTS = frozenset({"dynamic-getfixturevalue", "dynamic-lazy-fixture"})


def _can_see(holder: str, file: str) -> bool:
    """Whether code in ``file`` may request a fixture attached to ``holder`` (its node)."""
    if not holder:
        return True
    node = holder.split("::", 1)[0]
    if node.endswith(".py"):
        return file == node
    return file.startswith(node + "/")


@rule(
    "FG007",
    "shadowed-fixture",
    Severity.INFO,
    "A definition that overrides an outer fixture of the same name (extending or replacing it).",
)
def shadowed_fixture(ctx: Context) -> Iterator[Finding]:
    """Each user definition with a farther visible definition of its name, except an identical
    copy of it (FG015 reports that one: delete it)."""
    for fixture in sorted(ctx.scan.fixtures, key=lambda f: f.id):
        if not ctx.is_user(fixture):
            continue
        outer = overridden(ctx, fixture)
        if outer is None:
            continue
        if identical_copy(fixture, outer):
            continue  # FG015 duplicate-fixture says to delete the copy
        extends = fixture.name in fixture.argnames
        kind = {FixtureKind.BUILTIN: "builtin ", FixtureKind.PLUGIN: "plugin "}.get(outer.kind, "")
        how = "extends it (requests its own name)" if extends else "replaces it"
        where = f" at {outer.file}:{outer.line}" if outer.line else ""
        yield Finding(
            code="FG007",
            severity=Severity.INFO,
            message=f"'{fixture.name}' overrides the {kind}fixture {outer.id}{where} and {how}",
            file=fixture.file,
            line=fixture.line,
            symbol=fixture.id,
            related=(loc(ctx, outer.id, f"outer {outer.name} ({outer.id})"),),
            fix=(
                f"keep it if extending the outer '{fixture.name}' is intended (silence this with "
                f"# fixture-graph: ignore[FG007]); give it another name if requesters need both"
                if extends
                else f"give it another name if tests here still need the outer '{fixture.name}'; if "
                "replacing it is intended, silence this with # fixture-graph: ignore[FG007]"
            ),
            key=f"FG007:{fixture.id}",
        )


@rule(
    "FG008",
    "costly-autouse",
    Severity.WARNING,
    "An autouse fixture whose weight times its number of setups passes autouse-cost-threshold.",
)
def costly_autouse(ctx: Context) -> Iterator[Finding]:
    """Autouse definitions by weight x setups: the setups pytest makes per run at the fixture's
    scope, as fan-out counts them (at most, with ``workers`` pytest-xdist workers)."""
    threshold = ctx.config.autouse_cost_threshold
    for fixture in sorted(ctx.scan.fixtures, key=lambda f: f.id):
        if not fixture.autouse or not ctx.is_user(fixture):
            continue
        weight = ctx.weight(fixture.id)
        fan = ctx.fan_out.get(fixture.id)
        if weight <= 0 or fan is None:
            continue
        setups = fan.setups_workers
        cost = weight * setups
        if cost < threshold:
            continue
        yield Finding(
            code="FG008",
            severity=Severity.WARNING,
            message=(
                f"autouse fixture '{fixture.name}' costs {weight_text(cost)} (weight {weight_text(weight)} "
                f"x {setups} {fixture.scope.value}-scope setups over {fan.tests} tests) "
                f">= {weight_text(threshold)}"
            ),
            file=fixture.file,
            line=fixture.line,
            symbol=fixture.id,
            fix="drop autouse and request it where needed, or widen its scope",
            key=f"FG008:{fixture.id}",
        )


@rule(
    "FG010",
    "dynamic-dependency",
    Severity.INFO,
    "A dependency a static reading cannot decide: computed getfixturevalue names, undecided guards.",
)
def dynamic_dependency(ctx: Context) -> Iterator[Finding]:
    """Non-literal ``getfixturevalue`` calls and definitions behind env guards ``--env`` left open."""
    for issue in ctx.scan.issues:
        if issue.code == "dynamic-getfixturevalue":
            yield Finding(
                code="FG010",
                severity=Severity.INFO,
                message=issue.message,
                file=issue.file,
                line=issue.line,
                fix=(
                    'request it by a literal name (getfixturevalue("name")), as an argument, or through '
                    "@pytest.mark.parametrize(..., indirect=True), so a static reading sees the dependency"
                ),
                key=f"FG010:{issue.file}:{issue.message}",
            )
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    for fixture in ctx.scan.fixtures:
        if fixture.conditional and ctx.is_user(fixture):
            groups[(fixture.registered_in, fixture.guards)].append(fixture.id)
    for (registered_in, guards), ids in sorted(groups.items()):
        first = min(ids, key=lambda i: (ctx.fixtures[i].file, ctx.fixtures[i].line))
        names = ", ".join(sorted(ctx.label(i) for i in ids))
        yield Finding(
            code="FG010",
            severity=Severity.INFO,
            message=(
                f"{len(ids)} fixture{'s' if len(ids) != 1 else ''} in {registered_in} depend on an undecided "
                f"condition ({' and '.join(guards)}): {names}"
            ),
            file=ctx.fixtures[first].file,
            line=ctx.fixtures[first].line,
            symbol=first,
            related=tuple(loc(ctx, i, ctx.label(i)) for i in sorted(ids)),
            fix="decide env guards with --env KEY=VALUE (or env in [tool.fixture_graph])",
            key=f"FG010:{registered_in}:{'|'.join(guards)}",
        )


def _shortest_chain(ctx: Context, start: str, goals: set[str], *, certain: bool = False) -> list[str] | None:
    """Breadth-first from a test through its requests to the nearest goal definition.

    ``certain`` follows only plain requests into definitions no undecided guard holds.
    """
    parent: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node in goals:
            path = [node]
            while (up := parent[path[-1]]) is not None:
                path.append(up)
            return path[::-1]
        for target, dynamic in ctx.requests_from(node):
            if certain and (dynamic or (target in ctx.fixtures and ctx.fixtures[target].conditional)):
                continue
            if target not in parent:
                parent[target] = node
                queue.append(target)
    return None


@rule(
    "FG012",
    "forbidden-dependency",
    Severity.ERROR,
    "A test reaches a fixture that a configured contract forbids (import-linter style).",
)
def forbidden_dependency(ctx: Context) -> Iterator[Finding]:
    """For each contract and matching test, the shortest chain to a forbidden definition."""
    for contract in ctx.config.contracts:
        forbidden = {
            f.id
            for f in ctx.scan.fixtures
            if any(fnmatch.fnmatchcase(f.name, p) for p in contract.forbid)
            or (f.impact is not None and f.impact in contract.forbid_impact)
            or (not f.scope_is_dynamic and f.scope.value in contract.forbid_scope)
        }
        if not forbidden:
            continue
        found: dict[int, set[str]] = {}  # by id(parts): tests that share a closure share its parts
        for test in ctx.resolution.tests:
            if not any(fnmatch.fnmatchcase(test.nodeid, p) for p in contract.tests):
                continue
            hits = found.get(id(test.parts))
            if hits is None:
                hits = found[id(test.parts)] = forbidden.intersection(test.closure_defs)
            if not hits:
                continue
            item = ctx.items[test.nodeid]
            sure = None if item.conditional else _shortest_chain(ctx, test.nodeid, hits, certain=True)
            chain = sure or _shortest_chain(ctx, test.nodeid, hits) or [test.nodeid, min(hits)]
            target = ctx.fixtures[chain[-1]]
            more = f" (and {len(hits) - 1} more forbidden)" if len(hits) > 1 else ""
            doubt = ""
            if sure is None:
                guarded = [ctx.label(n) for n in chain if n in ctx.fixtures and ctx.fixtures[n].conditional]
                doubt = (
                    "; the test is behind an undecided condition"
                    if item.conditional
                    else f"; only through {', '.join(guarded)}, behind an undecided condition"
                    if guarded
                    else "; only through a getfixturevalue call"
                )
            yield Finding(
                code="FG012",
                severity=Severity.WARNING if doubt else Severity.ERROR,
                message=(
                    f"contract '{contract.name}' broken: {test.nodeid} reaches '{target.name}'{more} "
                    f"via {chain_text(ctx, chain)}{doubt}"
                ),
                file=item.file,
                line=item.line,
                symbol=test.nodeid,
                related=tuple(loc(ctx, n, ctx.label(n)) for n in chain),
                fix=_contract_fix(ctx, test.nodeid, chain[1]),
                key=f"FG012:{contract.name}:{test.nodeid}:{target.id}",
            )


def _contract_fix(ctx: Context, nodeid: str, first: str) -> str:
    """What breaks the chain at its first link: stop requesting it, unless nothing here asks."""
    fixture = ctx.fixtures.get(first)
    name = ctx.label(first)
    item = ctx.items[nodeid]
    if fixture is not None and fixture.autouse and name not in (*item.argnames, *item.usefixtures):
        return (
            f"'{name}' is autouse ({fixture.file}): drop autouse=True and request it where it is needed, "
            "or override it with a lighter fixture for these tests"
        )
    return f"stop requesting '{name}' here, or override it with a lighter fixture"
