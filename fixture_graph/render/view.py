"""Which part of the fixture graph a picture shows, decided once for DOT, SVG, HTML and Mermaid.

:func:`build_index` reads a :class:`~fixture_graph.report.Report` into plain lookups (merged
edges, cycle links, finding severities, stable SVG ids); :func:`build_view` applies the view
options (``--focus``/``--depth``, ``--test``, ``--scope``, ``--exclude-fixture``, ``--collapse``)
and returns a sorted :class:`GraphView`. No networkx here: the graph layer is for analysis, a
picture only needs sets and a breadth-first walk.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain
from pathlib import PurePosixPath

from fixture_graph.model import FixtureDef, FixtureKind, ResolvedTest, TestItem
from fixture_graph.render.paths import ShowPath, path_display
from fixture_graph.report import USER_KINDS, Report
from fixture_graph.scope import Scope

RANKDIRS = ("LR", "TB", "RL", "BT")
COLLAPSE_MODES = ("auto", "none", "module")
VIEW_SCOPES = (*(s.value for s in sorted(Scope, reverse=True)), "dynamic")
DEFAULT_MAX_NODES = 150


class ViewError(ValueError):
    """A view option names nothing in the report (the CLI turns this into a usage error)."""


@dataclass(frozen=True, slots=True)
class GraphOptions:
    """What to draw. The defaults draw the whole suite, collapsed to modules above ``max_nodes``."""

    focus: str | None = None
    depth: int | None = None
    test: str | None = None
    scopes: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    rankdir: str = "LR"
    collapse: str = "auto"
    max_nodes: int = DEFAULT_MAX_NODES
    svg_url: str | None = None
    dot_timeout: float = 60.0


@dataclass(frozen=True, slots=True)
class MergedEdge:
    """All requests from one definition (or test) to another, as one arrow."""

    source: str
    target: str
    names: tuple[str, ...]
    dynamic: bool


@dataclass(frozen=True, slots=True)
class GraphIndex:
    """Lookups over a report that every view and the HTML data island share."""

    fixtures: dict[str, FixtureDef]
    tests: dict[str, TestItem]
    svg_ids: dict[str, str]
    cluster_of: dict[str, str]
    cluster_labels: dict[str, str]
    cluster_tips: dict[str, str]
    cluster_ids: dict[str, str]
    edges: dict[tuple[str, str], MergedEdge]
    deps: dict[str, tuple[str, ...]]
    dependents: dict[str, tuple[str, ...]]
    cycle_pairs: frozenset[tuple[str, str]]
    severity: dict[str, int]
    base: frozenset[str]
    show: ShowPath  # a scan path as printed from the working directory (render.paths)


@dataclass(frozen=True, slots=True)
class ViewNode:
    """One box in the picture: a fixture definition, a test, or a collapsed module."""

    key: str
    svg_id: str
    kind: str
    name: str
    cluster: str
    scope: str
    impact: str | None = None
    autouse: bool = False
    conditional: bool = False
    severity: int = 0
    tooltip: str = ""
    members: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ViewEdge:
    """One arrow: ``source`` requests ``target`` (``count`` requests when collapsed)."""

    source: str
    target: str
    svg_id: str
    dynamic: bool = False
    conditional: bool = False
    cycle: bool = False
    count: int = 1
    tooltip: str = ""


@dataclass(frozen=True, slots=True)
class GraphView:
    """A sorted, ready-to-draw subgraph plus notes on what was left out."""

    nodes: tuple[ViewNode, ...]
    edges: tuple[ViewEdge, ...]
    clusters: tuple[tuple[str, str, str], ...]  # (key, label, tooltip)
    collapsed: bool
    rankdir: str
    notes: tuple[str, ...] = ()
    total_fixtures: int = 0
    shown_fixtures: frozenset[str] = field(default_factory=frozenset)
    left_out: str | None = None


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def cluster_key(fixture: FixtureDef) -> str:
    """The module a definition is written in (builtins share one cluster)."""
    if fixture.kind is FixtureKind.BUILTIN:
        return "builtin::"
    return fixture.file


def cluster_label(key: str, fixture: FixtureDef | None = None, show: ShowPath | None = None) -> str:
    """``tests/unit/ (conftest)`` for a conftest, the path for any other module.

    ``show`` (:func:`~fixture_graph.render.paths.path_display`) spells the path from the working
    directory; without it the rootdir-relative key is printed.
    """
    if key == "builtin::":
        return "pytest builtins"
    if fixture is not None and fixture.kind is FixtureKind.PLUGIN:
        return f"plugin: {shown_file(fixture.registered_in or key, fixture.kind, show)}"
    path = PurePosixPath(show(key) if show else key)
    if path.name == "conftest.py":
        return f"{path.parent}/ (conftest)"
    return str(path)


def build_index(report: Report) -> GraphIndex:
    """Read the report once into the lookups every view needs."""
    fixtures = {f.id: f for f in sorted(report.scan.fixtures, key=lambda f: f.id)}
    tests = {t.nodeid: t for t in sorted(report.scan.tests, key=lambda t: t.nodeid)}
    svg_ids = {fid: f"fx-{i}" for i, fid in enumerate(fixtures)}
    svg_ids.update({nodeid: f"t-{i}" for i, nodeid in enumerate(tests)})
    show = path_display(report.scan.rootdir)
    cluster_of = {fid: cluster_key(f) for fid, f in fixtures.items()}
    cluster_labels: dict[str, str] = {}
    cluster_tips: dict[str, str] = {}
    for fid, key in cluster_of.items():
        cluster_labels.setdefault(key, cluster_label(key, fixtures[fid], show))
        cluster_tips.setdefault(key, shown_file(key, fixtures[fid].kind, show))
    cluster_ids = {key: f"m-{i}" for i, key in enumerate(sorted(cluster_labels))}

    grouped: dict[tuple[str, str], list[tuple[str, bool]]] = defaultdict(list)
    for edge in chain(report.resolution.fixture_edges, report.resolution.test_edges()):
        if edge.target in fixtures and (edge.source in fixtures or edge.source in tests):
            grouped[edge.source, edge.target].append((edge.name, edge.dynamic))
    cycle_pairs = {
        (a, b)
        for cycle in report.resolution.cycles
        for a, b in zip(cycle.links, cycle.links[1:], strict=False)
        if a in fixtures and b in fixtures
    }
    for a, b in cycle_pairs:
        # ``def x(x)`` with no parent is a cycle pytest reports but not an edge the resolver keeps.
        grouped.setdefault((a, b), [(fixtures[b].name, False)])
    edges = {
        pair: MergedEdge(pair[0], pair[1], tuple(sorted({n for n, _ in reqs})), all(d for _, d in reqs))
        for pair, reqs in sorted(grouped.items())
    }
    deps: dict[str, list[str]] = defaultdict(list)
    dependents: dict[str, list[str]] = defaultdict(list)
    for source, target in edges:
        deps[source].append(target)
        if source in fixtures:
            dependents[target].append(source)

    severity: dict[str, int] = {}
    for finding in report.analysis.findings:
        if finding.symbol:
            severity[finding.symbol] = max(severity.get(finding.symbol, 0), int(finding.severity))

    user = [fid for fid, f in fixtures.items() if f.kind in USER_KINDS]
    base = _reach(user, deps, None) if user else set()
    return GraphIndex(
        fixtures=fixtures,
        tests=tests,
        svg_ids=svg_ids,
        cluster_of=cluster_of,
        cluster_labels=cluster_labels,
        cluster_tips=cluster_tips,
        cluster_ids=cluster_ids,
        edges=edges,
        deps={k: tuple(v) for k, v in deps.items()},
        dependents={k: tuple(v) for k, v in dependents.items()},
        cycle_pairs=frozenset(cycle_pairs),
        severity=severity,
        base=frozenset(base),
        show=show,
    )


def build_view(report: Report, options: GraphOptions, index: GraphIndex | None = None) -> GraphView:
    """Apply ``options`` to the report's graph. Raises :class:`ViewError` for unknown names."""
    index = index or build_index(report)
    if options.rankdir not in RANKDIRS:
        raise ViewError(f"rankdir must be one of {', '.join(RANKDIRS)}, not {options.rankdir!r}")
    if options.collapse not in COLLAPSE_MODES:
        raise ViewError(f"collapse must be one of {', '.join(COLLAPSE_MODES)}, not {options.collapse!r}")
    notes: list[str] = []
    keep: set[str] = set(index.base)
    test_id: str | None = None
    if options.test is not None:
        test_id = find_test(index, options.test)
        keep = {t for s, t in index.edges if s == test_id}
        keep = _reach(keep, index.deps, None)
        notes.append(f"closure of test {test_id}: {len(keep)} fixture definitions")
    if options.focus is not None:
        roots = find_fixtures(index, options.focus)
        down = _reach(roots, index.deps, options.depth, within=keep)
        up = _reach(roots, index.dependents, options.depth, within=keep)
        keep = (down | up) & (keep | set(roots))
        depth = "all" if options.depth is None else str(options.depth)
        notes.append(f"focus on {options.focus} (depth {depth}): dependencies and dependents")
    if options.scopes:
        wanted = set(options.scopes)
        before = len(keep)
        keep = {fid for fid in keep if index.fixtures[fid].scope_label in wanted}
        notes.append(f"scope {', '.join(options.scopes)}: {len(keep)} of {before} fixtures")
    if options.exclude:
        hidden = {fid for fid in keep if _excluded(index.fixtures[fid], options.exclude)}
        keep -= hidden
        if hidden:
            notes.append(f"excluded {len(hidden)} fixtures matching {', '.join(options.exclude)}")

    fixture_nodes = [_fixture_node(index, fid) for fid in sorted(keep)]
    node_keys = set(keep)
    extra: list[ViewNode] = []
    if test_id is not None:
        extra.append(_test_node(index, test_id))
        node_keys.add(test_id)
    edges = [_view_edge(index, e) for pair, e in index.edges.items() if set(pair) <= node_keys]

    collapse = options.collapse == "module" or (
        options.collapse == "auto" and len(fixture_nodes) > options.max_nodes
    )
    modules = len({index.cluster_of[fid] for fid in keep})
    if collapse and options.collapse == "auto" and modules > options.max_nodes:
        return _budget_view(report, options, index, keep, modules, notes)
    if collapse:
        if options.collapse == "auto":
            notes.append(
                f"collapsed to modules: {len(fixture_nodes)} fixtures exceed the {options.max_nodes}-node "
                "budget (narrow the view with --focus, --test or --scope, or pass --collapse none)"
            )
        fixture_nodes, edges = _collapse(index, report, fixture_nodes, edges)
        clusters: tuple[tuple[str, str, str], ...] = ()
    else:
        used = sorted({n.cluster for n in fixture_nodes})
        clusters = tuple((key, index.cluster_labels[key], index.cluster_tips[key]) for key in used)
    return GraphView(
        nodes=tuple(sorted([*fixture_nodes, *extra], key=lambda n: n.key)),
        edges=tuple(sorted(edges, key=lambda e: (e.source, e.target))),
        clusters=clusters,
        collapsed=collapse,
        rankdir=options.rankdir,
        notes=tuple(notes),
        total_fixtures=len(index.base),
        shown_fixtures=frozenset(keep),
    )


