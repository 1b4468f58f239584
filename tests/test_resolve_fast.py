"""The set-based closures (fixture_graph/reach.py) must give exactly what pytest's walk gives.

Each scan is resolved twice: as shipped, and with the set-based path and the sharing of
closures between sibling modules switched off, so that every test's closure is its own replayed
walk. The two Resolutions must be equal, field by field.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from bench.synth import synthetic_scan
from helpers.defs import fixture_def
from helpers.resolution import semantic

from fixture_graph import model
from fixture_graph.config import ScanConfig
from fixture_graph.model import SESSION_NODE, Resolution, ScanResult
from fixture_graph.reach import Reachability
from fixture_graph.resolve import DefinitionIndex, resolve
from fixture_graph.scan.session import scan_paths

DATA = Path(__file__).parent / "data"
TRICKY = sorted(p for p in (DATA / "tricky").iterdir() if p.is_dir())


def walk_only(scan: ScanResult, monkeypatch: pytest.MonkeyPatch) -> Resolution:
    with monkeypatch.context() as patch:
        patch.setattr(Reachability, "reach", lambda *a, **k: None)
        patch.setattr(Reachability, "closure", lambda *a, **k: None)
        patch.setattr(
            DefinitionIndex, "local_names", lambda self, ancestors, nodeid: (ancestors, frozenset())
        )
        return resolve(scan)


def random_scan(seed: int, combos: int = 0) -> ScanResult:
    """Few names, many holders: overrides, self-requests, cycles, unknowns and params all occur.

    With ``combos``, tests request one of that many name lists, so tests of sibling modules
    often ask for the same names (and may share a closure).
    """
    rng = random.Random(seed)
    pool = [f"n{i}" for i in range(8)] + ["request"]
    holders = [(SESSION_NODE, (SESSION_NODE,))]
    for d in range(2):
        top = f"t/d{d}"
        holders.append((top, (SESSION_NODE, "t", top)))
        for m in range(2):
            module = f"{top}/test_{m}.py"
            holders.append((module, (SESSION_NODE, "t", top, module)))
            holders.append((f"{module}::TestC", (SESSION_NODE, "t", top, module, f"{module}::TestC")))
    fixtures = []
    for i in range(rng.randint(3, 25)):
        holder, _ = rng.choice(holders)
        name = rng.choice(pool[:-1])
        fixtures.append(
            fixture_def(
                name,
                holder,
                id=f"{holder or 'root'}::{name}#{i}",
                file="f.py",
                line=i,
                order=(0, i),
                argnames=tuple(dict.fromkeys(rng.sample(pool, k=rng.randint(0, 3)))),
                autouse=rng.random() < 0.1,
            )
        )
    requests = [tuple(dict.fromkeys(rng.sample(pool, k=rng.randint(0, 4)))) for _ in range(combos)]
    tests = []
    for t in range(12):
        _, chain = rng.choice([h for h in holders if h[0]])
        params = tuple(rng.sample(pool[:-1], k=1)) if rng.random() < 0.2 else ()
        tests.append(
            model.TestItem(
                nodeid=f"{chain[-1]}::test_{t}",
                name=f"test_{t}",
                file="t.py",
                line=t,
                ancestors=chain,
                argnames=rng.choice(requests)
                if requests
                else tuple(dict.fromkeys(rng.sample(pool, k=rng.randint(0, 4)))),
                usefixtures=tuple(rng.sample(pool, k=1)) if rng.random() < 0.2 else (),
                direct_params=params,
                param_names=params,
            )
        )
    return ScanResult("/r", None, tuple(fixtures), tuple(tests), ())


@pytest.mark.parametrize("seed", range(300))
def test_random_graphs(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    scan = random_scan(seed)
    assert semantic(resolve(scan)) == semantic(walk_only(scan, monkeypatch))


@pytest.mark.parametrize("seed", range(300))
def test_random_graphs_with_shared_requests(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    scan = random_scan(seed, combos=3)
    assert semantic(resolve(scan)) == semantic(walk_only(scan, monkeypatch))


@pytest.mark.parametrize("seed", range(3))
def test_synthetic_graphs_with_large_cycles(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    scan = synthetic_scan(1500, tests=400, scc_sizes=(40, 12), seed=seed)
    assert semantic(resolve(scan)) == semantic(walk_only(scan, monkeypatch))


@pytest.mark.parametrize("case", [p.name for p in TRICKY] + ["sample_suite"])
def test_data_suites(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    root = DATA / "sample_suite" if case == "sample_suite" else DATA / "tricky" / case
    workdir = root / "proj" if (root / "proj").is_dir() else root
    scan = scan_paths([], ScanConfig(cache=False), invocation_dir=workdir)
    assert semantic(resolve(scan)) == semantic(walk_only(scan, monkeypatch))
