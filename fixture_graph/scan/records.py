"""Per-file extraction records: small, frozen and picklable, holding no AST.

:func:`fixture_graph.scan.extract.extract_module` turns one file into a :class:`ModuleRecord`.
It is a pure function of (path, bytes, options), so records can be computed in parallel and
cached by content hash. Everything that needs more than one file (imports, visibility, env
values, ini patterns) is decided later from these records.
"""

from __future__ import annotations

from dataclasses import dataclass

from fixture_graph.model import Issue

# An env-guard expression as nested tuples, e.g. ("eq", ("env", "X", None), ("str", "true")).
EnvExpr = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Guard:
    """The condition an ``if``/``try`` puts on the bindings inside it.

    ``expr`` is set when the condition only reads environment variables, so ``--env`` can decide
    it; ``negated`` marks the ``else`` branch. ``text`` is the source, shown to users.
    """

    text: str
    expr: EnvExpr | None = None
    negated: bool = False


@dataclass(frozen=True, slots=True)
class FixtureSpec:
    """The arguments of a fixture decorator, as far as they are literals.

    ``decorator`` is the decorator's qualified name (``pytest_asyncio.fixture``); ``lazy`` the
    fixtures ``params=`` uses through a lazy-fixture call.
    """

    name: str | None = None
    name_source: str | None = None
    scope: str = "function"
    scope_source: str | None = None
    autouse: bool = False
    params: str | None = None
    param_count: int | None = None
    ids: str | None = None
    loop_scope: str | None = None
    decorator: str = "pytest.fixture"
    lazy: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParametrizeMark:
    """One ``@pytest.mark.parametrize``: its argnames, which of them are indirect, and the
    fixtures its values use through a lazy-fixture call (``lf("db")``)."""

    argnames: tuple[str, ...]
    indirect: tuple[str, ...]
    lazy: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Marks:
    """The marks that matter for fixtures, in application order (closest first)."""

    usefixtures: tuple[str, ...] = ()
    parametrize: tuple[ParametrizeMark, ...] = ()
    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FuncInfo:
    """A function or method, with its request names already computed by pytest's rules."""

    name: str
    line: int
    def_line: int
    argnames: tuple[str, ...]
    is_async: bool = False
    is_yield: bool = False
    is_staticmethod: bool = False
    fixture: FixtureSpec | None = None
    marks: Marks = Marks()
    getfixturevalue: tuple[str, ...] = ()
    impact: str | None = None
    impact_description: str | None = None
    docstring: str | None = None
    suppress: tuple[str, ...] = ()
    body_hash: str = ""


@dataclass(frozen=True, slots=True)
class ValueInfo:
    """A class-body or call value, as far as a plugin rule needs it (``model = Author``).

    ``kind`` is ``name`` (``text`` the qualified dotted name), ``str`` (``text`` the literal),
    ``call`` (``text`` the qualified callee, with ``args`` and ``keywords``) or ``other``.
    """

    kind: str
    text: str = ""
    args: tuple[ValueInfo, ...] = ()
    keywords: tuple[tuple[str, ValueInfo], ...] = ()


@dataclass(frozen=True, slots=True)
class Binding:
    """One statement that binds a name in a module or class body, in source order.

    ``kind`` is one of ``def``, ``class``, ``from`` (``from module import attr``), ``star``,
    ``import`` (binds a module object), ``alias`` (``name = attr``), ``fixture_call``
    (``name = pytest.fixture(...)(attr)``), ``other`` (anything else), ``del``, and
    ``register`` (a plugin registrar call such as pytest-factoryboy's ``register(AuthorFactory)``,
    which defines fixtures in the module: ``value`` is the call, ``module`` the registrar).
    ``value`` describes the assigned value in class bodies (and the registrar call).
    """

    name: str
    kind: str
    line: int
    guards: tuple[Guard, ...] = ()
    func: FuncInfo | None = None
    cls: ClassInfo | None = None
    module: str | None = None
    attr: str | None = None
    fixture: FixtureSpec | None = None
    value: ValueInfo | None = None


@dataclass(frozen=True, slots=True)
class ClassInfo:
    """A class body: its bindings, bases and collection flags.

    ``bases`` are written as in the source (resolved later through the namespace);
    ``qualified_bases`` have import aliases expanded (``TestCase`` -> ``unittest.TestCase``).
    """

    name: str
    line: int
    bases: tuple[str, ...]
    body: tuple[Binding, ...]
    marks: Marks = Marks()
    defines: frozenset[str] = frozenset()
    test_false: bool = False
    qualified_bases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TopImport:
    """A module-level import: what it binds and where the bound names are used.

    ``used_by`` lists the functions (``name`` or ``Class.name``) whose bodies use a bound name;
    ``module_level`` says some use runs at import time (module code, decorators, defaults,
    class bodies), in which case the import cannot move into a function.
    """

    line: int
    module: str
    names: tuple[str, ...]
    used_by: tuple[str, ...] = ()
    module_level: bool = False
    guards: tuple[Guard, ...] = ()


@dataclass(frozen=True, slots=True)
class ModuleRecord:
    """Everything one file contributes, with no AST kept."""

    path: str
    body: tuple[Binding, ...] = ()
    all_names: tuple[str, ...] | None = None
    pytest_plugins: tuple[str, ...] = ()
    pytest_plugins_line: int = 0
    marks: Marks = Marks()
    defines: frozenset[str] = frozenset()
    imports: tuple[tuple[str, int], ...] = ()
    collect_ignore: tuple[str, ...] = ()
    collect_ignore_glob: tuple[str, ...] = ()
    issues: tuple[Issue, ...] = ()
    parsed: bool = True
    top_imports: tuple[TopImport, ...] = ()
    suppressions: tuple[tuple[int, tuple[str, ...]], ...] = ()
    # False when ``top_imports`` (and the uses behind them) were not extracted (test modules).
    uses_tracked: bool = True
