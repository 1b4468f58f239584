"""FG017: a conftest fixture that only the tests of one subfolder reach belongs in that
subfolder's conftest (see :mod:`fixture_graph.analyze.placement`; a chain moves together).

Not reported: autouse fixtures (where they are defined *is* which tests get them), fixtures no
test reaches (FG006 says so), and moves the target folder would undo (a definition of the same
name already in that folder or between, which the tests there get instead).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from fixture_graph.analyze.context import Context
from fixture_graph.analyze.findings import Finding, Location, Severity
from fixture_graph.analyze.placement import fixture_homes
from fixture_graph.analyze.registry import rule
from fixture_graph.model import FixtureDef
from fixture_graph.words import counted


def conftest_path(folder: str) -> str:
    """``tests/integration/conftest.py`` for ``tests/integration`` (``conftest.py`` for the rootdir)."""
    return f"{folder}/conftest.py" if folder else "conftest.py"


@rule(
    "FG017",
    "move-fixture",
    Severity.INFO,
    "Conftest fixtures reached only by the tests of one subfolder: move them to that folder's conftest.",
)
def move_fixture(ctx: Context) -> Iterator[Finding]:
    """One finding per (file, target folder): the conftest fixtures of that file whose users
    (tests reaching them, definitions requesting them, at their own new folder when they move
    too) all sit strictly below their conftest's folder; the target is the deepest folder
    holding them all. A chain used only there moves together."""
    groups: dict[tuple[str, str], list[FixtureDef]] = defaultdict(list)
    homes, reaching = fixture_homes(ctx)
    for fixture_id, target in homes.items():
        fixture = ctx.fixtures[fixture_id]
        groups[fixture.file, target].append(fixture)
    for (file, target), members in sorted(groups.items()):
        members.sort(key=lambda f: (f.line, f.id))
        first = members[0]
        tests = len({t for f in members for t in reaching.get(f.id, ())})
        registered = sorted({f.registered_in for f in members if f.registered_in != file})
        via = f" (registered by {', '.join(registered)})" if registered else ""
        names = ", ".join(f.name for f in members)
        them = f"fixture '{first.name}'" if len(members) == 1 else f"fixtures {names}"
        destination = conftest_path(target)
        whole = registered and {f.id for f in members} == {
            f.id for f in ctx.scan.fixtures if f.file == file and f.registered_in in registered
        }
        yield Finding(
            code="FG017",
            severity=Severity.INFO,
            message=(
                f"{them} of {file}{via} {'is' if len(members) == 1 else 'are'} reached only by "
                f"{counted(tests, 'test')} under {target}/: move {'it' if len(members) == 1 else 'them'} "
                f"to {destination}"
            ),
            file=first.file,
            line=first.line,
            symbol=first.id,
            related=tuple(Location(f.file, f.line, f.name) for f in members[1:]),
            fix=(
                f"move {names} to {destination}"
                + (f" (or move the import that registers {file} there)" if whole else "")
                + ": tests elsewhere stop seeing "
                + ("it" if len(members) == 1 else "them")
                + ", and pytest loads "
                + ("it" if len(members) == 1 else "them")
                + " only for the tests there"
            ),
            key=f"FG017:{file}:{target}",
        )
