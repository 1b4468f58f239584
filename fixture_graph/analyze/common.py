"""Small helpers the rules share: locations, chains as text, impact labels."""

from __future__ import annotations

from fixture_graph.analyze.context import Context
from fixture_graph.analyze.findings import Location


def loc(ctx: Context, node: str, label: str | None = None) -> Location:
    """The :class:`Location` of a fixture id or test node id."""
    file, line = ctx.where(node)
    return Location(file, line, label if label is not None else node)


def chain_text(ctx: Context, ids: tuple[str, ...] | list[str]) -> str:
    """``a -> b -> c`` by fixture name (test node ids as they are)."""
    return " -> ".join(ctx.label(i) for i in ids)


def weight_text(value: float) -> str:
    """``8`` rather than ``8.0``; fractions keep one decimal."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def impact_text(ctx: Context, fixture_id: str) -> str:
    """``name [HIGH]`` or just ``name`` when untagged."""
    fixture = ctx.fixtures.get(fixture_id)
    if fixture is None:
        return fixture_id
    return f"{fixture.name} [{fixture.impact}]" if fixture.impact else fixture.name
