"""pytest's ``-m`` and ``-k`` expressions, evaluated statically with a third value: unknown.

The grammar is ported from ``_pytest/mark/expression.py`` (pytest 9.2; pytest is not a runtime
dependency of fixture-graph)::

    expression: expr? EOF
    expr:       and_expr ('or' and_expr)*
    and_expr:   not_expr ('and' not_expr)*
    not_expr:   'not' not_expr | '(' expr ')' | ident kwargs?
    ident:      (\\w|:|\\+|-|\\.|\\[|\\]|\\\\|/)+
    kwargs:     ('(' name '=' value ( ', ' name '=' value )*  ')')
    value:      (unescaped) string literal | (-)?[0-9]+ | 'False' | 'True' | 'None'

An empty expression is False. The matchers follow ``_pytest/mark/__init__.py``:
:func:`mark_matcher` is ``MarkMatcher`` (an identifier is true when the item carries a mark of
that name; ``name(k=v)`` also compares the mark's keyword arguments), :func:`keyword_matcher` is
``KeywordMatcher`` (case-insensitive substring of one of the item's names). A matcher may answer
None (cannot be known statically); ``and``/``or``/``not`` then follow Kleene's three-valued
logic, so an unknown only spreads where it could change the answer.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

# ("or", (a, b, ...)) | ("and", (a, b, ...)) | ("not", a) | ("ident", name, kwargs or None) | ("false",)
Node = tuple[object, ...]
KwValue = str | int | bool | None
Kwargs = tuple[tuple[str, KwValue], ...]
Matcher = Callable[[str, Kwargs | None], bool | None]

_IDENT = re.compile(r"(:?\w|:|\+|-|\.|\[|\]|\\|/)+")
_BUILTIN = {"True": True, "False": False, "None": None}
_TOKEN_NAMES = {
    "(": "left parenthesis",
    ")": "right parenthesis",
    "ident": "identifier",
    "eof": "end of input",
}


class ExpressionError(ValueError):
    """A malformed expression: pytest stops with a usage error (``Wrong expression passed to '-m'``)."""


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "(", ")", "=", ",", "or", "and", "not", "ident", "string", "eof"
    value: str
    pos: int


@dataclass(frozen=True, slots=True)
class Expression:
    """A compiled ``-m``/``-k`` expression."""

    text: str
    tree: Node

    def has_kwargs(self) -> bool:
        """Whether some identifier is called with keyword arguments (``mark(k=v)``)."""
        return any(node[2] is not None for node in _idents(self.tree))

    def evaluate(self, matcher: Matcher) -> bool | None:
        """True or False when decided, None when the matcher's unknowns leave it open."""
        return _eval(self.tree, matcher)


def compile_expression(text: str) -> Expression:
    """Parse ``text`` as pytest does.

    Raises:
        ExpressionError: the text is not a valid expression (message and 1-based column).
    """
    scanner = _Scanner(text)
    if scanner.accept("eof"):
        return Expression(text, ("false",))
    tree = _expr(scanner)
    scanner.accept("eof", reject=True)
    return Expression(text, tree)


def mark_matcher(marks: Collection[str], *, open_ended: bool = False) -> Matcher:
    """``MarkMatcher`` over an item's mark names (own, class through the MRO, module).

    ``name(k=v)`` is unknown when the item has a ``name`` mark (its keyword arguments are not
    recorded), false otherwise. ``open_ended`` says the item may carry marks that cannot be seen
    statically; an identifier absent from ``marks`` is then unknown instead of false.
    """
    present = frozenset(marks)

    def match(name: str, kwargs: Kwargs | None) -> bool | None:
        if name not in present:
            return None if open_ended else False
        return True if kwargs is None else None

    return match


def keyword_matcher(names: Collection[str], *, open_ended: bool = False) -> Matcher:
    """``KeywordMatcher``: a case-insensitive substring of one of ``names``.

    ``open_ended`` says some names are not known statically (parametrization ids): a subname
    found nowhere is then unknown instead of false.
    """
    lowered = tuple(n.lower() for n in names)

    def match(name: str, kwargs: Kwargs | None) -> bool | None:
        sub = name.lower()
        if any(sub in n for n in lowered):
            return True
        return None if open_ended else False

    return match


