"""Orchestrate a scan: find files as pytest does, read each once, and register fixtures and tests.

The result is a :class:`ScanResult`: every fixture *definition* attached to its holder node
(Session, directory, module or class) and every test with its ancestor chain, so that
resolution can follow pytest's visibility and override rules without touching the disk.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fixture_graph.config import ScanConfig
from fixture_graph.model import (
    SESSION_NODE,
    CollectionImport,
    FixtureDef,
    FixtureKind,
    HookParametrize,
    Issue,
    OpaqueImport,
    ScanResult,
    TestItem,
)
from fixture_graph.scan import guards as guard_mod
from fixture_graph.scan import inputs, plugins
from fixture_graph.scan.builtins import (
    CLASS_PLUGINS,
    Builtin,
    active_builtins,
    fallback_builtins,
    parse_version,
)
from fixture_graph.scan.cache import ExtractCache
from fixture_graph.scan.environment import TargetEnvironment, load_environment
from fixture_graph.scan.extract import extract_plugin_table
from fixture_graph.scan.ini import IniSettings, cache_directory, locate, split_nodeid
from fixture_graph.scan.loader import FileLoader, Progress, default_jobs, list_candidates
from fixture_graph.scan.local_imports import LocalImports
from fixture_graph.scan.modules import ModuleFinder, basedir, is_file, module_exists, module_name
from fixture_graph.scan.namespace import OPAQUE_STAR, OTHER, ClassRef, Namespace, NamespaceBuilder, Value
from fixture_graph.scan.records import FixtureSpec, FuncInfo, Guard, Marks, ModuleRecord
from fixture_graph.scan.safe_read import SkippedFile, read_source_stat
from fixture_graph.scan.select import (
    Expression,
    ExpressionError,
    compile_expression,
    keyword_matcher,
    mark_matcher,
)
from fixture_graph.scan.target_parser import TargetParser
from fixture_graph.scan.walk import WalkRules, walk
from fixture_graph.scope import Scope

# Session-level registration groups, farthest first (section 4 of pytest's resolution rules).
GROUP_BUILTIN, GROUP_ENTRY_POINT, GROUP_PLUGIN, GROUP_ABOVE_ROOT, GROUP_ROOT = range(5)
_UNITTEST_PACKAGES = frozenset({"unittest", "django", "asynctest", "twisted"})
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | frozenset(sys.builtin_module_names)
# A fixture decorator (``@fixture``, ``@pytest.fixture(...)``) or call (``fixture(func)``).
_FIXTURE_TEXT = re.compile(rb"@\s*(?:[\w.]+\.)?fixture\b|\bfixture\s*\(")
# Directories of installed packages: never the suite's code, even inside the rootdir.
_SITE_DIRS = frozenset({"site-packages", "dist-packages"})
MAX_CLASS_NESTING = 100  # the parser's indentation limit; deeper can only come from aliases


@dataclass(frozen=True, slots=True)
class _BuiltinTable:
    """pytest's builtin plugins as its installed source names them (``_pytest/config``)."""

    package: Path  # _pytest/__init__.py
    essential: tuple[str, ...]
    default: tuple[str, ...]
    builtin: frozenset[str]


