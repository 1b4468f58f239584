"""Compare the static resolution with what the real pytest reported, test by test.

A test agrees when pytest's ``item.fixturenames`` equals our ``closure`` and, for every name,
pytest's winning definition is ours (same file and line, or same file and function). Each
disagreement gets its likely cause, read from what the static scan already knows: a guarded
definition (conditional import), a fixture pytest found outside the suite (a plugin we were not
told about, or a plugin the scan read whose collection hook added the fixture), a construct the
scan reported as not literal (dynamic), or else a scanner bug. The scan's error findings and
FG006 findings are judged against pytest's resolution too (:mod:`.findings`).
"""

from __future__ import annotations

import enum
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from fixture_graph.model import FixtureDef, FixtureKind, Issue, ResolvedTest, TestItem, UnknownRequest
from fixture_graph.report import Report
from fixture_graph.verify.findings import FindingCheck, FindingJudge, Verdict
from fixture_graph.verify.pytest_internals import PYTEST_PACKAGE
from fixture_graph.verify.runner import SOURCE_SETUP_PLAN, ObservedDef, ObservedTest, PytestView

# Scan issues that mean "the static reading cannot know this name".
_DYNAMIC_CODES = frozenset(
    {"dynamic-usefixtures", "dynamic-parametrize", "dynamic-fixture-name", "dynamic-pytest-plugins"}
)
_GETFIXTUREVALUE = "dynamic-getfixturevalue"
_PSEUDO_PARAM_FILE = f"{PYTEST_PACKAGE}/python.py"
_XUNIT_FILES = (f"{PYTEST_PACKAGE}/python.py", f"{PYTEST_PACKAGE}/unittest.py")


class Cause(str, enum.Enum):
    """The likely reason for a disagreement, most specific first."""

    DYNAMIC_GETFIXTUREVALUE = "dynamic getfixturevalue"
    DYNAMIC_CONSTRUCT = "dynamic construct"
    CONDITIONAL = "conditional import"
    OTHER_COPY = "module imported from another copy"
    PLUGIN_HOOK = "plugin hook not modelled"
    PLUGIN = "plugin fixture not configured"
    SCANNER = "scanner bug"


@dataclass(frozen=True, slots=True, order=True)
class WinnerDiff:
    """pytest and we picked different definitions for ``name`` (None: nothing resolved)."""

    name: str
    pytest: str | None
    ours: str | None


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One test on which pytest and the static resolution differ.

    ``collected`` is ``both``, ``pytest-only`` or ``static-only``. ``missing`` are names pytest
    has and we lack, ``extra`` the reverse; ``runtime_extra`` are names resolved while the test
    ran (``--run``) that the static graph does not reach, even through dynamic edges.
    """

    nodeid: str
    cause: Cause
    explanation: str
    collected: str = "both"
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    winners: tuple[WinnerDiff, ...] = ()
    runtime_extra: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Unverifiable:
    """A collector pytest could not collect (an import error) or skipped while collecting
    (``pytest.importorskip``): its tests are not judged."""

    nodeid: str
    message: str
    tests: int
    skipped: bool = False


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The verdict over a whole suite.

    ``errors`` judges each error finding (FG001-FG003) against pytest, ``unused`` each FG006
    finding (``false``: pytest reaches the definition); see :mod:`.findings`.
    """

    source: str
    pytest_version: str | None
    ran: bool
    total: int
    agreeing: int
    disagreements: tuple[Disagreement, ...]
    unverifiable: tuple[Unverifiable, ...] = ()
    dynamic_notes: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    failure: str | None = None
    errors: tuple[FindingCheck, ...] = ()
    unused: tuple[FindingCheck, ...] = ()
    rootdir: str = ""  # the scan's rootdir: the paths above are relative to it

    @property
    def agreement(self) -> float:
        """Share of judged tests that agree (1.0 when nothing could be judged)."""
        return self.agreeing / self.total if self.total else 1.0

    @property
    def false_errors(self) -> int:
        """Error findings pytest contradicts (the ones a CI gate would fail a clean suite on)."""
        return sum(1 for c in self.errors if c.verdict is Verdict.FALSE)

    @property
    def unused_false(self) -> int:
        """FG006 findings whose definition pytest reaches (false positives)."""
        return sum(1 for c in self.unused if c.verdict is Verdict.FALSE)

    @property
    def unused_precision(self) -> float | None:
        """1 - false / judged FG006 findings (None when none could be judged)."""
        judged = sum(1 for c in self.unused if c.verdict is not Verdict.UNVERIFIED)
        return 1.0 - self.unused_false / judged if judged else None


