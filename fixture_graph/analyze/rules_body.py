"""Rules on what fixture and test bodies hold: FG014 (requested but never read) and FG015
(duplicate fixtures).

Both read facts the scan took from each function's AST (:mod:`fixture_graph.scan.reads`): the
parameters a body never reads, whether a fixture only returns a literal, and the shape of a
fixture's code (docstring, comments, layout and line numbers left out).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import PurePosixPath

from fixture_graph.analyze.common import identical_copy, loc, overridden
from fixture_graph.analyze.context import Context
from fixture_graph.analyze.findings import Finding, Location, Severity
from fixture_graph.analyze.registry import rule
from fixture_graph.model import FixtureDef, HookParametrize, TestItem
from fixture_graph.scope import Scope
from fixture_graph.words import counted

# ``request`` is pytest's own object, not a fixture set up for the test; a leading underscore is
# the convention (ruff's dummy-variable-rgx, pylint's ignored-argument-names) for "unused on
# purpose"; ``self``/``cls`` are never requests.
_NOT_REPORTED = frozenset({"request", "self", "cls"})
_LISTED = 5  # copies named in a message; the related locations hold them all


def _skipped(name: str) -> bool:
    return name in _NOT_REPORTED or name.startswith("_")


def _may_parametrize(call: HookParametrize, name: str) -> bool:
    """Whether a ``metafunc.parametrize`` call may give ``name`` values (directly or not)."""
    if name in call.argnames:
        return True
    return not call.certain and not call.argnames and "*" not in call.indirect


def _shared_side_effect_free(fixtures: list[FixtureDef]) -> bool:
    """True when every definition only returns a literal: no setup runs, no items multiply."""
    return bool(fixtures) and all(
        f.constant and f.params is None and not f.autouse and not f.conditional for f in fixtures
    )


@rule(
    "FG014",
    "requested-but-never-read",
    Severity.INFO,
    "A test parameter that resolves to a fixture its body never reads (usefixtures says a side "
    "effect is wanted); a warning when the fixture only returns a literal, so it does nothing.",
)
def requested_but_never_read(ctx: Context) -> Iterator[Finding]:
    """One finding per unread parameter of each test function (its items grouped), and of each
    fixture whose unread parameter is a fixture that only returns a literal.

    A name counts only when it resolves to a fixture for the item (pytest's lookup across
    conftests); direct and indirect parametrize arguments, names a ``pytest_generate_tests``
    hook may parametrize, ``request``, ``_``-prefixed names, unittest methods and tests behind
    a decorator the scan cannot read are skipped. A fixture's unread parameter is legitimate
    pytest (a fixture can only depend on another's side effect by requesting it: pytest
    ignores marks on fixtures), so it is reported only when the fixture it gets does nothing.
    """
    resolved = ctx.resolved
    by_function: dict[tuple[str, int], list[TestItem]] = defaultdict(list)
    for item in ctx.scan.tests:
        if item.unread and not item.unread_decorators:  # a unittest method's mask is 0
            by_function[(item.file, item.line)].append(item)
    for (file, line), items in sorted(by_function.items()):
        items.sort(key=lambda i: i.nodeid)
        first = items[0]
        for name in first.unread:
            if _skipped(name) or name in first.marked_params:
                continue
            if any(_may_parametrize(call, name) for i in items for call in i.generated):
                continue
            got: dict[str, FixtureDef] = {}
            for item in items:
                test = resolved.get(item.nodeid)
                for target, requested in test.from_test if test is not None else ():
                    if requested == name and target in ctx.fixtures:
                        got[target] = ctx.fixtures[target]
            if not got:
                continue  # not a fixture here (FG003 reports a name nothing provides)
            yield _test_finding(ctx, file, line, first, name, sorted(got.values(), key=lambda f: f.id))
    yield from _fixture_findings(ctx)


def _test_finding(
    ctx: Context, file: str, line: int, item: TestItem, name: str, fixtures: list[FixtureDef]
) -> Finding:
    where = ", ".join(f"{f.id} at {f.file}:{f.line}" if f.line else f.id for f in fixtures[:3])
    func = item.nodeid.split("::", 1)[-1]  # Class::test for a method
    message = f"test '{func}' requests fixture '{name}' ({where}) but never reads it"
    severity = Severity.INFO
    if _shared_side_effect_free(fixtures):
        severity = Severity.WARNING
        message += "; it only returns a literal, so requesting it does nothing"
        fix = f"remove '{name}' from the parameters"
    elif name in item.usefixtures:
        fix = f"remove '{name}' from the parameters: a usefixtures mark already requests it"
    elif any(f.autouse for f in fixtures):
        fix = f"remove '{name}' from the parameters: it is autouse here, so the test gets it anyway"
    else:
        fix = (
            f"if the test needs '{name}' only for its side effect, request it with "
            f'@pytest.mark.usefixtures("{name}") instead; otherwise remove it'
        )
        if any(f.params is not None for f in fixtures):
            fix += (
                " (it is parametrized: usefixtures keeps one run per param, removing it runs the test once)"
            )
    return Finding(
        code="FG014",
        severity=severity,
        message=message,
        file=file,
        line=line,
        symbol=item.nodeid,
        related=tuple(loc(ctx, f.id, f"{f.name} ({f.id})") for f in fixtures),
        fix=fix,
        key=f"FG014:{item.nodeid}:{name}",
    )


def _fixture_findings(ctx: Context) -> Iterator[Finding]:
    targets: dict[tuple[str, str], list[str]] = defaultdict(list)
    for edge in ctx.resolution.fixture_edges:
        if not edge.dynamic:
            targets[(edge.source, edge.name)].append(edge.target)
    seen: set[tuple[str, int, str]] = set()
    for fixture in sorted(ctx.scan.fixtures, key=lambda f: f.id):
        if not fixture.unread or not ctx.is_user(fixture):
            continue
        for name in fixture.unread:
            got = [ctx.fixtures[t] for t in targets.get((fixture.id, name), ()) if t in ctx.fixtures]
            if (
                _skipped(name)
                or not _shared_side_effect_free(got)
                or (fixture.file, fixture.line, name) in seen
            ):
                continue
            seen.add((fixture.file, fixture.line, name))
            where = ", ".join(f"{f.id} at {f.file}:{f.line}" for f in got)
            yield Finding(
                code="FG014",
                severity=Severity.WARNING,
                message=(
                    f"fixture '{fixture.name}' requests fixture '{name}' ({where}) but never reads it; "
                    "it only returns a literal, so requesting it does nothing"
                ),
                file=fixture.file,
                line=fixture.line,
                symbol=fixture.id,
                related=tuple(loc(ctx, f.id, f"{f.name} ({f.id})") for f in got),
                fix=f"remove '{name}' from the parameters of '{fixture.func_name}'",
                key=f"FG014:{fixture.id}:{name}",
            )


@rule(
    "FG015",
    "duplicate-fixture",
    Severity.INFO,
    "Copies of one fixture (the same code) in sibling modules or conftests, or overriding an "
    "identical outer one; a warning for a definition rebound later in its own module (dead).",
)
def duplicate_fixture(ctx: Context) -> Iterator[Finding]:
    """Three kinds, each definition reported once:

    * a fixture ``def`` that a later ``def`` of the same name in the same module or class body
      rebinds: pytest collects attributes, so it never sees the first (a warning: certain);
    * a definition overriding an outer one with identical code (FG007 leaves these to this
      rule): deleting it gives the tests below the same code;
    * copies in places none of which sees another: one finding per group, naming the nearest
      common conftest to hoist one copy to (the deepest directory holding them all), with what
      hoisting would change for other tests there.

    Copies have the same name and shape (the fixture decorator's arguments included); stub
    bodies, undecided guards and the same function registered twice are not copies.
    """
    users = [f for f in ctx.scan.fixtures if ctx.is_user(f)]
    yield from _redefinitions(users)
    shapes = Counter((f.name, f.shape_hash) for f in ctx.scan.fixtures if f.shape_hash)
    overriding: set[str] = set()
    for fixture in sorted(users, key=lambda f: f.id):
        if not fixture.shape_hash or fixture.conditional or shapes[(fixture.name, fixture.shape_hash)] < 2:
            continue
        outer = overridden(ctx, fixture)
        if outer is None or not identical_copy(fixture, outer):
            continue
        overriding.add(fixture.id)
        shared = ""
        if fixture.scope in (Scope.SESSION, Scope.PACKAGE) and not fixture.scope_is_dynamic:
            shared = (
                f"; it is a separate {fixture.scope.value} instance now: keep it only if the tests "
                "below need their own"
            )
        yield Finding(
            code="FG015",
            severity=Severity.INFO,
            message=(
                f"fixture '{fixture.name}' is a copy of the one it overrides, {outer.id} at "
                f"{outer.file}:{outer.line}: the tests below get the same code from either"
            ),
            file=fixture.file,
            line=fixture.line,
            symbol=fixture.id,
            related=(loc(ctx, outer.id, f"outer {outer.name} ({outer.id})"),),
            fix=f"delete it: the outer definition is visible here{shared}",
            key=f"FG015:{fixture.id}:copy-of:{outer.id}",
        )
    groups: dict[tuple[str, str], dict[tuple[str, int], FixtureDef]] = defaultdict(dict)
    for fixture in sorted(users, key=lambda f: f.id):
        if fixture.shape_hash and not fixture.conditional and fixture.id not in overriding:
            groups[(fixture.name, fixture.shape_hash)].setdefault((fixture.file, fixture.line), fixture)
    found = []
    for (name, _), members in sorted(groups.items()):
        # Copies one of which sees another are overrides (FG007 says so): only the outermost
        # of them, in places none of which sees another, are siblings to hoist.
        holders = {m.holder for m in members.values()}
        copies = [
            members[k]
            for k in sorted(members)
            if holders.isdisjoint(ctx.index.ancestors(members[k].holder)[:-1])
        ]
        if len(copies) >= 2:
            found.append((name, copies))
    winners = _winners_by_name(ctx, {name for name, _ in found})
    for name, copies in found:
        yield _copies_finding(ctx, name, copies, winners.get(name, {}))


def _winners_by_name(ctx: Context, names: set[str]) -> dict[str, dict[str, str]]:
    """For each of ``names``, every test's node id -> the definition it gets.

    The definitions of a name in a test's closure lie on its line of ancestors and the deepest
    is the one it gets: visiting them outermost first, the last one written wins.
    """
    out: dict[str, dict[str, str]] = {}
    for name in names:
        got = out[name] = {}
        for fixture in sorted(ctx.by_name.get(name, ()), key=lambda f: len(ctx.index.ancestors(f.holder))):
            for nodeid in ctx.tests_of.get(fixture.id, ()):
                got[nodeid] = fixture.id
    return out


def _redefinitions(users: list[FixtureDef]) -> Iterator[Finding]:
    seen: set[tuple[str, int]] = set()
    for fixture in sorted(users, key=lambda f: f.id):
        if not fixture.redefines or (fixture.file, fixture.line) in seen:
            continue
        seen.add((fixture.file, fixture.line))
        body = "class" if "::" in fixture.holder else "module"
        for index, (line, shape) in enumerate(fixture.redefines):
            same = bool(shape) and shape == fixture.shape_hash
            how = (
                "an identical copy"
                if same
                else f"pytest uses the one at line {fixture.line}, so edits to this one change nothing"
            )
            yield Finding(
                code="FG015",
                severity=Severity.WARNING,
                message=(
                    f"fixture '{fixture.name}' is defined again at {fixture.file}:{fixture.line} in the same "
                    f"{body}; pytest keeps only the last, so this one is dead ({how})"
                ),
                file=fixture.file,
                line=line,
                symbol=None,
                related=(Location(fixture.file, fixture.line, f"kept {fixture.name} ({fixture.id})"),),
                fix=(
                    "delete this definition"
                    if same
                    else f"delete this definition, or merge what it does into the one at line {fixture.line}"
                ),
                key=f"FG015:{fixture.id}:dead:{shape or index}",
            )


def _common_dir(files: list[str]) -> str | None:
    """The deepest directory holding every file (``""`` for the rootdir), or None when a file
    is outside the rootdir."""
    parents = [PurePosixPath(f).parent.parts for f in files]
    if any(p[:1] == ("..",) or PurePosixPath(f).is_absolute() for p, f in zip(parents, files, strict=True)):
        return None
    common: list[str] = []
    for level in zip(*parents, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return "/".join(common)


def _copies_finding(ctx: Context, name: str, copies: list[FixtureDef], winners: dict[str, str]) -> Finding:
    first = copies[0]
    files = sorted({c.file for c in copies})
    places = ", ".join(f"{c.file}:{c.line}" for c in copies[:_LISTED])
    if len(copies) > _LISTED:
        places += f", ... {len(copies) - _LISTED} more"
    common = _common_dir(files)
    if len(files) == 1:
        target = f"the module level of {files[0]}"
        node = files[0]
    elif common is None:
        target, node = "a conftest.py above them all", None
    else:
        target = f"{common}/conftest.py" if common else "conftest.py"
        node = common
    fix = f"hoist one copy to {target} and delete the others"
    notes = _hoist_notes(ctx, name, copies, files[0] if len(files) == 1 else target, node, winners)
    if notes:
        fix += "; " + "; ".join(notes)
    return Finding(
        code="FG015",
        severity=Severity.INFO,
        message=f"fixture '{name}' is defined {len(copies)} times with the same code: {places}",
        file=first.file,
        line=first.line,
        symbol=first.id,
        related=tuple(loc(ctx, c.id, f"copy {c.id}") for c in copies),
        fix=fix,
        key=f"FG015:{name}:copies:{first.shape_hash}",
    )


def _hoist_notes(
    ctx: Context, name: str, copies: list[FixtureDef], target: str, node: str | None, winners: dict[str, str]
) -> list[str]:
    """What hoisting into ``target`` (a file; ``node`` its node id) would change beyond the
    copies' own tests; ``winners`` maps each test to the definition of the name it gets."""
    if node is None:
        return []
    notes = []
    ids = {c.id for c in copies}
    there = [
        f
        for f in ctx.by_name.get(name, ())
        if ctx.is_user(f) and f.registered_in == target and "::" not in f.holder and f.id not in ids
    ]
    if there:
        other = there[0]
        notes.append(
            f"{target} already defines another '{name}' ({other.file}:{other.line}): merge them first"
        )
    prefix = f"{node}/" if node and not node.endswith(".py") else node
    where = node or "the rootdir"
    others = sum(1 for t, d in winners.items() if d not in ids and t.startswith(prefix))
    if others:
        notes.append(
            f"{counted(others, 'test')} under {where} now get{'s' if others == 1 else ''} another "
            f"'{name}' and would get the hoisted one"
        )
    if copies[0].autouse:
        under = sum(1 for t in ctx.items if t.startswith(prefix))
        gaining = under - sum(1 for t, d in winners.items() if d in ids and t.startswith(prefix))
        if gaining:
            more = "more tests" if gaining != 1 else "more test"
            notes.append(f"it is autouse: {gaining} {more} under {where} would set it up")
    if (
        len(copies) > 1
        and copies[0].scope in (Scope.SESSION, Scope.PACKAGE)
        and not copies[0].scope_is_dynamic
    ):
        notes.append(f"the {len(copies)} {copies[0].scope.value} instances would become one")
    return notes
