"""Domain records that cross layer boundaries: frozen, slotted, and built from tuples.

The scan produces a :class:`ScanResult`; resolution adds a :class:`Resolution`. Nothing here imports
the rest of the package (except :mod:`scope`), so every layer can depend on it.

Node ids follow pytest's own nodeids, because that is what users see in pytest output:

* ``""`` is the Session: builtins, plugins, the rootdir conftest and conftests above it;
* ``"tests/sub"`` is the directory node a ``tests/sub/conftest.py`` attaches to;
* ``"tests/sub/test_a.py"`` is a module, ``"tests/sub/test_a.py::TestC"`` a class.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

from fixture_graph.scope import Scope

SESSION_NODE = ""


class FixtureKind(str, enum.Enum):
    """Where a fixture definition comes from; this decides its visibility."""

    BUILTIN = "builtin"
    PLUGIN = "plugin"
    CONFTEST = "conftest"
    MODULE = "module"
    CLASS = "class"
    XUNIT = "xunit"


@dataclass(frozen=True, slots=True, order=True)
class Issue:
    """Bad or unsupported input, recorded as data so the scan can go on.

    ``fatal`` marks input that could not be read at all (syntax or decoding errors, I/O errors):
    those set exit code 3. Non-fatal issues describe constructs that a static reading cannot
    decide (a computed fixture name, a non-literal ``getfixturevalue``), or that pytest itself
    would reject at collection time.
    """

    file: str
    line: int
    code: str
    message: str
    fatal: bool = False


def masked(names: tuple[str, ...], mask: int) -> tuple[str, ...]:
    """The ``names`` whose bit is set in ``mask`` (bit i: ``names[i]``)."""
    return tuple(name for i, name in enumerate(names) if mask >> i & 1) if mask else ()


@dataclass(frozen=True, slots=True)
class FixtureDef:
    """One fixture definition as pytest registers it: a (holder node, name) pair.

    The same function imported into two conftests is two definitions, because pytest registers
    it twice with two visibilities. ``file``/``line`` say where the function is *defined*
    (pytest prints that location); ``registered_in`` says which module made it visible.
    """

    id: str
    name: str
    func_name: str
    kind: FixtureKind
    holder: str
    order: tuple[int, int]
    scope: Scope
    file: str
    line: int
    registered_in: str
    argnames: tuple[str, ...] = ()
    scope_source: str | None = None
    autouse: bool = False
    params: str | None = None
    param_count: int | None = None
    ids: str | None = None
    is_yield: bool = False
    is_async: bool = False
    dynamic_deps: tuple[str, ...] = ()
    impact: str | None = None
    impact_description: str | None = None
    conditional: bool = False
    guards: tuple[str, ...] = ()
    docstring: str | None = None
    # The event-loop scope an async plugin (pytest-asyncio) runs it in, and where that comes
    # from: ``loop_scope=``, or the ini option giving the default.
    loop_scope: str | None = None
    loop_scope_source: str | None = None
    suppress: tuple[str, ...] = ()
    body_hash: str = ""
    # Bit i: ``argnames[i]`` is never read by the body (0 when the scan cannot tell; see
    # ``unread``), the code's shape (docstring, comments and layout left out), whether it only
    # returns a literal, and the earlier definitions in the same module or class that this one
    # rebinds: (line, shape).
    unread_mask: int = 0
    shape_hash: str = ""
    constant: bool = False
    redefines: tuple[tuple[int, str], ...] = ()

    @property
    def unread(self) -> tuple[str, ...]:
        """The parameters the body never reads, in signature order."""
        return masked(self.argnames, self.unread_mask)

    @property
    def scope_is_dynamic(self) -> bool:
        """True when ``scope=`` is a callable or other expression pytest evaluates at run time."""
        return self.scope_source is not None

    @property
    def scope_label(self) -> str:
        """The scope as users see it: its name, or ``"dynamic"`` for a computed scope."""
        return "dynamic" if self.scope_is_dynamic else self.scope.value


@dataclass(frozen=True, slots=True)
class HookParametrize:
    """One ``metafunc.parametrize(...)`` call in a ``pytest_generate_tests`` hook.

    pytest calls every visible hook (plugins, conftests on the test's path, its module, its
    class) for each test function, with ``metafunc.fixturenames`` holding the test's closure.
    The call applies to a test when each name in ``requires`` is in that closure (the usual
    ``if "x" in metafunc.fixturenames:`` guard); its ``argnames`` not in ``indirect`` become
    direct parameters, exactly as ``@pytest.mark.parametrize`` (pytest's ``Metafunc.parametrize``
    and ``prune_dependency_tree``). ``condition`` is the text of any other guard the scan cannot
    decide, and ``certain`` is False when the names, ``indirect`` or a guard are not literals:
    such a call's names are only possible parameters (never reported as unknown fixtures).
    """

    argnames: tuple[str, ...]
    indirect: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    condition: str | None = None
    certain: bool = True
    file: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class TestItem:
    """A test function as pytest would collect it (function level, before parametrization).

    ``ancestors`` is the item's chain of holder node ids from the Session down to its closest
    class; it is all that visibility needs. ``usefixtures`` is ordered closest mark first, as
    ``iter_markers`` yields them.
    """

    nodeid: str
    name: str
    file: str
    line: int
    ancestors: tuple[str, ...]
    argnames: tuple[str, ...] = ()
    usefixtures: tuple[str, ...] = ()
    direct_params: tuple[str, ...] = ()
    param_names: tuple[str, ...] = ()
    dynamic_deps: tuple[str, ...] = ()
    conditional: bool = False
    guards: tuple[str, ...] = ()
    is_unittest: bool = False
    suppress: tuple[str, ...] = ()
    body_hash: str = ""
    generated: tuple[HookParametrize, ...] = ()
    # Decorators on the test function the scan cannot read (they may fill parameters).
    unread_decorators: tuple[str, ...] = ()
    # How many items its ``parametrize`` marks make (the product of their argvalues, an empty
    # list counting one, as pytest collects one skipped item); None when some are computed.
    param_cases: int | None = 1
    # Every argname of its ``parametrize`` marks, indirect ones included: a fixture's own
    # ``params`` do not multiply the items for these (pytest gives the mark precedence).
    marked_params: tuple[str, ...] = ()
    # Parallel to ``usefixtures``: the node id the mark sits on (the test, one of its classes or
    # its module; a base class's mark counts as its subclass's), "" for a name a plugin adds for
    # one of its marks (anyio's ``anyio_backend``). Empty when the scan did not place them.
    usefixtures_at: tuple[str, ...] = ()
    # A pytest-xdist ``xdist_group`` mark applies (on the function, its classes or its module).
    xdist_group: bool = False
    # Bit i: ``argnames[i]`` is never read by the body (0 when the scan cannot tell: a stub
    # body, locals()); see ``unread``.
    unread_mask: int = 0

    @property
    def unread(self) -> tuple[str, ...]:
        """The parameters the body never reads, in signature order."""
        return masked(self.argnames, self.unread_mask)


@dataclass(frozen=True, slots=True, order=True)
class CollectionImport:
    """A module-level import that runs when pytest loads a conftest (collection time).

    ``file`` is the conftest, or a local module a conftest star-imports or lists in
    ``pytest_plugins``; ``loaded_by`` is the conftest that makes pytest run it. ``target`` is the
    rootdir-relative path of the imported module when it is part of the suite. ``used_by`` names
    the functions using the imported names; ``module_level`` means some use runs at import time.
    ``guards`` are the conditions the import sits under (``if`` tests, ``try: (except
    ImportError)``, ``else`` branches as ``not (...)``) that are true or undecided for this scan;
    ``conditional`` means some of them are undecided.
    """

    file: str
    line: int
    module: str
    names: tuple[str, ...]
    loaded_by: str
    target: str | None = None
    used_by: tuple[str, ...] = ()
    module_level: bool = False
    conditional: bool = False
    guards: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class OpaqueImport:
    """A name a holder binds by an import the scan did not follow (an installed package).

    pytest registers every fixture object among a holder's attributes, so such a name may be a
    fixture the scan never saw; ``name`` is ``"*"`` for a star import. ``holder`` is the node the
    holder's fixtures attach to (``""`` for the Session), ``file`` the holder's path.
    """

    holder: str
    name: str
    module: str
    file: str


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything the static scan learned, before any name is resolved."""

    rootdir: str
    inifile: str | None
    fixtures: tuple[FixtureDef, ...]
    tests: tuple[TestItem, ...]
    issues: tuple[Issue, ...]
    ini_usefixtures: tuple[str, ...] = ()
    files_scanned: int = 0
    env: tuple[tuple[str, str | None], ...] = ()
    pytest_version: str | None = None
    imports: tuple[CollectionImport, ...] = ()
    suppressions: tuple[tuple[str, int, tuple[str, ...]], ...] = ()
    opaque: tuple[OpaqueImport, ...] = ()
    # Per test module with a collected test, the suite's own modules it imports, transitively
    # (rootdir-relative paths, sorted; modules that import none are left out). Filled only with
    # ``ScanConfig.test_imports`` (as ``affected`` scans).
    test_imports: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class Edge:
    """``source`` gets ``target`` when it asks for ``name``. Sources are fixture ids or test ids."""

    source: str
    target: str
    name: str
    dynamic: bool = False


