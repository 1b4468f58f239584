"""Why a test requests a name itself: its signature, a ``usefixtures`` mark, the ini, autouse,
``request.getfixturevalue`` or a direct ``parametrize``.

One implementation for every output: ``why`` and ``tree`` list each origin with its place, and
the HTML report labels each root of a test's closure with :func:`primary_kind`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from fixture_graph.model import FixtureDef, ScanResult, TestItem

ARGUMENT, USEFIXTURES, INI, AUTOUSE, GETFIXTUREVALUE, PARAMETRIZE = (
    "argument",
    "usefixtures",
    "ini",
    "autouse",
    "getfixturevalue",
    "parametrize",
)
#: The kinds a root of a closure can have, in the order a single label prefers them.
KINDS = (ARGUMENT, USEFIXTURES, INI, AUTOUSE, GETFIXTUREVALUE, PARAMETRIZE)


@dataclass(frozen=True, slots=True)
class Origin:
    """One reason a test requests ``name`` itself, and where it is written.

    ``kind`` is one of :data:`KINDS`. ``node`` says where the request sits: the node id of the
    test, class or module a ``usefixtures`` mark is on ("" when a plugin adds it for a mark,
    None when the scan did not record it), the holder of an autouse definition, the ini file,
    the test (a ``parametrize`` mark) or ``"pytest_generate_tests"`` (a hook's parametrize call).
    ``file``/``line`` point at the written request when known (``line`` 0: the file only), for
    ``autouse`` at the autouse definition (``definition``).
    """

    kind: str
    name: str
    node: str | None
    file: str
    line: int
    definition: str | None = None  # the autouse definition, for ``autouse``


def primary_kind(kinds: Sequence[str]) -> str:
    """The one label for a root with these origin kinds (:data:`KINDS` order; ``argument`` if none)."""
    return min(kinds, key=KINDS.index) if kinds else ARGUMENT


class AutouseIndex:
    """The autouse definitions visible from a chain of holders, by name (memoized per chain)."""

    def __init__(self, fixtures: Sequence[FixtureDef]) -> None:
        self._at: dict[str, list[FixtureDef]] = defaultdict(list)
        for fixture in fixtures:
            if fixture.autouse:
                self._at[fixture.holder].append(fixture)
        for defs in self._at.values():
            defs.sort(key=lambda f: f.order)
        self._memo: dict[tuple[str, ...], dict[str, tuple[FixtureDef, ...]]] = {}

    def visible(self, ancestors: tuple[str, ...]) -> dict[str, tuple[FixtureDef, ...]]:
        """Name -> the autouse definitions of that name on ``ancestors``, farthest first."""
        found = self._memo.get(ancestors)
        if found is None:
            collected: dict[str, list[FixtureDef]] = defaultdict(list)
            for holder in ancestors:
                for fixture in self._at.get(holder, ()):
                    collected[fixture.name].append(fixture)
            found = self._memo[ancestors] = {name: tuple(defs) for name, defs in collected.items()}
        return found


def origins(scan: ScanResult, item: TestItem, name: str, autouse: AutouseIndex) -> tuple[Origin, ...]:
    """Every reason ``item`` requests ``name`` itself, in :data:`KINDS` order (empty: it does not).

    ``item`` should carry the direct parameters its ``pytest_generate_tests`` hooks add
    (:func:`fixture_graph.resolve.hook_parametrized`).
    """
    out: list[Origin] = []
    visible = autouse.visible(item.ancestors)
    kinds = root_kinds(name, item, frozenset(scan.ini_usefixtures), visible)
    if ARGUMENT in kinds:
        out.append(Origin(ARGUMENT, name, item.nodeid, item.file, item.line))
    if USEFIXTURES in kinds:
        placed = len(item.usefixtures_at) == len(item.usefixtures)
        for position, mark in enumerate(item.usefixtures):
            if mark == name:
                node = item.usefixtures_at[position] if placed else None
                out.append(Origin(USEFIXTURES, name, node, item.file if node == item.nodeid else "", 0))
    if INI in kinds:
        out.append(Origin(INI, name, scan.inifile, scan.inifile or "", 0))
    for fixture in visible.get(name, ()) if AUTOUSE in kinds else ():
        out.append(Origin(AUTOUSE, name, fixture.holder, fixture.file, fixture.line, fixture.id))
    if name in item.dynamic_deps:
        out.append(Origin(GETFIXTUREVALUE, name, item.nodeid, item.file, item.line))
    if name in item.direct_params:
        hook = next((h for h in item.generated if h.certain and name in h.argnames), None)
        if name in item.marked_params or hook is None:
            out.append(Origin(PARAMETRIZE, name, item.nodeid, item.file, item.line))
        else:
            out.append(Origin(PARAMETRIZE, name, "pytest_generate_tests", hook.file, hook.line))
    return tuple(out)


def root_kinds(
    name: str, item: TestItem | None, ini: frozenset[str], autouse: dict[str, tuple[FixtureDef, ...]]
) -> tuple[str, ...]:
    """The kinds of the static origins of a root, in :data:`KINDS` order: the cheap form the HTML
    report takes for every test, and the base of :func:`origins` (``autouse``: the names with an
    autouse definition visible from the test, :meth:`AutouseIndex.visible`)."""
    kinds = []
    if item is not None and name in item.argnames:
        kinds.append(ARGUMENT)
    if item is not None and name in item.usefixtures:
        kinds.append(USEFIXTURES)
    if name in ini:
        kinds.append(INI)
    if name in autouse:
        kinds.append(AUTOUSE)
    return tuple(kinds)
