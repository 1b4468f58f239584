"""The data the HTML report's script reads: compact, columnar, and small enough for 100k tests.

Everything is read from the :class:`~fixture_graph.report.Report` (definitions, merged edges,
each test's own requests and the winners the resolver chose); nothing is resolved again. A
test's closure is not stored: the page rebuilds it as a tree from the test's own requests and
the definition edges, and where one definition reaches different definitions of a name in
different places (``db`` overridden per directory), the test's ``context`` names the winner the
resolver chose for it. Contexts are shared by the tests that agree, which is most of a module.

Layout (``v`` is the format version; indexes point into the arrays named):

* ``groups``: ``[label, parent group or -1, kind]``, directories before the files in them;
  kind is ``dir``, ``conftest``, ``module``, ``builtin`` or ``plugin``.
* ``fx``: one array per column, a fixture per position (sorted by id); ``deps`` holds target
  positions, a dynamic (``getfixturevalue``) edge as ``-1 - position``.
* ``tests``: ``file`` (index into ``testFiles``, or -1 when ``name`` is the whole node id),
  ``name``, ``roots`` (``position * 8 + reason``, see :data:`REASONS`), ``ctx``, ``size``
  (fixtures in the closure), ``weight``; ``params`` (sparse) the test's parametrized names.
* ``contexts``: ``[autouse positions, [[name, winner position], ...]]``.
* ``shown``: how a scan path (a group label, a fixture's file) is printed from the
  working directory (:func:`~fixture_graph.render.paths.path_display`), for the paths where that
  differs. Ids are built from the scan paths and stay pytest node ids; finding and issue
  locations and ``registeredIn`` are stored as printed.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

from fixture_graph.analyze.common import weight_text
from fixture_graph.analyze.findings import Finding
from fixture_graph.model import FixtureDef, FixtureKind, ResolvedTest, TestItem
from fixture_graph.questions.reasons import (
    ARGUMENT,
    AUTOUSE,
    GETFIXTUREVALUE,
    INI,
    USEFIXTURES,
    AutouseIndex,
    primary_kind,
    root_kinds,
)
from fixture_graph.render.paths import ShowPath
from fixture_graph.render.summary import impact_note, measured_rows, override_chain
from fixture_graph.render.view import GraphIndex, shown_file, used_by
from fixture_graph.report import USER_KINDS, Report

FORMAT_VERSION = 1
SCOPES = ("session", "package", "module", "class", "function", "dynamic")
KINDS = tuple(k.value for k in FixtureKind)
# Why a test's closure starts with a definition (the low three bits of a root); the labels are
# those of ``fixture_graph.questions.reasons``, which decides them for ``why`` and ``tree`` too.
REASONS = (ARGUMENT, USEFIXTURES, INI, AUTOUSE, GETFIXTUREVALUE)
FLAG_AUTOUSE, FLAG_CONDITIONAL, FLAG_YIELD, FLAG_ASYNC, FLAG_USER, FLAG_PARAMS = 1, 2, 4, 8, 16, 32


def report_data(report: Report, index: GraphIndex) -> dict[str, Any]:
    """The data island of the report (a JSON-ready dict; see the module docstring)."""
    ordered = sorted(index.base)
    position = {fid: i for i, fid in enumerate(ordered)}
    fixtures = [index.fixtures[fid] for fid in ordered]
    groups, group_of = _groups(fixtures, index.show)
    return {
        "v": FORMAT_VERSION,
        "scopes": list(SCOPES),
        "kinds": list(KINDS),
        "reasons": list(REASONS),
        "impacts": list(reversed(report.config.levels)),
        "groups": groups,
        "fx": _fixture_columns(report, index, fixtures, position, group_of),
        "findings": _findings(report, position, index.show),
        **_tests(report, index, position),
        "cycles": [[position[i] for i in c.links if i in position] for c in report.resolution.cycles],
        "chains": [
            [c.weight, [position.get(i, i) for i in c.ids]]
            for c in sorted(report.analysis.heavy_chains, key=lambda c: (-c.weight, c.ids))
        ],
        "issues": [[index.show(i.file), i.line, i.code, i.message] for i in report.scan.issues],
        "shown": _shown(groups, fixtures, index.show),
        "impactNote": impact_note(report) is not None,
        "weightUnit": report.analysis.weight_unit,
        "sessionBudget": report.config.max_session_fixtures,
    }


# ---------------------------------------------------------------------------------------------
# Private functions
# ---------------------------------------------------------------------------------------------


def _group_path(fixture: FixtureDef) -> tuple[str, ...]:
    """The chain of group keys a definition sits in, outermost first."""
    if fixture.kind is FixtureKind.BUILTIN:
        return ("builtin:",)
    if fixture.kind is FixtureKind.PLUGIN:
        return (f"plugin:{fixture.registered_in or fixture.file}",)
    parts = PurePosixPath(fixture.file).parts
    dirs = tuple("/".join(parts[: i + 1]) + "/" for i in range(len(parts) - 1))
    return (*dirs, fixture.file)


def _groups(fixtures: list[FixtureDef], show: ShowPath) -> tuple[list[list[Any]], dict[str, int]]:
    """The group tree (``[label, parent, kind]`` rows) and each group key's row.

    Directory and module labels are scan paths (the page builds ids from them); a plugin's label
    is printed from the working directory.
    """
    keys: set[str] = set()
    for fixture in fixtures:
        keys.update(_group_path(fixture))
    rows: list[list[Any]] = []
    row_of: dict[str, int] = {}
    for key in sorted(keys, key=lambda k: (k.count("/") - k.endswith("/"), k)):
        parent = key.rstrip("/").rsplit("/", 1)[0] + "/" if "/" in key.rstrip("/") else None
        if key.startswith(("builtin:", "plugin:")):
            kind, label, parent = key.split(":", 1)[0], _special_label(key, show), None
        elif key.endswith("/"):
            kind, label = "dir", key
        else:
            kind = "conftest" if PurePosixPath(key).name == "conftest.py" else "module"
            label = key
        row_of[key] = len(rows)
        rows.append([label, row_of.get(parent or "", -1), kind])
    return rows, row_of


def _special_label(key: str, show: ShowPath) -> str:
    if key == "builtin:":
        return "pytest builtins"
    return "plugin " + shown_file(key.split(":", 1)[1], FixtureKind.PLUGIN, show)


def _shown(groups: list[list[Any]], fixtures: list[FixtureDef], show: ShowPath) -> dict[str, str]:
    """Scan path -> printed path, for the paths where they differ (see the module docstring)."""
    paths = {label for label, _, kind in groups if kind in ("dir", "conftest", "module")}
    paths.update(f.file for f in fixtures if f.kind is not FixtureKind.BUILTIN)
    out = {}
    for path in sorted(paths):
        if path.startswith("<"):
            continue
        shown = show(path.rstrip("/")) + "/" if path.endswith("/") else show(path)
        if shown != path:
            out[path] = shown
    return out


def _fixture_columns(
    report: Report,
    index: GraphIndex,
    fixtures: list[FixtureDef],
    position: dict[str, int],
    group_of: dict[str, int],
) -> dict[str, Any]:
    counts = dict(report.analysis.fan_in) or used_by(report)
    measured = {row.id: row.text for row in measured_rows(report)}
    by_name: dict[str, list[FixtureDef]] = defaultdict(list)
    for fixture in index.fixtures.values():
        by_name[fixture.name].append(fixture)
    findings: dict[str, list[str]] = defaultdict(list)
    for finding in report.analysis.findings:
        if finding.symbol in position:
            findings[finding.symbol].append(f"{finding.code} {finding.severity.label}: {finding.message}")
    cols: dict[str, list[Any]] = defaultdict(list)
    sparse: dict[str, dict[int, Any]] = defaultdict(dict)
    for i, f in enumerate(fixtures):
        registered = None if f.registered_in == f.file else shown_file(f.registered_in, f.kind, index.show)
        group = group_of[_group_path(f)[-1]]
        cols["name"].append(f.name)
        cols["group"].append(group)
        cols["line"].append(f.line)
        cols["scope"].append(SCOPES.index(f.scope_label))
        cols["impact"].append(f.impact or "")
        cols["kind"].append(KINDS.index(f.kind.value))
        cols["used"].append(counts.get(f.id, 0))
        cols["weight"].append(report.config.weight(f.impact))
        cols["severity"].append(index.severity.get(f.id, 0))
        flags = (
            FLAG_AUTOUSE * f.autouse
            | FLAG_CONDITIONAL * f.conditional
            | FLAG_YIELD * f.is_yield
            | FLAG_ASYNC * f.is_async
            | FLAG_USER * (f.kind in USER_KINDS)
            | FLAG_PARAMS * (f.params is not None)
        )
        cols["flags"].append(flags)
        cols["deps"].append(_deps(index, f.id, position))
        if f.id != f"{f.file}::{f.name}":
            sparse["id"][i] = f.id
        if f.file != _group_path(f)[-1]:
            sparse["file"][i] = f.file
        for key, value in (
            ("doc", f.docstring),
            ("impactDescription", f.impact_description),
            ("scopeSource", f.scope_source),
            ("params", f.params),
            ("measured", measured.get(f.id)),
            ("registeredIn", registered),
        ):
            if value:
                sparse[key][i] = value
        if f.guards:
            sparse["guards"][i] = list(f.guards)
        chain = override_chain(f, by_name[f.name])
        if len(chain) > 1:
            sparse["overrides"][i] = chain
        if f.id in findings:
            sparse["findings"][i] = findings[f.id]
    return {**cols, **{key: {str(k): v for k, v in values.items()} for key, values in sparse.items()}}


def _deps(index: GraphIndex, fid: str, position: dict[str, int]) -> list[int]:
    out = []
    for target in index.deps.get(fid, ()):
        if target in position:
            edge = index.edges[fid, target]
            out.append(-1 - position[target] if edge.dynamic else position[target])
    return out


def _findings(report: Report, position: dict[str, int], show: ShowPath) -> list[list[Any]]:
    by_place: dict[tuple[str, int], str] = {}
    for fixture in report.scan.fixtures:
        by_place.setdefault((fixture.file, fixture.line), fixture.id)
    rows = []
    for f in sorted(report.analysis.findings, key=_finding_order):
        related = [position[r] for r in _related_ids(f, by_place) if r in position]
        rows.append(
            [
                f.code,
                int(f.severity),
                f.severity.label,
                show(f.file),
                f.line,
                position.get(f.symbol or "", -1),
                f.symbol or "",
                f.message,
                f.fix or "",
                related,
            ]
        )
    return rows


def _finding_order(finding: Finding) -> tuple[int, tuple[str, int, int, str, str]]:
    return (-int(finding.severity), finding.sort_key)


def _related_ids(finding: Finding, by_place: dict[tuple[str, int], str]) -> Iterable[str]:
    seen = {finding.symbol}
    for location in finding.related:
        fid = by_place.get((location.file, location.line))
        if fid is not None and fid not in seen:
            seen.add(fid)
            yield fid


def _ambiguous_names(index: GraphIndex) -> frozenset[str]:
    """Names some definition resolves to different definitions in different places."""
    targets: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (source, target), edge in index.edges.items():
        if source in index.fixtures:
            for name in edge.names:
                targets[source, name].add(target)
    return frozenset(name for (_, name), found in targets.items() if len(found) > 1)


def _tests(report: Report, index: GraphIndex, position: dict[str, int]) -> dict[str, Any]:
    items: dict[str, TestItem] = {t.nodeid: t for t in report.scan.tests}
    roots_of: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
    for edge in report.resolution.test_edges():
        if edge.source in items and edge.target in position:
            roots_of[edge.source].append((edge.target, edge.name, edge.dynamic))
    ambiguous = sorted(_ambiguous_names(index))
    weights = {c.nodeid: c.weight for c in report.analysis.test_costs}
    guards = report.test_guards()
    ini = frozenset(report.scan.ini_usefixtures)
    autouse = AutouseIndex(report.scan.fixtures)
    contexts: dict[tuple[tuple[int, ...], tuple[tuple[str, int], ...]], int] = {}
    winners_cache: dict[int, tuple[tuple[str, int], ...]] = {}
    sizes: dict[int, int] = {}  # by id(parts): tests that share a closure share its parts
    cols: dict[str, list[Any]] = defaultdict(list)
    params: dict[str, list[list[str]]] = {}
    test_guards: dict[str, list[str]] = {}
    resolved = sorted(report.resolution.tests, key=lambda t: t.nodeid)
    files = sorted({item.file for item in items.values()})
    file_index = {file: i for i, file in enumerate(files)}
    for i, rt in enumerate(resolved):
        item = items.get(rt.nodeid)
        if item is not None and rt.nodeid.startswith(item.file + "::"):
            cols["file"].append(file_index[item.file])
            cols["name"].append(rt.nodeid[len(item.file) + 2 :])
        else:
            cols["file"].append(-1)
            cols["name"].append(rt.nodeid)
        visible = autouse.visible(item.ancestors) if item is not None else {}
        roots, auto = _roots(item, roots_of.get(rt.nodeid, ()), position, ini, visible)
        key = (auto, _winners(rt, ambiguous, position, winners_cache))
        cols["roots"].append(roots)
        cols["ctx"].append(contexts.setdefault(key, len(contexts)))
        size = sizes.get(id(rt.parts))
        if size is None:
            size = sizes[id(rt.parts)] = len(rt.closure_defs)
        cols["size"].append(size)
        weight = weights.get(rt.nodeid, 0.0)
        cols["weight"].append(float(weight_text(weight)) if weight else 0)
        if item is not None and item.param_names:
            direct = [n for n in item.param_names if n in item.direct_params]
            params[str(i)] = [direct, [n for n in item.param_names if n not in item.direct_params]]
        if rt.nodeid in guards:
            test_guards[str(i)] = list(guards[rt.nodeid])
    return {
        "tests": {**cols, "params": params, "guards": test_guards},
        "testFiles": files,
        "contexts": [[list(auto), [list(w) for w in win]] for auto, win in contexts],
    }


def _roots(
    item: TestItem | None,
    edges: Iterable[tuple[str, str, bool]],
    position: dict[str, int],
    ini: frozenset[str],
    autouse: dict[str, tuple[FixtureDef, ...]],
) -> tuple[list[int], tuple[int, ...]]:
    """The test's own requests as ``position * 8 + reason``, and its autouse definitions apart.

    A root's reason is :func:`~fixture_graph.questions.reasons.primary_kind` of its origins; one
    that is only autouse goes to the context (shared by the tests of a module).
    """
    roots: list[tuple[int, str, int]] = []
    auto: list[int] = []
    for target, name, dynamic in edges:
        reason = GETFIXTUREVALUE if dynamic else primary_kind(root_kinds(name, item, ini, autouse))
        if reason == AUTOUSE:
            auto.append(position[target])
            continue
        roots.append((REASONS.index(reason), name, position[target]))
    return [p * 8 + r for r, _, p in sorted(roots)], tuple(sorted(auto))


def _winners(
    rt: ResolvedTest,
    ambiguous: list[str],
    position: dict[str, int],
    cache: dict[int, tuple[tuple[str, int], ...]],
) -> tuple[tuple[str, int], ...]:
    """The definitions the resolver chose for the test, for the ambiguous names only."""
    # Tests that share a closure share its parts tuple (winners are computed from the parts).
    key = id(rt.parts)
    if key in cache:
        return cache[key]
    winners = rt.winners
    out = []
    for name in ambiguous:
        at = bisect.bisect_left(winners, (name,))
        if at < len(winners) and winners[at][0] == name and winners[at][1] in position:
            out.append((name, position[winners[at][1]]))
    cache[key] = tuple(out)
    return cache[key]
