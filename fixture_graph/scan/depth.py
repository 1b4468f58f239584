"""How deeply a module nests, decided the same way on every supported Python.

CPython's parser gives up at depths that differ between versions and even between callers:
3.11 and 3.12 stop near 3,000 levels (3.11's budget shrinks with the caller's stack), 3.13
builds 10,000 levels of ``a + a + ...`` but only 3,000 of ``lambda:``, and 3.10 builds chains of
100,000 links and crashes the interpreter past that. So the scan decides for itself: a module
whose syntax tree is deeper than :data:`MAX_DEPTH` is ``too-deep`` on every Python, whether the
parser refused it or not; every supported parser builds any tree up to :data:`SURE_DEPTH`, so
below that the answer (and the line it names) never depends on the parser.

The measure is the number of nodes on the longest path from the module down (``ast`` node
classes, as :func:`ast.iter_child_nodes` yields them). It costs one look at each top-level
statement: a subtree can only be as deep as its source is long (every level of nesting takes at
least one character of its own), so only statements longer than the limit are walked.
"""

from __future__ import annotations

import ast
import sys
import warnings
from itertools import accumulate

# Deeper than this is too deep on every Python (the tests check each supported parser builds it).
MAX_DEPTH = 2000
# Every supported parser builds trees this deep, even from a deep call stack; past it, one of
# them may already have refused the file, without a line, so a too-deep module names none.
SURE_DEPTH = 2500
# Levels a subtree may have beyond the characters of its source: the context and operator leaves
# (``Load``, ``Add``) and the wrappers that take no character of their own (``arguments``).
_SLACK = 8
# Python 3.10 converts the parser's tree to Python objects recursively, without a limit: chains
# of about 150,000 links crash it. Its compiler does check, so on 3.10 a source this large is
# compiled first (a chain that long needs at least two characters a link).
_CRASH_CHECK_CHARS = 64_000 if sys.version_info < (3, 11) else None

MESSAGE = f"nested deeper than {MAX_DEPTH} levels, the limit of the scan on every Python; not read"


def crashes_parser(source: str | bytes, path: str) -> bool:
    """True when parsing ``source`` could crash this interpreter (3.10, very deep chains only).

    On 3.10 a large source is compiled first; the compiler's recursion check refuses what the
    AST conversion would crash on. Anything else the compiler says is left to the parser.
    """
    if _CRASH_CHECK_CHARS is None or len(source) <= _CRASH_CHECK_CHARS:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, path, "exec", dont_inherit=True)
    except (RecursionError, MemoryError):
        return True
    except (SyntaxError, ValueError):
        return False
    return False


def too_deep(tree: ast.Module, source: str) -> int | None:
    """None when ``tree`` (parsed from ``source``) is at most :data:`MAX_DEPTH` deep.

    Otherwise the line of the first top-level statement that is deeper, or 0 when some part of
    the module is deeper than :data:`SURE_DEPTH` (another Python may have refused to parse it, and
    it could not have named a line).
    """
    if len(source) + _SLACK + 1 <= MAX_DEPTH:
        return None
    spans = _Spans(source)
    first: int | None = None
    deepest = 0
    for stmt in tree.body:
        depth = _deepest(stmt, 2, spans)
        if depth > MAX_DEPTH:
            deepest = max(deepest, depth)
            if first is None:
                first = stmt.lineno
    if first is None:
        return None
    return 0 if deepest > SURE_DEPTH else first


# ---------------------------------------------------------------------------------------------
# Private functions
# ---------------------------------------------------------------------------------------------


class _Spans:
    """Upper bounds of how many characters a node's source takes, from its position."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._lengths: list[int] | None = None

    def of(self, node: ast.AST) -> int | None:
        try:
            first: int = node.lineno  # type: ignore[attr-defined]
            last: int | None = node.end_lineno  # type: ignore[attr-defined]
        except AttributeError:  # arguments, comprehension, withitem, match_case: no position
            return None
        if last is None:
            return None
        decorators: list[ast.expr] | None = getattr(node, "decorator_list", None)
        if decorators:  # a definition's position starts at ``def``/``class``, after them
            first = min(first, *(d.lineno for d in decorators))
        elif first == last:
            end: int | None = node.end_col_offset  # type: ignore[attr-defined]
            if end is not None:
                return int(end - node.col_offset)  # type: ignore[attr-defined]  # UTF-8 bytes >= chars
        lengths = self._cumulative_lengths()
        if not 1 <= first <= last <= len(lengths):
            return None
        # The characters of lines first..last, line breaks included.
        return lengths[last - 1] - (lengths[first - 2] if first > 1 else 0) + last - first + 1

    def _cumulative_lengths(self) -> list[int]:
        if self._lengths is None:
            text = self.source
            if "\r" in text:  # the parser counts \r\n and a lone \r as one line break each
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            self._lengths = list(accumulate(map(len, text.split("\n"))))
        return self._lengths


def _deepest(root: ast.AST, depth: int, spans: _Spans) -> int:
    """The depth of the deepest path through ``root`` (at ``depth``) when over MAX_DEPTH.

    A subtree whose source is too short to go past MAX_DEPTH is skipped, so the answer is exact
    only when it is over the limit (otherwise it is some depth at most MAX_DEPTH). Inside an
    f-string, positions before 3.12 are not reliable: its subtree is measured whole.
    """
    best = 0
    stack = [(root, depth, False)]
    while stack:
        node, level, exact = stack.pop()
        best = max(best, level)
        if not exact:
            span = spans.of(node)
            if span is not None and level + span + _SLACK <= MAX_DEPTH:
                continue
            exact = isinstance(node, ast.JoinedStr)
        stack.extend((child, level + 1, exact) for child in ast.iter_child_nodes(node))
    return best
