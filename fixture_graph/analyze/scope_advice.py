"""The scope advisor's computations: how wide a fixture may be, what blocks it, what fits.

pytest's rule (``ScopeMismatch``): a fixture may request only fixtures of its own scope or wider.
So the widest scope a fixture may have is the narrowest scope among the definitions it gets
(through the winning definitions, override parents included); a dependency that is narrower than
a wider target blocks widening, and the chain below it says why (``db_dir`` is function-scoped
because it requests ``tmp_path``). The other way, the fixtures requesting a fixture bound how
narrow it may become.

A session fixture whose tests all sit in one class, one module or one directory needs no more
than one setup at class, module or package scope, and is torn down when they are done instead of
at the end of the run. Package scope shares one instance per package in which the fixture is
defined (pytest's ``get_scope_package``, the same rule in pytest 7, 8 and 9): the fixture must
move to a conftest in that directory, and the directory needs an ``__init__.py``, or pytest
treats package scope as session scope.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from fixture_graph.analyze.context import Context
from fixture_graph.analyze.fanout import Setups, setups_at
from fixture_graph.model import FixtureDef
from fixture_graph.scope import Scope

# pytest builtins that have a session-scoped counterpart serving the same purpose.
WIDER_BUILTINS = {
    "tmp_path": "tmp_path_factory (session scope: tmp_path_factory.mktemp(...))",
    "tmpdir": "tmpdir_factory (session scope: tmpdir_factory.mktemp(...))",
    "monkeypatch": "pytest.MonkeyPatch.context() inside the fixture",
}


@dataclass(frozen=True, slots=True)
class Fit:
    """A narrower scope that still serves every test reaching a wide fixture with one setup.

    ``where`` is the class, module or directory the tests are in; ``move_to`` the directory of
    the conftest the fixture must live in for package scope (None: it can stay where it is).
    """

    scope: Scope
    where: str
    tests: int
    move_to: str | None = None

    @property
    def place(self) -> str:
        """``in tests/x.py``, ``under tests/integration/``."""
        return f"under {self.where}/" if self.scope is Scope.PACKAGE else f"in {self.where}"

    @property
    def text(self) -> str:
        """``module scope``, ``package scope (in a conftest there; tests/e2e/__init__.py needed)``."""
        if self.scope is Scope.PACKAGE:
            init = posixpath.join(self.where, "__init__.py")
            where = "in a conftest there; " if self.move_to is not None else ""
            return f"package scope ({where}{init} needed)"
        return f"{self.scope.value} scope"


def is_costly(ctx: Context, fixture: FixtureDef, level: str) -> bool:
    """True when ``fixture`` costs at least ``level``: its declared impact weighs as much, or its
    measured memory or slowest setup passes the drift ceiling of the level below it."""
    levels = list(ctx.config.levels)
    if (
        fixture.impact is not None
        and fixture.impact in levels
        and level in levels
        and ctx.config.weight(fixture.impact) >= ctx.config.weight(level)
    ):
        return True
    measured = ctx.measured.get(fixture.id)
    if measured is None or level not in levels or levels.index(level) == 0:
        return False
    below = levels[levels.index(level) - 1]
    memory = dict(ctx.config.drift_memory_mb).get(below)
    seconds = dict(ctx.config.drift_seconds).get(below)
    return (memory is not None and measured.megabytes > memory) or (
        seconds is not None and measured.setup_max_s > seconds
    )


def static_deps(ctx: Context, fixture_id: str) -> list[FixtureDef]:
    """The definitions ``fixture_id`` gets by plain requests, with literal scopes, not itself."""
    graph = ctx.graph
    return [
        ctx.fixtures[dep]
        for dep in graph.successors(fixture_id)
        if dep != fixture_id and not graph.edges[fixture_id, dep].get("dynamic")
        if not ctx.fixtures[dep].scope_is_dynamic
    ]


def widest_allowed(ctx: Context, fixture_id: str) -> Scope:
    """The widest scope ``fixture_id`` may have given the scopes of what it requests."""
    return min((d.scope for d in static_deps(ctx, fixture_id)), default=Scope.SESSION)


def blocker_path(ctx: Context, fixture_id: str, target: Scope) -> list[str]:
    """The chain below ``fixture_id`` that keeps it narrower than ``target``, ending at the cause.

    From each link the narrowest dependency narrower than ``target`` is followed (a builtin or
    plugin first, then by id), until a definition that requests nothing narrower than
    ``target``: that one is the cause (a builtin, a plugin fixture, or a fixture that could be
    widened itself).
    """
    path: list[str] = []
    node = fixture_id
    while True:
        deps = [d for d in static_deps(ctx, node) if d.scope < target and d.id not in path]
        if not deps:
            return path
        nxt = min(deps, key=lambda d: (d.scope.index, ctx.is_user(d), d.id))
        path.append(nxt.id)
        node = nxt.id


def best_wider(ctx: Context, fixture: FixtureDef, limit: Scope) -> tuple[Scope, Setups] | None:
    """The narrowest scope wider than ``fixture``'s, up to ``limit``, that needs the fewest
    setups, when that is fewer than now (None otherwise)."""
    now = setups_at(ctx, fixture.id, fixture.scope).count
    best: tuple[Scope, Setups] | None = None
    for scope in Scope:
        # Package scope lasts as long as the package the fixture is defined in: for the tests
        # that see it, one instance, as session scope; the narrowing advice says when it fits.
        if scope is Scope.PACKAGE or not fixture.scope < scope <= limit:
            continue
        setups = setups_at(ctx, fixture.id, scope)
        if setups.count < now and (best is None or setups.count < best[1].count):
            best = (scope, setups)
    return best


def narrowest_fit(ctx: Context, fixture: FixtureDef) -> Fit | None:
    """For a session or package fixture, the narrowest scope that serves every test reaching it
    with one setup, which the fixtures requesting it and the fixtures it requests allow (None
    when there is none). Memoized per definition."""
    memo = ctx.fit_memo
    if fixture.id not in memo:
        memo[fixture.id] = _narrowest_fit(ctx, fixture)
    return memo[fixture.id]


def _narrowest_fit(ctx: Context, fixture: FixtureDef) -> Fit | None:
    if fixture.scope_is_dynamic or fixture.scope < Scope.PACKAGE:
        return None
    tests = ctx.tests_of.get(fixture.id, ())
    if not tests:
        return None
    requesters = [
        ctx.fixtures[r] for r in ctx.graph.predecessors(fixture.id) if r != fixture.id and r in ctx.fixtures
    ]
    if any(r.scope_is_dynamic for r in requesters):
        return None
    floor = max((r.scope for r in requesters), default=Scope.FUNCTION)
    # what it requests bounds it too (a narrower dependency is already FG002's ScopeMismatch)
    ceiling = widest_allowed(ctx, fixture.id)
    units = {ctx.test_units[nodeid] for nodeid in tests}  # (class or None, module) per test
    classes = {klass for klass, _ in units}
    if floor <= Scope.CLASS <= ceiling and len(classes) == 1 and None not in classes:
        return Fit(Scope.CLASS, str(next(iter(classes))), len(tests))
    modules = {module for _, module in units}
    if floor <= Scope.MODULE <= ceiling and len(modules) == 1:
        return Fit(Scope.MODULE, next(iter(modules)), len(tests))
    if fixture.scope is not Scope.SESSION or floor > Scope.PACKAGE or ceiling < Scope.PACKAGE:
        return None
    directory = posixpath.commonpath([posixpath.dirname(m) for m in modules])
    suite = ctx.suite_directory
    if not directory or directory == suite or not _below(directory, suite):
        return None
    holder_dir = fixture.holder if "::" not in fixture.holder and not fixture.holder.endswith(".py") else None
    return Fit(Scope.PACKAGE, directory, len(tests), None if holder_dir == directory else directory)


def _below(directory: str, outer: str) -> bool:
    return outer == "" or directory.startswith(outer + "/")
