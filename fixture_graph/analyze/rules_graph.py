"""Rules on the shape of the definition graph: cycles (FG001), scopes (FG002), weight (FG004)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import islice, pairwise

from fixture_graph.analyze.common import chain_text, impact_text, loc, weight_text
from fixture_graph.analyze.context import Context
from fixture_graph.analyze.findings import Finding, Severity
from fixture_graph.analyze.registry import rule
from fixture_graph.model import FixtureDef
from fixture_graph.scope import Scope


def _rotate(cycle: list[str]) -> tuple[str, ...]:
    pivot = cycle.index(min(cycle))
    return tuple(cycle[pivot:] + cycle[:pivot])


def _feedback_edges(cycles: list[tuple[str, ...]]) -> list[tuple[str, str]]:
    """Greedy minimum feedback arc set over the given cycles: few edges that break them all."""
    remaining = [set(zip(c, c[1:] + c[:1], strict=True)) for c in cycles]
    chosen: list[tuple[str, str]] = []
    while remaining:
        counts: Counter[tuple[str, str]] = Counter(e for edges in remaining for e in edges)
        best = min(counts, key=lambda e: (-counts[e], e))
        chosen.append(best)
        remaining = [edges for edges in remaining if best not in edges]
    return chosen


@rule(
    "FG001",
    "circular-dependency",
    Severity.ERROR,
    "Fixtures that request each other in a loop: pytest fails every test that reaches them.",
)
def circular_dependency(ctx: Context) -> Iterator[Finding]:
    """Every elementary cycle, per strongly connected component, up to ``cycle_bound`` each."""
    import networkx as nx

    graph = ctx.graph
    bound = max(1, ctx.config.cycle_bound)
    reported: set[tuple[str, ...]] = set()
    components = sorted(
        sorted(c)
        for c in nx.strongly_connected_components(graph)
        if len(c) > 1 or any(graph.has_edge(n, n) for n in c)
    )
    for component in components:
        sub: nx.DiGraph[str] = nx.DiGraph(graph.subgraph(component))
        found = [_rotate(c) for c in islice(nx.simple_cycles(sub), bound + 1)]
        truncated = len(found) > bound
        cycles = sorted(set(found[:bound]))
        fas = _feedback_edges(cycles)
        note = (
            f" (the first {bound} cycles of this component; raise cycle-bound to see more)"
            if truncated
            else ""
        )
        for cycle in cycles:
            reported.add(cycle)
            yield _cycle_finding(ctx, cycle, fas, len(cycles), note)
    in_components = {node for component in components for node in component}
    for known in ctx.resolution.cycles:
        body = known.links[:-1]
        if body not in reported and not in_components.issuperset(body):
            reported.add(body)
            yield _cycle_finding(ctx, body, [(body[-1], body[0])], 1, "")


def _cycle_finding(
    ctx: Context, cycle: tuple[str, ...], fas: list[tuple[str, str]], total: int, note: str
) -> Finding:
    links = (*cycle, cycle[0])
    pairs = list(pairwise(links))
    cut = next((e for e in fas if e in pairs), pairs[-1])
    related = tuple(loc(ctx, a, f"{ctx.label(a)} requests {ctx.label(b)} ({a})") for a, b in pairs)
    fix = f"remove the request of '{ctx.label(cut[1])}' from '{ctx.label(cut[0])}'"
    if total > 1:
        fix += f"; {len(fas)} removal(s) break all {total} cycles of this component: " + ", ".join(
            f"{ctx.label(a)} -> {ctx.label(b)}" for a, b in fas
        )
    file, line = ctx.where(cycle[0])
    unsure = _cycle_doubt(ctx, cycle, pairs)
    return Finding(
        code="FG001",
        severity=Severity.WARNING if unsure else Severity.ERROR,
        message=f"circular dependency: {chain_text(ctx, links)}{note}"
        + (f"; not certain: {unsure}" if unsure else ""),
        file=file,
        line=line,
        symbol=cycle[0],
        related=related,
        fix=fix,
        key="FG001:" + "->".join(cycle),
    )


def _cycle_doubt(ctx: Context, cycle: tuple[str, ...], pairs: list[tuple[str, str]]) -> str:
    """Why pytest may never report this recursion (empty when it surely does for some test).

    pytest raises "recursive dependency involving fixture" at setup, for the tests whose closure
    enters the cycle through static requests of definitions that exist unconditionally.
    """
    for a, b in pairs:
        if ctx.graph.has_edge(a, b) and ctx.graph.edges[a, b].get("dynamic"):
            return f"'{ctx.label(a)}' reaches '{ctx.label(b)}' only through getfixturevalue"
    for node in cycle:
        fixture = ctx.fixtures.get(node)
        if fixture is not None and fixture.conditional:
            return f"'{fixture.name}' exists only if {'; '.join(fixture.guards)}"
    if not any(node in ctx.resolution.reached for node in cycle):
        return "no collected test reaches it (pytest fails every test that does)"
    return ""


def _widest_allowed(ctx: Context, fixture_id: str) -> Scope:
    """The widest scope ``fixture_id`` may have given the static scopes of what it requests."""
    scopes = [
        ctx.fixtures[dep].scope
        for dep in ctx.graph.successors(fixture_id)
        if dep != fixture_id and not ctx.fixtures[dep].scope_is_dynamic
    ]
    return min(scopes, default=Scope.SESSION)


@rule(
    "FG002",
    "scope-mismatch",
    Severity.ERROR,
    "A fixture requests a fixture of narrower scope: pytest raises ScopeMismatch at setup.",
)
def scope_mismatch(ctx: Context) -> Iterator[Finding]:
    """Each edge from a wider to a narrower scope, and async loops narrower than their fixture.

    An error exactly where pytest raises ScopeMismatch (``_check_scope`` at setup): a static
    request, between definitions whose scopes are literals and which exist unconditionally, made
    by a fixture some collected test sets up. Otherwise a warning that says which part is unsure.
    """
    reached = ctx.resolution.reached
    for source, target, data in sorted(ctx.graph.edges(data=True)):
        outer, inner = ctx.fixtures[source], ctx.fixtures[target]
        if source == target:
            continue
        how = "getfixturevalue" if data.get("dynamic") else "requests"
        if outer.scope_is_dynamic or inner.scope_is_dynamic:
            could = (outer.scope_is_dynamic and inner.scope < Scope.SESSION) or (
                inner.scope_is_dynamic and outer.scope > Scope.FUNCTION
            )
            if could:
                yield Finding(
                    code="FG002",
                    severity=Severity.WARNING,
                    message=(
                        f"possible scope mismatch: {outer.scope_label}-scoped '{outer.name}' {how} "
                        f"{inner.scope_label}-scoped '{inner.name}' (a scope computed at run time)"
                    ),
                    file=outer.file,
                    line=outer.line,
                    symbol=source,
                    related=(loc(ctx, source, outer.name), loc(ctx, target, inner.name)),
                    fix=(
                        "give both fixtures literal scopes, or check that the computed scope is never "
                        "wider than the narrowest fixture it requests"
                    ),
                    key=f"FG002:{source}->{target}",
                )
            continue
        if outer.scope <= inner.scope:
            continue
        unsure = _mismatch_doubt(outer, inner, source in reached, bool(data.get("dynamic")))
        widest = _widest_allowed(ctx, source)
        fix = f"declare '{outer.name}' with scope=\"{widest.value}\" (the widest its requests allow)"
        if ctx.is_user(inner) and _widest_allowed(ctx, target) >= outer.scope:
            fix += f", or '{inner.name}' with scope=\"{outer.scope.value}\""
        yield Finding(
            code="FG002",
            severity=Severity.WARNING if unsure else Severity.ERROR,
            message=(
                f"scope mismatch: {outer.scope.value}-scoped '{outer.name}' {how} "
                f"{inner.scope.value}-scoped '{inner.name}' ({chain_text(ctx, [source, target])})"
                + (f"; not certain: {unsure}" if unsure else "")
            ),
            file=outer.file,
            line=outer.line,
            symbol=source,
            related=(
                loc(ctx, source, f"{outer.name} (scope={outer.scope.value})"),
                loc(ctx, target, f"{inner.name} (scope={inner.scope.value})"),
            ),
            fix=fix,
            key=f"FG002:{source}->{target}",
        )
    for fixture in ctx.scan.fixtures:
        if fixture.loop_scope is None or fixture.scope_is_dynamic:
            continue
        loop = Scope.parse(fixture.loop_scope)
        if loop is not None and loop < fixture.scope:
            unsure = _mismatch_doubt(fixture, fixture, fixture.id in reached, False)
            source = fixture.loop_scope_source or "loop_scope="
            why = (
                "loop_scope is narrower than scope"
                if source.endswith("=")
                else f"no loop_scope=, so {source} = {loop.value} applies, narrower than scope"
            )
            yield Finding(
                code="FG002",
                severity=Severity.WARNING if unsure else Severity.ERROR,
                message=(
                    f"scope mismatch: {fixture.scope.value}-scoped fixture '{fixture.name}' runs in a "
                    f"{loop.value}-scoped event loop ({why}): pytest-asyncio raises ScopeMismatch "
                    f"on _{loop.value}_scoped_runner" + (f"; not certain: {unsure}" if unsure else "")
                ),
                file=fixture.file,
                line=fixture.line,
                symbol=fixture.id,
                related=(loc(ctx, fixture.id, fixture.name),),
                fix=f'set loop_scope="{fixture.scope.value}" (or narrow scope to "{loop.value}")',
                key=f"FG002:{fixture.id}:loop",
            )


def _mismatch_doubt(outer: FixtureDef, inner: FixtureDef, reached: bool, dynamic: bool) -> str:
    """Why a scope mismatch may not fail (empty when pytest surely raises ScopeMismatch)."""
    if dynamic:
        return "the request is a getfixturevalue call, made only if that code runs"
    for fixture in (outer, inner):
        if fixture.conditional:
            return f"'{fixture.name}' exists only if {'; '.join(fixture.guards)}"
    if not reached:
        return f"no collected test sets up '{outer.name}' (pytest raises when one does)"
    return ""


@rule(
    "FG004",
    "heavy-chain",
    Severity.WARNING,
    "A dependency chain whose summed impact weight passes heavy-chain-threshold.",
)
def heavy_chain(ctx: Context) -> Iterator[Finding]:
    """The top chains (see :func:`heavy_chains`) at or over the threshold."""
    threshold = ctx.config.heavy_chain_threshold
    unit = ctx.weight_unit
    for chain in ctx.heavy_chains:
        if len(chain.ids) < 2 or chain.weight < threshold or chain.weight <= 0:
            continue
        file, line = ctx.where(chain.ids[0])
        yield Finding(
            code="FG004",
            severity=Severity.WARNING,
            message=(
                f"heavy chain ({weight_text(chain.weight)} {unit} >= {weight_text(threshold)}): "
                + " -> ".join(impact_text(ctx, i) for i in chain.ids)
            ),
            file=file,
            line=line,
            symbol=chain.ids[0],
            related=tuple(
                loc(ctx, i, f"{impact_text(ctx, i)} weight {weight_text(ctx.weight(i))}") for i in chain.ids
            ),
            fix="make the heaviest links lazy, narrower in scope, or shared through a wider-scoped fixture",
            key="FG004:" + "->".join(chain.ids),
        )
