"""Text of the answers to ``why``, ``tree`` and ``uses`` (see :mod:`fixture_graph.questions`).

Paths are printed from the working directory (:func:`~fixture_graph.render.paths.path_display`);
node ids and definition ids stay pytest's rootdir-relative ids.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from fixture_graph.model import FixtureDef, FixtureKind
from fixture_graph.questions.closure import TestClosure
from fixture_graph.questions.lookup import FixtureQuery, is_visible
from fixture_graph.questions.reasons import (
    ARGUMENT,
    AUTOUSE,
    GETFIXTUREVALUE,
    INI,
    PARAMETRIZE,
    USEFIXTURES,
    Origin,
)
from fixture_graph.questions.routes import Routes
from fixture_graph.questions.tree import TreeRow
from fixture_graph.questions.uses import Deselect, Use
from fixture_graph.render.paths import ShowPath
from fixture_graph.render.view import shown_file
from fixture_graph.words import counted


def place(fixture: FixtureDef, show: ShowPath) -> str:
    """``file:line`` of a definition, printed from the working directory."""
    return f"{shown_file(fixture.file, fixture.kind, show)}:{fixture.line}"


def facts(fixture: FixtureDef) -> str:
    """``scope, impact`` of a definition (``untagged`` without an impact), then ``conditional``
    when it exists only under a condition the scan could not decide (an env guard)."""
    text = f"{fixture.scope_label}, {fixture.impact or 'untagged'}"
    return f"{text}, conditional" if fixture.conditional else text


def holder_text(fixture: FixtureDef, show: ShowPath) -> str:
    """Where a definition is registered: the conftest file, ``module X``, ``class X``, ``plugin X``."""
    if fixture.kind is FixtureKind.BUILTIN:
        return "pytest"
    if fixture.kind is FixtureKind.CLASS or "::" in fixture.holder:  # an xunit shim may sit on a class
        return f"class {fixture.holder}"
    registered = shown_file(fixture.registered_in, fixture.kind, show)
    if fixture.kind is FixtureKind.CONFTEST:
        return registered
    return f"{'plugin' if fixture.kind is FixtureKind.PLUGIN else 'module'} {registered}"


def origin_text(origin: Origin, closure: TestClosure, show: ShowPath) -> str:
    """One reason the test requests a name, with its place (the phrase ``why`` prints)."""
    item = closure.item
    if origin.kind == ARGUMENT:
        return f"the test's signature ({show(item.file)}:{item.line})"
    if origin.kind == USEFIXTURES and origin.node == "":
        return "a usefixtures a plugin adds for one of the test's marks"
    if origin.kind == USEFIXTURES:
        return f"a usefixtures mark on {_mark_place(origin.node, item.nodeid)}"
    if origin.kind == INI:
        return f"ini usefixtures ({show(origin.file)})" if origin.file else "ini usefixtures"
    if origin.kind == AUTOUSE:
        fixture = _autouse_def(origin, closure)
        where = holder_text(fixture, show) if fixture is not None else origin.node
        return f"autouse in {where} ({show(origin.file)}:{origin.line})"
    if origin.kind == GETFIXTUREVALUE:
        return f"request.getfixturevalue in the test ({show(item.file)}:{item.line})"
    if origin.node == "pytest_generate_tests":
        return f"metafunc.parametrize in pytest_generate_tests ({show(origin.file)}:{origin.line})"
    return f"a parametrize mark on the test ({show(item.file)}:{item.line})"


def origin_label(origin: Origin, closure: TestClosure, show: ShowPath) -> str:
    """The short label of a root in ``tree`` (``autouse: conftest tests/conftest.py``)."""
    if origin.kind == USEFIXTURES:
        where = "added by a plugin" if origin.node == "" else _mark_place(origin.node, closure.item.nodeid)
        return f"usefixtures: {where}"
    if origin.kind == AUTOUSE:
        fixture = _autouse_def(origin, closure)
        return f"autouse: {holder_text(fixture, show) if fixture is not None else origin.node}"
    if origin.kind == INI:
        return "ini usefixtures"
    if origin.kind == PARAMETRIZE:
        return "parametrized directly"
    return origin.kind


def render_why(closure: TestClosure, routes: Routes, show: ShowPath) -> str:
    """The routes by which the test gets the fixture (``routes`` must hold some)."""
    fixtures = closure.fixtures
    target = routes.targets[0]
    got = (
        f"{target} ({facts(fixtures[target])}, {place(fixtures[target], show)})"
        if target is not None
        else "the test's parametrize (no definition of it runs)"
    )
    count = f"at least {routes.total}" if routes.capped else str(routes.total)
    noun = "route" if routes.total == 1 else "routes"
    lines = [f"{closure.nodeid} gets {routes.name} from {got} by {count} {noun}:"]
    width = len(str(len(routes.routes)))
    for number, route in enumerate(routes.routes, 1):
        why = origin_text(route.origin, closure, show) if route.origin is not None else "a request"
        lines.append(f"  {number:>{width}}. {why} -> {route.root.name}")
        for link in route.links:
            requester = fixtures[link.requester]
            how = " (getfixturevalue)" if link.dynamic else ""
            how += " (the definition it overrides)" if link.name == requester.name else ""
            step = f"{requester.name} ({place(requester, show)}) -> {link.name}{how}"
            lines.append(f"  {'':>{width}}    {step}")
    hidden = routes.total - len(routes.routes)
    if hidden > 0:
        lines.append(f"  ... and {'at least ' if routes.capped else ''}{counted(hidden, 'more route')}")
    return "\n".join(lines) + "\n"


def render_not_in_closure(
    asked: str, closure: TestClosure, near: Iterable[FixtureDef], show: ShowPath
) -> str:
    """The one line ``why`` prints when the test does not get the fixture."""
    described = ", ".join(
        f"{f.id} ({place(f, show)}, "
        + ("visible, nothing requests it)" if is_visible(f, closure.item) else "not visible from the test)")
        for f in near
    )
    return f"{asked} is not in the closure of {closure.nodeid}; nearest definitions: {described}"


def render_tree(closure: TestClosure, rows: Iterable[TreeRow], show: ShowPath) -> str:
    """The closure tree: one line per request, ``(*)`` where a definition is expanded above."""
    item = closure.item
    lines = [f"{closure.nodeid} ({show(item.file)}:{item.line})"]
    repeated = False
    for row in rows:
        prefix = "".join("    " if last else "│   " for last in row.last[:-1])
        prefix += "└── " if row.last[-1] else "├── "
        lines.append(prefix + _node_text(closure, row, show))
        repeated |= row.repeated
    if len(lines) == 1:
        lines.append("(no fixtures)")
    if repeated:
        lines.append("(*) expanded above")
    return "\n".join(lines) + "\n"


def _node_text(closure: TestClosure, row: TreeRow, show: ShowPath) -> str:
    labels = [origin_label(o, closure, show) for o in row.origins if o.kind != ARGUMENT]
    if row.dynamic:
        labels.append("getfixturevalue")
    if row.target is None:
        direct = row.name in closure.item.direct_params
        text = row.name if direct else f"{row.name} (not found)"
        if direct and not any(o.kind == PARAMETRIZE for o in row.origins):
            labels.append("parametrized directly")
    elif row.repeated:
        text = f"{row.name} (*)"
    else:
        fixture = closure.fixtures[row.target]
        text = f"{row.name} ({facts(fixture)}) {place(fixture, show)}"
    return f"{text} [{'; '.join(labels)}]" if labels else text


def render_uses(uses: Iterable[Use], *, deselect: bool = False) -> str:
    """One node id per line (``--deselect NODEID`` lines with ``deselect``)."""
    return "".join(f"--deselect {u.nodeid}\n" if deselect else f"{u.nodeid}\n" for u in uses)


def render_uses_json(
    query: FixtureQuery, uses: Iterable[Use], clashes: Iterable[Deselect], definitions: Iterable[str]
) -> str:
    """The ``uses`` answer as a JSON document (sorted keys, two-space indent)."""
    document = {
        "fixture": query.name,
        "definition": query.definition,
        "definitions": sorted(definitions),
        "tests": [{"nodeid": u.nodeid, "definitions": list(u.definitions), "how": list(u.how)} for u in uses],
        "deselect_clashes": [{"prefix": c.prefix, "also_deselects": list(c.others)} for c in clashes],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _mark_place(node: str | None, nodeid: str) -> str:
    if node is None:
        return "the test, its class or its module"
    if node == nodeid:
        return "the test"
    return f"class {node}" if "::" in node else f"module {node}"


def _autouse_def(origin: Origin, closure: TestClosure) -> FixtureDef | None:
    return closure.fixtures.get(origin.definition) if origin.definition is not None else None
