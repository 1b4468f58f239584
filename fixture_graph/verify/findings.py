"""Judge the scan's findings against pytest: is each error real, is each unused fixture unused?

The probe records, for every collected test, ``item.fixturenames`` in pytest's order and every
definition visible for each name with its scope and ``argnames`` (``name2fixturedefs``).
:func:`simulate` replays pytest's setup of one test from those facts, the way
``FixtureRequest._get_active_fixturedef`` (``_pytest/fixtures.py``) does it:

* names are requested in ``item.fixturenames`` order, then each definition's ``argnames``;
  ``request`` is never looked up; a name already set up for the test is reused (the request's
  ``_fixture_defs`` cache) and only its scope is checked again;
* a name with no visible definition fails with ``fixture 'x' not found``;
* a name requested while ``k`` requests of the same name are already on the request chain takes
  ``fixturedefs[-1 - k]`` (an override ``def x(x)`` gets the next-outer definition); past the
  farthest one pytest fails with ``recursive dependency involving fixture 'x'``;
* ``SubRequest._check_scope``: a request from a fixture whose scope is wider than the requested
  definition's fails with ``ScopeMismatch``.

Each error finding (FG001 circular dependency, FG002 scope mismatch, FG003 unknown fixture) is
then ``confirmed`` (pytest's setup fails the same way on some collected test), ``false`` (pytest
resolves it, or does not collect the affected tests) or ``unverified`` (why is said), and each
FG006 unused fixture is ``confirmed`` (no test's setup reaches the definition, nor, with
``--run``, any run-time request) or ``false`` (pytest reaches it: a false positive).
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from fixture_graph.analyze.findings import Finding, Severity
from fixture_graph.model import FixtureDef, UnknownRequest
from fixture_graph.report import USER_KINDS
from fixture_graph.verify.runner import SOURCE_SETUP_PLAN, ObservedDef, ObservedTest, PytestView

# pytest's Scope order, narrowest first (``_pytest/scope.py``).
_SCOPE_RANK = {"function": 0, "class": 1, "module": 2, "package": 3, "session": 4}
JUDGED_ERRORS = ("FG001", "FG002", "FG003")
UNUSED = "FG006"
_NOT_FOUND = re.compile(r"fixture '([^']+)' not found")


class Verdict(str, enum.Enum):
    """What pytest says about one finding."""

    CONFIRMED = "confirmed"
    FALSE = "false"
    UNVERIFIED = "unverified"


@dataclass(frozen=True, slots=True)
class FindingCheck:
    """One finding and pytest's verdict on it, with the evidence (``detail``)."""

    code: str
    key: str
    message: str
    file: str
    line: int
    verdict: Verdict
    detail: str


@dataclass(frozen=True, slots=True)
class Setup:
    """What pytest's setup of one test does, replayed from the probe's facts.

    ``reached`` are the definitions it sets up (winners and the outer definitions override
    chains request), ``missing`` the names with no definition, ``recursive`` each recursion
    error as (name, names on the request chain from its first request), ``mismatches`` each
    (requesting definition, requested definition) pair of narrower scope.
    """

    reached: frozenset[ObservedDef]
    missing: frozenset[str]
    recursive: tuple[tuple[str, tuple[str, ...]], ...]
    mismatches: frozenset[tuple[ObservedDef, ObservedDef]]


def simulate(test: ObservedTest) -> Setup:
    """Replay pytest's fixture setup of ``test`` (see the module docstring for the rules)."""
    chains = dict(test.chains)
    cache: dict[str, ObservedDef] = {}
    stack: list[str] = []
    reached: set[ObservedDef] = set()
    missing: set[str] = set()
    recursive: list[tuple[str, tuple[str, ...]]] = []
    mismatches: set[tuple[ObservedDef, ObservedDef]] = set()

    def check(requester: ObservedDef | None, requested: ObservedDef) -> None:
        if requester is None:
            return  # the test's own request is function-scoped: always valid
        wide, narrow = _SCOPE_RANK.get(requester.scope), _SCOPE_RANK.get(requested.scope)
        if wide is not None and narrow is not None and wide > narrow:
            mismatches.add((requester, requested))

    def request(name: str, requester: ObservedDef | None) -> None:
        if name == "request":
            return
        cached = cache.get(name)
        if cached is not None:
            check(requester, cached)
            return
        defs = chains.get(name)
        if not defs:
            missing.add(name)
            return
        depth = stack.count(name)
        if depth >= len(defs):
            first = stack.index(name)
            recursive.append((name, tuple(stack[first:])))
            return
        chosen = defs[-1 - depth]
        check(requester, chosen)
        reached.add(chosen)
        stack.append(name)
        for argname in chosen.argnames:
            request(argname, chosen)
        stack.pop()
        cache[name] = chosen

    for name in test.order or tuple(sorted(test.fixturenames)):
        request(name, None)
    return Setup(frozenset(reached), frozenset(missing), tuple(recursive), frozenset(mismatches))