def findings_subgraph(report: Report, index: GraphIndex, within: set[str] | frozenset[str]) -> list[str]:
    """The fixtures a picture over budget must show, most important first.

    Cycle links and the two ends of each scope mismatch come first (what pytest would fail
    on), then the other findings' fixtures by severity, then the direct dependencies and
    dependents of all those. Only ids in ``within`` are returned.
    """
    by_place = {(f.file, f.line): f.id for f in index.fixtures.values()}
    seeds: dict[str, int] = {}
    for cycle in report.resolution.cycles:
        for fid in cycle.links:
            seeds.setdefault(fid, 4)
    for finding in report.analysis.findings:
        rank = 4 if finding.code in ("FG001", "FG002") else int(finding.severity)
        ids = [finding.symbol or "", *(by_place.get((r.file, r.line), "") for r in finding.related)]
        for fid in ids:
            if fid in index.fixtures:
                seeds[fid] = max(seeds.get(fid, 0), rank)
    ordered = sorted((fid for fid in seeds if fid in within), key=lambda fid: (-seeds[fid], fid))
    around: set[str] = set()
    for fid in ordered:
        around.update(t for t in index.deps.get(fid, ()) if t in index.fixtures)
        around.update(index.dependents.get(fid, ()))
    return ordered + sorted(around & set(within) - set(ordered))


