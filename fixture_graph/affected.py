"""Which tests a change can affect, from two reports and the list of changed files.

A test is affected when its closure includes a definition that was added, edited (its source
hash changed) or whose scope, params or requests changed; when a definition it used on the base
revision is gone; when a conftest that applies to it, or a module such a conftest loads at
collection time, changed; or when its own module changed. The last rule is deliberately broad:
running a few extra tests is cheap, missing one is not.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePosixPath

from fixture_graph.model import FixtureDef
from fixture_graph.report import Report


@dataclass(frozen=True, slots=True)
class AffectedTest:
    """A test node id with the reasons it is affected."""

    nodeid: str
    reasons: tuple[str, ...]


def _signature(fixture: FixtureDef) -> tuple[object, ...]:
    return (
        fixture.body_hash,
        fixture.scope_label,
        fixture.argnames,
        fixture.params,
        fixture.autouse,
        fixture.dynamic_deps,
        fixture.file,
    )


def changed_definitions(base: Report, head: Report) -> dict[str, str]:
    """Head definition id -> why it counts as changed (new, or its source or declaration changed)."""
    before = {f.id: f for f in base.scan.fixtures}
    out = {}
    for fixture in head.scan.fixtures:
        old = before.get(fixture.id)
        if old is None:
            out[fixture.id] = f"fixture {fixture.id} is new"
        elif _signature(old) != _signature(fixture):
            out[fixture.id] = f"fixture {fixture.id} changed"
    return out


def _conftest_dirs(file: str) -> list[str]:
    """Directories whose conftest.py applies to a test file (rootdir first)."""
    parts = PurePosixPath(file).parent.parts
    return ["/".join(parts[:i]) for i in range(len(parts) + 1)]


def affected_tests(base: Report, head: Report, changed_files: set[str]) -> tuple[AffectedTest, ...]:
    """The head's tests a change can affect, sorted by node id.

    ``changed_files`` are paths relative to the head's rootdir.
    """
    changed_defs = changed_definitions(base, head)
    gone = {f.id for f in base.scan.fixtures} - {f.id for f in head.scan.fixtures}
    base_closure = {t.nodeid: set(t.closure_defs) for t in base.resolution.tests}
    # A conftest is affected when it, or any module it loads at collection, changed.
    loads: dict[str, set[str]] = defaultdict(set)
    for imp in head.scan.imports:
        loads[imp.loaded_by].add(imp.file)
        if imp.target is not None:
            loads[imp.loaded_by].add(imp.target)
    dirty_conftests = {
        conftest: sorted(({conftest} | files) & changed_files)
        for conftest, files in loads.items()
        if ({conftest} | files) & changed_files
    }
    dirty_conftests.update({f: [f] for f in changed_files if PurePosixPath(f).name == "conftest.py"})
    global_dirty = sorted(
        file
        for loader, files in dirty_conftests.items()
        if PurePosixPath(loader).name != "conftest.py"  # a pytest_plugins module: applies everywhere
        for file in files
    )
    items = {t.nodeid: t for t in head.scan.tests}
    out = []
    for test in head.resolution.tests:
        reasons: list[str] = []
        for fixture_id in test.closure_defs:
            if fixture_id in changed_defs:
                reasons.append(changed_defs[fixture_id])
        for fixture_id in sorted(base_closure.get(test.nodeid, set()) & gone):
            reasons.append(f"fixture {fixture_id} was removed")
        item = items[test.nodeid]
        for directory in _conftest_dirs(item.file):
            conftest = f"{directory}/conftest.py" if directory else "conftest.py"
            for file in dirty_conftests.get(conftest, []):
                reasons.append(
                    f"{file} changed (loaded by {conftest})" if file != conftest else f"{file} changed"
                )
        reasons.extend(f"{file} changed (a pytest_plugins module)" for file in global_dirty)
        if item.file in changed_files:
            reasons.append(f"{item.file} changed")
        if reasons:
            out.append(AffectedTest(test.nodeid, tuple(dict.fromkeys(reasons))))
    return tuple(sorted(out, key=lambda a: a.nodeid))