def compare(report: Report, view: PytestView) -> VerifyResult:
    """Judge every test of ``report`` against ``view``; see the module docstring for the rules."""
    if view.failed_to_start:
        return VerifyResult(
            view.source,
            view.pytest_version,
            view.ran,
            0,
            0,
            (),
            notes=view.notes,
            failure=f"pytest exited with code {view.exit_code} before collecting:\n{view.output_tail}",
            rootdir=report.scan.rootdir,
        )
    judge = _Judge(report, view)
    return judge.run()


def describe(disagreement: Disagreement, show: Callable[[str], str] | None = None) -> list[str]:
    """Readable lines for one disagreement (used by the text output and by tests).

    ``show`` spells a rootdir-relative path as printed (the text output passes
    :func:`~fixture_graph.render.paths.path_display`); without it places print as stored.
    """
    d = disagreement
    place = _place_shower(show)
    lines = [f"{d.nodeid}: {d.cause.value}: {d.explanation}"]
    if d.collected != "both":
        lines.append(f"    collected by {d.collected.replace('-only', '')} only")
    if d.missing:
        lines.append(f"    missing (pytest has, we lack): {', '.join(d.missing)}")
    if d.extra:
        lines.append(f"    extra (we have, pytest lacks): {', '.join(d.extra)}")
    for w in d.winners:
        lines.append(f"    {w.name}: pytest uses {place(w.pytest)}, we use {place(w.ours)}")
    if d.runtime_extra:
        lines.append(f"    resolved at run time only: {', '.join(d.runtime_extra)}")
    return lines


def _place_shower(show: Callable[[str], str] | None) -> Callable[[str | None], str]:
    """``path:line`` (or None) as printed: the path through ``show``, pytest's own files as is."""

    def place(where: str | None) -> str:
        if where is None:
            return "nothing"
        path, sep, line = where.rpartition(":")
        if show is None or not sep or path.startswith(f"{PYTEST_PACKAGE}/"):
            return where
        return f"{show(path)}:{line}"

    return place


