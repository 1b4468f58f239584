"""Plugin behaviour that a fixture's AST cannot show, as one small declarative entry per plugin.

A plugin's *fixtures* are found by scanning its module like any other (the ``pytest11`` entry
point, ``-p NAME`` or ``pytest_plugins``). What this module records is the rest, read from each
plugin's own source (the versions named in each entry):

* decorators that define fixtures (``pytest_asyncio.fixture``);
* calls whose literal first argument names a fixture used lazily (``lf("db")``);
* module-level calls that define fixtures in the calling module (pytest-factoryboy's ``register``);
* marks that add fixtures to the tests carrying them at collection (anyio's ``anyio_backend``);
* ini options that change a rule (pytest-asyncio's default loop scope).

Only data lives here; the scan applies it (:mod:`fixture_graph.scan.session`), the extractor reads
the name sets (:mod:`fixture_graph.scan.extract`) and :mod:`fixture_graph.scan.ini` reads the
ini keys and command-line flags the entries name, without knowing any plugin.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fixture_graph.scope import Scope

# pytest's own fixture decorators (``pytest.yield_fixture`` is the pre-8 alias).
PYTEST_FIXTURE_DECORATORS = ("pytest.fixture", "pytest.yield_fixture", "_pytest.fixtures.fixture")


@dataclass(frozen=True, slots=True)
class Switch:
    """A mode chosen by an ini option or the command-line flag that overrides it (in ``addopts``).

    The flag wins over the ini value, as ``config.getoption(dest) or config.getini(name)`` does.
    """

    ini: str
    option: str
    value: str

    def on(self, values: Mapping[str, str]) -> bool:
        """Whether the mode is set in ``values`` (ini keys and flags, see :func:`settings_keys`)."""
        chosen = values.get(self.option) or values.get(self.ini)
        return chosen == self.value


@dataclass(frozen=True, slots=True)
class MarkFixtures:
    """A mark that makes the plugin add ``usefixtures(*fixtures)`` to the tests carrying it.

    The mark counts on the function, its class or the module (``get_closest_marker`` of the
    collector plus the function's own marks). ``coroutines_only``: only ``async def`` tests.
    ``auto``: the mode in which every such test gets the fixtures, marked or not.
    """

    mark: str
    fixtures: tuple[str, ...]
    coroutines_only: bool = False
    auto: Switch | None = None


@dataclass(frozen=True, slots=True)
class LoopScope:
    """An event-loop plugin: each of its fixtures runs in a loop fixture of some scope.

    The loop scope is the decorator's ``keyword`` when given, else the ini ``default_ini`` (its
    value ``match_fixture_scope`` meaning the fixture's own scope), else the fixture's scope.
    It applies to every fixture defined with one of the plugin's ``fixture_decorators`` (sync
    ones too), and in ``auto`` mode also to every ``async def`` fixture.
    """

    keyword: str
    default_ini: str
    match_fixture_scope: str
    auto: Switch


@dataclass(frozen=True, slots=True)
class Registrar:
    """A module-level call that defines fixtures in the calling module (or class body).

    ``function`` is the qualified name of the call; ``name_keyword`` the keyword (also the second
    positional argument) that names the model fixture. What the fixtures are named is
    pytest-factoryboy's rule, see :mod:`fixture_graph.scan.factories`.
    """

    function: str
    name_keyword: str


@dataclass(frozen=True, slots=True)
class Plugin:
    """One plugin: what activates it and what it does beyond its fixtures.

    ``modules`` are its plugin modules: the entry is active when pytest loads one of them (entry
    point, ``-p`` or ``pytest_plugins``). Decorators, lazy uses and registrars are recognized by
    name wherever they appear, since the code that uses them imports the plugin anyway.
    """

    name: str
    distribution: str
    modules: tuple[str, ...]
    checked: str
    fixture_decorators: tuple[str, ...] = ()
    fixture_uses: tuple[str, ...] = ()
    registrars: tuple[Registrar, ...] = ()
    mark_fixtures: tuple[MarkFixtures, ...] = ()
    loop_scope: LoopScope | None = None


ANYIO = Plugin(
    name="anyio",
    distribution="anyio",
    modules=("anyio.pytest_plugin",),
    checked="anyio 4.16.0, anyio/pytest_plugin.py: pytest_pycollect_makeitem",
    mark_fixtures=(
        MarkFixtures(
            mark="anyio",
            fixtures=("anyio_backend",),
            coroutines_only=True,
            auto=Switch(ini="anyio_mode", option="--anyio-mode", value="auto"),
        ),
    ),
)

PYTEST_ASYNCIO = Plugin(
    name="pytest-asyncio",
    distribution="pytest-asyncio",
    modules=("pytest_asyncio.plugin",),
    checked="pytest-asyncio 1.5.0, pytest_asyncio/plugin.py: pytest_fixture_setup",
    fixture_decorators=("pytest_asyncio.fixture", "pytest_asyncio.plugin.fixture"),
    loop_scope=LoopScope(
        keyword="loop_scope",
        default_ini="asyncio_default_fixture_loop_scope",
        match_fixture_scope="fixture-scope",
        auto=Switch(ini="asyncio_mode", option="--asyncio-mode", value="auto"),
    ),
)

# Both fetch the fixture with request.getfixturevalue at setup: item.fixturenames does not
# contain it (checked on pytest-lazy-fixtures 1.4.1, pytest_lazy_fixtures/normalizer.py, and
# pytest-lazy-fixture 0.6.3, pytest_lazyfixture.py: fillfixtures).
PYTEST_LAZY_FIXTURES = Plugin(
    name="pytest-lazy-fixtures",
    distribution="pytest-lazy-fixtures",
    modules=("pytest_lazy_fixtures.plugin",),
    checked="pytest-lazy-fixtures 1.4.1, pytest_lazy_fixtures/lazy_fixture.py: lf",
    fixture_uses=(
        "pytest_lazy_fixtures.lf",
        "pytest_lazy_fixtures.lazy_fixture.lf",
        "pytest_lazy_fixtures.lfc",
        "pytest_lazy_fixtures.lazy_fixture_callable.lfc",
    ),
)

PYTEST_LAZY_FIXTURE = Plugin(
    name="pytest-lazy-fixture",
    distribution="pytest-lazy-fixture",
    modules=("pytest_lazyfixture",),
    checked="pytest-lazy-fixture 0.6.3, pytest_lazyfixture.py: lazy_fixture (also pytest.lazy_fixture)",
    fixture_uses=("pytest_lazyfixture.lazy_fixture", "pytest.lazy_fixture"),
)

# pytest-cases 3.10.1 does not import on pytest 9.2 (IdMaker's signature changed); fixture_ref
# inside its own @parametrize becomes a union fixture, so it is recorded as a use, not a closure.
PYTEST_CASES = Plugin(
    name="pytest-cases",
    distribution="pytest-cases",
    modules=("pytest_cases.plugin",),
    checked="pytest-cases 3.10.1 (read, not run: it fails to import on pytest 9.2)",
    fixture_uses=("pytest_cases.fixture_ref", "pytest_cases.fixture_core2.fixture_ref"),
)

PYTEST_FACTORYBOY = Plugin(
    name="pytest-factoryboy",
    distribution="pytest-factoryboy",
    modules=("pytest_factoryboy.plugin",),
    checked="pytest-factoryboy 2.8.1, pytest_factoryboy/fixture.py: register, generate_fixtures",
    registrars=(
        Registrar("pytest_factoryboy.register", "_name"),
        Registrar("pytest_factoryboy.fixture.register", "_name"),
    ),
)

PLUGINS: tuple[Plugin, ...] = (
    ANYIO,
    PYTEST_ASYNCIO,
    PYTEST_LAZY_FIXTURES,
    PYTEST_LAZY_FIXTURE,
    PYTEST_CASES,
    PYTEST_FACTORYBOY,
)

FIXTURE_DECORATORS: frozenset[str] = frozenset(
    {*PYTEST_FIXTURE_DECORATORS, *(d for p in PLUGINS for d in p.fixture_decorators)}
)
FIXTURE_USES: frozenset[str] = frozenset(u for p in PLUGINS for u in p.fixture_uses)
REGISTRARS: dict[str, Registrar] = {r.function: r for p in PLUGINS for r in p.registrars}


def _switches(plugin: Plugin) -> list[Switch]:
    found = [m.auto for m in plugin.mark_fixtures if m.auto is not None]
    if plugin.loop_scope is not None:
        found.append(plugin.loop_scope.auto)
    return found


def settings_keys() -> tuple[frozenset[str], frozenset[str]]:
    """The ini keys and the command-line flags (in ``addopts``) the entries read."""
    ini = {s.ini for p in PLUGINS for s in _switches(p)}
    ini |= {p.loop_scope.default_ini for p in PLUGINS if p.loop_scope is not None}
    flags = {s.option for p in PLUGINS for s in _switches(p)}
    return frozenset(ini), frozenset(flags)


def active(loaded_modules: set[str]) -> tuple[Plugin, ...]:
    """The entries whose plugin module pytest loads (``loaded_modules``: dotted names)."""
    return tuple(p for p in PLUGINS if any(m in loaded_modules for m in p.modules))


def loop_scope(
    plugin: Plugin,
    *,
    explicit: str | None,
    own_decorator: bool,
    is_async: bool,
    scope: Scope,
    values: Mapping[str, str],
) -> tuple[str, str] | None:
    """The loop scope ``plugin`` runs a fixture in, and where it comes from; None if it does not.

    pytest-asyncio's ``pytest_fixture_setup``: a fixture made by its decorator always, any other
    coroutine fixture only in auto mode; ``loop_scope=`` or else the ini default (``fixture-scope``
    meaning the fixture's scope) or else the fixture's scope.
    """
    rule = plugin.loop_scope
    if rule is None:
        return None
    if not own_decorator and not (is_async and rule.auto.on(values)):
        return None
    if explicit is not None:
        return explicit, f"{rule.keyword}="
    default = values.get(rule.default_ini)
    if default == rule.match_fixture_scope or not default:
        return scope.value, f"{rule.default_ini} unset" if not default else rule.default_ini
    return default, rule.default_ini