def scan_paths(
    paths: Iterable[str | Path],
    config: ScanConfig | None = None,
    invocation_dir: Path | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """Scan ``paths`` (pytest's positional arguments) and return what pytest would register.

    ``progress(loaded, expected)`` is called after each file is loaded (for a progress bar).

    Raises:
        fixture_graph.scan.ini.ConfigFileError: the pytest config file is unreadable.
        fixture_graph.scan.environment.EnvironmentError_: ``--python`` cannot be run.
    """
    config = config or ScanConfig()
    texts = [str(p) for p in paths]
    cwd, args, ini = locate(texts, config, invocation_dir)
    selections = [split_nodeid(t)[1] for t in texts]
    if not args:
        args = _default_args(ini, cwd)
        selections = [() for _ in args]
    env = load_environment(config.python)
    state = _Scan(config, ini, env, args, progress, selections=selections)
    try:
        return state.run()
    finally:
        # The state refers to itself (the namespace builder holds its bound methods), so without
        # this every record would stay alive until the cycle collector ran (the CLI turns it off).
        state.release()


def _default_args(ini: IniSettings, cwd: Path) -> list[Path]:
    """pytest's ``Config._decide_args`` without arguments: ``testpaths`` when run from the rootdir.

    Each entry is expanded by ``glob.iglob(entry, recursive=True)`` from the invocation directory
    and sorted per entry; when nothing matches, the invocation directory is collected.
    """
    if cwd == ini.rootdir and ini.testpaths:
        found: list[Path] = []
        for pattern in ini.testpaths:
            found.extend(inputs.resolve(p) for p in inputs.shell_glob(ini.rootdir, pattern))
        if found:
            return found
    return [cwd]


@dataclass
class _Holder:
    """A module that registers fixtures: a conftest, test module or plugin."""

    path: Path
    node: str
    kind: FixtureKind
    order: tuple[int, int]


@dataclass(frozen=True, slots=True)
class _Selectable:
    """What ``-m``, ``-k`` and node-id arguments need to know of a collected test.

    ``marks`` are the names of the marks ``item.iter_markers()`` yields (function, classes
    through their MRO, module ``pytestmark``); ``names`` the names of its node chain below the
    root directory (``KeywordMatcher.from_item``); ``generates`` says a ``pytest_generate_tests``
    in its module or class may parametrize it.
    """

    module: Path
    marks: tuple[str, ...]
    chain: tuple[str, ...]
    name: str
    param_marks: bool
    generates: bool

    @property
    def names(self) -> tuple[str, ...]:
        """What ``-k`` matches: the node chain's names, the test's, its marks'."""
        return (*self.chain, self.name, *self.marks)


@dataclass
class _Scan:
    config: ScanConfig
    ini: IniSettings
    env: TargetEnvironment
    args: list[Path]
    progress: Progress | None = None
    selections: list[tuple[str, ...]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    records: dict[Path, ModuleRecord | None] = field(default_factory=dict)
    fixtures: list[FixtureDef] = field(default_factory=list)
    tests: list[TestItem] = field(default_factory=list)
    conftests: dict[Path, bool] = field(default_factory=dict)
    plugin_modules: dict[Path, None] = field(default_factory=dict)  # an ordered set
    failed_dirs: set[Path] = field(default_factory=set)
    limits_hit: set[str] = field(default_factory=set)
    opaque: set[OpaqueImport] = field(default_factory=set)
    session_seq: int = 0
    # Dotted names of the plugin modules pytest loads (they activate registry entries).
    loaded_plugins: set[str] = field(default_factory=set)
    builtins_loaded: set[str] = field(default_factory=set)
    builtin_paths: set[Path] = field(default_factory=set)
    class_plugins_done: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rootdir = self.ini.rootdir
        self.confcutdir = self.ini.confcutdir
        env_map = environment_view(self.config)
        local_path = [*self.ini.pythonpath, self.rootdir]
        self.finder = ModuleFinder([*local_path, *self.env.sys_path])
        self.local_roots = tuple(local_path)
        self.plugin_roots: set[Path] = set()
        self.ns = NamespaceBuilder(
            self._read,
            self._resolve_import,
            self._submodule,
            env_map,
            self._importable,
            dict(self.env.facts),
            guard_mod.TRACED if self.config.traced else guard_mod.PLAIN,
            self.finder.find,
            self._ns_issue,
        )
        self._importable_cache: dict[str, bool] = {}
        self._followable_memo: dict[Path, bool] = {}
        self._shown: dict[Path, str] = {}
        self._local: dict[Path, bool] = {}
        self._basedirs: dict[Path, Path] = {}
        self._ignores: dict[Path, tuple[tuple[Path, ...] | None, tuple[str, ...] | None]] = {}
        self._selectable: list[_Selectable] = []  # parallel to self.tests
        # Per collected module: None when all of it is selected, else the selected node ids.
        self._module_filter: dict[Path, set[str] | None] = {}
        self._class_nodes: set[str] = set()
        self._class_generates: set[str] = set()
        self._autouse_ids = False
        self._module_conditions: dict[Path, tuple[str, ...]] = {}
        self._hooks_memo: dict[tuple[Path, int, int], tuple[HookParametrize, ...]] = {}
        self._active_memo: tuple[int, tuple[plugins.Plugin, ...]] | None = None
        self._last_module: tuple[Path, bool, bool] | None = None
        self._shown_module = ""
        # The last name of each ancestor (what ``-k`` matches), per ancestor chain.
        self._chains: dict[tuple[str, ...], tuple[str, ...]] = {}
        # Collected test modules whose records were dropped: their suppressions.
        self._retired: dict[Path, tuple[tuple[int, tuple[str, ...]], ...]] = {}
        # A newer --python parses what this Python cannot (started only when a file needs it).
        target = None
        grammar = None
        if self.env.newer_grammar and self.env.python is not None:
            target = TargetParser(self.env.python, self.env.version)
            grammar = self.env.version
        cache = None
        if self.config.cache:
            directory = cache_directory(self.config, self.rootdir)
            cache = ExtractCache(directory, self.config.extract, self.config.cache_alias, grammar)
        jobs = self.config.jobs or default_jobs()
        self.loader = FileLoader(
            self.config.extract, self.config.max_file_bytes, cache, jobs, self.progress, target
        )
        self.plugin_values = dict(self.ini.plugin_settings)
        self.blocked = _blocked(self.ini.disabled_plugins)
        self.builtin_table: _BuiltinTable | None = None
        # Per collected test module, the suite modules it imports (transitively), for `affected`.
        self.local_imports = LocalImports(
            self.finder.find_from, self.finder.submodule, self._is_suite, self._peek
        )
        self.test_imports: dict[Path, tuple[Path, ...]] = {}

    # -- files ---------------------------------------------------------------------------------

    def show(self, path: Path) -> str:
        """``path`` relative to the rootdir, POSIX style (pytest's nodeid spelling)."""
        shown = self._shown.get(path)
        if shown is None:
            shown = self._shown[path] = _relative(path, self.rootdir) or path.as_posix()
        return shown

    def _is_local(self, path: Path) -> bool:
        """True for the suite's own files (under the rootdir or a ``pythonpath`` entry)."""
        local = self._local.get(path)
        if local is None:
            local = self._local[path] = any(_relative(path, r) is not None for r in self.local_roots)
        return local

    def _read(self, path: Path) -> ModuleRecord | None:
        if path in self.records:
            return self.records[path]
        shown = self.show(path)
        local = self._is_local(path)
        # Which names functions use only matters for the suite's own modules (FG009).
        record, issue = self.loader.load(path, shown, None if local else False)
        if issue is not None:
            self.issues.append(issue)
        if record is not None:
            self.issues.extend(i for i in record.issues if local or i.fatal)
        self.records[path] = record
        return record

    def _is_suite(self, path: Path) -> bool:
        """A local file that is not an installed package (a virtualenv inside the rootdir)."""
        return self._is_local(path) and not _SITE_DIRS.intersection(path.parts)

    def _peek(self, path: Path) -> ModuleRecord | None:
        """A module's record, read for its imports only: kept nowhere, and its issues are not
        the scan's (pytest reports them when something imports it, as a test module does).

        Extracted exactly as :meth:`_read` would (uses tracked for the suite's files): the loader
        and the cache keep one record per file, and a conftest may import this module later.
        """
        record = self.records.get(path)
        if record is None:
            record = self.loader.load(path, self.show(path))[0]
        return record

    def _ns_issue(self, path: Path, line: int, code: str, message: str) -> None:
        if self._is_local(path):
            self.issues.append(Issue(self.show(path), line, code, message))

    def _followable(self, path: Path) -> bool:
        if self._is_local(path):
            return True
        # Memoized per path; loading a plugin (which grows both sets) clears the memo.
        found = self._followable_memo.get(path)
        if found is None:
            found = self._followable_memo[path] = (
                any(_relative(path, r) is not None for r in self.plugin_roots) or path in self.plugin_modules
            )
        return found

    def _import_module(self, path: Path) -> ModuleRecord | None:
        """Read a conftest or test module the way pytest imports it (prepend mode).

        pytest puts the module's basedir (first ancestor without ``__init__.py``) at the front of
        ``sys.path`` when it imports the module, so its absolute imports resolve from there.
        """
        base = self._basedirs.get(path.parent)
        if base is None:
            base = self._basedirs[path.parent] = basedir(path)
        self.finder.add_front(base)
        return self._read(path)

    def _resolve_import(self, importer: Path, spec: str) -> Path | None:
        found = self.finder.find_from(importer, spec)
        if found is None or not self._followable(found):
            return None
        return found

    def _submodule(self, package: Path, name: str) -> Path | None:
        return self.finder.submodule(package, name)

    def _importable(self, dotted: str) -> bool:
        """Whether ``import dotted`` would find its top-level package in the target environment.

        Decides ``try: import x`` / ``except ImportError`` guards. Only the top-level name is
        looked up (submodules may be extension modules); stdlib and builtin modules count, and so
        do packages mapped by setuptools' editable finders.
        """
        top = dotted.split(".", 1)[0]
        found = self._importable_cache.get(top)
        if found is None:
            found = self._importable_cache[top] = top in _STDLIB or any(
                module_exists(base, top) for base in self.finder.search_path
            )
        return found

    # -- main ----------------------------------------------------------------------------------

    def run(self) -> ScanResult:
        try:
            self._prefetch()
            self._register_builtins_and_plugins()
            self._load_initial_conftests()
            for index, arg in enumerate(self.args):
                self._collect_arg(arg, self.selections[index] if index < len(self.selections) else ())
            self._register_conftest_fixtures()
            self._apply_node_selection()
            self._deselect()
        finally:
            self.loader.close()
        return ScanResult(
            rootdir=str(self.rootdir),
            inifile=str(self.ini.inifile) if self.ini.inifile else None,
            fixtures=tuple(self.fixtures),
            tests=tuple(self.tests),
            issues=tuple(sorted(set(self.issues))),
            ini_usefixtures=self.ini.usefixtures,
            # pytest's own modules are not the suite's files (nor a plugin the user installed).
            files_scanned=len(self._retired.keys() - self.records.keys())
            + sum(1 for p, r in self.records.items() if r is not None and p not in self.builtin_paths),
            env=self.config.env,
            pytest_version=self.env.pytest_version,
            imports=self._collection_imports(),
            test_imports=self._test_imports(),
            opaque=tuple(sorted(self.opaque)),
            suppressions=tuple(
                sorted(
                    (self.show(path), line, codes)
                    for path, found in {
                        **self._retired,
                        **{p: r.suppressions for p, r in self.records.items() if r is not None},
                    }.items()
                    if self._is_local(path)
                    for line, codes in found
                )
            ),
        )

    def release(self) -> None:
        """Drop the per-file state: the records and the namespace builder's caches."""
        self.records.clear()
        self._retired.clear()
        self.__dict__.pop("ns", None)
        self.__dict__.pop("loader", None)
        self.__dict__.pop("local_imports", None)

    def _with_uses(self, path: Path, record: ModuleRecord) -> ModuleRecord:
        """``record`` extracted again with its imports' uses (a test module a conftest loads)."""
        try:
            data, st = read_source_stat(path, self.config.max_file_bytes)
        except SkippedFile:
            inputs.note_file(path, inputs.UNTRUSTED)
            return record
        inputs.note_file(path, inputs.stat_key(st))
        return self.loader.extract(record.path, data, track_uses=True)

    def _collection_imports(self) -> tuple[CollectionImport, ...]:
        """Top-level imports that run when the loaded conftests are imported, transitively.

        Starts at every conftest that loaded (and local ``pytest_plugins`` modules) and follows
        imports into local modules this scan already read (star-imported fixture modules), never
        reading new files for it.
        """
        out: list[CollectionImport] = []
        starts = [c for c in self.conftests if c.parent not in self.failed_dirs]
        starts += [p for p in self.plugin_modules if p.is_relative_to(self.rootdir)]
        seen: set[Path] = set()
        for start in starts:
            queue = [start]
            while queue:
                path = queue.pop()
                record = self._read(path) if path in self._retired else self.records.get(path)
                if path in seen or record is None:
                    continue
                seen.add(path)
                if not record.uses_tracked:
                    record = self._with_uses(path, record)
                for imp in record.top_imports:
                    undecided = self.ns.decide(imp.guards)
                    if undecided is None:  # an env guard that --env decided false
                        continue
                    found = self.finder.find_from(path, imp.module)
                    target = None
                    read = found is not None and (found in self.records or found in self._retired)
                    if found is not None and read and self._is_local(found):
                        target = self.show(found)
                        queue.append(found)
                    out.append(
                        CollectionImport(
                            file=self.show(path),
                            line=imp.line,
                            module=imp.module,
                            names=imp.names,
                            loaded_by=self.show(start),
                            target=target,
                            used_by=imp.used_by,
                            module_level=imp.module_level,
                            conditional=bool(undecided),
                            guards=tuple(_guard_text(g) for g in imp.guards),
                        )
                    )
        return tuple(sorted(set(out)))

    def _test_imports(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(test module, the suite modules it imports) for each collected module that has a test."""
        with_tests = {t.file for t in self.tests}
        shared: dict[tuple[str, ...], tuple[str, ...]] = {}
        out = []
        for path, targets in self.test_imports.items():
            shown = self.show(path)
            if targets and shown in with_tests:
                names = tuple(sorted(self.show(t) for t in targets))
                out.append((shown, shared.setdefault(names, names)))
        return tuple(sorted(out))

    def _prefetch(self) -> None:
        """Hand the loader every file the walk will probably read, in walk order."""
        rules = self._walk_rules()
        found = [path for arg in self.args for path in list_candidates(arg, rules)]
        self.loader.prefetch([(path, self.show(path)) for path in dict.fromkeys(found)])

    def _walk_rules(self) -> WalkRules:
        return WalkRules(
            norecursedirs=self.ini.norecursedirs,
            python_files=self.ini.python_files,
            ignore=self.ini.ignore,
            ignore_glob=(*self.ini.ignore_glob, *(str(self.ini.rootdir / g) for g in self.config.exclude)),
            follow_symlinks=self.config.follow_symlinks,
            doctest_globs=() if "doctest" in self.blocked else self.ini.doctest_globs,
        )

    # -- session-level definitions -------------------------------------------------------------

    def _next_session_order(self, group: int) -> tuple[int, int]:
        self.session_seq += 1
        return (group, self.session_seq)

    def _add_session_fixture(
        self, fixture_id: str, group: int, scope: Scope, file: str, line: int, **extra: Any
    ) -> None:
        name = fixture_id.rsplit("::", 1)[-1]
        kind = FixtureKind.BUILTIN if group == GROUP_BUILTIN else FixtureKind.PLUGIN
        self.fixtures.append(
            FixtureDef(
                id=fixture_id,
                name=name,
                func_name=name,
                kind=kind,
                holder=SESSION_NODE,
                order=self._next_session_order(group),
                scope=scope,
                file=file,
                line=line,
                registered_in=file,
                **extra,
            )
        )

    def _register_builtins_and_plugins(self) -> None:
        self.builtin_table = self._read_builtin_table()
        if self.builtin_table is None:
            for builtin in active_builtins(
                self.env.pytest_version, self.ini.plugins, self.ini.disabled_plugins
            ):
                self._add_builtin(builtin)
                self.builtins_loaded.add(builtin.plugin)
        else:
            for name in self.builtin_table.default:
                self._load_builtin(name)
        for extra in self.config.plugin_fixtures:
            self._add_session_fixture(
                f"plugin:config::{extra.name}",
                GROUP_ENTRY_POINT,
                extra.scope,
                "<config>",
                0,
                autouse=extra.autouse,
            )
        for name in self.ini.plugins:
            if self._is_builtin_plugin(name):
                self._load_builtin(name)
        if not self.config.scan_plugins:
            return
        for ep in self.env.entry_points:
            if ep.name in self.blocked or ep.module in self.blocked:
                continue
            self._load_plugin(
                ep.module, GROUP_ENTRY_POINT, origin=f"entry point {ep.name!r} of {ep.distribution}"
            )
        # ``-p NAME`` of a plugin already registered under that name (an entry point's name)
        # imports nothing more: pytest's import_plugin returns when get_plugin(NAME) exists.
        registered = {ep.name for ep in self.env.entry_points if ep.name not in self.blocked}
        for name in self.ini.plugins:
            if not self._is_builtin_plugin(name) and name not in registered:
                self._load_plugin(name, GROUP_ENTRY_POINT, origin="-p in addopts")

    # -- pytest's own plugins ------------------------------------------------------------------

    def _read_builtin_table(self) -> _BuiltinTable | None:
        """pytest's plugin lists from its installed ``_pytest/config/__init__.py``, if found.

        ``PytestPluginManager.import_plugin`` imports ``_pytest.<name>`` for every name in
        ``builtin_plugins``; ``default_plugins`` are the ones every session loads.
        """
        package = self.finder.find("_pytest")
        if package is None or package.name != "__init__.py":
            return None
        config = self.finder.submodule(package, "config")
        if config is None:
            return None
        try:
            data, st = read_source_stat(config, self.config.max_file_bytes)
        except SkippedFile:
            return None
        inputs.note_file(config, inputs.stat_key(st))
        table = extract_plugin_table(data)
        if table is None:
            return None
        return _BuiltinTable(
            package,
            table["essential_plugins"],
            table["default_plugins"],
            frozenset(table["builtin_plugins"]),
        )

    def _is_builtin_plugin(self, name: str) -> bool:
        if self.builtin_table is not None:
            return name in self.builtin_table.builtin
        return name in {b.plugin for b in fallback_builtins(None, None)}

    def _load_builtin(self, name: str) -> None:
        """Register the fixtures of pytest's plugin ``_pytest.<name>`` at the Session, once.

        ``-p no:NAME`` blocks it, except the essential plugins (pytest refuses to disable those).
        Without pytest's source, the hand-kept table of :mod:`fixture_graph.scan.builtins` is used.
        """
        if name in self.builtins_loaded:
            return
        table = self.builtin_table
        essential = table.essential if table is not None else ()
        if name in self.blocked and name not in essential:
            return
        self.builtins_loaded.add(name)
        if table is None:
            for builtin in fallback_builtins(self.env.pytest_version, name, self.blocked):
                self._add_builtin(builtin)
            return
        path = self.finder.submodule(table.package, name)
        if path is None or not self._may_define_fixtures(path):
            return
        base = table.package.parent.parent
        self.builtin_paths.add(path)
        self._shown.setdefault(path, _relative(path, base) or path.as_posix())
        self._register_holder(
            _Holder(path, SESSION_NODE, FixtureKind.BUILTIN, self._next_session_order(GROUP_BUILTIN)),
            id_prefix="builtin::",
        )
        self._register_class_plugins()

    def _may_define_fixtures(self, path: Path) -> bool:
        """False for a pytest module with no ``@...fixture`` decorator or ``fixture(`` call.

        Parsing pytest's large modules that define no fixture (python.py, terminal.py, main.py)
        would triple the cost of a small scan; every fixture in pytest 7 to 9.2 is spelled so.
        """
        try:
            data, st = read_source_stat(path, self.config.max_file_bytes)
        except SkippedFile:
            return True  # let the loader report it
        inputs.note_file(path, inputs.stat_key(st))
        return _FIXTURE_TEXT.search(data) is not None

    def _register_class_plugins(self) -> None:
        """Plugin classes pytest registers once another plugin is there (``legacypath``'s)."""
        table = self.builtin_table
        if table is None:
            return
        for module, cls, needs in CLASS_PLUGINS:
            key = (module, cls)
            if key in self.class_plugins_done or not {module, needs} <= self.builtins_loaded:
                continue
            self.class_plugins_done.add(key)
            path = self.finder.submodule(table.package, module)
            if path is None:
                continue
            ns = self.ns.module(path)
            ref = self.ns.class_ref(ns.get(cls, OTHER), path, ns)
            if ref is None:
                continue
            self._register_holder(
                _Holder(path, SESSION_NODE, FixtureKind.BUILTIN, self._next_session_order(GROUP_BUILTIN)),
                id_prefix="builtin::",
                ns=self.ns.class_attrs(ref),
            )

    def _add_builtin(self, builtin: Builtin) -> None:
        self._add_session_fixture(
            f"builtin::{builtin.name}",
            GROUP_BUILTIN,
            builtin.scope,
            builtin.file,
            builtin.line,
            argnames=builtin.argnames,
        )

    def _load_plugin(self, dotted: str, group: int, origin: str, importer: Path | None = None) -> None:
        """Register a plugin module, then the ones its ``pytest_plugins`` names, depth first.

        An explicit stack replays pytest's recursive import order, so a 10,000-long chain of
        plugins naming plugins cannot hit the recursion limit.
        """
        pending = [(dotted, group, origin, importer)]
        while pending:
            dotted, group, origin, importer = pending.pop()
            if self._is_builtin_plugin(dotted):
                # import_plugin: a builtin name means ``_pytest.<name>``, wherever it is named.
                self._load_builtin(dotted)
                continue
            if dotted in self.blocked:
                continue
            path = self.finder.find_from(importer, dotted) if importer else self.finder.find(dotted)
            if path is None:
                where = self.show(importer) if importer else "<environment>"
                self.issues.append(
                    Issue(
                        where,
                        0,
                        "plugin-not-found",
                        f"plugin module {dotted!r} ({origin}) not found; its fixtures are unknown",
                    )
                )
                continue
            if path in self.plugin_modules:
                continue
            self.plugin_modules[path] = None
            self.loaded_plugins.add(dotted)
            if not self._is_local(path) and is_file(path.parent / "__init__.py"):
                # Imports inside an installed plugin's own top-level package are followed too.
                base = basedir(path)
                self.plugin_roots.add(base / path.relative_to(base).parts[0])
            self._followable_memo.clear()  # both sets _followable reads may have grown
            record = self._read(path)
            if record is None:
                continue
            local = path.is_relative_to(self.rootdir)
            prefix = f"{self.show(path)}::" if local else f"plugin:{dotted}::"
            self._register_holder(
                _Holder(path, SESSION_NODE, FixtureKind.PLUGIN, self._next_session_order(group)),
                id_prefix=prefix,
            )
            origin = f"pytest_plugins of {self.show(path)}"
            pending.extend((sub, GROUP_PLUGIN, origin, path) for sub in reversed(record.pytest_plugins))

    def _import_fails(self, record: ModuleRecord) -> bool:
        """pytest 9 refuses marks on fixtures when the module is imported (a collection error)."""
        if parse_version(self.env.pytest_version) < (9, 0):
            return False
        return any(i.code == "mark-on-fixture" for i in record.issues)

    # -- conftests -----------------------------------------------------------------------------

    def _in_confcutdir(self, directory: Path) -> bool:
        return self.confcutdir is None or directory not in self.confcutdir.parents

    def _load_conftests_for(self, path: Path, *, initial: bool) -> bool:
        """Load the conftests from confcutdir down to ``path``; False if one failed."""
        if self.config.noconftest or self.ini.noconftest:
            return True
        directory = path if inputs.is_dir(path) else path.parent
        ok = True
        for parent in reversed((directory, *directory.parents)):
            if self._in_confcutdir(parent):
                ok = self._load_conftest(parent / "conftest.py", initial=initial) and ok
        return ok

    def _load_conftest(self, conftest: Path, *, initial: bool) -> bool:
        if conftest in self.conftests:
            return conftest.parent not in self.failed_dirs
        if not is_file(conftest):
            return True
        self.conftests[conftest] = initial
        record = self._import_module(conftest)
        if record is None or not record.parsed or self._import_fails(record):
            self.failed_dirs.add(conftest.parent)
            return False
        if record.module_skips and self._module_skip(record) is None:
            # A conftest that skips itself at import: pytest skips its folder (collection
            # reports it as skipped); an initial conftest stops pytest with the Skipped error.
            self.failed_dirs.add(conftest.parent)
            if initial:
                message = "this conftest skips itself at import: pytest stops with Skipped"
                self.issues.append(Issue(self.show(conftest), 0, "conftest-skipped", message, True))
            return False
        if record.pytest_plugins:
            is_root = conftest.parent == self.rootdir or conftest.parent in self.rootdir.parents
            if not initial and not is_root:
                message = (
                    "Defining 'pytest_plugins' in a non-top-level conftest is no longer supported: "
                    "this directory fails to collect"
                )
                self.issues.append(
                    Issue(self.show(conftest), record.pytest_plugins_line, "pytest-plugins-non-root", message)
                )
                self.failed_dirs.add(conftest.parent)
                return False
            for plugin in record.pytest_plugins:
                self._load_plugin(
                    plugin, GROUP_PLUGIN, origin=f"pytest_plugins of {self.show(conftest)}", importer=conftest
                )
        return True

    def _load_initial_conftests(self) -> None:
        for arg in self.args:
            self._load_conftests_for(arg, initial=True)
            if inputs.is_dir(arg):
                for sub in inputs.glob(arg, "test*"):
                    if inputs.is_dir(sub):
                        self._load_conftests_for(sub, initial=True)

    def _register_conftest_fixtures(self) -> None:
        """Register conftest fixtures; ordering at the Session puts the rootdir conftest last."""
        for conftest in self.conftests:
            if conftest.parent in self.failed_dirs:
                continue
            directory = conftest.parent
            if directory == self.rootdir:
                holder = _Holder(conftest, SESSION_NODE, FixtureKind.CONFTEST, (GROUP_ROOT, 0))
            elif directory in self.rootdir.parents:
                depth = len(directory.parts)
                holder = _Holder(conftest, SESSION_NODE, FixtureKind.CONFTEST, (GROUP_ABOVE_ROOT, depth))
            else:
                holder = _Holder(conftest, self.show(directory), FixtureKind.CONFTEST, (0, 0))
            self._register_holder(holder, id_prefix=f"{self.show(conftest)}::")

    # -- collection ----------------------------------------------------------------------------

    def _collect_arg(self, arg: Path, parts: tuple[str, ...] = ()) -> None:
        """Collect one argument: a directory, a file, or a node id (``file::Class::test``).

        As pytest, a module reached through several arguments (``tests tests/test_a.py``) is
        collected once, its tests being the union of what the arguments select.
        """
        if not inputs.exists(arg):
            self.issues.append(Issue(self.show(arg), 0, "not-found", "path does not exist", True))
            return
        if inputs.is_file(arg):
            known = arg in self._module_filter
            self._select_in(arg, "::".join((self.show(arg), *parts)) if parts else None)
            if not known and self._load_conftests_for(arg, initial=True):
                self._collect_module(arg)
            return
        if parts:
            message = f"directory argument cannot contain :: selection parts: {'::'.join(parts)}"
            self.issues.append(Issue(self.show(arg), 0, "not-found", message, True))
            return
        for module in walk(arg, self._walk_rules(), self._enter_dir, self.issues.append, self.show):
            known = module in self._module_filter
            self._select_in(module, None)
            if not known:
                self._collect_module(module)

    def _select_in(self, module: Path, selected: str | None) -> None:
        """Note that ``module`` is selected whole (None) or down to node id ``selected``."""
        if module not in self._module_filter:
            self._module_filter[module] = None if selected is None else {selected}
            return
        current = self._module_filter[module]
        if current is not None:
            if selected is None:
                self._module_filter[module] = None
            else:
                current.add(selected)

    def _enter_dir(self, directory: Path) -> tuple[tuple[Path, ...], tuple[str, ...]] | None:
        if not self._load_conftests_for(directory, initial=False):
            return None
        return self._collect_ignores(directory)

    def _collect_ignores(self, directory: Path) -> tuple[tuple[Path, ...], tuple[str, ...]]:
        """The ``collect_ignore`` paths and ``collect_ignore_glob`` patterns for entries of ``directory``.

        pytest's ``Config._getconftest_pathlist`` (``_pytest/config/__init__.py``): each name is
        taken from the *closest* loaded conftest of ``directory`` (or above it) that defines it,
        not accumulated, and its entries are relative to that conftest's folder. Memoized per
        folder (a folder's ancestors have loaded their conftests before it is entered).
        """
        chain: list[Path] = []
        current = directory
        while current not in self._ignores:
            chain.append(current)
            if current.parent == current:
                break
            current = current.parent
        above = self._ignores.get(current, (None, None))
        for folder in reversed(chain):
            own = self._own_ignores(folder)
            above = (own[0] if own[0] is not None else above[0], own[1] if own[1] is not None else above[1])
            self._ignores[folder] = above
        return above[0] or (), above[1] or ()

    def _own_ignores(self, folder: Path) -> tuple[tuple[Path, ...] | None, tuple[str, ...] | None]:
        """What the conftest of ``folder`` defines (None for a name it does not define)."""
        conftest = folder / "conftest.py"
        record = self.records.get(conftest)
        if conftest not in self.conftests or folder in self.failed_dirs or record is None:
            return None, None
        names = {b.name for b in record.body}
        guarded: dict[str, list[str]] = {"path": [], "glob": []}
        for kind, value, guards in record.guarded_ignores:
            # An entry added under a guard counts unless the guard is decided false.
            if self.ns.decide(guards) is not None:
                guarded[kind].append(value)
        paths = globs = None
        if "collect_ignore" in names:
            entries = (*record.collect_ignore, *guarded["path"])
            paths = tuple(inputs.resolve(folder / p) for p in entries)
        if "collect_ignore_glob" in names:
            entries = (*record.collect_ignore_glob, *guarded["glob"])
            globs = tuple(os.path.abspath(folder / g) for g in entries)
        return paths, globs

    def _collect_doctest_file(self, path: Path) -> None:
        """A doctest text file: one item, named after the file, when it holds an example.

        pytest's doctest plugin (``DoctestTextfile.collect``) yields a ``DoctestItem`` for the
        file's examples; the item requests no arguments, so its closure is the autouse fixtures
        (and ini ``usefixtures``) visible from the file's directory.
        """
        try:
            data, st = read_source_stat(path, self.config.max_file_bytes)
        except SkippedFile:
            inputs.note_file(path, inputs.UNTRUSTED)
            return
        inputs.note_file(path, inputs.stat_key(st))
        if not _DOCTEST_EXAMPLE.search(data):
            return
        node = self.show(path)
        ancestors = self._ancestors(path)
        item = TestItem(nodeid=f"{node}::{path.name}", name=path.name, file=node, line=1, ancestors=ancestors)
        self.tests.append(item)
        chain = tuple(a.rsplit("/", 1)[-1] for a in ancestors[1:])
        self._selectable.append(
            _Selectable(
                module=path, marks=(), chain=chain, name=path.name, param_marks=False, generates=False
            )
        )

    def _collect_module(self, path: Path) -> None:
        try:
            self._collect_module_items(path)
        finally:
            if path not in self.conftests and path not in self.plugin_modules:
                self._retire(path)

    def _retire(self, path: Path) -> None:
        """Drop a collected test module's record and namespace, keeping what the end of the scan
        reads (its suppressions); they hold most of a scan's memory. Anything that imports the
        module later reads it again (from the cache)."""
        record = self.records.pop(path, None)
        if record is None:
            return
        self._retired[path] = record.suppressions
        self.ns.forget(path)

    def _collect_module_items(self, path: Path) -> None:
        if path.suffix != ".py":
            self._collect_doctest_file(path)
            return
        if not self._room(len(self.tests), self.config.max_tests, "max-tests", path):
            return
        record = self._import_module(path)
        if record is None or not record.parsed or self._import_fails(record):
            return
        if self.config.test_imports:
            self.test_imports[path] = self.local_imports.closure(path, record)
        conditions = self._module_skip(record)
        if conditions is None:
            return
        node = self.show(path)
        if record.pytest_plugins:
            for plugin in record.pytest_plugins:
                self._load_plugin(plugin, GROUP_PLUGIN, origin=f"pytest_plugins of {node}", importer=path)
        first_fixture = len(self.fixtures)
        ns = self.ns.module(path)
        self._register_xunit_module(path, node, record)
        self._register_holder(_Holder(path, node, FixtureKind.MODULE, (0, 0)), id_prefix=f"{node}::", ns=ns)
        if conditions:
            self._module_conditions[path] = conditions
        ancestors = self._ancestors(path)
        module_marks = self.ns.resolve_marks(record.marks, path, ns).located(node)
        hooks = (*self._visible_hooks(path.parent), *_hook_calls(ns))
        for attr, value in ns.items():
            if value.kind == "func" and value.func is not None and self._is_test_name(attr):
                home = ns if value.file in (None, path) else self.ns.module(value.file)
                marks = self.ns.resolve_marks(value.func.marks, value.file or path, home)
                unread = self.ns.unresolved_refs(value.func.marks, value.file or path, home)
                self._add_test(
                    path, attr, value, value.func, ancestors, marks.extended(module_marks), hooks, unread
                )
            else:
                ref = self.ns.class_ref(value, path, ns)
                if ref is not None:
                    self._collect_class(path, attr, ref, ancestors, (module_marks, hooks), ())
        if conditions:
            # The module's own fixtures (and its classes') exist only when it is not skipped.
            for index in range(first_fixture, len(self.fixtures)):
                fixture = self.fixtures[index]
                guards = tuple(dict.fromkeys((*fixture.guards, *conditions)))
                self.fixtures[index] = dataclasses.replace(fixture, conditional=True, guards=guards)

    def _module_skip(self, record: ModuleRecord) -> tuple[str, ...] | None:
        """None when the module surely skips itself at import; else the conditions under which
        it does not (empty when it never does).

        ``pytest.skip(..., allow_module_level=True)`` always skips when it runs;
        ``pytest.importorskip("pkg")`` when ``pkg`` cannot be imported in the target environment
        (a ``minversion`` or a computed name is not decided). Guards around the call are decided
        like any other (``--env``, import probes); undecided ones leave the module conditional.
        """
        conditions: list[str] = []
        for skip in record.module_skips:
            texts = self.ns.decide(skip.guards)
            if texts is None:  # the call sits in a branch that does not run
                continue
            fires: bool | None
            if skip.kind == "skip":
                fires = True
            elif skip.module is None:
                fires = None
            elif not self._importable(skip.module):
                fires = True
            else:
                fires = None if skip.minversion else False
            if fires is False:
                continue
            if fires and not texts:
                return None
            when = f" when {' and '.join(texts)}" if texts else ""
            conditions.append(f"module not skipped by {skip.text}{when}")
        return tuple(conditions)

    def _ancestors(self, path: Path) -> tuple[str, ...]:
        chain = [SESSION_NODE]
        rel = _relative(path.parent, self.rootdir)
        if rel is not None:
            parts = () if rel == "." else rel.split("/")
            chain.extend("/".join(parts[: i + 1]) for i in range(len(parts)))
        else:
            chain.append(self.show(path.parent))
        chain.append(self.show(path))
        return tuple(chain)

    def _is_test_name(self, name: str) -> bool:
        return _matches_prefix_or_glob(name, self.ini.python_functions)

    def _collect_class(
        self,
        path: Path,
        attr: str,
        ref: ClassRef,
        ancestors: tuple[str, ...],
        outer: tuple[Marks, tuple[HookParametrize, ...]],
        outer_names: tuple[str, ...],
        enclosing: tuple[ClassRef, ...] = (),
    ) -> None:
        """Collect a test class; ``outer`` holds the marks and generate-tests hooks around it."""
        outer_marks, outer_hooks = outer
        if any(outer.cls is ref.cls for outer in enclosing) or len(enclosing) >= MAX_CLASS_NESTING:
            # A class attribute naming an enclosing class (``TestInner = TestA`` in a second
            # ``class TestA``) would nest forever in a static reading; stop and say so.
            message = f"class {attr!r} nests an enclosing class or is nested too deep; not collected"
            self.issues.append(Issue(self.show(path), ref.cls.line, "class-not-collected", message))
            return
        mro = self.ns.mro(ref)
        is_unittest = self._is_unittest(mro)
        if not is_unittest and not _matches_prefix_or_glob(attr, self.ini.python_classes):
            return
        if ref.cls.test_false:
            return
        attrs = self.ns.class_attrs(ref)
        constructor = next((n for n in ("__init__", "__new__") if attrs.get(n, OTHER).kind == "func"), None)
        if constructor and not is_unittest:
            message = f"cannot collect test class {attr!r} because it has a {constructor} constructor"
            self.issues.append(Issue(self.show(path), ref.cls.line, "class-not-collected", message))
            return
        node = f"{ancestors[-1]}::{attr}"
        self._class_nodes.add(node)
        chain = (*ancestors, node)
        # pytest names xunit shims after the class's __qualname__, not the attribute it is bound to
        # (urllib3 imports ``TestSSL as TestSocketSSL``).
        qualname = (*outer_names, ref.cls.name)
        self._register_xunit_class(path, node, ".".join(qualname), attrs, is_unittest)
        self._register_holder(_Holder(path, node, FixtureKind.CLASS, (0, 0)), id_prefix=f"{node}::", ns=attrs)
        # Marks reach the item through inheritance: the class's own, then its bases', then the
        # enclosing classes' and the module's (pytest's iter_markers walks the node chain).
        class_marks = Marks()
        for klass in mro:
            class_marks = class_marks.extended(
                self.ns.resolve_marks(klass.cls.marks, klass.file, attrs, klass.outer)
            )
        scope_marks = class_marks.located(node).extended(outer_marks)
        hooks = (*outer_hooks, *_hook_calls(attrs))
        if "pytest_generate_tests" in attrs:
            self._class_generates.add(node)
        for name in sorted(attrs) if is_unittest else attrs:
            member = attrs[name]
            if member.kind == "func" and member.func is not None:
                if name.startswith("test") if is_unittest else self._is_test_name(name):
                    home = self.ns.module(member.file) if member.file not in (None, ref.file) else ref.outer
                    own = self.ns.resolve_marks(member.func.marks, member.file or path, attrs, home)
                    unread = self.ns.unresolved_refs(member.func.marks, member.file or path, attrs, home)
                    marks = own.extended(scope_marks)
                    self._add_test(
                        path, name, member, member.func, chain, marks, hooks, unread, is_unittest=is_unittest
                    )
            elif not is_unittest:
                inner = self.ns.class_ref(member, ref.file, ref.outer)
                if inner is not None:
                    outer = (scope_marks, outer_hooks)
                    self._collect_class(path, name, inner, chain, outer, qualname, (*enclosing, ref))

    def _is_unittest(self, mro: list[ClassRef]) -> bool:
        """True when a base we cannot read looks like ``unittest.TestCase`` (or a known subclass).

        A base that resolves to a class in the scanned code is not judged by its name (urllib3's
        ``HypercornDummyServerTestCase`` is a plain class): its own bases are in ``mro``.
        """
        for klass in mro:
            for raw, qualified in zip(klass.cls.bases, klass.cls.qualified_bases, strict=False):
                value = self.ns.lookup_dotted(klass.file, klass.outer, raw)
                if self.ns.class_ref(value, klass.file, klass.outer) is not None:
                    continue
                if _is_unittest_base(qualified):
                    return True
        return False

    def _add_test(
        self,
        path: Path,
        name: str,
        value: Value,
        func: FuncInfo,
        ancestors: tuple[str, ...],
        marks: Marks,
        hooks: tuple[HookParametrize, ...] = (),
        unread: tuple[str, ...] = (),
        *,
        is_unittest: bool = False,
    ) -> None:
        """Register one test function; ``marks`` are all that reach it, closest first, and
        ``hooks`` the ``metafunc.parametrize`` calls of the generate-tests hooks it sees."""
        nodeid = f"{ancestors[-1]}::{name}"
        marks = marks.located(nodeid)
        added = () if is_unittest else self._mark_fixtures(func, marks.names)
        usefixtures = (*marks.usefixtures, *added) if added else marks.usefixtures
        # Where each mark sits; "" for the names a plugin adds for one of its marks.
        usefixtures_at = (*marks.usefixtures_at, *("",) * len(added))  # placed above
        direct: list[str] = []
        params: list[str] = []
        dynamic = list(func.getfixturevalue)
        cases: int | None = 1
        for mark in marks.parametrize:
            cases = None if cases is None or mark.cases is None else cases * max(mark.cases, 1)
            direct.extend(n for n in mark.argnames if n not in mark.indirect)
            params.extend(n for n in mark.argnames if n not in mark.indirect)
            # getfixturevalue(name) with name parametrized by string literals requests each.
            dynamic.extend(v for n, values in mark.values if n in func.getfixturevalue_of for v in values)
            dynamic.extend(mark.lazy)  # lf("db") in the values: a use the plugin makes at setup
        if not self._room(len(self.tests), self.config.max_tests, "max-tests", path):
            return
        module_conditions = self._module_conditions.get(path, ())
        guards: tuple[str, ...] = ()
        if module_conditions or value.guards:
            guards = tuple(dict.fromkeys((*value.guards, *module_conditions)))
        mark_names = marks.names
        chain = self._chains.get(ancestors)
        if chain is None:  # the tests of one module or class share it
            chain = self._chains[ancestors] = tuple(
                a.rsplit("::", 1)[-1] if "::" in a else a.rsplit("/", 1)[-1] for a in ancestors[1:]
            )
        module_generates, module_param_marks = self._module_facts(path)
        own = value.file is None or value.file is path
        file = self._shown_module if own else self.show(value.file or path)
        self._selectable.append(
            _Selectable(
                module=path,
                marks=mark_names,
                chain=chain,
                name=name,
                param_marks=module_param_marks
                or (value.file is not None and value.file is not path and self._param_marks(value.file)),
                generates=module_generates or ancestors[-1] in self._class_generates,
            )
        )
        self.tests.append(
            TestItem(
                nodeid=nodeid,
                name=name,
                file=file,
                line=func.line,
                ancestors=ancestors,
                argnames=() if is_unittest else func.argnames,
                usefixtures=usefixtures,
                usefixtures_at=usefixtures_at,
                direct_params=tuple(dict.fromkeys(direct)) if direct else (),
                xdist_group="xdist_group" in mark_names,
                param_names=tuple(dict.fromkeys(params)) if params else (),
                dynamic_deps=tuple(dict.fromkeys(dynamic)) if dynamic else (),
                conditional=bool(guards),
                guards=guards,
                is_unittest=is_unittest,
                suppress=func.suppress,
                body_hash=func.body_hash,
                generated=hooks,
                unread_decorators=unread,
                param_cases=cases,
                marked_params=tuple(dict.fromkeys(n for m in marks.parametrize for n in m.argnames)),
                unread_mask=0 if is_unittest else func.unread_mask,
            )
        )

    def _visible_hooks(self, directory: Path) -> tuple[HookParametrize, ...]:
        """The ``metafunc.parametrize`` calls of the ``pytest_generate_tests`` hooks pytest calls
        for a test module in ``directory``: global plugins', then those of the conftests from the
        rootdir (or above it) down to ``directory``."""
        key = (directory, len(self.plugin_modules), len(self.conftests))
        found = self._hooks_memo.get(key)
        if found is None:
            calls: list[HookParametrize] = []
            for plugin in self.plugin_modules:
                calls.extend(_hook_calls(self.ns.module(plugin)))
            for conftest in self.conftests:
                where = conftest.parent
                if where in self.failed_dirs or not (where == directory or where in directory.parents):
                    continue
                calls.extend(_hook_calls(self.ns.module(conftest)))
            found = self._hooks_memo[key] = tuple(calls)
        return found

    def _module_facts(self, path: Path) -> tuple[bool, bool]:
        """(has a ``pytest_generate_tests``, has ``pytest.param(marks=)``) for the module being
        collected, asked once per module rather than once per test."""
        last = self._last_module
        if last is None or last[0] is not path:
            self._shown_module = self.show(path)
            last = self._last_module = (
                path,
                "pytest_generate_tests" in self.ns.module(path),
                self._param_marks(path),
            )
        return last[1], last[2]

    def _param_marks(self, path: Path) -> bool:
        record = self.records.get(path)
        return record is not None and record.param_marks

    # -- selection -----------------------------------------------------------------------------

    def _keep_tests(self, keep: list[bool]) -> None:
        self.tests = [t for t, k in zip(self.tests, keep, strict=True) if k]
        self._selectable = [t for t, k in zip(self._selectable, keep, strict=True) if k]

    def _apply_node_selection(self) -> None:
        """Keep only what node-id arguments select (``file::Class``, ``file::test_f[1]``).

        pytest collects such a module, then only the matching class or function (a
        parametrization id selects its function here, which stands for all its cases): the
        other classes of the module are never collected, so their fixtures do not exist.
        """
        filters = {self.show(m): f for m, f in self._module_filter.items() if f is not None}
        if not filters:
            return
        wanted = {m: {_strip_id(p) for p in f} for m, f in filters.items()}
        found: set[str] = set()
        keep: list[bool] = []
        for test, info in zip(self.tests, self._selectable, strict=True):
            prefixes = wanted.get(self.show(info.module))
            hit = [p for p in prefixes if _within(test.nodeid, p)] if prefixes is not None else [""]
            found.update(hit)
            keep.append(bool(hit))
        self._keep_tests(keep)
        found.update(p for ps in wanted.values() for p in ps if p in self._class_nodes)
        for module, selected in filters.items():
            for text in sorted(selected):
                if _strip_id(text) not in found:
                    self.issues.append(Issue(module, 0, "not-found", f"not found: {text}", True))

        def collected(fixture: FixtureDef) -> bool:
            module, sep, _ = fixture.holder.partition("::")
            if not sep or module not in wanted:
                return True
            return any(_within(fixture.holder, p) or _within(p, fixture.holder) for p in wanted[module])

        self.fixtures = [f for f in self.fixtures if collected(f)]

    def _deselect(self) -> None:
        """Apply ``-m`` and ``-k`` as pytest's ``deselect_by_mark``/``deselect_by_keyword`` do.

        A deselected test is dropped (pytest removes it from ``session.items``, so it requests
        nothing). Where the answer depends on what cannot be seen statically (marks given to
        ``pytest.param`` cases, parametrization ids, mark arguments), the test is kept and
        marked conditional with the reason.
        """
        markexpr = self.config.markexpr if self.config.markexpr is not None else self.ini.markexpr
        keyword = self.config.keyword if self.config.keyword is not None else self.ini.keyword
        mark = self._expression("-m", markexpr)
        word = self._expression("-k", keyword.lstrip() if keyword else keyword)
        if mark is None and word is None:
            return
        fixture_ids = self._may_parametrize_names() if word is not None else frozenset()
        # A pytest_generate_tests hook in a conftest or plugin may parametrize any test.
        hooks = [self.records.get(p) for p in (*self.conftests, *self.plugin_modules)]
        generates = any(r is not None and _defines(r, "pytest_generate_tests") for r in hooks)
        keep: list[bool] = []
        for index, (test, info) in enumerate(zip(self.tests, self._selectable, strict=True)):
            reasons: list[str] = []
            selected = True
            parametrized = "parametrize" in info.marks or info.generates or generates
            if mark is not None:
                cases = parametrized and info.param_marks
                verdict = mark.evaluate(mark_matcher(info.marks, open_ended=cases))
                selected = verdict is not False
                if verdict is None:
                    reasons.append(f"-m {mark.text!r} (marks of its cases or their arguments are not known)")
            if selected and word is not None:
                ids = parametrized or any(n in fixture_ids for n in (*test.argnames, *test.usefixtures))
                verdict = word.evaluate(keyword_matcher(info.names, open_ended=ids or self._autouse_ids))
                selected = verdict is not False
                if verdict is None:
                    reasons.append(f"-k {word.text!r} (parametrization ids are not known statically)")
            keep.append(selected)
            if selected and reasons:
                guards = tuple(dict.fromkeys((*test.guards, *reasons)))
                self.tests[index] = dataclasses.replace(test, conditional=True, guards=guards)
        dropped = keep.count(False)
        self._keep_tests(keep)
        if dropped:
            where = self._option_source(self.config.markexpr is None and self.config.keyword is None)
            given = " and ".join(f"{o} {e.text!r}" for o, e in (("-m", mark), ("-k", word)) if e is not None)
            message = f"{dropped} of {dropped + len(self.tests)} tests deselected by {given}"
            self.issues.append(Issue(where, 0, "deselected", message))

    def _expression(self, option: str, text: str | None) -> Expression | None:
        """The compiled expression, or None when there is none; a bad one is a fatal issue."""
        if not text:
            return None
        try:
            expression = compile_expression(text)
        except ExpressionError as exc:
            message = f"Wrong expression passed to '{option}': {exc}; no test is deselected"
        else:
            if option == "-m" or not expression.has_kwargs():
                return expression
            message = "Keyword expressions do not support call parameters; no test is deselected"
        given = self.config.markexpr if option == "-m" else self.config.keyword
        self.issues.append(Issue(self._option_source(given is None), 0, "bad-expression", message, True))
        return None

    def _option_source(self, from_ini: bool) -> str:
        """Where an option came from, for an issue: the ini file (``addopts``) or the command line."""
        return self.show(self.ini.inifile) if from_ini and self.ini.inifile else "<command line>"

    def _may_parametrize_names(self) -> frozenset[str]:
        """Fixture names whose request may add parametrization ids to a test's name.

        An over-approximation by name (any definition, visible or not): a fixture with
        ``params``, or one requesting such a name. ``self._autouse_ids`` says an autouse
        fixture is among them (it may parametrize every test).
        """
        by_name: dict[str, list[FixtureDef]] = {}
        for fixture in self.fixtures:
            by_name.setdefault(fixture.name, []).append(fixture)
        found = {f.name for f in self.fixtures if f.params is not None or f.param_count}
        changed = True
        while changed:
            changed = False
            for name, defs in by_name.items():
                if name not in found and any(a in found for d in defs for a in d.argnames):
                    found.add(name)
                    changed = True
        self._autouse_ids = any(f.autouse and f.name in found for f in self.fixtures) or any(
            n in found for n in self.ini.usefixtures
        )
        return frozenset(found)

    def _active_plugins(self) -> tuple[plugins.Plugin, ...]:
        """:func:`plugins.active` for the plugins loaded so far (only ever added: memoized by count)."""
        count = len(self.loaded_plugins)
        if self._active_memo is None or self._active_memo[0] != count:
            self._active_memo = (count, plugins.active(self.loaded_plugins))
        return self._active_memo[1]

    def _mark_fixtures(self, func: FuncInfo, mark_names: tuple[str, ...]) -> tuple[str, ...]:
        """Fixtures an active plugin adds to this test for its marks (anyio's ``anyio_backend``).

        anyio's ``pytest_pycollect_makeitem``: a coroutine test function whose own marks, class
        or module carry the mark (or every coroutine test in auto mode) gets
        ``usefixtures("anyio_backend")``.
        """
        out: list[str] = []
        for plugin in self._active_plugins():
            for rule in plugin.mark_fixtures:
                if rule.coroutines_only and not func.is_async:
                    continue
                marked = rule.mark in mark_names
                if marked or (rule.auto is not None and rule.auto.on(self.plugin_values)):
                    out.extend(rule.fixtures)
        return tuple(out)

    def _loop_scope(self, spec: FixtureSpec, func: FuncInfo, scope: Scope) -> tuple[str, str] | None:
        """The event-loop scope an async plugin runs this fixture in, and where it comes from.

        A plugin's own decorator counts whether or not the plugin was scanned (the module imports
        it); auto mode (every ``async def`` fixture) only when the plugin is loaded.
        """
        active = self._active_plugins()
        for plugin in plugins.PLUGINS:
            own = spec.decorator in plugin.fixture_decorators
            if not own and plugin not in active:
                continue
            found = plugins.loop_scope(
                plugin,
                explicit=spec.loop_scope,
                own_decorator=own,
                is_async=func.is_async,
                scope=scope,
                values=self.plugin_values,
            )
            if found is not None:
                return found
        return None

    # -- registration --------------------------------------------------------------------------

    def _room(self, count: int, limit: int, setting: str, path: Path) -> bool:
        """False once ``count`` reached ``limit``; the first refusal is an issue naming the setting.

        The limits bound memory on a hostile or runaway tree: the report says it is incomplete
        (a fatal issue, exit 3) instead of growing without bound.
        """
        if count < limit:
            return True
        code = f"too-many-{setting.removeprefix('max-')}"
        if code not in self.limits_hit:
            self.limits_hit.add(code)
            what = setting.removeprefix("max-")
            message = f"more than {limit} {what}: the rest are not collected (raise {setting})"
            self.issues.append(Issue(self.show(path), 0, code, message, True))
        return False

    def _register_holder(self, holder: _Holder, *, id_prefix: str, ns: Namespace | None = None) -> None:
        """Register each fixture attribute of ``holder``, in ``dir()`` (alphabetical) order."""
        namespace = ns if ns is not None else self.ns.module(holder.path)
        taken: set[str] = set()
        seq = 0
        for attr in sorted(namespace):
            value = namespace[attr]
            if value.kind == "opaque" and value.origin:
                name = OPAQUE_STAR if attr.startswith(OPAQUE_STAR) else attr
                self.opaque.add(OpaqueImport(holder.node, name, value.origin, self.show(holder.path)))
                continue
            if value.kind != "fixture" or value.func is None or value.spec is None:
                continue
            spec, func = value.spec, value.func
            guards = value.guards
            if spec.exprs:
                spec, undecided = self._decide_spec(spec)
                if undecided is None:
                    continue  # name= decided to nothing pytest would register
                guards = (*guards, *undecided)
            name = spec.name or attr
            if name == "request":
                self.issues.append(
                    Issue(
                        self.show(value.file or holder.path),
                        func.line,
                        "reserved-name",
                        "'request' is a reserved word for fixtures",
                    )
                )
                continue
            scope = Scope.parse(spec.scope)
            if scope is None:
                self.issues.append(
                    Issue(
                        self.show(value.file or holder.path),
                        func.line,
                        "invalid-scope",
                        f"Fixture '{func.name}' got an unexpected scope value '{spec.scope}'",
                    )
                )
                scope = Scope.FUNCTION
            fixture_id = f"{id_prefix}{name}"
            if fixture_id in taken:
                fixture_id = f"{id_prefix}{name}[{attr}]"
            taken.add(fixture_id)
            seq += 1
            # Within one holder, dir() order; Session holders keep their load order first.
            order = (holder.order[0], holder.order[1] * 100000 + seq)
            if not self._room(len(self.fixtures), self.config.max_fixtures, "max-fixtures", holder.path):
                return
            loop = self._loop_scope(spec, func, scope)
            self.fixtures.append(
                FixtureDef(
                    id=fixture_id,
                    name=name,
                    func_name=func.name,
                    kind=holder.kind,
                    holder=holder.node,
                    order=order,
                    scope=scope,
                    file=self.show(value.file or holder.path),
                    line=func.line,
                    registered_in=self.show(holder.path),
                    argnames=func.argnames,
                    scope_source=spec.scope_source,
                    autouse=spec.autouse,
                    params=spec.params,
                    param_count=spec.param_count,
                    ids=spec.ids,
                    is_yield=func.is_yield,
                    is_async=func.is_async,
                    dynamic_deps=tuple(
                        dict.fromkeys(
                            (
                                *func.getfixturevalue,
                                *(spec.param_strings if "request.param" in func.getfixturevalue_of else ()),
                                *spec.lazy,
                            )
                        )
                    ),
                    impact=func.impact,
                    impact_description=func.impact_description,
                    conditional=bool(guards),
                    guards=guards,
                    docstring=func.docstring,
                    loop_scope=loop[0] if loop else None,
                    loop_scope_source=loop[1] if loop else None,
                    suppress=func.suppress,
                    body_hash=func.body_hash,
                    unread_mask=func.unread_mask,
                    shape_hash=func.shape_hash,
                    constant=func.constant,
                    redefines=func.redefines,
                )
            )

    def _decide_spec(self, spec: FixtureSpec) -> tuple[FixtureSpec, tuple[str, ...] | None]:
        """``spec`` with its expression keywords decided for the target environment.

        Returns the spec and the texts of the keywords left undecided (they make the fixture
        conditional: an undecided ``autouse=`` stays autouse, an undecided ``scope=`` stays
        "dynamic"), or None as the second item when ``name=`` decided to a non-string.
        """
        changes: dict[str, object] = {}
        undecided: list[str] = []
        for keyword, expr, text in spec.exprs:
            decided, value = self.ns.value_of(expr)
            if not decided:
                undecided.append(f"{keyword}={text}")
                continue
            if keyword == "autouse":
                changes["autouse"] = bool(value)
            elif keyword == "scope" and isinstance(value, str):
                changes.update(scope=value, scope_source=None)
            elif keyword == "name":
                if not isinstance(value, str):
                    return spec, None
                changes.update(name=value, name_source=None)
            elif keyword == "params" and isinstance(value, tuple):
                changes["param_count"] = len(value)
            elif keyword == "loop_scope" and isinstance(value, str):
                changes["loop_scope"] = value
        return dataclasses.replace(spec, exprs=(), **changes), tuple(undecided)  # type: ignore[arg-type]

    def _xunit(self, path: Path, node: str, name: str, scope: Scope, seq: int) -> None:
        if not self._room(len(self.fixtures), self.config.max_fixtures, "max-fixtures", path):
            return
        self.fixtures.append(
            FixtureDef(
                id=f"{node}::{name}",
                name=name,
                func_name=name,
                kind=FixtureKind.XUNIT,
                holder=node,
                order=(-1, seq),
                scope=scope,
                file=self.show(path),
                line=0,
                registered_in=self.show(path),
                argnames=("request",),
                autouse=True,
            )
        )

    def _register_xunit_module(self, path: Path, node: str, record: ModuleRecord) -> None:
        if record.defines & {"setUpModule", "setup_module", "tearDownModule", "teardown_module"}:
            self._xunit(path, node, f"_xunit_setup_module_fixture_{module_name(path)}", Scope.MODULE, 0)
        if record.defines & {"setup_function", "teardown_function"}:
            self._xunit(path, node, f"_xunit_setup_function_fixture_{module_name(path)}", Scope.FUNCTION, 1)

    def _register_xunit_class(
        self, path: Path, node: str, qualname: str, attrs: Namespace, is_unittest: bool
    ) -> None:
        defined = {n for n, v in attrs.items() if v.kind == "func"}
        if is_unittest:
            if defined & {"setup_method", "teardown_method"}:
                self._xunit(path, node, f"_unittest_setup_method_fixture_{qualname}", Scope.FUNCTION, 0)
            self._xunit(path, node, f"_unittest_setUpClass_fixture_{qualname}", Scope.CLASS, 1)
        if defined & {"setup_class", "teardown_class"}:
            self._xunit(path, node, f"_xunit_setup_class_fixture_{qualname}", Scope.CLASS, 2)
        if not is_unittest and defined & {"setup_method", "teardown_method"}:
            self._xunit(path, node, f"_xunit_setup_method_fixture_{qualname}", Scope.FUNCTION, 3)


class _CompleteEnv(Mapping[str, "str | None"]):
    """``--env`` as the whole environment: a variable it does not name is unset, or taken from
    ``fallback`` (this process's environment, with ``--env-inherit``)."""

    def __init__(self, given: dict[str, str | None], fallback: Mapping[str, str]) -> None:
        self._given = given
        self._fallback = fallback

    def __getitem__(self, key: str) -> str | None:
        if key in self._given:
            return self._given[key]
        return self._fallback.get(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str)

    def __iter__(self) -> Iterator[str]:
        return iter(self._given)

    def __len__(self) -> int:
        return len(self._given)


def environment_view(config: ScanConfig) -> Mapping[str, str | None]:
    """The variables guards read: none decided without ``--env``; with it, every one (unset
    unless named, or inherited from this process with ``env_inherit``)."""
    given = dict(config.env)
    if not given and not config.env_inherit:
        return given
    return _CompleteEnv(given, os.environ if config.env_inherit else {})


# A doctest example line: optional indentation, then the ">>>" prompt (doctest.DocTestParser).
_DOCTEST_EXAMPLE = re.compile(rb"^[ \t]*>>>", re.MULTILINE)


def _hook_calls(ns: Namespace) -> tuple[HookParametrize, ...]:
    """The ``metafunc.parametrize`` calls of the ``pytest_generate_tests`` bound in ``ns``."""
    value = ns.get("pytest_generate_tests")
    if value is None or value.func is None:
        return ()
    return value.func.generates


def _blocked(disabled: tuple[str, ...]) -> frozenset[str]:
    """The plugin names ``-p no:NAME`` blocks (``consider_pluginarg``): NAME and ``pytest_NAME``,
    and blocking ``cacheprovider`` blocks ``stepwise`` too."""
    out: set[str] = set()
    for name in disabled:
        out.add(name)
        if not name.startswith("pytest_"):
            out.add(f"pytest_{name}")
        if name == "cacheprovider":
            out.update(("stepwise", "pytest_stepwise"))
    return frozenset(out)


def _is_unittest_base(base: str) -> bool:
    """A base class name that is (statically) a ``unittest.TestCase`` or a known subclass."""
    root, _, last = base.rpartition(".")
    return last.endswith("TestCase") and (not root or root.split(".")[0] in _UNITTEST_PACKAGES)


def _relative(path: Path, root: Path) -> str | None:
    """``path.relative_to(root).as_posix()``, or None when ``path`` is not under ``root``.

    Both are absolute and normalized (resolved, or joined from a listing), so comparing the
    strings is exact, and much cheaper than pathlib's part-by-part walk (once per file).
    """
    text, base = str(path), str(root)
    if text == base:
        return "."
    prefix = base if base.endswith(os.sep) else base + os.sep
    if not text.startswith(prefix):
        return None
    rel = text[len(prefix) :]
    return rel if os.sep == "/" else rel.replace(os.sep, "/")


def _defines(record: ModuleRecord, name: str) -> bool:
    """Whether the module binds ``name`` at its top level."""
    return any(b.name == name for b in record.body)


def _strip_id(nodeid: str) -> str:
    """A node id without its parametrization id: ``t.py::test_f[1]`` selects ``t.py::test_f``."""
    head, sep, last = nodeid.rpartition("::")
    return f"{head}{sep}{last.split('[', 1)[0]}"


def _within(nodeid: str, prefix: str) -> bool:
    """Whether ``nodeid`` is the node ``prefix`` or below it."""
    return nodeid == prefix or nodeid.startswith(prefix + "::")


def _matches_prefix_or_glob(name: str, patterns: tuple[str, ...]) -> bool:
    """pytest's ``_matches_prefix_or_glob_option``: a prefix, or a glob when it has glob chars."""
    for pattern in patterns:
        if name.startswith(pattern):
            return True
        if any(c in pattern for c in "*?[") and fnmatch.fnmatch(name, pattern):
            return True
    return False


def _guard_text(guard: Guard) -> str:
    """A guard as shown to users: ``os.environ.get("X")``, ``not (...)`` for an ``else``.

    An ``except`` branch names itself (its negation is of the ``try``'s import probe).
    """
    if guard.negated and not guard.text.startswith("except "):
        return f"not ({guard.text})"
    return guard.text
