"""A module's top-level statements as source segments, for planning how to split a conftest.

``plan-split`` moves whole statements between files, so it needs each one's exact text and the
module-level names it binds and reads. A statement under an ``if`` at module level (an env guard)
is a segment of its own, dedented, carrying the guard's source text (``not (...)`` for an
``else`` branch), so a plan can put it in a module that is imported only under that guard.

Names read are the free names of the statement: for a function or class, the names its body
loads minus its parameters and the names it assigns (an over-approximation inside nested
scopes, which can only make a plan copy a helper too many, never miss one).
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fixture_graph.model import ScanResult
from fixture_graph.scan.extract import decode_source, parse_source
from fixture_graph.scan.safe_read import SkippedFile, read_source

_LIMIT = 16 * 1024 * 1024
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


class SegmentError(Exception):
    """A module that cannot be read or parsed; the message names the file (and line)."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One top-level statement (or one statement of a top-level ``if`` block).

    ``kind`` is ``docstring``, ``import``, ``def``, ``class``, ``assign`` or ``other``;
    ``start``/``end`` are 1-based lines, decorators included; ``text`` is those lines dedented,
    ending with a newline. ``module`` is an import's module (leading dots kept) and ``star``
    marks ``from x import *``.
    """

    kind: str
    start: int
    end: int
    text: str
    binds: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    guards: tuple[str, ...] = ()
    module: str | None = None
    star: bool = False


@dataclass(frozen=True, slots=True)
class SourceModule:
    """A module's segments in source order. ``package`` says its folder has an ``__init__.py``
    (then split modules are imported relatively: ``from .conftest_base import *``)."""

    file: str
    package: bool
    lines: int
    segments: tuple[Segment, ...]
    # For a module the conftest star-imports: the module as its import statement names it.
    imported_as: str | None = None


def read_module(path: Path, rel: str) -> SourceModule:
    """Read ``path`` (shown as ``rel``) into segments.

    Raises:
        SegmentError: the file cannot be read, decoded or parsed.
    """
    try:
        data = read_source(path, _LIMIT)
    except SkippedFile as exc:
        raise SegmentError(f"{rel}: {exc.message}") from None
    # Decoded and parsed exactly as the scan reads the module.
    source, issue = decode_source(rel, data)
    if source is None:
        reason = issue.message if issue is not None else "cannot decode file"
        if issue is not None and issue.code == "decode-error":
            reason = f"not UTF-8 nor in the coding it declares ({reason})"
        raise SegmentError(f"{rel}: {reason}")
    try:
        tree = parse_source(source, rel)
    except SyntaxError as exc:
        raise SegmentError(f"{rel}:{exc.lineno or 0}: syntax error: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise SegmentError(f"{rel}: cannot parse: {exc}") from None
    lines = source.splitlines(keepends=True)
    segments = list(_segments(tree.body, lines, (), source))
    return SourceModule(rel, (path.parent / "__init__.py").is_file(), len(lines), tuple(segments))


def _segments(body: list[ast.stmt], lines: list[str], guards: tuple[str, ...], source: str) -> list[Segment]:
    out: list[Segment] = []
    for index, stmt in enumerate(body):
        if isinstance(stmt, ast.If):
            test = ast.get_source_segment(source, stmt.test) or ast.unparse(stmt.test)
            out.extend(_segments(stmt.body, lines, (*guards, test), source))
            if stmt.orelse:
                out.extend(_segments(stmt.orelse, lines, (*guards, f"not ({test})"), source))
            continue
        out.append(_segment(stmt, lines, guards, docstring=index == 0 and not guards))
    return out


def _segment(stmt: ast.stmt, lines: list[str], guards: tuple[str, ...], *, docstring: bool) -> Segment:
    start = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
    end = stmt.end_lineno or stmt.lineno
    text = _dedent("".join(lines[start - 1 : end]))
    reads = _free_names(stmt)
    kind, binds, module, star = _shape(stmt, docstring=docstring)
    return Segment(kind, start, end, text, binds, reads, guards, module, star)


def _shape(stmt: ast.stmt, *, docstring: bool) -> tuple[str, tuple[str, ...], str | None, bool]:
    """(kind, names bound, module, star) of one statement."""
    if docstring and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant | ast.JoinedStr):
        return "docstring", (), None, False
    if isinstance(stmt, ast.Import):
        binds = tuple(a.asname or a.name.split(".")[0] for a in stmt.names)
        return "import", binds, stmt.names[0].name, False
    if isinstance(stmt, ast.ImportFrom):
        module = "." * stmt.level + (stmt.module or "")
        star = any(a.name == "*" for a in stmt.names)
        return "import", tuple(a.asname or a.name for a in stmt.names if a.name != "*"), module, star
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        return "def", (stmt.name,), None, False
    if isinstance(stmt, ast.ClassDef):
        return "class", (stmt.name,), None, False
    kind = "assign" if isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign) else "other"
    return kind, _stored(stmt), None, False


def _dedent(text: str) -> str:
    """Strip the common leading whitespace of a block cut out of an ``if`` (its own lines only)."""
    rows = text.splitlines(keepends=True)
    indent = min((len(r) - len(r.lstrip()) for r in rows if r.strip()), default=0)
    out = "".join(r[indent:] if r.strip() else r.lstrip(" \t") for r in rows)
    return out if out.endswith("\n") else out + "\n"


def _stored(stmt: ast.stmt) -> tuple[str, ...]:
    """Names a non-definition statement binds at module level (not inside nested scopes)."""
    names: dict[str, None] = {}
    for node in _walk_shallow(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names[node.id] = None
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*":
                    names[alias.asname or alias.name.split(".")[0]] = None
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names[node.name] = None
    return tuple(names)


def _walk_shallow(stmt: ast.stmt) -> list[ast.AST]:
    """Every node of ``stmt`` outside nested function and class bodies."""
    out: list[ast.AST] = []
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        out.append(node)
        if node is not stmt and isinstance(node, _SCOPES):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return out


def _free_names(stmt: ast.stmt) -> tuple[str, ...]:
    """Names ``stmt`` reads that it does not bind itself, sorted."""
    loads: set[str] = set()
    local: set[str] = set()
    scoped = isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name):
            (loads if isinstance(node.ctx, ast.Load) else local).add(node.id)
        elif isinstance(node, ast.arg):
            local.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node is not stmt:
            local.add(node.name)
        elif isinstance(node, ast.alias):
            local.add(node.asname or node.name.split(".")[0])
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        # Decorators, defaults, annotations and bases run in the module's scope.
        outer: list[ast.AST] = [*stmt.decorator_list]
        if isinstance(stmt, ast.ClassDef):
            outer.extend([*stmt.bases, *(k.value for k in stmt.keywords)])
        else:
            outer.extend([*stmt.args.defaults, *(d for d in stmt.args.kw_defaults if d is not None)])
        for expr in outer:
            loads.update(n.id for n in ast.walk(expr) if isinstance(n, ast.Name))
        local.discard(stmt.name)
    if not scoped:
        # A module-level statement reads a name before (or without) binding it only if it loads it.
        return tuple(sorted(loads))
    return tuple(sorted(loads - local))


def star_imports(scan: ScanResult, conftest: str) -> dict[str, str]:
    """The local modules ``conftest`` (rootdir-relative) star-imports: the module as written ->
    its rootdir-relative file, as the scan resolved them (``ScanResult.imports``)."""
    return {
        imp.module: imp.target
        for imp in scan.imports
        if imp.file == conftest and "*" in imp.names and imp.target is not None
    }


def read_split_sources(conftest: Path, rootdir: Path, targets: Mapping[str, str]) -> tuple[SourceModule, ...]:
    """The conftest's segments, then those of each local module it star-imports, in import
    order; paths are rootdir-relative. ``targets`` maps a star import's module as written to
    the file it loads (:func:`star_imports`).

    Raises:
        SegmentError: a file cannot be read, decoded or parsed.
    """
    root = rootdir.resolve()
    path = conftest.resolve()
    first = read_module(path, path.relative_to(root).as_posix())
    out = [first]
    seen = {first.file}
    for segment in first.segments:
        if segment.kind != "import" or not segment.star or not segment.module:
            continue
        rel = targets.get(segment.module)
        if rel is not None and rel not in seen:
            seen.add(rel)
            module = read_module(root / rel, rel)
            out.append(dataclasses.replace(module, imported_as=segment.module))
    return tuple(out)
