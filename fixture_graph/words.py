"""Counted nouns for every output: "1 fixture", "2 fixtures", "0 findings"."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun``, plural unless ``n`` is 1 (``plural`` when the noun is irregular)."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"
