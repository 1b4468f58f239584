"""Which fixtures of a monolithic conftest belong together: the grouping half of ``plan-split``.

The fixtures are grouped by the dependency structure, then refined:

1. networkx's greedy modularity communities over the undirected graph of the dependencies
   among the conftest's always-loaded fixtures (``getfixturevalue`` of a literal included; a
   guarded fixture has its guard's module anyway). Greedy modularity involves no randomness,
   and nodes and edges are added in sorted order, so the same suite always gives the same
   groups;
2. **base**: a *hub*, an always-loaded fixture that fixtures of two guards request (always
   loaded ones and guarded ones, or two guards), or fixtures of two other communities, is
   shared infrastructure (``settings``, ``tmp_data_dir``); it goes to the base module with
   everything it depends on (``config``). Communities are computed without the first kind of
   hub, which would tie every group together;
3. **name prefixes**: always-loaded communities whose names mostly share a prefix merge
   (``mock_*``); small leftovers (fewer than three fixtures) join the community whose dominant
   prefix they have (``mock_queue``), or the base;
4. **env guards**: a fixture defined under an env guard (or in a module the conftest imports
   under one) must stay under it, so each distinct guard gets one module of its own.

Module names come from the content: ``base``; the guard's variable (``USE_REAL_SERVICES`` ->
``real_services``, ``RUN_E2E_TESTS`` -> ``e2e``); else the word most member names have
(``mock_*`` -> ``mock``, ``payment_provider`` and ``mock_payment_gateway`` -> ``payment``); else
``heavy`` when most members are HIGH/VERY_HIGH; else the name of the member most tests reach.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from fixture_graph.analyze.context import Context

SMALL = 3  # always-loaded communities smaller than this join the base module
_ENV_NAME = re.compile(r"""["']([A-Za-z_][A-Za-z0-9_]*)["']""")
_PREFIXES = ("use_", "run_", "enable_", "with_")
_SUFFIXES = ("_tests", "_test")


@dataclass(frozen=True, slots=True)
class Group:
    """Fixture ids that go to one module, with the guards that module loads under."""

    name: str
    guards: tuple[str, ...]
    members: tuple[str, ...]


def group_fixtures(ctx: Context, members: Sequence[str], guards: dict[str, tuple[str, ...]]) -> list[Group]:
    """Group ``members`` (fixture ids) as the module docstring says; ``guards`` gives each one's
    env guards (empty for always loaded). Groups come base first, then always-loaded groups by
    name, then guarded ones by name."""
    import networkx as nx

    ids = sorted(members)
    dependencies = ctx.graph.subgraph(ids)
    hubs = {i for i in ids if not guards[i] and len({guards[d] for d in dependencies.predecessors(i)}) >= 2}
    community = _communities(ctx, [i for i in ids if not guards[i] and i not in hubs])
    hubs.update(
        i
        for i in community
        if len({community[d] for d in dependencies.predecessors(i) if d in community} - {community[i]}) >= 2
    )
    base: set[str] = set()
    for hub in hubs:
        base.add(hub)
        base.update(d for d in nx.descendants(dependencies, hub) if not guards[d])
    parts: dict[tuple[tuple[str, ...], int], list[str]] = defaultdict(list)
    for fixture_id in ids:
        if fixture_id in base:
            continue
        guard = guards[fixture_id]
        parts[guard, -1 if guard else community[fixture_id]].append(fixture_id)
    _settle_small(ctx, parts, base)
    groups: list[tuple[tuple[str, ...], list[str]]] = [((), sorted(base))] if base else []
    groups.extend((guard, sorted(part)) for (guard, _), part in parts.items())
    return _named(ctx, groups, bool(base))


def _prefix(ctx: Context, fixture_id: str) -> str | None:
    name = ctx.fixtures[fixture_id].name
    return name.split("_", 1)[0] if "_" in name else None


def _settle_small(ctx: Context, parts: dict[tuple[tuple[str, ...], int], list[str]], base: set[str]) -> None:
    """Always-loaded parts with the same dominant name prefix become one; those smaller than
    :data:`SMALL` join the larger part whose dominant prefix their members have (``mock_queue``
    joins the ``mock_*`` part), else the base."""
    large = {k: v for k, v in parts.items() if not k[0] and len(v) >= SMALL}
    by_prefix: dict[str, tuple[tuple[str, ...], int]] = {}
    for key, members in sorted(large.items(), key=lambda kv: (-len(kv[1]), kv[0][1])):
        word = _dominant_prefix(ctx, members)
        if word is not None:
            by_prefix.setdefault(word, key)
    for key, members in sorted(large.items(), key=lambda kv: kv[0][1]):
        word = _dominant_prefix(ctx, members)
        if word is not None and by_prefix[word] != key:
            parts[by_prefix[word]].extend(parts.pop(key))
    for key in [k for k, v in parts.items() if not k[0] and len(v) < SMALL]:
        for member in parts.pop(key):
            prefix = _prefix(ctx, member)
            target = by_prefix.get(prefix) if prefix is not None else None
            if target is not None:
                parts[target].append(member)
            else:
                base.add(member)


def _dominant_prefix(ctx: Context, members: list[str]) -> str | None:
    """The first word of most member names (at least half, and two of them), else None."""
    prefixes = Counter(p for m in members if (p := _prefix(ctx, m)) is not None)
    if not prefixes:
        return None
    word, count = min(prefixes.items(), key=lambda kv: (-kv[1], kv[0]))
    return word if count * 2 >= len(members) and count >= 2 else None


def _communities(ctx: Context, ids: list[str]) -> dict[str, int]:
    """Fixture id -> community number (greedy modularity, deterministic)."""
    import networkx as nx

    weights: Counter[tuple[str, str]] = Counter()
    for source, target in ctx.graph.subgraph(ids).edges():
        if source != target:
            weights[min(source, target), max(source, target)] += 2
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(ids)
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(weights.items()))
    found = nx.community.greedy_modularity_communities(graph, weight="weight") if weights else []
    number: dict[str, int] = {}
    for index, part in enumerate(sorted((sorted(p) for p in found), key=lambda p: p[0])):
        for member in part:
            number[member] = index
    for member in ids:
        number.setdefault(member, len(number) + len(ids))
    return number


