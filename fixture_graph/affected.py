"""Which tests a change can affect, from two reports and the list of changed files.

A test is affected when its closure changed for any reason (a name joined or left it, a name
now gets another definition: an ini ``usefixtures``, a new autouse fixture, an override added
nearer the test, a definition removed so a farther one wins, a parametrize that shadows a
fixture; see :mod:`fixture_graph.closures`); when a definition in its closure changed (its
source, scope, params or requests); when a conftest that applies to it, or a module such a
conftest loads at collection time, changed; when a suite module its test module imports
(transitively) changed; when its parametrization changed; or when its own module changed, or it
is new. The last rules are deliberately broad: running a few extra tests is cheap, missing one
is not.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePosixPath

from fixture_graph.closures import closure_changes, location, reasons_by_test
from fixture_graph.model import FixtureDef
from fixture_graph.report import Report


@dataclass(frozen=True, slots=True)
class AffectedTest:
    """A test node id with the reasons it is affected."""

    nodeid: str
    reasons: tuple[str, ...]


def _what_changed(old: FixtureDef, new: FixtureDef) -> list[str]:
    """The parts of a definition that differ between two revisions, as users name them."""
    out = []
    if old.body_hash != new.body_hash:
        out.append("body")
    if old.scope_label != new.scope_label:
        out.append(f"scope {old.scope_label} -> {new.scope_label}")
    if old.argnames != new.argnames:
        out.append("requests")
    if old.params != new.params:
        out.append("params")
    if old.autouse != new.autouse:
        out.append("autouse")
    if old.dynamic_deps != new.dynamic_deps:
        out.append("getfixturevalue")
    if old.file != new.file:
        out.append(f"now in {new.file}")
    return out


def changed_definitions(base: Report, head: Report) -> dict[str, str]:
    """Head definition id -> why it counts as changed, for definitions on both revisions whose
    source or declaration differs (``fixture `db` changed at tests/conftest.py:3 (body)``)."""
    before = {f.id: f for f in base.scan.fixtures}
    out = {}
    for fixture in head.scan.fixtures:
        old = before.get(fixture.id)
        if old is not None and (what := _what_changed(old, fixture)):
            out[fixture.id] = f"fixture `{fixture.name}` changed at {location(fixture)} ({', '.join(what)})"
    return out


def _conftest_dirs(file: str) -> list[str]:
    """Directories whose conftest.py applies to a test file (rootdir first)."""
    parts = file.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(len(parts) + 1)]


class _FileReasons:
    """Per test module (memoized): its changed conftests, collection-time modules and imports."""

    def __init__(self, head: Report, changed_files: set[str]) -> None:
        self.changed = changed_files
        # A conftest is affected when it, or any module it loads at collection, changed.
        loads: dict[str, set[str]] = defaultdict(set)
        for imp in head.scan.imports:
            loads[imp.loaded_by].add(imp.file)
            if imp.target is not None:
                loads[imp.loaded_by].add(imp.target)
        self.dirty_conftests = {
            conftest: sorted(({conftest} | files) & changed_files)
            for conftest, files in loads.items()
            if ({conftest} | files) & changed_files
        }
        # A changed conftest that loads nothing that changed (keeping the modules it loads that did).
        for file in changed_files:
            if PurePosixPath(file).name == "conftest.py":
                self.dirty_conftests.setdefault(file, [file])
        self.global_dirty = sorted(
            file
            for loader, files in self.dirty_conftests.items()
            if PurePosixPath(loader).name != "conftest.py"  # a pytest_plugins module: applies everywhere
            for file in files
        )
        self.imports = dict(head.scan.test_imports)
        self._memo: dict[str, list[str]] = {}

    def __call__(self, file: str) -> list[str]:
        found = self._memo.get(file)
        if found is not None:
            return found
        reasons = []
        for directory in _conftest_dirs(file):
            conftest = f"{directory}/conftest.py" if directory else "conftest.py"
            for dirty in self.dirty_conftests.get(conftest, []):
                reasons.append(
                    f"{dirty} changed (loaded by {conftest})" if dirty != conftest else f"{dirty} changed"
                )
        reasons.extend(f"{dirty} changed (a pytest_plugins module)" for dirty in self.global_dirty)
        reasons.extend(
            f"imports {module} (changed)" for module in self.imports.get(file, ()) if module in self.changed
        )
        if file in self.changed:
            reasons.append(f"{file} changed")
        self._memo[file] = reasons
        return reasons


def _cases(count: int | None) -> str:
    return "a computed number of" if count is None else str(count)


def affected_tests(base: Report, head: Report, changed_files: set[str]) -> tuple[AffectedTest, ...]:
    """The head's tests a change can affect, sorted by node id.

    ``changed_files`` are paths relative to the head's rootdir.
    """
    by_closure = reasons_by_test(closure_changes(base, head))
    changed_defs = changed_definitions(base, head)
    by_defs: dict[int, list[str]] = {}  # per parts tuple, which the tests of a closure share
    file_reasons = _FileReasons(head, changed_files)
    base_items = {t.nodeid: t for t in base.scan.tests}
    items = {t.nodeid: t for t in head.scan.tests}
    out = []
    for test in head.resolution.tests:
        reasons: list[str] = list(by_closure.get(test.nodeid, ()))
        edited = by_defs.get(id(test.parts))
        if edited is None:
            edited = by_defs[id(test.parts)] = [
                changed_defs[d] for d in test.closure_defs if d in changed_defs
            ]
        reasons.extend(edited)
        item = items[test.nodeid]
        old = base_items.get(test.nodeid)
        if old is None:
            reasons.append("new test")
        elif old.param_cases != item.param_cases:
            reasons.append(f"parametrized: {_cases(item.param_cases)} cases (was {_cases(old.param_cases)})")
        reasons.extend(file_reasons(item.file))
        if reasons:
            out.append(AffectedTest(test.nodeid, tuple(dict.fromkeys(reasons))))
    return tuple(sorted(out, key=lambda a: a.nodeid))
