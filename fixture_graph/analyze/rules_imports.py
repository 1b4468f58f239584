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
from fixture_graph.model import CollectionImport


def _heavy_levels(ctx: Context) -> set[str]:
    """The two heaviest impact levels (HIGH and VERY_HIGH by default)."""
    ranked = sorted(ctx.config.weights, key=lambda lw: -lw[1])
    return {level for level, _ in ranked[:2]}


def _heavy_module(module: str, heavy: tuple[str, ...]) -> str | None:
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
    heavy_levels = _heavy_levels(ctx)
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
        matched = _heavy_module(imp.module, ctx.config.heavy_modules)
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