def guard_word(guards: tuple[str, ...]) -> str:
    """A module-name word for a guard: its first variable, lower-case, without ``use_``/``run_``
    and ``_tests`` (``no_`` in front of an ``else`` branch's)."""
    words = []
    for guard in guards:
        match = _ENV_NAME.search(guard)
        word = match.group(1).lower() if match else re.sub(r"\W+", "_", guard).strip("_").lower()[:20]
        for prefix in _PREFIXES:
            if word.startswith(prefix) and len(word) > len(prefix):
                word = word[len(prefix) :]
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) > len(suffix):
                word = word[: -len(suffix)]
        words.append(("no_" if guard.startswith("not (") else "") + word)
    return "_".join(words) or "guarded"


def _content_word(ctx: Context, members: list[str]) -> str:
    fixtures = [ctx.fixtures[m] for m in members]
    words = Counter(w for f in fixtures for w in dict.fromkeys(f.name.split("_")) if w)
    if words:
        word, count = min(words.items(), key=lambda kv: (-kv[1], kv[0]))
        if count * 2 >= len(fixtures) and count >= 2:
            return word
    heavy = ctx.config.heavy_levels
    if sum(f.impact in heavy for f in fixtures) * 2 > len(fixtures):
        return "heavy"
    top = min(fixtures, key=lambda f: (-ctx.fan_in.get(f.id, 0), f.name))
    return top.name


def _named(ctx: Context, groups: list[tuple[tuple[str, ...], list[str]]], has_base: bool) -> list[Group]:
    named: list[Group] = []
    used: set[str] = set()
    for index, (guard, members) in enumerate(groups):
        if index == 0 and has_base:
            word = "base"
        elif guard:
            word = guard_word(guard)
        else:
            word = _content_word(ctx, members)
        name, suffix = f"conftest_{word}", 2
        while name in used:
            name, suffix = f"conftest_{word}_{suffix}", suffix + 1
        used.add(name)
        named.append(Group(name, guard, tuple(members)))
    first = named[:1] if has_base else []
    rest = sorted(named[len(first) :], key=lambda g: (bool(g.guards), g.name))
    return [*first, *rest]
