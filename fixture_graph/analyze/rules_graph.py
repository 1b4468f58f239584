"""Rules on the shape of the definition graph: cycles (FG001), scopes (FG002), weight (FG004)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import islice, pairwise

from fixture_graph.analyze.common import chain_text, impact_text, loc, weight_text
from fixture_graph.analyze.context import Context
from fixture_graph.analyze.findings import Finding, Severity
from fixture_graph.analyze.registry import rule
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
    doubt = _cycle_doubt(ctx, cycle, pairs)
    if doubt is not None:
        note += f" ({doubt}: pytest reports it only when a test sets it up)"
    return Finding(
        code="FG001",
        severity=Severity.ERROR if doubt is None else Severity.WARNING,
        message=f"circular dependency: {chain_text(ctx, links)}{note}",
        file=file,
        line=line,
        symbol=cycle[0],
        related=related,
        fix=fix,
        key="FG001:" + "->".join(cycle),
    )


def _cycle_doubt(ctx: Context, cycle: tuple[str, ...], pairs: list[tuple[str, str]]) -> str | None:
    """Why pytest may never raise its recursive-dependency error for ``cycle``, or None.

    pytest raises it while setting up a fixture of the loop for a test, so the error is certain
    when a collected test's closure holds a link, every link is a plain request (no
    ``getfixturevalue``) and no link is behind a condition the scan left undecided.
    """
    if not ctx.resolution.reached.intersection(cycle):
        return "no collected test reaches it"
    graph = ctx.graph
    if any(graph.has_edge(a, b) and graph.edges[a, b].get("dynamic") for a, b in pairs):
        return "a link is a getfixturevalue call"
    if any(ctx.fixtures[n].conditional for n in cycle if n in ctx.fixtures):
        return "a link is behind an undecided condition"
    return None


def _mismatch_doubt(ctx: Context, *ids: str) -> str | None:
    """Why pytest may never raise ScopeMismatch for the first of ``ids``, or None.

    pytest checks scopes while setting up a fixture for a test: certain when a collected test's
    closure holds it and none of ``ids`` is behind a condition the scan left undecided.
    """
    if ids[0] not in ctx.resolution.reached:
        return f"no collected test uses '{ctx.label(ids[0])}'"
    if any(ctx.fixtures[i].conditional for i in ids):
        return "behind an undecided condition"
    return None


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
    """Each edge from a wider to a narrower scope, and async loops narrower than their fixture."""
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
                fixes = []
                if outer.scope_is_dynamic:
                    fixes.append(f"'{outer.name}' never wider than {inner.scope_label}")
                if inner.scope_is_dynamic:
                    fixes.append(f"'{inner.name}' never narrower than {outer.scope_label}")
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
                        f"make the computed scope keep {' and '.join(fixes)} for every value it can "
                        "take, or declare a literal scope="
                    ),
                    key=f"FG002:{source}->{target}",
                )
            continue
        if outer.scope <= inner.scope:
            continue
        widest = _widest_allowed(ctx, source)
        fix = f"declare '{outer.name}' with scope=\"{widest.value}\" (the widest its requests allow)"
        if ctx.is_user(inner) and _widest_allowed(ctx, target) >= outer.scope:
            fix += f", or '{inner.name}' with scope=\"{outer.scope.value}\""
        doubt = _mismatch_doubt(ctx, source, target)
        yield Finding(
            code="FG002",
            severity=Severity.WARNING if data.get("dynamic") or doubt else Severity.ERROR,
            message=(
                f"scope mismatch: {outer.scope.value}-scoped '{outer.name}' {how} "
                f"{inner.scope.value}-scoped '{inner.name}' ({chain_text(ctx, [source, target])})"
                + (f"; {doubt}, so pytest has not raised it yet" if doubt else "")
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
            source = fixture.loop_scope_source or "loop_scope="
            why = (
                "loop_scope is narrower than scope"
                if source.endswith("=")
                else f"no loop_scope=, so {source} = {loop.value} applies, narrower than scope"
            )
            doubt = _mismatch_doubt(ctx, fixture.id)
            yield Finding(
                code="FG002",
                severity=Severity.WARNING if doubt else Severity.ERROR,
                message=(
                    f"scope mismatch: {fixture.scope.value}-scoped fixture '{fixture.name}' runs in a "
                    f"{loop.value}-scoped event loop ({why}): pytest-asyncio raises ScopeMismatch "
                    f"on _{loop.value}_scoped_runner" + (f" ({doubt}, so not yet)" if doubt else "")
                ),
                file=fixture.file,
                line=fixture.line,
                symbol=fixture.id,
                related=(loc(ctx, fixture.id, fixture.name),),
                fix=f'set loop_scope="{fixture.scope.value}" (or narrow scope to "{loop.value}")',
                key=f"FG002:{fixture.id}:loop",
            )


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