class _Judge:
    """Holds the lookups one comparison needs."""

    def __init__(self, report: Report, view: PytestView) -> None:
        self.report = report
        self.view = view
        self.root = Path(report.scan.rootdir)
        self.by_id = {f.id: f for f in report.scan.fixtures}
        self.items = {t.nodeid: t for t in report.scan.tests}
        self.ours = {t.nodeid: t for t in report.resolution.tests}
        self.observed = {t.nodeid: t for t in view.tests}
        self.by_name: dict[str, list[FixtureDef]] = defaultdict(list)
        for fixture in report.scan.fixtures:
            self.by_name[fixture.name].append(fixture)
        self.adjacency: dict[str, set[str]] = defaultdict(set)
        for edge in chain(report.resolution.fixture_edges, report.resolution.test_edges()):
            self.adjacency[edge.source].add(edge.target)
        self.issues_by_file: dict[str, list[Issue]] = defaultdict(list)
        for issue in report.scan.issues:
            self.issues_by_file[issue.file].append(issue)
        self.defined_funcs: dict[str, set[str]] = defaultdict(set)
        for fixture in report.scan.fixtures:
            self.defined_funcs[fixture.file].add(fixture.func_name)
        for item in report.scan.tests:
            self.defined_funcs[item.file].add(item.name)

    # -- whole run -----------------------------------------------------------------------------

    def run(self) -> VerifyResult:
        blocked = self._unverifiable()
        skipped = {n for u, tests in blocked for n in tests}
        disagreements: list[Disagreement] = []
        notes = list(self.view.notes)
        total = 0
        unobserved = 0
        for nodeid in sorted(set(self.ours) | set(self.observed)):
            if nodeid in skipped:
                continue
            if nodeid not in self.observed and self.view.source == SOURCE_SETUP_PLAN:
                unobserved += 1
                continue
            total += 1
            found = self._judge(nodeid)
            if found is not None:
                disagreements.append(found)
        if unobserved:
            notes.append(
                f"{unobserved} tests are absent from --setup-plan (skipped or failing at setup); not judged"
            )
        if self.view.source == SOURCE_SETUP_PLAN:
            notes.append("fallback oracle: fixture names compared, winning definitions not checked")
        findings = FindingJudge(
            self.view,
            self.by_id,
            self.report.resolution.unknown,
            self._same,
            skipped,
            tuple(u.nodeid for u, _ in blocked),
            self._show,
            self.root,
        )
        return VerifyResult(
            source=self.view.source,
            pytest_version=self.view.pytest_version,
            ran=self.view.ran,
            total=total,
            agreeing=total - len(disagreements),
            disagreements=tuple(disagreements),
            unverifiable=tuple(u for u, _ in blocked),
            dynamic_notes=self._dynamic_notes(skipped) if not self.view.ran else (),
            notes=tuple(notes),
            errors=findings.errors(self.report.analysis.findings),
            unused=findings.unused(self.report.analysis.findings),
            rootdir=self.report.scan.rootdir,
        )

    def _unverifiable(self) -> list[tuple[Unverifiable, tuple[str, ...]]]:
        out = []
        for error in self.view.errors:
            prefix = error.nodeid
            tests = tuple(
                n
                for n, item in sorted(self.items.items())
                if not prefix
                or item.file == prefix
                or n.startswith(f"{prefix}/")
                or n.startswith(f"{prefix}::")
            )
            out.append((Unverifiable(error.nodeid, error.message, len(tests), error.skipped), tests))
        return out

    # -- one test ------------------------------------------------------------------------------

    def _judge(self, nodeid: str) -> Disagreement | None:
        ours, observed = self.ours.get(nodeid), self.observed.get(nodeid)
        item = self.items.get(nodeid)
        if observed is None:
            if item is not None and item.conditional:
                why = f"the test is defined behind a guard ({'; '.join(item.guards)}); decide it with --env"
                return Disagreement(nodeid, Cause.CONDITIONAL, why, collected="static-only")
            return Disagreement(nodeid, Cause.SCANNER, "we collect a test pytest does not", "static-only")
        if ours is None or item is None:
            cause, why = self._dynamic_in_file(nodeid.split("::", 1)[0])
            return Disagreement(nodeid, cause, why or "pytest collects a test we do not", "pytest-only")
        missing = tuple(sorted(observed.fixturenames - set(ours.closure)))
        extra = tuple(sorted(set(ours.closure) - observed.fixturenames))
        winners = self._winner_diffs(ours, observed)
        runtime_extra = self._runtime_extra(ours, observed)
        if not (missing or extra or winners or runtime_extra):
            return None
        cause, why = self._cause(item, ours, observed, missing, extra, winners, runtime_extra)
        return Disagreement(nodeid, cause, why, "both", missing, extra, winners, runtime_extra)

    def _winner_diffs(self, ours: ResolvedTest, observed: ObservedTest) -> tuple[WinnerDiff, ...]:
        if self.view.source == SOURCE_SETUP_PLAN:
            return ()
        static = dict(ours.winners)
        theirs = dict(observed.winners)
        pseudo = {n for n, d in theirs.items() if d.path.endswith(_PSEUDO_PARAM_FILE)}
        diffs: list[WinnerDiff] = []
        for name, odef in sorted(theirs.items()):
            if name in pseudo or name not in observed.fixturenames:
                # Names pruned from the closure keep their stale definitions in pytest's
                # name2fixturedefs (a pytest_generate_tests hook made them direct parameters).
                continue
            fixture = self.by_id.get(static.get(name, ""))
            if fixture is None:
                diffs.append(WinnerDiff(name, self._show(odef), None))
            elif not self._same(fixture, odef):
                diffs.append(WinnerDiff(name, self._show(odef), f"{fixture.file}:{fixture.line}"))
        for name in sorted(set(static) - set(theirs) - pseudo):
            fixture = self.by_id[static[name]]
            if name in observed.fixturenames and fixture.kind is FixtureKind.PLUGIN:
                # A plugin registered by a later test module: pytest resolves it again at setup
                # (tricky case 22), so the run-time answer is ours.
                continue
            diffs.append(WinnerDiff(name, None, f"{fixture.file}:{fixture.line}"))
        return tuple(diffs)

    def _same(self, fixture: FixtureDef, odef: ObservedDef) -> bool:
        if fixture.kind is FixtureKind.BUILTIN:
            return odef.path.endswith(fixture.file)
        if fixture.kind is FixtureKind.XUNIT:
            # pytest defines the xunit and unittest shims' functions in its own modules.
            return odef.path.endswith(_XUNIT_FILES) and odef.name == fixture.name
        if fixture.file == "<config>":
            return not self._inside(odef.path)
        path = fixture.file if os.path.isabs(fixture.file) else str(self.root / fixture.file)
        if os.path.realpath(path) != odef.path:
            return False
        return fixture.line == odef.line or odef.qualname.rsplit(".", 1)[-1] == fixture.func_name

    def _runtime_extra(self, ours: ResolvedTest, observed: ObservedTest) -> tuple[str, ...]:
        if observed.runtime is None:
            return ()
        reached = self._reached(ours.nodeid)
        allowed = set(ours.closure) | {self.by_id[i].name for i in reached if i in self.by_id}
        return tuple(sorted(n for n, _ in observed.runtime if n not in allowed and n != "request"))

    def _reached(self, nodeid: str) -> set[str]:
        """Fixture ids reachable from a test through static and dynamic (literal) edges."""
        seen: set[str] = set()
        stack = [nodeid]
        while stack:
            for target in self.adjacency.get(stack.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return seen

    # -- causes --------------------------------------------------------------------------------

    def _cause(
        self,
        item: TestItem,
        ours: ResolvedTest,
        observed: ObservedTest,
        missing: tuple[str, ...],
        extra: tuple[str, ...],
        winners: tuple[WinnerDiff, ...],
        runtime_extra: tuple[str, ...],
    ) -> tuple[Cause, str]:
        involved = {*missing, *extra, *(w.name for w in winners)}
        functions = self._functions(item, ours)
        if runtime_extra:
            runtime = dict(observed.runtime or ())
            if all(not self._inside(runtime.get(n, "")) for n in runtime_extra):
                why = "a plugin adds these fixtures at setup time, outside the static closure"
                return Cause.PLUGIN_HOOK, why
            calls = self._issues(functions, {_GETFIXTUREVALUE})
            where = "; ".join(f"{i.file}:{i.line}: {i.message}" for i in calls)
            why = where or "requested at run time by code the scan cannot see (a helper or another module)"
            return Cause.DYNAMIC_GETFIXTUREVALUE, why
        guarded = [f for n in sorted(involved) for f in self.by_name.get(n, ()) if f.conditional]
        if item.conditional or guarded:
            guards = sorted({g for f in guarded for g in f.guards} | set(item.guards))
            return (
                Cause.CONDITIONAL,
                f"depends on guarded definitions ({'; '.join(guards)}); decide with --env",
            )
        theirs = dict(observed.winners)
        copies = self._other_copies(winners, theirs)
        if copies and len(copies) == len(winners) and not missing and not extra:
            shown = ", ".join(sorted(copies))
            return (
                Cause.OTHER_COPY,
                f"pytest used the same definitions from another copy of their module ({shown}): "
                "the package is also installed (not editable) and was imported first, which "
                "--import-mode=importlib reuses; install it editable, or verify the installed "
                "copy (--pyargs)",
            )
        plugin_names = [
            n
            for n in sorted({*missing, *(w.name for w in winners)})
            if n in theirs
            and not self._inside(theirs[n].path)
            and PYTEST_PACKAGE not in Path(theirs[n].path).parts
        ]
        if plugin_names:
            return self._plugin_cause(item, ours, plugin_names, theirs)
        dynamic = self._issues(functions, _DYNAMIC_CODES) or [
            i for i in self.issues_by_file.get(item.file, ()) if i.code in _DYNAMIC_CODES
        ]
        if dynamic:
            where = "; ".join(f"{i.file}:{i.line}: {i.message}" for i in dynamic)
            return Cause.DYNAMIC_CONSTRUCT, where
        return Cause.SCANNER, "the static resolution differs from pytest's (please report it)"

    def _other_copies(self, winners: tuple[WinnerDiff, ...], theirs: dict[str, ObservedDef]) -> set[str]:
        """Names whose definition pytest took from another file with the same module path tail
        and line as ours (``site-packages/pkg/tests/x.py:87`` for our ``src/pkg/tests/x.py:87``)."""
        out: set[str] = set()
        for diff in winners:
            odef = theirs.get(diff.name)
            fixture = next(
                (f for f in self.by_name.get(diff.name, ()) if f"{f.file}:{f.line}" == diff.ours), None
            )
            if odef is None or fixture is None or fixture.line != odef.line:
                continue
            ours = Path(fixture.file).parts
            other = Path(odef.path).parts
            tail = 2 if len(ours) >= 2 else 1
            if ours[-tail:] == other[-tail:] and not self._inside(odef.path):
                out.add(diff.name)
        return out

    def _plugin_cause(
        self,
        item: TestItem,
        ours: ResolvedTest,
        names: list[str],
        theirs: dict[str, ObservedDef],
    ) -> tuple[Cause, str]:
        """A plugin's fixture we lack: not scanned, or scanned but added by a hook we do not model.

        When the scan registered the very definition pytest used (same file), the plugin was seen
        and the name reached the test another way: a collection hook (``usefixtures`` added in
        ``pytest_pycollect_makeitem``, a rewritten ``fixturenames``). Only a registry entry can
        model that; ``--plugin-fixture`` would not add the name to the test.
        """
        found = [n for n in names if any(self._same_file(f, theirs[n]) for f in self.by_name.get(n, ()))]
        if found:
            where = ", ".join(f"{n} ({self._show(theirs[n])})" for n in found)
            return Cause.PLUGIN_HOOK, (
                f"{where}: the scan read this plugin and its fixture, but a hook of the plugin adds it to "
                "this test at collection; fixture-graph has no registry entry for that hook "
                "(fixture_graph/scan/plugins.py): please report it. Meanwhile list the fixture in "
                "usefixtures where the plugin adds it to make the static graph match."
            )
        requested = set(item.argnames) | set(item.usefixtures) | {u.name for u in self._unknown(item)}
        if all(n in requested for n in names):
            hint = (
                "install it in the --python environment (the scan reads pytest11 entry points there) "
                "or declare the names with --plugin-fixture NAME[:SCOPE]"
            )
        else:
            hint = (
                "install it in the --python environment (the scan reads pytest11 entry points there); "
                "if it adds them to every test, declare them in plugin-fixtures with autouse = true"
            )
        return Cause.PLUGIN, f"{', '.join(names)} come from a plugin the scan did not see; {hint}"

    def _unknown(self, item: TestItem) -> list[UnknownRequest]:
        return [u for u in self.report.resolution.unknown if u.test == item.nodeid]

    def _same_file(self, fixture: FixtureDef, odef: ObservedDef) -> bool:
        if fixture.kind is not FixtureKind.PLUGIN or fixture.file == "<config>":
            return False
        path = fixture.file if os.path.isabs(fixture.file) else str(self.root / fixture.file)
        return os.path.realpath(path) == odef.path

    def _functions(self, item: TestItem, ours: ResolvedTest) -> set[tuple[str, str]]:
        """(file, function) pairs whose code runs for this test: the test, its fixtures, helpers."""
        out = {(item.file, item.name)}
        for fixture_id in {*ours.closure_defs, *self._reached(ours.nodeid)}:
            fixture = self.by_id.get(fixture_id)
            if fixture is not None:
                out.add((fixture.file, fixture.func_name))
        return out

    def _issues(self, functions: set[tuple[str, str]], codes: frozenset[str] | set[str]) -> list[Issue]:
        found: list[Issue] = []
        files = {f for f, _ in functions}
        for file in sorted(files):
            for issue in self.issues_by_file.get(file, ()):
                if issue.code not in codes:
                    continue
                owner = _issue_function(issue)
                mine = owner is None or (file, owner) in functions
                # A helper (neither fixture nor test) in a file the test uses counts as well.
                helper = owner is not None and owner not in self.defined_funcs.get(file, set())
                if mine or helper:
                    found.append(issue)
        return found

    def _dynamic_in_file(self, file: str) -> tuple[Cause, str]:
        found = [i for i in self.issues_by_file.get(file, ()) if i.code in _DYNAMIC_CODES]
        if found:
            return Cause.DYNAMIC_CONSTRUCT, "; ".join(f"{i.file}:{i.line}: {i.message}" for i in found)
        return Cause.SCANNER, ""

    def _dynamic_notes(self, skipped: set[str]) -> tuple[tuple[str, str], ...]:
        notes = []
        for nodeid, ours in sorted(self.ours.items()):
            item = self.items.get(nodeid)
            if item is None or nodeid in skipped:
                continue
            calls = self._issues(self._functions(item, ours), {_GETFIXTUREVALUE})
            if calls:
                notes.append((nodeid, "; ".join(f"{i.file}:{i.line}: {i.message}" for i in calls)))
        return tuple(notes)

    # -- paths ---------------------------------------------------------------------------------

    def _inside(self, path: str) -> bool:
        if not path or path == "?":
            return False
        try:
            return Path(path).is_relative_to(os.path.realpath(self.root))
        except ValueError:
            return False

    def _show(self, odef: ObservedDef) -> str:
        path = odef.path
        root = os.path.realpath(self.root)
        if self._inside(path):
            path = Path(path).relative_to(root).as_posix()
        elif PYTEST_PACKAGE in Path(path).parts:
            parts = Path(path).parts
            path = "/".join(parts[parts.index(PYTEST_PACKAGE) :])
        return f"{path}:{odef.line}"


def _issue_function(issue: Issue) -> str | None:
    """The function an issue names (``... in 'name' ...``), if any."""
    marker = " in '"
    start = issue.message.find(marker)
    if start < 0:
        return None
    end = issue.message.find("'", start + len(marker))
    return issue.message[start + len(marker) : end] if end > 0 else None
