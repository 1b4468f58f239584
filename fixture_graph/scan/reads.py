"""What a function body does with its parameters, and a fixture's code shape: pure AST facts.

The extractor asks three questions of each function, for FG014 (requested but never read) and
FG015 (duplicate fixtures):

* :func:`unread_params`: which of the names pytest requests the body never reads;
* :func:`constant_value`: whether a fixture only returns a literal (it has no side effect);
* :func:`shape_hash`: a hash of the code with docstring, comments, layout and line numbers
  left out, so two copies of a fixture in different files hash alike.

Each reads one ``FunctionDef`` and keeps nothing; none raises on any tree the parser built.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable

# Calls that read a function's locals without naming them: with one in the body, any parameter
# may be read, so the scan claims nothing about the function.
_FRAME_READERS = frozenset({"locals", "vars", "eval", "exec", "_getframe", "currentframe", "getargvalues"})
# Nodes a literal value is built from (no call, no attribute, no subscript: no user code runs).
_LITERAL_NODES = (
    ast.Constant,
    ast.Name,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Dict,
    ast.UnaryOp,
    ast.BinOp,
    ast.Load,
    ast.unaryop,
    ast.operator,
)


def _is_text_or_ellipsis(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and (stmt.value.value is Ellipsis or isinstance(stmt.value.value, str))
    )


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    first = body[0] if body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return body[1:]
    return body


def is_stub(body: list[ast.stmt]) -> bool:
    """True for a body of only a docstring, ``pass`` and ``...``: an abstract method, a
    placeholder or an example, which says nothing about what the function needs."""
    return all(isinstance(stmt, ast.Pass) or _is_text_or_ellipsis(stmt) for stmt in body)


def unread_params(node: ast.FunctionDef | ast.AsyncFunctionDef, names: Iterable[str]) -> tuple[str, ...]:
    """The ``names`` (parameters pytest fills) that the body never reads, in signature order.

    A read is any load of the name anywhere in the body, nested functions, lambdas,
    comprehensions and classes included (a nested parameter of the same name counts too, so a
    doubt is a read), a ``del`` of it, a ``global``/``nonlocal`` naming it, and a
    ``getfixturevalue("name")`` of it. The answer is ``()`` (nothing claimed) for a stub body
    (see :func:`is_stub`) and when the body may read locals without naming them (``locals()``,
    ``vars()``, ``eval``, ``exec``, frame inspection, or ``getfixturevalue`` of a computed name).
    """
    wanted = dict.fromkeys(n for n in names if n)
    if not wanted or is_stub(node.body):
        return ()
    read: set[str] = set()
    stack: list[ast.AST] = list(node.body)
    while stack:
        sub = stack.pop()
        kind = type(sub)
        if kind is ast.Name:
            assert isinstance(sub, ast.Name)
            if not isinstance(sub.ctx, ast.Store):
                read.add(sub.id)
            continue
        if kind is ast.Call:
            assert isinstance(sub, ast.Call)
            func = sub.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if called in _FRAME_READERS:
                return ()
            if called == "getfixturevalue":
                arg = sub.args[0] if sub.args else None
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    return ()
                read.add(arg.value)
        elif kind is ast.Global or kind is ast.Nonlocal:
            assert isinstance(sub, ast.Global | ast.Nonlocal)
            read.update(sub.names)
        stack.extend(ast.iter_child_nodes(sub))
    return tuple(n for n in wanted if n not in read)


def constant_value(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """True when the function takes no parameters and its body (after a docstring) is a single
    ``return`` of a literal built from constants and names: setting it up runs no user code, so
    requesting it only for a side effect cannot be the point."""
    args = node.args
    if args.posonlyargs or args.args or args.kwonlyargs or args.vararg or args.kwarg:
        return False
    body = _without_docstring(node.body)
    if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
        return False
    return all(isinstance(sub, _LITERAL_NODES) for sub in ast.walk(body[0].value))


def shape_hash(node: ast.FunctionDef | ast.AsyncFunctionDef, spec: str, fixture_at: int) -> str:
    """A short hash of the function's code as the AST sees it: its name, signature, annotations,
    body and decorators, without docstring, comments, layout or line numbers. The fixture
    decorator (at index ``fixture_at``) counts as ``spec``, its normalized arguments, rather
    than as spelled (``@fixture`` and ``@pytest.fixture()`` are the same)."""
    body = _without_docstring(node.body)
    parts = [type(node).__name__, node.name, spec, *_tokens(node.args)]
    for index, decorator in enumerate(node.decorator_list):
        if index != fixture_at:
            parts.extend(_tokens(decorator))
    if node.returns is not None:
        parts.extend(_tokens(node.returns))
    for stmt in body:
        parts.extend(_tokens(stmt))
    digest = hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=8)
    return digest.hexdigest()


def _tokens(root: ast.AST) -> list[str]:
    """The tree as a flat list of node types, field names, list lengths and plain values, in a
    fixed order: what ``ast.dump`` shows (no line numbers), built without recursion, so a
    deeply nested expression never exhausts the stack."""
    out: list[str] = []
    stack: list[object] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.AST):
            out.append(type(item).__name__)
            for field in reversed(item._fields):
                stack.append(getattr(item, field, None))
                stack.append(_Field(field))
        elif isinstance(item, list):
            out.append(f"[{len(item)}")
            stack.extend(reversed(item))
        elif isinstance(item, _Field):
            out.append(f".{item.name}")
        else:
            out.append(repr(item))
    return out


class _Field:
    """A field-name marker on :func:`_tokens`' stack."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name