@dataclass(frozen=True, slots=True)
class Cycle:
    """A recursive dependency pytest reports at setup: ``links[0] -> ... -> links[-1]``.

    The last link repeats a fixture *name* already on the request stack with no farther
    definition left; for ``def x(x)`` with no parent that is ``(x, x)``.
    """

    links: tuple[str, ...]
    names: tuple[str, ...]
    entered_by: str


@dataclass(frozen=True, slots=True, order=True)
class UnknownRequest:
    """A requested name with no visible definition: pytest's "fixture 'x' not found"."""

    name: str
    requester: str
    test: str


@dataclass(frozen=True, slots=True)
class ClosurePart:
    """A piece of test closures that many tests share: the closure below one requested name in
    one context (its names and the definitions they use), or a whole closure that does not
    split (a cycle, an unknown name, an override chain walked twice, pytest 8.x names).

    A test's closure is the union of its parts' ``names`` and its ``closure_defs`` the union of
    their ``defs``.
    """

    names: tuple[str, ...]
    defs: tuple[str, ...]
    # Each name that has a definition, with the closest one (what the test gets for it).
    winners: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ResolvedTest:
    """pytest's static view of one test: ``closure`` is ``sorted(item.fixturenames)``.

    Tests that share a context and their initial names share the tuples of one closure
    (``from_test``, ``parts``), and a closure is held only as its parts (``closure`` and
    ``closure_defs`` are their unions, made on access), so memory grows with the distinct parts
    of closures, not with tests. ``from_test`` pairs each name the test itself requests (ini
    ``usefixtures``, autouse, marks, arguments) with the definition it gets; ``dynamic`` does
    the same for its literal ``request.getfixturevalue`` names.
    """

    nodeid: str
    requests: tuple[str, ...]
    from_test: tuple[tuple[str, str], ...] = ()
    dynamic: tuple[tuple[str, str], ...] = ()
    parts: tuple[ClosurePart, ...] = ()

    @property
    def closure(self) -> tuple[str, ...]:
        """``sorted(item.fixturenames)``: the union of the parts' names (the part's own tuple for
        a closure of one part, else a new tuple on each access: key caches by ``id(parts)``)."""
        if len(self.parts) == 1:
            return self.parts[0].names
        return tuple(sorted({n for part in self.parts for n in part.names}))

    @property
    def closure_defs(self) -> tuple[str, ...]:
        """The definition ids the closure uses, sorted: the union of the parts' ``defs`` (a new
        tuple on each access when there are several parts, as for :attr:`closure`)."""
        if len(self.parts) == 1:
            return self.parts[0].defs
        return tuple(sorted({d for part in self.parts for d in part.defs}))

    @property
    def winners(self) -> tuple[tuple[str, str], ...]:
        """(name, definition id) for each name of the closure that has a definition: the
        closest one, which the test gets (computed from the parts on each access, so a new
        tuple each time: key caches by ``id(parts)``, never by the id of this value)."""
        if len(self.parts) == 1:
            return self.parts[0].winners
        return tuple(sorted({w for part in self.parts for w in part.winners}))

    def edges(self) -> Iterator[Edge]:
        """The test's own requests as edges (static first, then dynamic)."""
        for target, name in self.from_test:
            yield Edge(self.nodeid, target, name)
        for target, name in self.dynamic:
            yield Edge(self.nodeid, target, name, True)


@dataclass(frozen=True, slots=True)
class Resolution:
    """The result of resolving every request exactly as pytest would.

    ``fixture_edges`` are the requests fixtures make (sources are definition ids), sorted; the
    tests' own requests live on each :class:`ResolvedTest` and are only turned into
    :class:`Edge` objects on demand (:meth:`test_edges`, :attr:`edges`), because a suite has many
    more of them than it has fixture edges.
    """

    tests: tuple[ResolvedTest, ...]
    fixture_edges: tuple[Edge, ...]
    cycles: tuple[Cycle, ...]
    unknown: tuple[UnknownRequest, ...]
    reached: frozenset[str] = field(default_factory=frozenset)

    def test_edges(self) -> Iterator[Edge]:
        """Every test's own requests as edges, in test order (not sorted)."""
        for test in self.tests:
            yield from test.edges()

    @property
    def edges(self) -> tuple[Edge, ...]:
        """Every request edge, from fixtures and from tests, sorted (built on each access:
        O(edges) time and memory; code that needs only one kind should not use it)."""
        return tuple(sorted((*self.fixture_edges, *self.test_edges())))
