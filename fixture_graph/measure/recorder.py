"""The enabled half of the measurement plugin: time and memory per fixture and per conftest.

Setup cost is measured around ``pytest_fixture_setup`` (which runs only on a cache miss, so
``setups`` counts real executions). Teardown is timed from a finalizer added right after setup
(finalizers run last-in first-out, so it fires just before the fixture's own teardown) to
``pytest_fixture_post_finalizer``, which pytest calls once the teardown is done.

Memory: the tracemalloc peak above the level at setup start (a nested setup, such as a
``getfixturevalue`` inside a fixture, counts for both), and the resident-set growth read from
``/proc/self/statm`` (0 where that file does not exist). tracemalloc runs only inside these
windows (see :class:`_Meter`), which keeps the enabled overhead small.
"""

from __future__ import annotations

import json
import os
import sys
import time
import tracemalloc
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fixture_graph.measure import SCHEMA
from fixture_graph.verify import pytest_internals as internals

_DIRECT_PARAM = "get_direct_param_fixture_func"
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class _Rss:
    """Resident set size from ``/proc/self/statm``, read with ``pread`` on one open descriptor.

    A fresh ``open``/``read`` costs ~50 us; ``pread`` at offset 0 regenerates the numbers in ~4 us.
    """

    def __init__(self) -> None:
        try:
            self.fd: int | None = os.open("/proc/self/statm", os.O_RDONLY)
        except OSError:
            self.fd = None

    def __call__(self) -> int:
        if self.fd is None:
            return 0
        try:
            return int(os.pread(self.fd, 128, 0).split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            return 0

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


_rss = _Rss()


class _Meter:
    """Nested time/peak/RSS measurements sharing tracemalloc's single peak counter.

    Unless the user already traces (``PYTHONTRACEMALLOC``), tracing runs only while a
    measurement is open: it starts with the outermost one and stops when that one closes, so
    collection and test bodies run at full speed and the baseline of each window is zero.
    """

    def __init__(self) -> None:
        self.owns_tracing = not tracemalloc.is_tracing()
        # [start time, traced bytes at start, highest traced bytes seen, RSS at start]
        self.stack: list[list[float]] = []

    def _fold_peak(self) -> None:
        _current, peak = tracemalloc.get_traced_memory()
        for frame in self.stack:
            frame[2] = max(frame[2], peak)
        tracemalloc.reset_peak()

    def enter(self) -> None:
        if not self.stack and self.owns_tracing:
            tracemalloc.start(1)
        self._fold_peak()
        current, _peak = tracemalloc.get_traced_memory()
        self.stack.append([time.perf_counter(), current, current, _rss()])

    def exit(self) -> tuple[float, int, int]:
        """(seconds, peak bytes above start, RSS growth) of the innermost open measurement."""
        elapsed = time.perf_counter() - self.stack[-1][0]
        rss_now = _rss()
        self._fold_peak()
        _start, traced, highest, rss = self.stack.pop()
        if not self.stack and self.owns_tracing:
            tracemalloc.stop()
        return elapsed, int(highest - traced), rss_now - int(rss)


@dataclass
class _Stats:
    """Running totals of one fixture definition."""

    name: str
    scope: str
    setups: int = 0
    setup_total_s: float = 0.0
    setup_max_s: float = 0.0
    teardown_total_s: float = 0.0
    peak_alloc_bytes: int = 0
    rss_delta_bytes: int = 0


class Recorder:
    """Registered by :mod:`fixture_graph.measure.plugin` when measuring is enabled."""

    def __init__(self, config: Any, out: str) -> None:
        self.config = config
        self.out = Path(out)
        if not self.out.is_absolute():
            self.out = Path(str(config.invocation_params.dir)) / self.out
        self.meter = _Meter()
        self.fixtures: dict[str, _Stats] = {}
        self.ids: dict[int, str] = {}
        self.teardown_started: dict[int, float] = {}
        self.conftests: dict[str, tuple[float, int, int]] = {}
        internals.wrap_conftest_import(config.pluginmanager, self._around_conftest_import)

    # -- conftests -----------------------------------------------------------------------------

    def _around_conftest_import(
        self, original: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        path = str(args[0] if args else kwargs.get("conftestpath", "?"))
        self.meter.enter()
        try:
            return original(*args, **kwargs)
        finally:
            cost = self.meter.exit()
            # Later calls for the same path are cache hits: keep the first (real) import.
            self.conftests.setdefault(path, cost)

    # -- fixtures ------------------------------------------------------------------------------

    @pytest.hookimpl(hookwrapper=True)
    def pytest_fixture_setup(self, fixturedef: Any, request: Any) -> Generator[None, Any, None]:
        if getattr(fixturedef.func, "__name__", "") == _DIRECT_PARAM:
            yield  # the pseudo fixture of a direct parametrize argument: not a definition
            return
        self.meter.enter()
        try:
            yield
        finally:
            elapsed, peak, rss = self.meter.exit()
            stats = self._stats(fixturedef)
            stats.setups += 1
            stats.setup_total_s += elapsed
            stats.setup_max_s = max(stats.setup_max_s, elapsed)
            stats.peak_alloc_bytes = max(stats.peak_alloc_bytes, peak)
            stats.rss_delta_bytes = max(stats.rss_delta_bytes, rss)
            key = id(fixturedef)
            fixturedef.addfinalizer(lambda: self.teardown_started.__setitem__(key, time.perf_counter()))

    def pytest_fixture_post_finalizer(self, fixturedef: Any, request: Any) -> None:
        started = self.teardown_started.pop(id(fixturedef), None)
        if started is not None:
            self._stats(fixturedef).teardown_total_s += time.perf_counter() - started

    def _stats(self, fixturedef: Any) -> _Stats:
        key = id(fixturedef)
        fixture_id = self.ids.get(key)
        if fixture_id is None:
            fixture_id = self.ids[key] = fixture_id_of(fixturedef, self.config)
        stats = self.fixtures.get(fixture_id)
        if stats is None:
            stats = self.fixtures[fixture_id] = _Stats(
                str(fixturedef.argname), str(getattr(fixturedef, "scope", "?"))
            )
        return stats

    # -- output --------------------------------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: Any) -> None:
        rootdir = Path(str(config.rootpath))
        data = {
            "schema": SCHEMA,
            "pytest_version": pytest.__version__,
            "python": sys.version.split()[0],
            "rootdir": str(rootdir),
            "tracemalloc": True,
            "fixtures": [
                {"id": fixture_id, **vars(stats)} for fixture_id, stats in sorted(self.fixtures.items())
            ],
            "conftests": sorted(
                (
                    {
                        "path": _show(Path(p), rootdir),
                        "import_s": t,
                        "peak_alloc_bytes": m,
                        "rss_delta_bytes": r,
                    }
                    for p, (t, m, r) in self.conftests.items()
                ),
                key=lambda c: str(c["path"]),
            ),
        }
        if hasattr(config, "workerinput"):  # pytest-xdist: one file per worker
            worker = config.workerinput.get("workerid", "worker")
            self.out = self.out.with_name(f"{self.out.stem}.{worker}{self.out.suffix}")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.out.with_name(f".{self.out.name}.part")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, self.out)


def _show(path: Path, rootdir: Path) -> str:
    real = Path(os.path.realpath(path))
    root = Path(os.path.realpath(rootdir))
    return real.relative_to(root).as_posix() if real.is_relative_to(root) else real.as_posix()


def fixture_id_of(fixturedef: Any, config: Any) -> str:
    """The static graph's id for a runtime ``FixtureDef`` (see ``fixture_graph.scan.session``).

    ``baseid`` names the holder node for conftests, modules and classes. Session-level
    definitions (``baseid == ""``) are builtins (defined in ``_pytest``), or belong to the plugin
    or rootdir conftest module that holds the fixture function as an attribute.
    """
    name = str(fixturedef.argname)
    baseid = str(getattr(fixturedef, "baseid", "") or "")
    if baseid:
        if "::" in baseid or baseid.endswith(".py"):
            return f"{baseid}::{name}"
        return f"{baseid}/conftest.py::{name}"
    path, _line = internals.code_location(fixturedef.func)
    if internals.PYTEST_PACKAGE in Path(path).parts:
        return f"builtin::{name}"
    holder = _session_holder(fixturedef, config)
    if holder is None:
        module = getattr(getattr(fixturedef.func, "__func__", fixturedef.func), "__module__", "?")
        return f"plugin:{module}::{name}"
    rootdir = Path(str(config.rootpath))
    file = Path(os.path.realpath(getattr(holder, "__file__", "") or "?"))
    if file.name == "conftest.py" or file.is_relative_to(os.path.realpath(rootdir)):
        return f"{_show(file, rootdir)}::{name}"
    return f"plugin:{holder.__name__}::{name}"


def _session_holder(fixturedef: Any, config: Any) -> Any:
    """The last-registered plugin module holding this fixture's function (the one that wins)."""
    target = internals.fixture_function_code(fixturedef.func) or internals.function_code(fixturedef.func)
    found = None
    for _name, plugin in config.pluginmanager.list_name_plugin():
        if plugin is None or not hasattr(plugin, "__file__"):
            continue
        for attr, value in list(vars(plugin).items()):
            code = internals.fixture_function_code(value)
            if (
                code is not None
                and code is target
                and internals.fixture_declared_name(value, attr) == fixturedef.argname
            ):
                found = plugin
    return found
