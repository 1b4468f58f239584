"""Colour for the terminal formats, without the renderers knowing about terminals.

A renderer marks each piece of a line with a *role* (a path, an error code, a fix); a
:data:`Paint` turns a piece and its role into what is printed. :func:`plain` prints the text as
it is (files, pipes, ``--color never``); the command line passes one that adds ANSI styles, so
click stays in the CLI layer and a renderer's output without colour never changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from fixture_graph.analyze.findings import Severity
from fixture_graph.render.escape import printable

#: The roles a renderer may give a piece of text.
ROLES = ("path", "error", "warning", "info", "fix", "dim", "heading", "ok")


class Paint(Protocol):
    """``paint(text, role)`` -> the text as printed (``role`` is one of :data:`ROLES`)."""

    def __call__(self, text: str, role: str) -> str: ...


def plain(text: str, role: str) -> str:
    """No colour: ``text`` unchanged."""
    return text


def severity_role(severity: Severity) -> str:
    """The role of a severity's code and label: ``error``, ``warning`` or ``info``."""
    return severity.label


Piece = str | tuple[str, str]


def paint_line(pieces: Sequence[Piece], paint: Paint = plain) -> str:
    """One output line from ``pieces`` (plain strings, or ``(text, role)`` pairs).

    Every piece is escaped (:func:`~fixture_graph.render.escape.printable`) before it is
    painted, so repository text can never carry its own escape sequences; a line whose text
    would start a GitHub Actions command (``::``) starts with ``./`` instead.
    """
    shown: list[str] = []
    text = ""
    for piece in pieces:
        raw, role = (piece, "") if isinstance(piece, str) else piece
        escaped = printable(raw)
        text += escaped
        shown.append(paint(escaped, role) if role and escaped else escaped)
    line = "".join(shown)
    return f"./{line}" if text.startswith("::") else line
