"""Fixture scopes as an ordered enum, exactly like pytest's ``_pytest.scope.Scope``.

Kept in its own tiny module so every layer can import it cheaply. A scope mismatch is a plain
comparison: a fixture may request fixtures of its own scope or wider, never narrower.
"""

from __future__ import annotations

import enum
from functools import total_ordering


@total_ordering
class Scope(enum.Enum):
    """pytest's five scopes, ordered from narrowest (function) to widest (session)."""

    FUNCTION = "function"
    CLASS = "class"
    MODULE = "module"
    PACKAGE = "package"
    SESSION = "session"

    @property
    def index(self) -> int:
        """Position from narrowest (0) to widest (4)."""
        return _ORDER.index(self)

    @property
    def letter(self) -> str:
        """The letter pytest prints in ``--setup-plan`` (``F``, ``C``, ``M``, ``P``, ``S``)."""
        return self.value[0].upper()

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Scope):
            return NotImplemented
        return self.index < other.index

    @classmethod
    def parse(cls, text: str) -> Scope | None:
        """The scope named ``text`` (pytest's spelling), or None when pytest would reject it."""
        try:
            return cls(text)
        except ValueError:
            return None


_ORDER = (Scope.FUNCTION, Scope.CLASS, Scope.MODULE, Scope.PACKAGE, Scope.SESSION)
