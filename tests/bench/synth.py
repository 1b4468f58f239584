"""Deterministic synthetic pytest suites and fixture graphs, for benchmarks and scale tests.

Two generators, both seeded (the same arguments always give the same bytes):

* :func:`generate_suite` writes a real suite that pytest can collect: a deep conftest hierarchy,
  env-guarded star imports of conftest modules (as in ``tests/data/sample_suite``), ``def db(db)``
  override chains, autouse, parametrized and yield fixtures, ``name=``, ``usefixtures`` marks,
  ``getfixturevalue`` and ``@memory_profile(...)`` impact tags. Presets: :func:`suite_spec`
  (``suite_spec(10_000)`` for 10k test files) and :func:`fixture_rich_spec` (``fixture_rich_spec(2000)``
  for a suite with exactly 2,000 fixture definitions, e.g. for renderer tests).
* :func:`synthetic_scan` builds a :class:`~fixture_graph.model.ScanResult` in memory, with no
  files: N fixtures in a holder tree, override chains, and a few large strongly connected
  components (name-level cycles, as pytest's "recursive dependency"). It is meant for the
  resolver and the analyzers at sizes such as 20,000 fixtures.

This module lives under ``tests/bench/`` and has no ``test_`` prefix, so pytest never collects
it. Import it as ``bench.synth`` from the tests (``tests/`` is on ``sys.path`` there) or run
``python tests/bench/synth.py OUT_DIR --files 1000`` to write a suite by hand.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import random
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from fixture_graph.model import SESSION_NODE, FixtureDef, FixtureKind, ScanResult, TestItem
from fixture_graph.scope import Scope

IMPACTS = ("MINIMAL", "LOW", "MEDIUM", "HIGH", "VERY_HIGH")
GUARD_SERVICES = 'os.environ.get("USE_REAL_SERVICES", "").lower() == "true"'
GUARD_E2E = 'os.getenv("RUN_E2E_TESTS") == "true"'

# Session-wide fixtures every test may request, whatever the env: (name, scope, requests).
BASE_FIXTURES = (
    ("config", "session", ()),
    ("settings", "session", ("config",)),
    ("database_url", "session", ("settings",)),
    ("tmp_data_dir", "session", ("tmp_path_factory",)),
    ("db", "function", ("settings",)),
    ("clock", "function", ()),
    ("logger", "session", ("settings",)),
    ("feature_flags", "function", ("settings",)),
)
MOCK_FIXTURES = (
    ("mock_db", "function", ("db",)),
    ("mock_cache", "function", ()),
    ("mock_queue", "function", ("settings",)),
    ("mock_mailer", "function", ()),
    ("mock_payment_gateway", "function", ("settings",)),
    ("db_engine", "session", ("database_url",)),
    ("cache_client", "function", ("mock_cache",)),
    ("search_client", "function", ()),
)
# Guarded modules override some mock names (and add a few of their own, never requested by tests).
SERVICE_FIXTURES = (
    ("db_engine", "session", ("database_url", "real_pool")),
    ("real_pool", "session", ("settings",)),
    ("cache_client", "function", ("settings",)),
    ("search_client", "function", ("real_pool",)),
)
E2E_FIXTURES = (
    ("browser", "session", ("settings",)),
    ("page", "function", ("browser",)),
    ("live_server", "session", ("db_engine",)),
)
ROOT_NAMES = tuple(n for n, _, _ in BASE_FIXTURES + MOCK_FIXTURES)


# ---------------------------------------------------------------------------------------------
# On-disk suites
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SuiteSpec:
    """The shape of a generated suite.

    Attributes:
        test_files: number of ``test_*.py`` modules.
        seed: the random seed; the same spec always writes the same bytes.
        files_per_dir: test modules per leaf directory.
        depth: directory levels below ``tests/`` (the conftest hierarchy is this deep plus one).
        tests_per_file: test functions per module (a class counts its methods).
        conftest_ratio: share of leaf directories that get a conftest (inner ones always do).
        extra_fixtures: additional plain fixtures spread over the directory conftests.
        branching: subdirectories per directory (default: the fewest that give enough leaves).
        functions: exact test functions per module, besides a class (default: about
            ``tests_per_file``, half of them in a class).
        methods: exact test methods of the module's class (used with ``functions``).
    """

    test_files: int
    seed: int = 0
    files_per_dir: int = 100
    depth: int = 3
    tests_per_file: int = 5
    conftest_ratio: float = 0.6
    extra_fixtures: int = 0
    branching: int | None = None
    functions: int | None = None
    methods: int = 0


@dataclass(frozen=True, slots=True)
class SuiteStats:
    """What :func:`generate_suite` wrote (``fixtures`` counts every fixture definition)."""

    root: Path
    test_files: int
    conftests: int
    fixtures: int
    tests: int
    files: int


def suite_spec(test_files: int, seed: int = 0) -> SuiteSpec:
    """The benchmark preset: ``test_files`` modules, 100 per leaf directory, 3 levels deep."""
    return SuiteSpec(test_files=test_files, seed=seed)


def monorepo_spec(test_files: int = 10_000, seed: int = 0) -> SuiteSpec:
    """The monorepo shape of issue 15: 85 conftests three levels deep (4 x 4 x 4 directories,
    each with a conftest of 6 fixtures), ``test_files`` modules spread over the 64 leaves, each
    with 6 test functions and a class of 3 test methods (10,000 files: about 123k items).
    """
    return SuiteSpec(
        test_files=test_files,
        seed=seed,
        files_per_dir=math.ceil(test_files / 64),
        depth=3,
        conftest_ratio=1.0,
        extra_fixtures=84,
        branching=4,
        functions=6,
        methods=3,
    )


def fixture_rich_spec(fixtures: int, seed: int = 0) -> SuiteSpec:
    """A small suite with exactly ``fixtures`` fixture definitions (e.g. 2,000 for renderers).

    Raises:
        ValueError: ``fixtures`` is below what the base layout already defines.
    """
    return _with_fixtures(
        SuiteSpec(test_files=200, seed=seed, files_per_dir=10, depth=2, conftest_ratio=1.0), fixtures
    )


def _with_fixtures(base: SuiteSpec, fixtures: int) -> SuiteSpec:
    """``base`` with extra fixtures so that it defines exactly ``fixtures``.

    Raises:
        ValueError: ``fixtures`` is below what the base layout already defines.
    """
    floor = _plan(base).fixture_count()
    if fixtures < floor:
        raise ValueError(f"at least {floor} fixtures are needed for this layout")
    return dataclasses.replace(base, extra_fixtures=fixtures - floor)


def generate_suite(root: Path, spec: SuiteSpec) -> SuiteStats:
    """Write the suite described by ``spec`` under ``root`` (created; must be empty or absent).

    The layout is ``pytest.ini`` (``testpaths = tests``), ``tests/conftest.py`` star-importing
    ``conftest_base``/``conftest_mocks`` and, behind ``USE_REAL_SERVICES``/``RUN_E2E_TESTS``,
    ``conftest_services``/``conftest_e2e``; then ``tests/d0/d0_1/...`` packages with conftests
    and test modules. pytest collects it with no plugin installed (the services and e2e
    fixtures only override or extend names, so either env setting collects and sets up).
    """
    plan = _plan(spec)
    files = plan.render()
    root.mkdir(parents=True, exist_ok=True)
    made: set[Path] = set()
    for rel, text in files.items():
        path = root / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(text, encoding="utf-8")
    return SuiteStats(
        root=root,
        test_files=spec.test_files,
        conftests=sum(1 for rel in files if rel.endswith("conftest.py")),
        fixtures=plan.fixture_count(),
        tests=plan.test_count,
        files=len(files),
    )


@dataclass
class _Dir:
    """One package directory of the generated tree."""

    rel: str
    label: str
    parent: _Dir | None
    has_conftest: bool
    fixtures: list[str] = field(default_factory=list)
    modules: list[int] = field(default_factory=list)
    extra: int = 0

    def visible(self) -> list[str]:
        names: list[str] = []
        node: _Dir | None = self
        while node is not None:
            names.extend(node.fixtures)
            node = node.parent
        return names


@dataclass
class _Plan:
    spec: SuiteSpec
    rng: random.Random
    dirs: list[_Dir]
    test_count: int = 0

    def fixture_count(self) -> int:
        # One definition per name in the root conftest: a guarded star import rebinds a name.
        root = len({n for n, _, _ in BASE_FIXTURES + MOCK_FIXTURES + SERVICE_FIXTURES + E2E_FIXTURES})
        in_dirs = sum(len(d.fixtures) + (1 if d.has_conftest and d.parent else 0) for d in self.dirs)
        # Each module defines one local fixture; every fifth also overrides ``feature_flags``.
        modules = sum(1 + (1 if i % 5 == 0 else 0) for i in range(self.spec.test_files))
        return root + in_dirs + modules

    def render(self) -> dict[str, str]:
        rng = self.rng
        files: dict[str, str] = {
            "pytest.ini": _PYTEST_INI,
            "tests/__init__.py": "",
            "tests/framework/__init__.py": "",
            "tests/framework/memory.py": MEMORY_PY,
            "tests/conftest.py": _ROOT_CONFTEST,
            "tests/conftest_base.py": _support_module("Core fixtures.", BASE_FIXTURES, rng),
            "tests/conftest_mocks.py": _support_module("Mock services.", MOCK_FIXTURES, rng),
            "tests/conftest_services.py": _support_module("Real services.", SERVICE_FIXTURES, rng),
            "tests/conftest_e2e.py": _support_module("Browser fixtures.", E2E_FIXTURES, rng),
        }
        for directory in self.dirs[1:]:
            files[f"{directory.rel}/__init__.py"] = ""
            if directory.has_conftest:
                files[f"{directory.rel}/conftest.py"] = _dir_conftest(directory, rng)
            for index in directory.modules:
                text, count = _test_module(directory, index, self.spec, rng)
                files[f"{directory.rel}/test_m{index:05d}.py"] = text
                self.test_count += count
        return files


def _plan(spec: SuiteSpec) -> _Plan:
    """Lay out directories and decide which fixtures each conftest defines (no text yet)."""
    rng = random.Random(spec.seed)
    leaves_needed = max(1, math.ceil(spec.test_files / spec.files_per_dir))
    branching = spec.branching or max(2, math.ceil(leaves_needed ** (1 / spec.depth)))
    root = _Dir("tests", "root", None, has_conftest=True)
    dirs = [root]
    level = [root]
    for depth in range(1, spec.depth + 1):
        nxt: list[_Dir] = []
        for parent in level:
            for b in range(branching):
                label = f"{parent.label}_{b}" if parent.parent else f"d{b}"
                leaf = depth == spec.depth
                has = not leaf or rng.random() < spec.conftest_ratio
                nxt.append(_Dir(f"{parent.rel}/{label}", label, parent, has_conftest=has))
        level = nxt
        dirs.extend(nxt)
    leaves = level[:leaves_needed]
    used = {id(d) for leaf in leaves for d in _chain(leaf)}
    dirs = [d for d in dirs if id(d) in used]
    for i in range(spec.test_files):
        leaves[i // spec.files_per_dir].modules.append(i)
    for directory in dirs[1:]:
        if directory.has_conftest:
            p = directory.label
            directory.fixtures = [f"{p}_mode", f"{p}_resource", f"{p}_client", f"_{p}_autouse"]
    conftest_dirs = [d for d in dirs[1:] if d.has_conftest]
    for k in range(spec.extra_fixtures):
        conftest_dirs[k % len(conftest_dirs)].extra += 1
    for directory in conftest_dirs:
        directory.fixtures.extend(f"{directory.label}_f{k}" for k in range(directory.extra))
    return _Plan(spec, rng, dirs)


def _chain(directory: _Dir) -> list[_Dir]:
    out = []
    node: _Dir | None = directory
    while node is not None:
        out.append(node)
        node = node.parent
    return out


def _profile(rng: random.Random, what: str) -> str:
    level = rng.choice(IMPACTS)
    form = rng.randrange(3)
    if form == 0:
        return f'@memory_profile("{what}", "{level}")'
    if form == 1:
        return f'@memory_profile("{what}", impact="{level}")'
    return f'@memory_profile("{what}", MemoryImpact.{level})'


def _support_module(
    doc: str, fixtures: tuple[tuple[str, str, tuple[str, ...]], ...], rng: random.Random
) -> str:
    out = [
        f'"""{doc}"""',
        "import pytest",
        "",
        "from .framework.memory import MemoryImpact, memory_profile",
        "",
    ]
    for name, scope, requests in fixtures:
        deco = "@pytest.fixture" if scope == "function" else f'@pytest.fixture(scope="{scope}")'
        body = (
            "    return {" + ", ".join(f'"{r}": {r}' for r in requests) + "}" if requests else "    return {}"
        )
        if name == "db":
            body = '    return {"layers": ["root"], "settings": settings}'
        out += ["", deco, _profile(rng, f"{name} fixture"), f"def {name}({', '.join(requests)}):", body, ""]
    return "\n".join(out).rstrip() + "\n"


def _dir_conftest(directory: _Dir, rng: random.Random) -> str:
    p = directory.label
    inherited = directory.parent.visible() if directory.parent else []
    pick = rng.choice([n for n in (*inherited, *ROOT_NAMES) if not n.startswith("_") and n != "db"])
    out = [
        f'"""Fixtures for {directory.rel}."""',
        "import pytest",
        "",
        "from tests.framework.memory import MemoryImpact, memory_profile",
        "",
        "",
        "@pytest.fixture",
        _profile(rng, f"db layer {p}"),
        "def db(db):",
        f'    db["layers"].append("{p}")',
        "    return db",
        "",
        "",
        "@pytest.fixture(autouse=True)",
        _profile(rng, f"autouse guard {p}"),
        f"def _{p}_autouse(settings):",
        "    yield",
        "",
        "",
        '@pytest.fixture(params=["fast", "slow"], ids=["f", "s"])',
        _profile(rng, f"mode {p}"),
        f"def {p}_mode(request):",
        "    return request.param",
        "",
        "",
        '@pytest.fixture(scope="module")',
        _profile(rng, f"resource {p}"),
        f"def {p}_resource(tmp_path_factory, config):",
        f'    path = tmp_path_factory.mktemp("{p}")',
        "    yield path",
        "",
        "",
        f'@pytest.fixture(name="{p}_client")',
        _profile(rng, f"client {p}"),
        f"def _{p}_client_impl({p}_resource, db, {pick}):",
        f'    return {{"resource": {p}_resource, "db": db}}',
    ]
    for k in range(directory.extra):
        dep = f"{p}_f{k - 1}" if k else pick
        out += [
            "",
            "",
            "@pytest.fixture",
            _profile(rng, f"extra {p} {k}"),
            f"def {p}_f{k}({dep}):",
            "    return 1",
        ]
    return "\n".join(out) + "\n"


def _test_module(directory: _Dir, index: int, spec: SuiteSpec, rng: random.Random) -> tuple[str, int]:
    visible = [n for n in (*directory.visible(), *ROOT_NAMES) if not n.startswith("_")]
    local = f"local_{index}"
    out = [
        f'"""Synthetic tests, module {index} of {directory.rel}."""',
        "import pytest",
        "",
        "from tests.framework.memory import MemoryImpact, memory_profile",
        "",
    ]
    if rng.random() < 0.3:
        out += [f'pytestmark = pytest.mark.usefixtures("{rng.choice(visible)}")', ""]
    partner = rng.choice([n for n in visible if n != "db"])
    out += [
        "",
        "@pytest.fixture",
        _profile(rng, f"local {index}"),
        f"def {local}(db, {partner}):",
        "    return db",
        "",
    ]
    if index % 5 == 0:
        out += [
            "",
            "@pytest.fixture",
            "def feature_flags(feature_flags):",
            "    return dict(feature_flags, local=True)",
            "",
        ]
    visible.append(local)
    if spec.functions is not None:
        count, in_class = spec.functions + spec.methods, spec.methods
    else:
        count = max(1, rng.randint(spec.tests_per_file - 1, spec.tests_per_file + 1))
        in_class = count // 2 if count >= 3 else 0
    for t in range(count - in_class):
        args = rng.sample(visible, k=min(len(visible), rng.randint(1, 4)))
        out.append("")
        if t % 3 == 1:
            out.append(f'@pytest.mark.parametrize("value", [1, 2, {t + 2}])')
            args = ["value", *args]
        dynamic = t % 4 == 3
        out.append(f"def test_{index}_{t}({', '.join([*args, 'request'] if dynamic else args)}):")
        if dynamic:
            out.append('    request.getfixturevalue("config")')
        # Each test reads every fixture it requests, as real tests do (FG014 reports the others).
        out += [f"    assert ({', '.join(args)},) is not None", ""]
    if in_class:
        out += ["", f'@pytest.mark.usefixtures("{rng.choice(visible)}")', f"class TestGroup{index}:"]
        for t in range(in_class):
            args = rng.sample(visible, k=min(len(visible), rng.randint(1, 3)))
            out += [
                f"    def test_method_{t}(self, {', '.join(args)}):",
                f"        assert ({', '.join(args)},) is not None",
                "",
            ]
    out += ["", f"def helper_{index}(value):", "    return value", ""]
    return "\n".join(out).rstrip() + "\n", count


_PYTEST_INI = textwrap.dedent(
    """\
    [pytest]
    testpaths = tests
    addopts = -p no:cacheprovider
    """
)

_ROOT_CONFTEST = textwrap.dedent(
    f'''\
    """Root conftest: only an orchestrator; heavy fixtures are visible behind env flags."""
    import os

    from .conftest_base import *  # noqa: F401,F403
    from .conftest_mocks import *  # noqa: F401,F403

    if {GUARD_SERVICES}:
        from .conftest_services import *  # noqa: F401,F403

    if {GUARD_E2E}:
        from .conftest_e2e import *  # noqa: F401,F403
    '''
)

MEMORY_PY = textwrap.dedent(
    '''\
    """Memory-impact tags: the decorator only sets attributes and returns the same function."""
    import enum


    class MemoryImpact(enum.Enum):
        MINIMAL = "MINIMAL"
        LOW = "LOW"
        MEDIUM = "MEDIUM"
        HIGH = "HIGH"
        VERY_HIGH = "VERY_HIGH"


    def memory_profile(description, impact):
        level = impact if isinstance(impact, MemoryImpact) else MemoryImpact[str(impact).upper()]

        def decorator(func):
            func.memory_description = description
            func.memory_impact = level
            return func

        return decorator
    '''
)


# ---------------------------------------------------------------------------------------------
# In-memory scan results
# ---------------------------------------------------------------------------------------------


def synthetic_scan(
    fixtures: int,
    *,
    tests: int | None = None,
    scc_sizes: tuple[int, ...] = (400, 150, 50),
    seed: int = 0,
) -> ScanResult:
    """A :class:`ScanResult` of exactly ``fixtures`` user fixtures, built in memory (no files).

    Holders form a tree: the Session (the rootdir conftest), ``tests/dN`` directories,
    ``tests/dN/dN_M`` subdirectories, and test modules in them. Each fixture requests up to three
    names visible from its holder that were defined before it (an acyclic base graph); about one
    in twenty directory-level fixtures is a ``def db(db)``-style override of a farther name.
    Then, for each size in ``scc_sizes``, that many Session fixtures request each other in a ring
    with a random chord on every tenth, so the definition graph has a strongly connected
    component of that size and pytest would report a recursive dependency for any test that
    reaches it.

    Args:
        fixtures: number of fixture definitions (e.g. 20,000).
        tests: number of tests (default: ``fixtures // 2``).
        scc_sizes: sizes of the large cycles; their sum must not exceed a tenth of ``fixtures``.
        seed: random seed.

    Raises:
        ValueError: the cycles need more Session fixtures than there are.
    """
    rng = random.Random(seed)
    n_tests = fixtures // 2 if tests is None else tests
    dirs = max(1, round(math.sqrt(fixtures) / 4))
    holders: list[tuple[str, tuple[str, ...], FixtureKind]] = [
        (SESSION_NODE, (SESSION_NODE,), FixtureKind.CONFTEST)
    ]
    modules: list[tuple[str, tuple[str, ...]]] = []
    for d in range(dirs):
        top = f"tests/d{d}"
        holders.append((top, (SESSION_NODE, "tests", top), FixtureKind.CONFTEST))
        for s in range(3):
            sub = f"{top}/d{d}_{s}"
            holders.append((sub, (SESSION_NODE, "tests", top, sub), FixtureKind.CONFTEST))
            for m in range(3):
                module = f"{sub}/test_m{m}.py"
                chain = (SESSION_NODE, "tests", top, sub, module)
                holders.append((module, chain, FixtureKind.MODULE))
                modules.append((module, chain))
    session_count = max(fixtures // 10, 1)
    if sum(scc_sizes) > session_count:
        raise ValueError(f"scc_sizes need {sum(scc_sizes)} Session fixtures; only {session_count} exist")
    visible: dict[str, list[str]] = {h: [] for h, _, _ in holders}
    defs: list[tuple[str, str, tuple[str, ...], FixtureKind, list[str]]] = []
    for i in range(fixtures):
        holder, chain, kind = holders[0] if i < session_count else rng.choice(holders[1:])
        pools = [visible[h] for h in chain if visible.get(h)]
        if kind is FixtureKind.CONFTEST and holder and pools and rng.random() < 0.05:
            name = rng.choice(rng.choice(pools))
            requests = [name]
        else:
            name = f"fx{i}"
            requests = _pick(rng, pools, rng.randint(0, 3))
        visible[holder].append(name)
        defs.append((holder, name, chain, kind, requests))
    start = 0
    for size in scc_sizes:
        ring = list(range(start, start + size))
        for pos, i in enumerate(ring):
            requests = [defs[ring[(pos + 1) % size]][1]]
            if pos % 10 == 0:
                requests.append(defs[rng.choice(ring)][1])
            defs[i][4][:] = list(dict.fromkeys(requests))
        start += size
    fixture_defs = [_synthetic_def(i, d) for i, d in enumerate(defs)]
    test_items = []
    for t in range(n_tests):
        module, chain = modules[t % len(modules)]
        pools = [visible[h] for h in chain if visible.get(h)]
        test_items.append(
            TestItem(
                nodeid=f"{module}::test_{t}",
                name=f"test_{t}",
                file=module,
                line=t + 1,
                ancestors=chain,
                argnames=tuple(_pick(rng, pools, rng.randint(1, 4))),
            )
        )
    return ScanResult(
        rootdir="/synthetic",
        inifile=None,
        fixtures=tuple(fixture_defs),
        tests=tuple(test_items),
        issues=(),
        files_scanned=len(modules) + len(holders) - len(modules),
    )


def _pick(rng: random.Random, pools: list[list[str]], count: int) -> list[str]:
    """Up to ``count`` distinct names, each from a random visible holder."""
    if not pools:
        return []
    return list(dict.fromkeys(rng.choice(rng.choice(pools)) for _ in range(count)))


def _synthetic_def(index: int, row: tuple[str, str, tuple[str, ...], FixtureKind, list[str]]) -> FixtureDef:
    holder, name, _chain, kind, requests = row
    file = (
        "conftest.py" if not holder else (holder if kind is FixtureKind.MODULE else f"{holder}/conftest.py")
    )
    scope = Scope.SESSION if not holder else (Scope.MODULE if index % 7 == 0 else Scope.FUNCTION)
    return FixtureDef(
        id=f"{file}::{name}[{index}]",
        name=name,
        func_name=name,
        kind=kind,
        holder=holder,
        order=(0, index),
        scope=scope,
        file=file,
        line=index + 1,
        registered_in=file,
        argnames=tuple(requests),
        impact=IMPACTS[index % len(IMPACTS)] if index % 3 == 0 else None,
    )


def main(argv: list[str] | None = None) -> None:
    """``python tests/bench/synth.py OUT --files N [--seed S]``: write a suite and print its stats."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fixtures", type=int, help="write a fixture-rich suite with this many fixtures")
    args = parser.parse_args(argv)
    spec = fixture_rich_spec(args.fixtures, args.seed) if args.fixtures else suite_spec(args.files, args.seed)
    print(generate_suite(args.out, spec))


if __name__ == "__main__":
    main()


def render_scale_spec(fixtures: int = 5000, tests: int = 100_000, seed: int = 0) -> SuiteSpec:
    """A suite with exactly ``fixtures`` definitions and about ``tests`` tests, for the report bench.

    100 tests per module (half of them in a class), 50 modules per leaf directory, two levels
    deep: ``render_scale_spec()`` is the 5,000-fixture, 100,000-test suite of ``make bench-render``.

    Raises:
        ValueError: ``fixtures`` is below what the layout already defines.
    """
    per_file = 100
    base = SuiteSpec(
        test_files=max(1, tests // per_file), seed=seed, files_per_dir=50, depth=2, tests_per_file=per_file
    )
    return _with_fixtures(base, fixtures)