def find_fixtures(index: GraphIndex, name: str) -> list[str]:
    """Definitions whose name or id is ``name``; a :class:`ViewError` with suggestions if none."""
    found = sorted(fid for fid, f in index.fixtures.items() if name in (f.name, fid))
    if found:
        return found
    names = sorted({f.name for f in index.fixtures.values()})
    close = difflib.get_close_matches(name, names, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise ViewError(f"no fixture named {name!r}{hint}")


def find_test(index: GraphIndex, nodeid: str) -> str:
    """The test ``nodeid`` names: exact, without parametrize ids, or a unique suffix."""
    if nodeid in index.tests:
        return nodeid
    bare = nodeid.split("[", 1)[0]
    if bare in index.tests:
        return bare
    matches = [t for t in index.tests if t.endswith("::" + bare) or t.endswith("/" + bare)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ViewError(f"test {nodeid!r} is ambiguous: {', '.join(matches[:5])}")
    raise ViewError(f"no test {nodeid!r} (use a node id as pytest prints it)")


def used_by(report: Report) -> dict[str, int]:
    """How many tests reach each definition (the closure pytest would set up)."""
    # Tests that share a closure share its parts: count each closure once, weighted by its tests.
    shared: dict[int, tuple[ResolvedTest, int]] = {}
    for test in report.resolution.tests:
        held = shared.get(id(test.parts))
        shared[id(test.parts)] = (test, held[1] + 1 if held else 1)
    counts: dict[str, int] = defaultdict(int)
    for test, tests in shared.values():
        for fid in test.closure_defs:
            counts[fid] += tests
    return dict(counts)


def shown_file(file: str, kind: FixtureKind, show: ShowPath | None) -> str:
    """``file`` (a ``kind`` definition's file or module) as printed: real paths through ``show``.

    pytest's builtins name their ``_pytest/`` module and a configured plugin fixture says
    ``<config>``; neither is a path under the rootdir, so they print as they are.
    """
    if show is None or kind is FixtureKind.BUILTIN or file.startswith("<"):
        return file
    return show(file)


def fixture_tooltip(fixture: FixtureDef, show: ShowPath | None = None) -> str:
    """What hovering a fixture shows: id, place, scope and impact, guards, then the docstring.

    The place is spelled by ``show`` (from the working directory); the id stays a pytest id.
    """
    lines = [fixture.id, f"{shown_file(fixture.file, fixture.kind, show)}:{fixture.line}"]
    facts = [f"scope: {fixture.scope_label}"]
    if fixture.impact:
        facts.append(f"impact: {fixture.impact}")
    if fixture.autouse:
        facts.append("autouse")
    lines.append(", ".join(facts))
    lines.extend(f"only if: {guard}" for guard in fixture.guards)
    text = fixture.docstring or fixture.impact_description
    if text:
        lines.extend(["", text])
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Private functions
# ---------------------------------------------------------------------------------------------


def _budget_view(
    report: Report,
    options: GraphOptions,
    index: GraphIndex,
    keep: set[str],
    modules: int,
    notes: list[str],
) -> GraphView:
    """Past the node budget even one box per module: draw the findings' subgraph and say so."""
    chosen = findings_subgraph(report, index, keep)
    what = "the fixtures of its cycles, scope mismatches and other findings, with their neighbours"
    if not chosen:
        counts = dict(report.analysis.fan_in) or used_by(report)
        chosen = sorted(keep, key=lambda fid: (-counts.get(fid, 0), fid))
        what = "the fixtures most tests use (there is no finding to centre on)"
    shown = set(chosen[: options.max_nodes])
    left_out = (
        f"{len(keep)} fixtures in {modules} modules exceed the {options.max_nodes}-box budget: "
        f"drawn are {len(shown)}, {what}; {len(keep) - len(shown)} fixtures are left out "
        "(narrow the view with --focus, --test or --scope, or pass --collapse none or --max-nodes)"
    )
    notes.append(left_out)
    nodes = [_fixture_node(index, fid) for fid in sorted(shown)]
    edges = [_view_edge(index, e) for pair, e in index.edges.items() if set(pair) <= shown]
    used = sorted({n.cluster for n in nodes})
    return GraphView(
        nodes=tuple(nodes),
        edges=tuple(sorted(edges, key=lambda e: (e.source, e.target))),
        clusters=tuple((key, index.cluster_labels[key], index.cluster_tips[key]) for key in used),
        collapsed=False,
        rankdir=options.rankdir,
        notes=tuple(notes),
        total_fixtures=len(index.base),
        shown_fixtures=frozenset(shown),
        left_out=left_out,
    )


def _reach(
    roots: Iterable[str],
    adjacency: dict[str, tuple[str, ...]] | dict[str, list[str]],
    depth: int | None,
    within: set[str] | None = None,
) -> set[str]:
    seen = set(roots)
    queue = deque((r, 0) for r in sorted(seen))
    while queue:
        node, dist = queue.popleft()
        if depth is not None and dist >= depth:
            continue
        for nxt in adjacency.get(node, ()):
            if nxt not in seen and (within is None or nxt in within):
                seen.add(nxt)
                queue.append((nxt, dist + 1))
    return seen


def _excluded(fixture: FixtureDef, patterns: tuple[str, ...]) -> bool:
    return any(
        fnmatch.fnmatchcase(value, pattern)
        for pattern in patterns
        for value in (fixture.name, fixture.id, fixture.file)
    )


def _fixture_node(index: GraphIndex, fid: str) -> ViewNode:
    fixture = index.fixtures[fid]
    return ViewNode(
        key=fid,
        svg_id=index.svg_ids[fid],
        kind="fixture",
        name=fixture.name,
        cluster=index.cluster_of[fid],
        scope=fixture.scope_label,
        impact=fixture.impact,
        autouse=fixture.autouse,
        conditional=fixture.conditional,
        severity=index.severity.get(fid, 0),
        tooltip=fixture_tooltip(fixture, index.show),
    )


def _test_node(index: GraphIndex, nodeid: str) -> ViewNode:
    test = index.tests[nodeid]
    place = f"{index.show(test.file)}:{test.line}"
    tooltip = "\n".join([nodeid, place, *(f"only if: {g}" for g in test.guards)])
    return ViewNode(
        key=nodeid,
        svg_id=index.svg_ids[nodeid],
        kind="test",
        name=test.name,
        cluster="",
        scope="",
        conditional=test.conditional,
        severity=index.severity.get(nodeid, 0),
        tooltip=tooltip,
    )


def _is_conditional(index: GraphIndex, key: str) -> bool:
    if key in index.fixtures:
        return index.fixtures[key].conditional
    return key in index.tests and index.tests[key].conditional


def _view_edge(index: GraphIndex, edge: MergedEdge) -> ViewEdge:
    conditional = _is_conditional(index, edge.source) or _is_conditional(index, edge.target)
    cycle = (edge.source, edge.target) in index.cycle_pairs
    how = "getfixturevalue" if edge.dynamic else "requests"
    tip = f"{edge.source} {how} {', '.join(edge.names)}"
    if conditional:
        tip += " (behind an env guard)"
    if cycle:
        tip += " (circular dependency)"
    return ViewEdge(
        source=edge.source,
        target=edge.target,
        svg_id=f"e-{index.svg_ids[edge.source]}-{index.svg_ids[edge.target]}",
        dynamic=edge.dynamic,
        conditional=conditional,
        cycle=cycle,
        tooltip=tip,
    )


def _collapse(
    index: GraphIndex, report: Report, nodes: list[ViewNode], edges: list[ViewEdge]
) -> tuple[list[ViewNode], list[ViewEdge]]:
    """One node per module; arrows between modules carry how many requests they stand for."""
    members: dict[str, list[ViewNode]] = defaultdict(list)
    for node in nodes:
        members[node.cluster].append(node)
    owner = {n.key: index.cluster_ids[n.cluster] for n in nodes}
    module_nodes = []
    for key, group in sorted(members.items()):
        widest = min((n.scope for n in group), key=VIEW_SCOPES.index)
        heaviest = max((n.impact for n in group), key=lambda level: report.config.weight(level))
        count = len(group)
        label = index.cluster_labels[key]
        module_nodes.append(
            ViewNode(
                key=index.cluster_ids[key],
                svg_id=index.cluster_ids[key],
                kind="module",
                name=label,
                cluster="",
                scope=widest,
                impact=heaviest,
                autouse=any(n.autouse for n in group),
                conditional=all(n.conditional for n in group),
                severity=max(n.severity for n in group),
                tooltip=f"{label}\n{count} fixture{'s' if count != 1 else ''}: "
                + ", ".join(sorted(n.name for n in group)[:30])
                + (", ..." if count > 30 else ""),
                members=tuple(sorted(n.key for n in group)),
            )
        )
    merged: dict[tuple[str, str], list[ViewEdge]] = defaultdict(list)
    for edge in edges:
        source = owner.get(edge.source, edge.source)
        target = owner.get(edge.target, edge.target)
        if source != target:
            merged[source, target].append(edge)
    svg = {**index.svg_ids, **{m: m for m in index.cluster_ids.values()}}
    out = [
        ViewEdge(
            source=s,
            target=t,
            svg_id=f"e-{svg[s]}-{svg[t]}",
            dynamic=all(e.dynamic for e in group),
            conditional=all(e.conditional for e in group),
            cycle=any(e.cycle for e in group),
            count=len(group),
            tooltip=f"{len(group)} request{'s' if len(group) != 1 else ''}",
        )
        for (s, t), group in sorted(merged.items())
    ]
    return module_nodes, out
