"""FG009: imports that run at collection time, where the original out-of-memory happened.

pytest imports every conftest (and what it star-imports or lists in ``pytest_plugins``) before
a single test runs, so a top-level ``import torch`` in a conftest costs every run, even one that
selects a single unit test. The fix is usually to move the import into the fixture that uses it.
An import already under a guard (``if os.environ.get(...)``, ``try: ... except ImportError``) is
never told to add one: the advice says it still runs whenever the guard is true, then what can
move. Imports under ``if TYPE_CHECKING:`` never run, so the scan does not record them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from fixture_graph.analyze.context import Context
from fixture_graph.analyze.findings import Finding, Location, Severity
from fixture_graph.analyze.registry import rule
from fixture_graph.model import CollectionImport, FixtureDef
from fixture_graph.words import counted

#: FG018 names at most this many fixtures: beyond that the import is the file's business.
FEW_FIXTURES = 3


def heavy_module(module: str, heavy: tuple[str, ...]) -> str | None:
    """The entry of ``heavy`` (``heavy-modules``) that ``module`` is or is inside, else None."""
    if module.startswith("."):
        return None
    return next((h for h in heavy if module == h or module.startswith(h + ".")), None)


def _where_to_move(imp: CollectionImport) -> str:
    if imp.module_level:
        return "it is used while the module is imported, so it cannot simply move; import it lazily there"
    if imp.used_by:
        shown = ", ".join(imp.used_by[:5]) + (", ..." if len(imp.used_by) > 5 else "")
        return f"move it inside {shown}, the only code that uses it"
    return "nothing in this module uses it at import time: move it into the code that needs it, or remove it"


def _when(guard: str) -> str:
    """When the code under ``guard`` runs, in words."""
    if guard.startswith("try: (except"):
        return "the import succeeds (the module is installed)"
    if guard.startswith("except "):
        return f"the try above it fails ({guard})"
    return f"{guard} is true"


def _guarded(imp: CollectionImport) -> str:
    """``""``, or a clause saying the guard already there does not stop the import."""
    if not imp.guards:
        return ""
    undecided = " (undecided here)" if imp.conditional else ""
    return (
        f"it is already guarded{undecided}, but still runs at collection whenever "
        + " and ".join(_when(g) for g in imp.guards)
        + "; "
    )


@rule(
    "FG009",
    "collection-time-import",
    Severity.WARNING,
    "A conftest (or a module it loads) imports a heavy module or heavy fixtures at collection time.",
)
def collection_time_import(ctx: Context) -> Iterator[Finding]:
    """Heavy third-party imports, and local imports that pull in HIGH/VERY_HIGH fixtures."""
    heavy_levels = ctx.config.heavy_levels
    heavy_by_file: dict[str, list[str]] = defaultdict(list)
    for fixture in ctx.scan.fixtures:
        if fixture.impact in heavy_levels and ctx.is_user(fixture):
            heavy_by_file[fixture.file].append(fixture.id)
    reported: set[tuple[str, int, str]] = set()
    for imp in ctx.scan.imports:
        key = (imp.file, imp.line, imp.module)
        if key in reported:
            continue
        via = "" if imp.file == imp.loaded_by else f" (loaded by {imp.loaded_by})"
        guard = f" (guarded by {' and '.join(imp.guards)})" if imp.guards else ""
        matched = heavy_module(imp.module, ctx.config.heavy_modules)
        if matched is not None:
            reported.add(key)
            yield Finding(
                code="FG009",
                severity=Severity.WARNING,
                message=f"collection-time import of heavy module '{imp.module}'{guard} in {imp.file}{via}",
                file=imp.file,
                line=imp.line,
                symbol=f"{imp.file}::{imp.module}",
                fix=_guarded(imp) + _where_to_move(imp),
                key=f"FG009:{imp.file}:{imp.module}",
            )
            continue
        if imp.target is not None and imp.target != imp.file and heavy_by_file.get(imp.target):
            ids = sorted(heavy_by_file[imp.target])
            names = ", ".join(ctx.label(i) for i in ids[:5]) + (", ..." if len(ids) > 5 else "")
            reported.add(key)
            yield Finding(
                code="FG009",
                severity=Severity.WARNING,
                message=(
                    f"collection-time import of {imp.target}{guard}, which defines heavy fixtures ({names}), "
                    f"in {imp.file}{via}"
                ),
                file=imp.file,
                line=imp.line,
                symbol=f"{imp.file}::{imp.module}",
                related=tuple(
                    Location(ctx.fixtures[i].file, ctx.fixtures[i].line, ctx.label(i)) for i in ids[:10]
                ),
                fix=(
                    _guarded(imp) + "load it only where it is needed (a conftest.py in the directory of the "
                    "tests that use it)"
                    + ("" if imp.guards else " or behind an env guard")
                    + ", and keep its heavy imports inside the fixtures"
                ),
                key=f"FG009:{imp.file}:{imp.module}",
            )


def _fixtures_by_function(ctx: Context) -> dict[str, dict[str, FixtureDef]]:
    """file -> function name (``Class.name`` in a class) -> the user fixture it defines."""
    out: dict[str, dict[str, FixtureDef]] = defaultdict(dict)
    for fixture in ctx.scan.fixtures:
        if ctx.is_user(fixture):
            cls = fixture.holder.split("::")[1] if fixture.holder.count("::") == 1 else None
            out[fixture.file].setdefault(f"{cls}.{fixture.func_name}" if cls else fixture.func_name, fixture)
    return out


def _fixture_users(imp: CollectionImport, defined: dict[str, FixtureDef]) -> list[FixtureDef] | None:
    """The fixtures (of ``defined``, those of ``imp.file``) that are the only users of the
    import, or None when some user is not a fixture there (a helper, a class, a hook) or
    nothing uses it."""
    if not imp.used_by or imp.module_level:
        return None
    users = [defined.get(name) for name in imp.used_by]
    if any(u is None for u in users):
        return None
    return sorted((u for u in users if u is not None), key=lambda f: (f.name, f.id))


@rule(
    "FG018",
    "import-inside-fixtures",
    Severity.INFO,
    "A heavy collection-time import that only a few fixtures use: import it inside them.",
)
def import_inside_fixtures(ctx: Context) -> Iterator[Finding]:
    """Heavy-module imports of a conftest (or a module it loads) whose names only a few fixture
    bodies read (at most :data:`FEW_FIXTURES`), with how many tests reach those fixtures: every
    other run, and every other test's collection, would skip the import."""
    total = len(ctx.resolution.tests)
    by_function: dict[str, dict[str, FixtureDef]] | None = None
    seen: set[tuple[str, int, str]] = set()
    candidates: list[tuple[CollectionImport, list[FixtureDef]]] = []
    for imp in ctx.scan.imports:
        key = (imp.file, imp.line, imp.module)
        if key in seen or heavy_module(imp.module, ctx.config.heavy_modules) is None:
            continue
        seen.add(key)
        if by_function is None:
            by_function = _fixtures_by_function(ctx)
        users = _fixture_users(imp, by_function.get(imp.file, {}))
        if users and len(users) <= FEW_FIXTURES:
            candidates.append((imp, users))
    if not candidates:
        return
    reaching = ctx.tests_of
    for imp, users in candidates:
        names = ", ".join(f.name for f in users)
        reached = {t for f in users for t in reaching.get(f.id, ())}
        yield Finding(
            code="FG018",
            severity=Severity.INFO,
            message=(
                f"'{imp.module}' is imported at collection in {imp.file} but only "
                f"{counted(len(users), 'fixture')} {'uses' if len(users) == 1 else 'use'} it ({names}), "
                f"reached by {len(reached)} of "
                f"{counted(total, 'test')}: import it inside these fixtures: {names}"
            ),
            file=imp.file,
            line=imp.line,
            symbol=f"{imp.file}::{imp.module}",
            related=tuple(Location(f.file, f.line, f.name) for f in users),
            fix=(
                f"move the import into the body of {names}; then only a run that sets "
                f"{'it' if len(users) == 1 else 'them'} up (for {counted(len(reached), 'test')}) "
                f"imports '{imp.module}'"
            ),
            key=f"FG018:{imp.file}:{imp.module}",
        )