# -- parser -------------------------------------------------------------------------------------


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = self._lex(text)
        self.current = next(self.tokens)

    def _lex(self, text: str) -> Iterator[_Token]:
        pos = 0
        while pos < len(text):
            char = text[pos]
            if char in (" ", "\t"):
                pos += 1
            elif char in "()=,":
                yield _Token(char, char, pos)
                pos += 1
            elif char in ("'", '"'):
                end = text.find(char, pos + 1)
                if end == -1:
                    raise self._error(f'closing quote "{char}" is missing', pos)
                value = text[pos : end + 1]
                if "\\" in value:
                    raise self._error('escaping with "\\" not supported in marker expression', pos)
                yield _Token("string", value, pos)
                pos += len(value)
            else:
                match = _IDENT.match(text, pos)
                if match is None:
                    raise self._error(f'unexpected character "{char}"', pos)
                value = match.group(0)
                yield _Token(value if value in ("or", "and", "not") else "ident", value, pos)
                pos += len(value)
        yield _Token("eof", "", pos)

    def _error(self, message: str, pos: int) -> ExpressionError:
        return ExpressionError(f"{message} at column {pos + 1} of {self.text!r}")

    def accept(self, kind: str, *, reject: bool = False) -> _Token | None:
        if self.current.kind == kind:
            token = self.current
            if kind != "eof":
                self.current = next(self.tokens)
            return token
        if reject:
            self.reject((kind,))
        return None

    def reject(self, expected: tuple[str, ...]) -> ExpressionError:
        wanted = " OR ".join(_TOKEN_NAMES.get(k, k) for k in expected)
        got = _TOKEN_NAMES.get(self.current.kind, self.current.kind)
        raise self._error(f"expected {wanted}; got {got}", self.current.pos)


def _expr(s: _Scanner) -> Node:
    terms = [_and_expr(s)]
    while s.accept("or"):
        terms.append(_and_expr(s))
    return terms[0] if len(terms) == 1 else ("or", tuple(terms))


def _and_expr(s: _Scanner) -> Node:
    terms = [_not_expr(s)]
    while s.accept("and"):
        terms.append(_not_expr(s))
    return terms[0] if len(terms) == 1 else ("and", tuple(terms))


def _not_expr(s: _Scanner) -> Node:
    # Nesting is bounded by the text's length; a pathological "not not ... x" would need
    # thousands of words to reach the recursion limit, like pytest's own parser.
    if s.accept("not"):
        return ("not", _not_expr(s))
    if s.accept("("):
        node = _expr(s)
        s.accept(")", reject=True)
        return node
    ident = s.accept("ident")
    if ident is None:
        raise s.reject(("not", "(", "ident"))
    if s.accept("("):
        kwargs = [_kwarg(s)]
        while s.accept(","):
            kwargs.append(_kwarg(s))
        s.accept(")", reject=True)
        return ("ident", ident.value, tuple(kwargs))
    return ("ident", ident.value, None)


def _kwarg(s: _Scanner) -> tuple[str, KwValue]:
    name = s.accept("ident", reject=True)
    assert name is not None
    if not name.value.isidentifier():
        raise s._error(f"not a valid python identifier {name.value}", name.pos)
    if keyword.iskeyword(name.value):
        raise s._error(f"unexpected reserved python keyword `{name.value}`", name.pos)
    s.accept("=", reject=True)
    string = s.accept("string")
    if string is not None:
        return name.value, string.value[1:-1]
    token = s.accept("ident", reject=True)
    assert token is not None
    text = token.value
    if text.isdigit() or (text.startswith("-") and text[1:].isdigit()):
        return name.value, int(text)
    if text in _BUILTIN:
        return name.value, _BUILTIN[text]
    raise s._error(f'unexpected character/s "{text}"', token.pos)


# -- evaluation ---------------------------------------------------------------------------------


def _eval(node: Node, matcher: Matcher) -> bool | None:
    kind = node[0]
    if kind == "false":
        return False
    if kind == "ident":
        kwargs = node[2]
        return matcher(str(node[1]), kwargs if isinstance(kwargs, tuple) else None)
    if kind == "not":
        value = _eval(_child(node[1]), matcher)
        return None if value is None else not value
    # and/or: the deciding value (False for and, True for or) wins over unknowns.
    decisive = kind == "or"
    undecided = False
    for term in _children(node):
        value = _eval(term, matcher)
        if value is decisive:
            return decisive
        undecided = undecided or value is None
    return None if undecided else not decisive


def _child(value: object) -> Node:
    assert isinstance(value, tuple)
    return value


def _children(node: Node) -> tuple[Node, ...]:
    terms = node[1]
    assert isinstance(terms, tuple)
    return tuple(_child(t) for t in terms)


def _idents(tree: Node) -> Iterator[Node]:
    stack = [tree]
    while stack:
        node = stack.pop()
        if node[0] == "ident":
            yield node
        elif node[0] == "not":
            stack.append(_child(node[1]))
        elif node[0] in ("and", "or"):
            stack.extend(_children(node))
