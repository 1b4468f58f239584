"""Guards and decorator values: turn an expression into a small tree and decide it statically.

Decidable reads:

* the environment: ``os.environ.get("K"[, default])``, ``os.getenv(...)``, ``os.environ["K"]``,
  ``"K" in os.environ`` (decided by ``--env``);
* facts of the target interpreter: ``os.name``, ``sys.platform``, ``sys.version_info`` (with
  indexing and slicing), ``sys.implementation.name``, ``sys.byteorder``, ``sys.flags.*``,
  ``platform.system()``, ``platform.machine()``, ``platform.python_implementation()``;
* process state, as a plain ``pytest`` run has it (no tracer, no coverage, no debugger), or
  as under a tracer when asked: ``sys.gettrace()``, ``"coverage" in sys.modules``;
* literals and the module's constants assigned before (``AUTO = False``);

combined with string methods (``lower``, ``upper``, ``strip``, ``startswith``, ``endswith``),
comparisons (``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``in``, ``not in``, ``is``), truth
tests, ``bool(...)``, ``x if c else y``, and ``and``/``or``/``not``. Anything else stays
undecided, which means: included, and marked conditional with its source text.

Import probes are decidable too: the body of ``try: import x`` / ``except ImportError`` gets
``("importable", "x")``, its handler the negation, and a flag set there (``HAS_X = True``) stands
for the same expression in a later ``if HAS_X:``. They are decided against the target
environment's search path (the ``importable`` callback), not ``--env``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fixture_graph.scan.records import EnvExpr, Guard

Importable = Callable[[str], bool]
# (module, name) -> the expression of another module's constant, or None when unknown.
Constant = Callable[[str, str], "EnvExpr | None"]

_STR_METHODS = frozenset({"lower", "upper", "strip", "casefold", "startswith", "endswith"})
_ENVIRON = frozenset({"os.environ"})
_GETTERS = frozenset({"os.environ.get", "os.getenv"})
# Attributes of the target interpreter, read by the environment probe (TargetEnvironment.facts).
FACT_ATTRIBUTES = frozenset(
    {"os.name", "sys.platform", "sys.version_info", "sys.implementation.name", "sys.byteorder"}
)
FACT_CALLS = frozenset({"platform.system", "platform.machine", "platform.python_implementation"})
# Roots whose attributes are never a suite's constants (facts are read above; the rest is runtime).
_NOT_CONSTANTS = ("os.", "sys.", "platform.", "pytest.", "builtins.")
# False whenever code runs (only type checkers take it as true), as ``if TYPE_CHECKING:`` is read
# by the extractor: never looked up in typing.py, which a guard like ``sys.version_info >= (3, 11)
# or TYPE_CHECKING`` (pytest's capture.py) would otherwise read on 3.10 only.
_TYPE_CHECKING = frozenset({"typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING"})
_MAX_IMPORT_DEPTH = 8
_FIND_SPEC = frozenset({"importlib.util.find_spec", "importlib.find_loader", "pkgutil.find_loader"})
# Modules a tracer, coverage tool or debugger imports: absent from a plain pytest run.
TRACER_MODULES = frozenset({"coverage", "pydevd", "debugpy", "_pydevd_bundle", "pdb", "bdb"})


@dataclass(frozen=True, slots=True)
class ProcessState:
    """What a guard on process state reads, for one kind of run.

    ``PLAIN`` is a plain ``pytest`` run (pytest's own answer in ``--collect-only``);
    ``TRACED`` is a run under a tracer such as coverage or a debugger (``--traced``).
    """

    tracing: bool
    tracer_modules: frozenset[str]


PLAIN = ProcessState(tracing=False, tracer_modules=frozenset())
TRACED = ProcessState(tracing=True, tracer_modules=frozenset({"coverage"}))


class _NotEnv(Exception):
    """The expression reads something other than the environment."""


def env_expr(
    node: ast.expr, qualify: Callable[[ast.expr], str | None], flags: Mapping[str, EnvExpr] | None = None
) -> EnvExpr | None:
    """The env-expression for ``node``, or None when it is not a pure environment test.

    ``flags`` maps module-level names set by an import probe to their expression.
    """
    try:
        return _convert(node, _Context(qualify, flags or {}))
    except (_NotEnv, RecursionError):
        return None


def evaluate(
    guard: Guard,
    env: Mapping[str, str | None],
    importable: Importable | None = None,
    facts: Mapping[str, object] | None = None,
    state: ProcessState | None = PLAIN,
    constant: Constant | None = None,
) -> bool | None:
    """True/False when the guard is decided, None when undecided.

    ``env`` decides environment reads (a key it lacks is undecided), ``importable`` import
    probes, ``facts`` the target interpreter's attributes (see ``FACT_ATTRIBUTES``), ``state``
    process state (None: undecided).
    """
    if guard.expr is None:
        return None
    decided, value = value_of(guard.expr, env, importable, facts, state, constant)
    if not decided:
        return None
    return (not value) if guard.negated else bool(value)


def value_of(
    expr: EnvExpr,
    env: Mapping[str, str | None],
    importable: Importable | None = None,
    facts: Mapping[str, object] | None = None,
    state: ProcessState | None = PLAIN,
    constant: Constant | None = None,
) -> tuple[bool, object]:
    """``(True, value)`` when ``expr`` is decided (a decorator argument), else ``(False, None)``."""
    try:
        return True, _eval(expr, _Values(env, importable, facts, state, constant))
    except (_Undecided, TypeError, ValueError, IndexError):
        return False, None


def literal(node: ast.expr) -> EnvExpr | None:
    """A module constant's value as an expression (``AUTO = False``), or None if not a literal."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    return ("const", _frozen(value))


def import_probe(modules: list[str]) -> EnvExpr | None:
    """The expression "all of ``modules`` can be imported", or None for no module."""
    parts = tuple(("importable", m) for m in dict.fromkeys(modules))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else ("and", *parts)


# ---------------------------------------------------------------------------------------------
# Private functions
# ---------------------------------------------------------------------------------------------


class _Undecided(Exception):
    """A variable that ``--env`` did not mention."""


class _Context:
    """What converting an expression needs: import aliases and probe flags."""

    def __init__(self, qualify: Callable[[ast.expr], str | None], flags: Mapping[str, EnvExpr]) -> None:
        self.qualify = qualify
        self.flags = flags

    def __call__(self, node: ast.expr) -> str | None:
        return self.qualify(node)


class _Values:
    """What evaluating an expression needs: ``--env`` values, the importability check, the
    target interpreter's facts and the process state."""

    def __init__(
        self,
        env: Mapping[str, str | None],
        importable: Importable | None,
        facts: Mapping[str, object] | None = None,
        state: ProcessState | None = PLAIN,
        constant: Constant | None = None,
    ) -> None:
        self.env = env
        self.importable = importable
        self.facts = facts
        self.state = state
        self.constant = constant
        self.depth = 0


def _frozen(value: object) -> object:
    """Lists and tuples as tuples, recursively (expressions are hashable and picklable)."""
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


def _literal_str(node: ast.expr) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    raise _NotEnv


def _convert(node: ast.expr, qualify: _Context) -> EnvExpr:
    if isinstance(node, ast.Name) and node.id in qualify.flags:
        return qualify.flags[node.id]
    if isinstance(node, ast.BoolOp):
        op = "and" if isinstance(node.op, ast.And) else "or"
        return (op, *(_convert(v, qualify) for v in node.values))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return ("not", _convert(node.operand, qualify))
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        return _compare(node, qualify)
    if isinstance(node, ast.IfExp):
        return (
            "if",
            _convert(node.test, qualify),
            _convert(node.body, qualify),
            _convert(node.orelse, qualify),
        )
    if isinstance(node, ast.Constant | ast.Tuple | ast.List | ast.Set | ast.UnaryOp):
        found = literal(node)
        if found is not None:
            return found
        raise _NotEnv
    if isinstance(node, ast.Call):
        return _call(node, qualify)
    if isinstance(node, ast.Subscript):
        if qualify(node.value) in _ENVIRON:
            return ("env", _literal_str(node.slice), None)
        return ("index", _convert(node.value, qualify), _index(node.slice))
    if isinstance(node, ast.Attribute | ast.Name):
        name = qualify(node) or ""
        if name in FACT_ATTRIBUTES or name.startswith("sys.flags."):
            return ("fact", name)
        if name in _TYPE_CHECKING:
            return ("const", False)
        written = node.id if isinstance(node, ast.Name) else None
        if "." in name and name != written and not name.startswith(_NOT_CONSTANTS):
            # ``from pkg._compat import PY_310`` (or ``compat.PY_310``): another module's
            # constant, looked up when the guard is decided.
            module, _, attr = name.rpartition(".")
            return ("import", module, attr)
    raise _NotEnv


def _index(node: ast.expr) -> object:
    """A literal index (``[0]``) or slice (``[:2]``) as ``("slice", lower, upper)``."""
    if isinstance(node, ast.Slice):
        if node.step is not None:
            raise _NotEnv
        bounds = [None if b is None else ast.literal_eval(b) for b in (node.lower, node.upper)]
        if not all(b is None or isinstance(b, int) for b in bounds):
            raise _NotEnv
        return ("slice", *bounds)
    value = literal(node)
    if value is None or not isinstance(value[1], int):
        raise _NotEnv
    return value[1]


def _compare(node: ast.Compare, qualify: _Context) -> EnvExpr:
    op, right = node.ops[0], node.comparators[0]
    if isinstance(op, ast.In | ast.NotIn) and qualify(right) in _ENVIRON:
        has = ("has", _literal_str(node.left))
        return ("not", has) if isinstance(op, ast.NotIn) else has
    if isinstance(op, ast.In | ast.NotIn) and qualify(right) == "sys.modules":
        loaded = ("loaded", _literal_str(node.left))
        return ("not", loaded) if isinstance(op, ast.NotIn) else loaded
    names = {
        ast.Eq: "eq",
        ast.NotEq: "ne",
        ast.In: "in",
        ast.NotIn: "notin",
        ast.Is: "eq",
        ast.IsNot: "ne",
        ast.Lt: "lt",
        ast.LtE: "le",
        ast.Gt: "gt",
        ast.GtE: "ge",
    }
    for cls, name in names.items():
        if isinstance(op, cls):
            return (name, _convert(node.left, qualify), _convert(right, qualify))
    raise _NotEnv


def _call(node: ast.Call, qualify: _Context) -> EnvExpr:
    func = node.func
    target = qualify(func)
    if target in _GETTERS and node.args:
        default = node.args[1] if len(node.args) > 1 else None
        default_value = _literal_str(default) if default is not None else None
        return ("env", _literal_str(node.args[0]), default_value)
    if target == "bool" and len(node.args) == 1:
        return ("bool", _convert(node.args[0], qualify))
    if target in FACT_CALLS and not node.args:
        return ("fact", f"{target}()")
    if target == "sys.gettrace" and not node.args:
        return ("tracing",)
    if target in _FIND_SPEC and len(node.args) == 1:
        return ("importable", _literal_str(node.args[0]))
    if isinstance(func, ast.Attribute) and func.attr in _STR_METHODS and not node.keywords:
        args = tuple(_literal_str(a) for a in node.args)
        return ("method", func.attr, _convert(func.value, qualify), *args)
    raise _NotEnv


def _eval(expr: EnvExpr, values: _Values) -> object:
    kind = expr[0]
    env = values.env
    if kind == "const":
        return expr[1]
    if kind == "importable":
        if values.importable is None:
            raise _Undecided
        return values.importable(str(expr[1]))
    if kind == "env":
        key = str(expr[1])
        if key not in env:
            raise _Undecided
        found = env[key]
        return expr[2] if found is None else found
    if kind == "has":
        key = str(expr[1])
        if key not in env:
            raise _Undecided
        return env[key] is not None
    if kind == "fact":
        if values.facts is None or str(expr[1]) not in values.facts:
            raise _Undecided
        return values.facts[str(expr[1])]
    if kind == "import":
        constant = values.constant(str(expr[1]), str(expr[2])) if values.constant is not None else None
        if constant is None or values.depth >= _MAX_IMPORT_DEPTH:
            raise _Undecided
        values.depth += 1
        try:
            return _eval(constant, values)
        finally:
            values.depth -= 1
    if kind == "tracing":
        if values.state is None:
            raise _Undecided
        return "<tracer>" if values.state.tracing else None
    if kind == "loaded":
        module = str(expr[1])
        if values.state is None or module not in TRACER_MODULES:
            raise _Undecided
        return module in values.state.tracer_modules
    if kind == "method":
        value = _eval(expr[2], values)  # type: ignore[arg-type]
        if not isinstance(value, str):
            return value
        return getattr(value, str(expr[1]))(*expr[3:])
    if kind == "index":
        value = _eval(expr[1], values)  # type: ignore[arg-type]
        index = expr[2]
        if isinstance(index, tuple):
            return tuple(value)[index[1] : index[2]]  # type: ignore[arg-type]
        return tuple(value)[index]  # type: ignore[call-overload,arg-type]
    if kind == "bool":
        return bool(_eval(expr[1], values))  # type: ignore[arg-type]
    if kind == "not":
        return not bool(_eval(expr[1], values))  # type: ignore[arg-type]
    if kind == "if":
        chosen = expr[2] if _eval(expr[1], values) else expr[3]  # type: ignore[arg-type]
        return _eval(chosen, values)  # type: ignore[arg-type]
    if kind in ("and", "or"):
        return _bool_op(kind, expr[1:], values)
    left = _eval(expr[1], values)  # type: ignore[arg-type]
    right = _eval(expr[2], values)  # type: ignore[arg-type]
    if kind == "eq":
        return left == right
    if kind == "ne":
        return left != right
    if kind in _ORDER:
        return _ORDER[kind](left, right)
    if isinstance(right, tuple):
        contained = left in right
    else:
        contained = isinstance(left, str) and isinstance(right, str) and left in right
    return contained if kind == "in" else not contained


def _less(left: object, right: object) -> bool:
    if isinstance(left, tuple) and isinstance(right, tuple):
        return left < right
    if isinstance(left, int | float | str) and type(left) is type(right):
        return left < right  # type: ignore[operator]
    raise _Undecided


_ORDER: dict[str, Callable[[object, object], bool]] = {
    "lt": _less,
    "gt": lambda a, b: _less(b, a),
    "le": lambda a, b: not _less(b, a),
    "ge": lambda a, b: not _less(a, b),
}


def _bool_op(kind: str, parts: tuple[object, ...], values: _Values) -> object:
    undecided = False
    for part in parts:
        try:
            value = bool(_eval(part, values))  # type: ignore[arg-type]
        except _Undecided:
            undecided = True
            continue
        if kind == "and" and not value:
            return False
        if kind == "or" and value:
            return True
    if undecided:
        raise _Undecided
    return kind == "and"
