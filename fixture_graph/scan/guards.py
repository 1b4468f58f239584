"""Environment guards: turn an ``if`` test into a small expression and decide it with ``--env``.

Only conditions built from environment reads are decidable: ``os.environ.get("K"[, default])``,
``os.getenv(...)``, ``os.environ["K"]``, ``"K" in os.environ``, string methods ``lower``/``upper``/
``strip`` on those, comparisons with string literals (``==``, ``!=``, ``in``, ``not in``), truth
tests, ``bool(...)``, and ``and``/``or``/``not`` of these. Anything else stays undecided, which
means: included, and marked conditional with its source text.

Import probes are decidable too: the body of ``try: import x`` / ``except ImportError`` gets
``("importable", "x")``, its handler the negation, and a flag set there (``HAS_X = True``) stands
for the same expression in a later ``if HAS_X:``. They are decided against the target
environment's search path (the ``importable`` callback), not ``--env``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping

from fixture_graph.scan.records import EnvExpr, Guard

Importable = Callable[[str], bool]

_STR_METHODS = frozenset({"lower", "upper", "strip", "casefold"})
_ENVIRON = frozenset({"os.environ"})
_GETTERS = frozenset({"os.environ.get", "os.getenv"})


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
    guard: Guard, env: Mapping[str, str | None], importable: Importable | None = None
) -> bool | None:
    """True/False when ``env`` (and ``importable``) decide the guard, None when undecided."""
    if guard.expr is None:
        return None
    try:
        value = bool(_eval(guard.expr, _Values(env, importable)))
    except _Undecided:
        return None
    return (not value) if guard.negated else value


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
    """What evaluating an expression needs: ``--env`` values and the importability check."""

    def __init__(self, env: Mapping[str, str | None], importable: Importable | None) -> None:
        self.env = env
        self.importable = importable


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
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bool, type(None))):
        return ("const", node.value)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return ("const", tuple(_literal_str(e) for e in node.elts))
    if isinstance(node, ast.Call):
        return _call(node, qualify)
    if isinstance(node, ast.Subscript) and qualify(node.value) in _ENVIRON:
        return ("env", _literal_str(node.slice), None)
    raise _NotEnv


def _compare(node: ast.Compare, qualify: _Context) -> EnvExpr:
    op, right = node.ops[0], node.comparators[0]
    if isinstance(op, ast.In | ast.NotIn) and qualify(right) in _ENVIRON:
        has = ("has", _literal_str(node.left))
        return ("not", has) if isinstance(op, ast.NotIn) else has
    names = {ast.Eq: "eq", ast.NotEq: "ne", ast.In: "in", ast.NotIn: "notin", ast.Is: "eq", ast.IsNot: "ne"}
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
    if isinstance(func, ast.Attribute) and func.attr in _STR_METHODS and not node.args:
        return ("method", func.attr, _convert(func.value, qualify))
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
    if kind == "method":
        value = _eval(expr[2], values)  # type: ignore[arg-type]
        return getattr(value, str(expr[1]))() if isinstance(value, str) else value
    if kind == "bool":
        return bool(_eval(expr[1], values))  # type: ignore[arg-type]
    if kind == "not":
        return not bool(_eval(expr[1], values))  # type: ignore[arg-type]
    if kind in ("and", "or"):
        return _bool_op(kind, expr[1:], values)
    left = _eval(expr[1], values)  # type: ignore[arg-type]
    right = _eval(expr[2], values)  # type: ignore[arg-type]
    if kind == "eq":
        return left == right
    if kind == "ne":
        return left != right
    container = right if isinstance(right, tuple | str) else ()
    contained = left in container if isinstance(left, str) else False
    return contained if kind == "in" else not contained


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
