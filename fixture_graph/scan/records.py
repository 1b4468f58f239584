"""Per-file extraction records: small, frozen and picklable, holding no AST.

:func:`fixture_graph.scan.extract.extract_module` turns one file into a :class:`ModuleRecord`.
It is a pure function of (path, bytes, options), so records can be computed in parallel and
cached by content hash. Everything that needs more than one file (imports, visibility, env
values, ini patterns) is decided later from these records.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fixture_graph.model import HookParametrize, Issue

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

    ``exprs`` holds the keywords given by an expression the extraction could not decide alone
    (it reads the target interpreter, the environment or process state, or nothing decidable):
    ``(keyword, expression or None, source text)``; the scan decides them for the target.
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
    # ``params=`` when every value is a string literal (a ``getfixturevalue(request.param)`` target).
    param_strings: tuple[str, ...] = ()
    ids: str | None = None
    loop_scope: str | None = None
    decorator: str = "pytest.fixture"
    lazy: tuple[str, ...] = ()
    exprs: tuple[tuple[str, EnvExpr | None, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ParametrizeMark:
    """One ``@pytest.mark.parametrize``: its argnames, which of them are indirect, and the
    string literals each argname takes (``values``: (argname, strings)), which a test may pass
    to ``request.getfixturevalue``, the fixtures its values use through a lazy-fixture call
    (``lf("db")``), and ``cases``: how many argvalues a literal list or tuple gives (None when
    they are computed)."""

    argnames: tuple[str, ...]
    indirect: tuple[str, ...]
    values: tuple[tuple[str, tuple[str, ...]], ...] = ()
    lazy: tuple[str, ...] = ()
    cases: int | None = None


@dataclass(frozen=True, slots=True)
class Marks:
    """The marks that matter for fixtures, in application order (closest first).

    ``refs`` are the names written where a mark may be (a decorator, a ``pytestmark`` element,
    an element of a list of marks) that are not ``pytest.mark.*`` themselves: a variable
    holding marks, one imported from another module, or a helper function that applies marks.
    They are resolved through the namespace later; each is ``(dotted name, called)``, where
    ``called`` says the decorator was a call (``@helper(...)``).
    """

    usefixtures: tuple[str, ...] = ()
    parametrize: tuple[ParametrizeMark, ...] = ()
    names: tuple[str, ...] = ()
    refs: tuple[tuple[str, bool], ...] = ()
    # Parallel to ``usefixtures`` once the collector has placed the marks (:meth:`located`): the
    # node id each ``usefixtures`` mark sits on (the test, its class or its module).
    usefixtures_at: tuple[str, ...] = ()

    def where(self) -> tuple[str, ...]:
        """The node of each ``usefixtures`` name (``""`` for those not placed yet)."""
        placed = self.usefixtures_at
        return placed + ("",) * (len(self.usefixtures) - len(placed))

    def extended(self, other: Marks) -> Marks:
        """These marks followed by ``other``'s (farther marks come later)."""
        return Marks(
            self.usefixtures + other.usefixtures,
            self.parametrize + other.parametrize,
            self.names + other.names,
            self.refs + other.refs,
            self.where() + other.where(),
        )

    def located(self, node: str) -> Marks:
        """These marks, with every ``usefixtures`` mark not yet placed recorded as sitting on ``node``."""
        placed = self.usefixtures_at
        if len(placed) == len(self.usefixtures) and all(placed):
            return self
        return replace(self, usefixtures_at=tuple(at or node for at in self.where()))


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
    # Non-literal ``getfixturevalue`` arguments that are parameters (``name``) or ``request.param``:
    # the scan turns them into uses from the literal values they take.
    getfixturevalue_of: tuple[str, ...] = ()
    impact: str | None = None
    impact_description: str | None = None
    docstring: str | None = None
    suppress: tuple[str, ...] = ()
    body_hash: str = ""
    # Bit i set: ``argnames[i]`` is never read by the body; 0 when it cannot tell (a stub, a
    # ``locals()``/``eval`` body, a wrapper): see :mod:`fixture_graph.scan.reads`.
    unread_mask: int = 0
    # Fixtures only: the code's shape (docstring, comments, layout left out; the fixture spec in;
    # empty for a stub body),
    # whether it only returns a literal, and the earlier definitions of the same attribute in
    # the same body that this one rebinds (line, shape hash): pytest never sees those.
    shape_hash: str = ""
    constant: bool = False
    redefines: tuple[tuple[int, str], ...] = ()
    # A helper that applies marks: ``return pytest.mark.x(func)`` or a returned inner function
    # with mark decorators (used as ``@helper``), or ``return pytest.mark.x(...)`` (used as
    # ``@helper(...)``, when ``applies_on_call``).
    applies_marks: Marks | None = None
    applies_on_call: bool = False
    # For a ``pytest_generate_tests`` hook: its ``metafunc.parametrize`` calls.
    generates: tuple[HookParametrize, ...] = ()


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
    (``name = pytest.fixture(...)(attr)``), ``mark`` (``name = pytest.mark.x(...)``, or a list
    of marks and names that may hold marks, in ``marks``), ``other`` (anything else), ``del``,
    and ``register`` (a plugin registrar call such as pytest-factoryboy's
    ``register(AuthorFactory)``, which defines fixtures in the module: ``value`` is the call,
    ``module`` the registrar). ``value`` describes the assigned value in class bodies (and the
    registrar call).
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
    marks: Marks | None = None
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
class ModuleSkip:
    """A module-level ``pytest.importorskip(...)`` or ``pytest.skip(..., allow_module_level=True)``.

    pytest skips the whole module at collection when it runs (and, for ``importorskip``, the
    import fails). ``module`` is the literal module name given to ``importorskip`` (None when it
    is not a literal, or for ``skip``); ``minversion`` says a minimum version is asked for.
    """

    line: int
    text: str
    kind: str  # "importorskip" or "skip"
    module: str | None = None
    minversion: bool = False
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
    # ``collect_ignore``/``collect_ignore_glob`` entries added under a guard: (kind, value, guards),
    # kind ``path`` or ``glob``.
    guarded_ignores: tuple[tuple[str, str, tuple[Guard, ...]], ...] = ()
    issues: tuple[Issue, ...] = ()
    parsed: bool = True
    top_imports: tuple[TopImport, ...] = ()
    suppressions: tuple[tuple[int, tuple[str, ...]], ...] = ()
    # Module-level constants as expressions (``PY_310 = sys.version_info >= (3, 10)``), which
    # guards in other modules may import.
    constants: tuple[tuple[str, EnvExpr], ...] = ()
    # False when ``top_imports`` (and the uses behind them) were not extracted (test modules).
    uses_tracked: bool = True
    module_skips: tuple[ModuleSkip, ...] = ()
    # Some ``pytest.param(..., marks=...)`` is written in this file (marks per parametrized case).
    param_marks: bool = False
