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
import functools
import hashlib
import re
from collections import deque
from collections.abc import Iterable, Iterator

# Calls that read a function's locals without naming them: with one in the body, any parameter
# may be read, so the scan claims nothing about the function.
_FRAME_READERS = frozenset({"locals", "vars", "eval", "exec", "_getframe", "currentframe", "getargvalues"})
# Words after which the text alone cannot decide: a call above, or getfixturevalue (the text
# is ASCII: non-ASCII source is always walked, since the parser NFKC-normalizes identifiers).
_DYNAMIC_WORDS = "|".join(sorted(_FRAME_READERS | {"getfixturevalue"}))
_DYNAMIC = re.compile(rf"(?<![A-Za-z0-9_])(?:{_DYNAMIC_WORDS})(?![A-Za-z0-9_])")
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


# Fields holding nodes without children: the expression context and operators (``Load()``,
# ``Add()``). Plain values (identifiers, constants) are passed over by type in the walk.
_LEAF_FIELDS = frozenset({"ctx", "op", "ops"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def walk_bodies(stmts: list[ast.stmt]) -> Iterator[ast.AST]:
    """``ast.walk`` over each statement in turn, in the same order, skipping leaf-only fields.

    It yields every node ``ast.walk`` would except context and operator nodes (which have no
    children), so callers looking for names and calls see exactly what ``ast.walk`` shows,
    several times faster (bodies of conftests and helper modules are walked for FG009).
    """
    queue: deque[ast.AST] = deque()
    for stmt in stmts:
        queue.append(stmt)
        while queue:
            node = queue.popleft()
            yield node
            cls = type(node)
            fields = _CHILD_FIELDS.get(cls)
            if fields is None:
                fields = _CHILD_FIELDS[cls] = tuple(f for f in cls._fields if f not in _LEAF_FIELDS)
            for name in fields:
                value = getattr(node, name, None)
                if type(value) is list:
                    queue.extend(item for item in value if isinstance(item, ast.AST))
                elif isinstance(value, ast.AST):
                    queue.append(value)


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


def unread_params(
    node: ast.FunctionDef | ast.AsyncFunctionDef, names: Iterable[str], text: str | None = None
) -> tuple[str, ...]:
    """The ``names`` (parameters pytest fills) that the body never reads, in signature order.

    A read is any load of the name anywhere in the body, nested functions, lambdas,
    comprehensions and classes included (a nested parameter of the same name counts too, so a
    doubt is a read), a ``del`` of it, a ``global``/``nonlocal`` naming it, and a
    ``getfixturevalue("name")`` of it. The answer is ``()`` (nothing claimed) for a stub body
    (see :func:`is_stub`) and when the body may read locals without naming them (``locals()``,
    ``vars()``, ``eval``, ``exec``, frame inspection, or ``getfixturevalue`` of a computed name).

    ``text``, the body's ASCII source, spares the walk: a name the text never mentions is
    certainly not read (the parser takes identifiers from the text as written), and one it
    mentions anywhere (code, string, comment, attribute) is taken as read, a missed finding but
    never a false one. The body is walked only when the text names one of the calls above, to
    see whether it is really called. Without ``text`` (or for non-ASCII source, whose
    identifiers the parser normalizes) the walk decides alone.
    """
    wanted = dict.fromkeys(n for n in names if n)
    if not wanted or is_stub(node.body):
        return ()
    if text is not None and text.isascii():
        absent = [n for n in wanted if _mention(n).search(text) is None]
        if not absent or _DYNAMIC.search(text) is None:
            return tuple(absent)
        return tuple(n for n in _walk(node, wanted) if n in absent)
    return _walk(node, wanted)


@functools.lru_cache(maxsize=4096)
def _mention(name: str) -> re.Pattern[str]:
    """``name`` as a whole word (the search stops at the first mention)."""
    return re.compile(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])")


def _walk(node: ast.FunctionDef | ast.AsyncFunctionDef, wanted: dict[str, None]) -> tuple[str, ...]:
    """The AST reading of :func:`unread_params`: ``wanted`` less every name the body reads."""
    read: set[str] = set()
    left = len(wanted)
    for sub in walk_bodies(node.body):
        kind = type(sub)
        if kind is ast.Name:
            name = sub.id  # type: ignore[attr-defined]
            if name in wanted and name not in read and type(sub.ctx) is not ast.Store:  # type: ignore[attr-defined]
                read.add(name)
                left -= 1
                if not left:
                    return ()  # every parameter is read: nothing below can change the answer
            continue
        if kind is ast.Call:
            func = sub.func  # type: ignore[attr-defined]
            called = func.id if type(func) is ast.Name else getattr(func, "attr", "")
            if called in _FRAME_READERS:
                return ()
            if called == "getfixturevalue":
                args = sub.args  # type: ignore[attr-defined]
                arg = args[0] if args else None
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    return ()
                if arg.value in wanted and arg.value not in read:
                    read.add(arg.value)
                    left -= 1
        elif kind is ast.Global or kind is ast.Nonlocal:
            for name in sub.names:  # type: ignore[attr-defined]
                if name in wanted and name not in read:
                    read.add(name)
                    left -= 1
        if not left:
            return ()
    return tuple(n for n in wanted if n not in read)


def mask(names: tuple[str, ...], chosen: tuple[str, ...]) -> int:
    """``chosen`` as bits over ``names`` (bit i: ``names[i]``): an int costs no memory per test
    when small, where a tuple of names would."""
    return sum(1 << i for i, name in enumerate(names) if name in chosen) if chosen else 0


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
    """The tree as a flat list of node types, list lengths and plain values, in a fixed order:
    what ``ast.dump`` shows without field names (each type has a fixed list of fields, so the
    list still reads back one way) and without line numbers, built without recursion, so a
    deeply nested expression never exhausts the stack."""
    out: list[str] = []
    stack: list[object] = [root]
    pop, push, emit = stack.pop, stack.append, out.append
    while stack:
        item = pop()
        if isinstance(item, ast.AST):
            kind = type(item)
            emit(kind.__name__)
            fields = _ALL_FIELDS.get(kind)
            if fields is None:
                fields = _ALL_FIELDS[kind] = tuple(reversed(kind._fields))
            for field in fields:
                push(getattr(item, field, None))
        elif isinstance(item, list):
            emit(f"[{len(item)}")
            stack.extend(reversed(item))
        elif type(item) is int:
            emit(hex(item))  # repr refuses ints of more than 4,300 digits
        else:
            emit(repr(item))
    return out


_ALL_FIELDS: dict[type, tuple[str, ...]] = {}