class FindingJudge:
    """Judges findings against one pytest view.

    Args:
        view: what pytest reported.
        by_id: the scan's definitions by id.
        unknown: the resolution's unknown requests (FG003's affected tests).
        same: does a static definition denote pytest's definition (verify's own matching rule)?
        blocked: node ids of tests in collectors pytest could not collect (not judged).
        blocked_prefixes: those collectors' node ids (a definition in them cannot be judged).
        show: a readable ``path:line`` of a pytest definition.
        root: the scan's rootdir (relative definition files are under it).
    """

    def __init__(
        self,
        view: PytestView,
        by_id: dict[str, FixtureDef],
        unknown: Iterable[UnknownRequest],
        same: Callable[[FixtureDef, ObservedDef], bool],
        blocked: set[str],
        blocked_prefixes: tuple[str, ...],
        show: Callable[[ObservedDef], str],
        root: Path,
    ) -> None:
        self.view = view
        self.root = root
        self.by_id = by_id
        self._same = same
        self._matches: dict[tuple[str, ObservedDef], bool] = {}
        self.show = show
        self.blocked_prefixes = blocked_prefixes
        self.tests = {t.nodeid: t for t in view.tests if t.nodeid not in blocked}
        self.blocked = blocked
        self.unknown: dict[tuple[str, str], set[str]] = {}
        for u in unknown:
            self.unknown.setdefault((u.requester, u.name), set()).add(u.test)
        self._setups: dict[str, Setup] = {}
        self.has_defs = view.source != SOURCE_SETUP_PLAN

    def same(self, fixture: FixtureDef, odef: ObservedDef) -> bool:
        """Is pytest's definition this very static one (memoized: it reads the file system)?

        Besides verify's own rule (same function), the name and, for the suite's definitions,
        the node that registered it (pytest's ``baseid``, our ``holder``) must match: the same
        function imported into two conftests, or two classes' fixtures of one name in a file,
        are distinct definitions.
        """
        key = (fixture.id, odef)
        found = self._matches.get(key)
        if found is None:
            found = self._matches[key] = (
                odef.name == fixture.name
                and (fixture.kind not in USER_KINDS or odef.baseid == fixture.holder)
                and self._same(fixture, odef)
            )
        return found

    def setup(self, nodeid: str) -> Setup:
        """The replayed setup of one observed test (computed once)."""
        found = self._setups.get(nodeid)
        if found is None:
            found = self._setups[nodeid] = simulate(self.tests[nodeid])
        return found

    # -- entry points ----------------------------------------------------------------------------

    def errors(self, findings: Iterable[Finding]) -> tuple[FindingCheck, ...]:
        """A check for every error finding of FG001, FG002 and FG003."""
        out = []
        for finding in findings:
            if finding.severity is not Severity.ERROR or finding.code not in JUDGED_ERRORS:
                continue
            if not self.has_defs:
                verdict, detail = Verdict.UNVERIFIED, "the fallback oracle (--setup-plan) has no definitions"
            elif finding.code == "FG003":
                verdict, detail = self._unknown(finding)
            elif finding.code == "FG002":
                verdict, detail = self._scope(finding)
            else:
                verdict, detail = self._cycle(finding)
            out.append(_check(finding, verdict, detail))
        return tuple(out)

    def unused(self, findings: Iterable[Finding]) -> tuple[FindingCheck, ...]:
        """A check for every FG006 finding: ``false`` when pytest reaches the definition."""
        selected = [f for f in findings if f.code == UNUSED]
        if not selected:
            return ()
        reached: dict[str, dict[ObservedDef, list[str]]] = {}
        for nodeid in sorted(self.tests):
            for odef in self.setup(nodeid).reached:
                reached.setdefault(odef.path, {}).setdefault(odef, []).append(nodeid)
        set_up: dict[str, list[ObservedDef]] = {}
        for odef in self.view.set_up:
            set_up.setdefault(odef.path, []).append(odef)
        out = []
        for finding in selected:
            fixture = self.by_id.get(finding.symbol or "")
            if fixture is None:
                out.append(_check(finding, Verdict.UNVERIFIED, "the finding names no known definition"))
                continue
            if not self.has_defs:
                why = "the fallback oracle (--setup-plan) has no definitions"
                out.append(_check(finding, Verdict.UNVERIFIED, why))
                continue
            blocker = self._blocker(fixture.file)
            if blocker is not None:
                why = f"pytest could not collect {blocker or 'the session'}, which holds it"
                out.append(_check(finding, Verdict.UNVERIFIED, why))
                continue
            path = self._path(fixture)
            hits = sorted(
                n for o, tests in reached.get(path, {}).items() if self.same(fixture, o) for n in tests
            )
            if hits:
                more = f" (and {len(hits) - 1} more tests)" if len(hits) > 1 else ""
                why = f"pytest's resolution reaches it in {hits[0]}{more}"
                out.append(_check(finding, Verdict.FALSE, why))
            elif any(self.same(fixture, o) for o in set_up.get(path, ())):
                why = "set up while the tests ran (a request at run time, e.g. getfixturevalue)"
                out.append(_check(finding, Verdict.FALSE, why))
            else:
                how = " and the run did not set it up" if self.view.ran else " (collection only)"
                why = f"no collected test's setup reaches it{how}"
                out.append(_check(finding, Verdict.CONFIRMED, why))
        return tuple(out)

    # -- FG003 -----------------------------------------------------------------------------------

    def _unknown(self, finding: Finding) -> tuple[Verdict, str]:
        requester = finding.symbol or ""
        prefix = f"FG003:{requester}:"
        if finding.key.startswith(prefix):
            name = finding.key[len(prefix) :]
        else:
            match = _NOT_FOUND.search(finding.message)
            if match is None:
                return Verdict.UNVERIFIED, "cannot read the fixture name of the finding"
            name = match.group(1)
        affected = sorted(self.unknown.get((requester, name), ()))
        if not affected:
            return Verdict.UNVERIFIED, f"no test of the scan requests '{name}' from {requester}"
        judged = [t for t in affected if t not in self.blocked]
        if not judged:
            return Verdict.UNVERIFIED, "its tests are in modules pytest could not collect"
        agree = [t for t in judged if t in self.tests and name in self.setup(t).missing]
        if agree:
            part = f" for {len(agree)} of {len(judged)} tests" if len(judged) > 1 else ""
            said = self._said(agree[0])
            return Verdict.CONFIRMED, f"pytest finds no '{name}'{part} (e.g. {agree[0]}){said}"
        first = judged[0]
        test = self.tests.get(first)
        if test is None:
            return Verdict.FALSE, f"pytest does not collect {first}"
        defs = dict(test.chains).get(name)
        if defs:
            return Verdict.FALSE, f"pytest resolves '{name}' in {first} to {self.show(defs[-1])}"
        return Verdict.FALSE, f"pytest does not request '{name}' in {first}"

    # -- FG002 -----------------------------------------------------------------------------------

    def _scope(self, finding: Finding) -> tuple[Verdict, str]:
        source = self.by_id.get(finding.symbol or "")
        if source is None:
            return Verdict.UNVERIFIED, "the finding names no known definition"
        if finding.key.endswith(":loop"):
            return self._loop_scope(source)
        body = finding.key.removeprefix("FG002:")
        target = self.by_id.get(body.removeprefix(f"{source.id}->"))
        if target is None:
            return Verdict.UNVERIFIED, "cannot read the requested definition of the finding"
        users: list[str] = []
        for nodeid in sorted(self.tests):
            setup = self.setup(nodeid)
            for wide, narrow in sorted(setup.mismatches, key=_pair_key):
                if narrow.name == target.name and self.same(source, wide):
                    return Verdict.CONFIRMED, (
                        f"pytest raises ScopeMismatch in {nodeid}: {wide.scope}-scoped '{wide.name}' "
                        f"({self.show(wide)}) requests {narrow.scope}-scoped '{narrow.name}' "
                        f"({self.show(narrow)}){self._said(nodeid)}"
                    )
            if not users and any(self.same(source, o) for o in setup.reached):
                users.append(nodeid)
        if users:
            return Verdict.FALSE, (
                f"pytest sets up '{source.name}' ({source.file}:{source.line}) in {users[0]} "
                f"and the '{target.name}' it picks is not narrower"
            )
        return Verdict.UNVERIFIED, (
            f"no collected test sets up '{source.name}' ({source.file}:{source.line}); "
            "pytest checks scopes only at setup"
        )

    def _loop_scope(self, fixture: FixtureDef) -> tuple[Verdict, str]:
        """pytest-asyncio checks the loop scope when it sets the fixture up: only a run shows it."""
        if not self.view.ran:
            return Verdict.UNVERIFIED, (
                "the event loop's scope is checked by pytest-asyncio at setup: rerun with --run"
            )
        users = [n for n in sorted(self.tests) if any(self.same(fixture, o) for o in self.setup(n).reached)]
        for nodeid in users:
            error = self.tests[nodeid].setup_error or ""
            if "ScopeMismatch" in error:
                return Verdict.CONFIRMED, f"the run fails {nodeid} at setup: {error}"
        if users:
            return Verdict.FALSE, f"the run sets up '{fixture.name}' in {users[0]} without a ScopeMismatch"
        return Verdict.UNVERIFIED, f"no collected test sets up '{fixture.name}'"

    # -- FG001 -----------------------------------------------------------------------------------

    def _cycle(self, finding: Finding) -> tuple[Verdict, str]:
        ids = finding.key.removeprefix("FG001:").split("->")
        cycle = [self.by_id.get(i) for i in ids]
        if not ids or any(f is None for f in cycle):
            return Verdict.UNVERIFIED, "cannot read the cycle of the finding"
        fixtures = [f for f in cycle if f is not None]
        names = {f.name for f in fixtures}
        users: list[str] = []
        for nodeid in sorted(self.tests):
            setup = self.setup(nodeid)
            for name, loop in setup.recursive:
                if set(loop) == names:
                    return Verdict.CONFIRMED, (
                        f"pytest fails {nodeid}: recursive dependency involving fixture '{name}' "
                        f"({' -> '.join((*loop, name))}){self._said(nodeid)}"
                    )
            if not users and any(self.same(f, o) for f in fixtures for o in setup.reached):
                users.append(nodeid)
        if users:
            why = f"pytest sets up these fixtures in {users[0]} without a recursive dependency"
            return Verdict.FALSE, why
        return Verdict.UNVERIFIED, "no collected test reaches the cycle; pytest detects it only at setup"

    # -- helpers ---------------------------------------------------------------------------------

    def _said(self, nodeid: str) -> str:
        """With ``--run``, the setup error pytest really printed for the test."""
        test = self.tests.get(nodeid)
        error = test.setup_error if test is not None else None
        return f"; the run says: {error}" if error else ""

    def _blocker(self, file: str) -> str | None:
        for prefix in self.blocked_prefixes:
            if not prefix or file == prefix or file.startswith(f"{prefix}/"):
                return prefix
        return None

    def _path(self, fixture: FixtureDef) -> str:
        return os.path.realpath(fixture.file if os.path.isabs(fixture.file) else self.root / fixture.file)


def _check(finding: Finding, verdict: Verdict, detail: str) -> FindingCheck:
    return FindingCheck(
        finding.code, finding.key, finding.message, finding.file, finding.line, verdict, detail
    )


def _pair_key(pair: tuple[ObservedDef, ObservedDef]) -> tuple[str, int, str, int]:
    return (pair[0].path, pair[0].line, pair[1].path, pair[1].line)
