"""In-memory fixture definitions for resolution tests (no files, every field spelled once)."""

from __future__ import annotations

from fixture_graph.model import FixtureDef, FixtureKind
from fixture_graph.scope import Scope


def fixture_def(
    name: str,
    holder: str,
    *,
    id: str,
    file: str,
    line: int,
    order: tuple[int, int],
    argnames: tuple[str, ...] = (),
    scope: Scope = Scope.FUNCTION,
    autouse: bool = False,
) -> FixtureDef:
    """A conftest-style definition of ``name`` held by ``holder`` and registered in ``file``."""
    return FixtureDef(
        id=id,
        name=name,
        func_name=name,
        kind=FixtureKind.CONFTEST,
        holder=holder,
        order=order,
        scope=scope,
        file=file,
        line=line,
        registered_in=file,
        argnames=argnames,
        autouse=autouse,
    )
