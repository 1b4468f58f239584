"""Where a fixture (or a group of fixtures) could live: the deepest folder its users share.

pytest makes a conftest's fixtures visible to every test below the conftest's folder. A fixture
that only the tests of one subfolder reach (directly, through other fixtures, or by a literal
``getfixturevalue``) could be defined in that subfolder's conftest instead: the other tests stop
seeing it, and the conftest that pytest imports for every run gets smaller. Its requesters must
come along: a fixture defined higher up that requests it would lose it, so their folders count
as well. A requester that can itself move counts at its new folder, so a whole chain used only
by ``tests/e2e`` moves there together (requesters are placed first, in topological order;
definitions on a dependency cycle never move). A move that hides the fixture from no test (every
collected test under the conftest's folder is under the target too, as with a rootdir conftest
and ``testpaths = tests``) is not proposed.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence

from fixture_graph.analyze.context import Context
from fixture_graph.model import FixtureDef, FixtureKind


def node_folder(node: str) -> str:
    """The folder of a node id: ``tests/sub`` for the directory node ``tests/sub`` and for
    ``tests/sub/test_a.py::TestX``; ``""`` (the rootdir) for the Session."""
    path = node.split("::", 1)[0]
    if path.endswith(".py"):
        return path.rpartition("/")[0]
    return path


def common_folder(folders: Iterable[str]) -> str | None:
    """The deepest folder containing all ``folders`` (``""`` is the rootdir); None for none."""
    found = list(folders)
    if not found:
        return None
    return "" if "" in found else posixpath.commonpath(found)


def is_below(folder: str, ancestor: str) -> bool:
    """True when ``folder`` is ``ancestor`` or inside it."""
    return not ancestor or folder == ancestor or folder.startswith(ancestor + "/")


def user_folders(
    ctx: Context,
    fixture_ids: Iterable[str],
    tests: dict[str, Sequence[str]],
    outside: frozenset[str] = frozenset(),
) -> set[str]:
    """The folders of the tests that reach any of ``fixture_ids`` (``tests``: definition id ->
    node ids, as :attr:`Context.tests_of`) and of the definitions that request them directly (definitions in
    ``outside`` excepted: the group's own members)."""
    folders: set[str] = set()
    graph = ctx.graph
    for fixture_id in fixture_ids:
        for nodeid in tests.get(fixture_id, ()):
            item = ctx.items.get(nodeid)
            folders.add(item.file.rpartition("/")[0] if item is not None else node_folder(nodeid))
        if fixture_id in graph:
            for requester in graph.predecessors(fixture_id):
                if requester not in outside and requester in ctx.fixtures:
                    folders.add(node_folder(ctx.fixtures[requester].holder))
    return folders


def movable(fixture: FixtureDef) -> bool:
    """A conftest fixture whose place is not its meaning (autouse fixtures reach by place)."""
    return fixture.kind is FixtureKind.CONFTEST and not fixture.autouse


def _blocked(ctx: Context, fixture: FixtureDef, target: str) -> bool:
    """A definition of the same name at ``target`` or between it and the fixture's folder: the
    tests there get that one, so moving this one beside it would clash."""
    return any(is_below(target, node_folder(ctx.fixtures[o].holder)) for o in ctx.overriders(fixture))


def fixture_homes(ctx: Context) -> tuple[dict[str, str], dict[str, Sequence[str]]]:
    """Definition id -> the deeper folder it could move to, for every movable conftest fixture
    whose users all sit strictly below its conftest's folder (see the module docstring); and
    the tests reaching each movable fixture."""
    import networkx as nx

    graph = ctx.graph
    reaching = ctx.tests_of
    cyclic = {n for part in nx.strongly_connected_components(graph) if len(part) > 1 for n in part}
    cyclic.update(n for n in graph if graph.has_edge(n, n))
    test_folder: dict[str, str] = {}
    for item in ctx.scan.tests:
        test_folder[item.nodeid] = item.file.rpartition("/")[0]
    folders_with_tests = sorted(set(test_folder.values()))
    gains: dict[tuple[str, str], bool] = {}

    def gains_anything(here: str, home: str) -> bool:
        """Some test under ``here`` is not under ``home`` (else every test sees it anyway)."""
        if (here, home) not in gains:
            gains[here, home] = any(is_below(f, here) and not is_below(f, home) for f in folders_with_tests)
        return gains[here, home]

    placed: dict[str, str] = {}
    homes: dict[str, str] = {}
    for node in nx.topological_sort(graph.subgraph(n for n in graph if n not in cyclic)):
        fixture = ctx.fixtures[node]
        here = node_folder(fixture.holder)
        placed[node] = here
        tests = reaching.get(node)
        if not movable(fixture) or not tests:
            continue
        folders = {test_folder.get(t) or node_folder(t) for t in tests}
        for requester in graph.predecessors(node):
            folders.add(placed.get(requester) or node_folder(ctx.fixtures[requester].holder))
        home = common_folder(sorted(folders))
        if home is None or home == here or not is_below(home, here) or _blocked(ctx, fixture, home):
            continue
        if not gains_anything(here, home):
            continue
        homes[node] = placed[node] = home
    return homes, reaching
