"""Scan configuration: one frozen object handed down from the CLI (or a library caller).

Only :class:`ExtractOptions` influences the per-file extraction, so it alone goes into the
per-file cache key; everything else is applied after extraction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fixture_graph.scope import Scope

# The per-file cache (and the CLI's replays) live here under the rootdir, like .pytest_cache.
CACHE_DIRNAME = ".fixture_graph_cache"

DEFAULT_IMPACT_LEVELS = ("MINIMAL", "LOW", "MEDIUM", "HIGH", "VERY_HIGH")
DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024
# Node limits: a 50,000-test suite peaks near 450 MiB (tests/bench/robust_memory.py), so these
# keep a runaway or hostile tree within a few GiB and say so instead of exhausting memory.
DEFAULT_MAX_TESTS = 500_000
DEFAULT_MAX_FIXTURES = 200_000


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """The settings a single file's extraction depends on (and nothing else)."""

    impact_decorators: tuple[str, ...] = ("memory_profile",)
    impact_levels: tuple[str, ...] = DEFAULT_IMPACT_LEVELS


@dataclass(frozen=True, slots=True)
class PluginFixture:
    """A fixture the scan cannot find on disk, declared by the user (``plugin_fixtures``)."""

    name: str
    scope: Scope = Scope.FUNCTION
    autouse: bool = False


@dataclass(frozen=True, slots=True)
class ScanConfig:
    """How to scan: the target environment, env-guard values, and limits.

    ``env`` holds the variables given with ``--env``: a value, or None for a variable declared
    unset. When ``env`` is given it describes the environment completely: a variable it does
    not name is unset, unless ``env_inherit`` takes the rest from this process's environment.
    With no ``env`` at all, guards on variables stay undecided (included, marked conditional).
    ``traced`` decides guards on process state (``sys.gettrace()``, ``"coverage" in
    sys.modules``) as under a tracer such as coverage; by default as a plain pytest run.
    ``cache_dir`` (default ``.fixture_graph_cache``) is relative to the rootdir; ``jobs`` is the
    number of parsing processes (None: one per core; 1: no pool). Neither changes the result.
    ``markexpr``/``keyword`` are pytest's ``-m``/``-k`` (None: the ones in ``addopts``, if any).
    ``test_imports`` records, per test module, the suite modules it imports (transitively;
    ``ScanResult.test_imports``): ``affected`` needs them, and reading them costs a scan extra files.
    """

    extract: ExtractOptions = field(default_factory=ExtractOptions)
    env: tuple[tuple[str, str | None], ...] = ()
    env_inherit: bool = False
    traced: bool = False
    plugin_fixtures: tuple[PluginFixture, ...] = ()
    python: str | None = None
    scan_plugins: bool = True
    rootdir: str | None = None
    inifile: str | None = None
    confcutdir: str | None = None
    noconftest: bool = False
    markexpr: str | None = None
    keyword: str | None = None
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_tests: int = DEFAULT_MAX_TESTS
    max_fixtures: int = DEFAULT_MAX_FIXTURES
    follow_symlinks: bool = False
    exclude: tuple[str, ...] = ()
    cache: bool = True
    cache_dir: str | None = None
    cache_alias: tuple[str, str] | None = None
    jobs: int | None = None
    test_imports: bool = False


DEFAULT_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("MINIMAL", 1.0),
    ("LOW", 2.0),
    ("MEDIUM", 4.0),
    ("HIGH", 8.0),
    ("VERY_HIGH", 16.0),
)

# Top-level modules whose import at collection time is known to cost memory or start services.
DEFAULT_HEAVY_MODULES = (
    "aiobotocore",
    "azure",
    "boto3",
    "botocore",
    "cv2",
    "dask",
    "docker",
    "elasticsearch",
    "google.cloud",
    "jax",
    "kafka",
    "keras",
    "matplotlib",
    "numpy",
    "pandas",
    "playwright",
    "polars",
    "psycopg",
    "psycopg2",
    "pyarrow",
    "pymongo",
    "pymysql",
    "pyspark",
    "redis",
    "scipy",
    "selenium",
    "sklearn",
    "spacy",
    "sqlalchemy",
    "tensorflow",
    "testcontainers",
    "torch",
    "transformers",
)


# FG011: the most a fixture of each impact level may cost before its tag looks wrong.
# Measured peak memory (MB) and the slowest setup (seconds); VERY_HIGH has no ceiling.
DEFAULT_DRIFT_MEMORY_MB: tuple[tuple[str, float], ...] = (
    ("MINIMAL", 5.0),
    ("LOW", 25.0),
    ("MEDIUM", 100.0),
    ("HIGH", 500.0),
    ("VERY_HIGH", float("inf")),
)
DEFAULT_DRIFT_SECONDS: tuple[tuple[str, float], ...] = (
    ("MINIMAL", 0.05),
    ("LOW", 0.25),
    ("MEDIUM", 1.0),
    ("HIGH", 5.0),
    ("VERY_HIGH", float("inf")),
)


@dataclass(frozen=True, slots=True)
class Contract:
    """A policy in the style of import-linter: tests matching ``tests`` must not reach some fixtures.

    ``tests`` are globs on test node ids (``tests/unit/*``); ``forbid`` globs on fixture names
    (``real_*``); ``forbid_impact`` impact levels and ``forbid_scope`` scope names.
    """

    name: str
    tests: tuple[str, ...]
    forbid: tuple[str, ...] = ()
    forbid_impact: tuple[str, ...] = ()
    forbid_scope: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AnalyzeConfig:
    """Thresholds and policies of the analyzers (``[tool.fixture_graph]``, then the CLI)."""

    weights: tuple[tuple[str, float], ...] = DEFAULT_WEIGHTS
    untagged_weight: float = 0.0
    weight_unit: str = "points"
    heavy_chain_threshold: float = 24.0
    top: int = 5
    max_session_fixtures: int = 4
    workers: int = 1
    autouse_cost_threshold: float = 64.0
    scope_advice_threshold: float = 24.0
    heavy_modules: tuple[str, ...] = DEFAULT_HEAVY_MODULES
    unused_exclude: tuple[str, ...] = ()
    cycle_bound: int = 50
    contracts: tuple[Contract, ...] = ()
    cost: str = "declared"
    drift_memory_mb: tuple[tuple[str, float], ...] = DEFAULT_DRIFT_MEMORY_MB
    drift_seconds: tuple[tuple[str, float], ...] = DEFAULT_DRIFT_SECONDS

    def weight(self, impact: str | None) -> float:
        """The weight of an impact level (``untagged_weight`` for none or an unknown level)."""
        if impact is None:
            return self.untagged_weight
        return dict(self.weights).get(impact, self.untagged_weight)

    @property
    def levels(self) -> tuple[str, ...]:
        """The impact levels, lightest first (by weight)."""
        return tuple(level for level, _ in sorted(self.weights, key=lambda lw: lw[1]))

    @property
    def heavy_levels(self) -> frozenset[str]:
        """The two heaviest impact levels (HIGH and VERY_HIGH by default)."""
        return frozenset(self.levels[-2:])


@dataclass(frozen=True, slots=True)
class GateConfig:
    """Which findings are shown and which fail the run.

    ``select``/``ignore`` hold rule codes or prefixes (``FG00`` selects FG001-FG009);
    ``fail_on`` is a severity name, or ``never``.
    """

    fail_on: str = "error"
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
