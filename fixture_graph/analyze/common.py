"""Small helpers the rules share: locations, chains as text, impact labels."""

from __future__ import annotations

from fixture_graph.analyze.context import Context
from fixture_graph.analyze.findings import Location
from fixture_graph.model import FixtureDef


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


def overridden(ctx: Context, fixture: FixtureDef) -> FixtureDef | None:
    """The definition ``fixture`` overrides where it is defined (the next one out of the same
    name visible from its holder), or None."""
    visible = ctx.visible(fixture)
    position = visible.index(fixture) if fixture in visible else 0
    return visible[position - 1] if position > 0 else None


def identical_copy(fixture: FixtureDef, outer: FixtureDef) -> bool:
    """True when ``fixture`` overrides ``outer`` with the same code (FG015 reports it, FG007 not).

    Same name and code shape (decorator arguments included, stub bodies never), another place
    in the source, no request of its own name (that extends the outer one), and no undecided
    guard on either.
    """
    return (
        bool(fixture.shape_hash)
        and fixture.shape_hash == outer.shape_hash
        and fixture.name == outer.name
        and (fixture.file, fixture.line) != (outer.file, outer.line)
        and fixture.name not in fixture.argnames
        and not fixture.conditional
        and not outer.conditional
    )
