"""Run the suite's own pytest in a subprocess and read back what it resolved.

The primary oracle is :mod:`.probe`, loaded with ``-p`` from a temporary copy (so the suite's
interpreter needs nothing but pytest). When the probe cannot read pytest's internals, or does not
report at all, the fallback parses the test lines of ``pytest --setup-plan -q``, which print
``sorted(item.fixturenames)`` for every item whose setup succeeds (no winning definitions).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fixture_graph.scan.environment import interpreter

PROBE_PACKAGE = "_fixture_graph_probe"
PROBE_FILES = ("probe.py", "pytest_internals.py")
SOURCE_PROBE = "probe"
SOURCE_SETUP_PLAN = "setup-plan"
# pytest exit codes that mean it never got to collect: internal error, usage error.
_FAILED_TO_START = (3, 4)
# Without it one module's ImportError interrupts the whole run (collect-only reports items anyway).
_KEEP_GOING = "--continue-on-collection-errors"
_TEST_LINE = re.compile(r"^ {8}(\S+::\S.*?)(?: \(fixtures used: (.*?)\))?[.sExXfF]*$")
_ERROR_LINE = re.compile(r"^ERROR (\S+?)(?: - (.*))?$")


@dataclass(frozen=True, slots=True)
class ObservedDef:
    """A definition pytest registered for a name: where its function is defined, its scope and
    the names it requests (``argnames``)."""

    name: str
    path: str
    line: int
    module: str = "?"
    qualname: str = "?"
    scope: str = "?"
    baseid: str = ""
    argnames: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ObservedTest:
    """One test function as pytest saw it (parametrized instances merged).

    ``winners`` is empty in the ``--setup-plan`` fallback; ``runtime`` is None unless the tests
    were run (``--run``), and then maps every name resolved while they ran to the file of the
    definition that answered it. ``order`` is ``item.fixturenames`` in pytest's order (the order
    setup requests them), ``chains`` every definition visible for each name, farthest first
    (pytest's ``name2fixturedefs``, plus what setup's second lookup finds for names collection
    left unresolved; a name of ``order`` absent from it has no definition), and
    ``setup_error`` the first line of the setup error when the tests ran.
    """

    nodeid: str
    fixturenames: frozenset[str]
    winners: tuple[tuple[str, ObservedDef], ...] = ()
    runtime: tuple[tuple[str, str], ...] | None = None
    order: tuple[str, ...] = ()
    chains: tuple[tuple[str, tuple[ObservedDef, ...]], ...] = ()
    setup_error: str | None = None


@dataclass(frozen=True, slots=True)
class CollectionError:
    """A collector that failed (usually an import error) or was skipped while collecting."""

    nodeid: str
    message: str
    skipped: bool = False


@dataclass(frozen=True, slots=True)
class PytestView:
    """Everything the real pytest reported about a suite."""

    source: str
    pytest_version: str | None
    rootdir: str
    tests: tuple[ObservedTest, ...]
    errors: tuple[CollectionError, ...] = ()
    exit_code: int = 0
    output_tail: str = ""
    ran: bool = False
    notes: tuple[str, ...] = field(default=())
    set_up: tuple[ObservedDef, ...] = ()

    @property
    def failed_to_start(self) -> bool:
        """True when pytest stopped before collecting anything (bad option, internal error)."""
        return not self.tests and not self.errors and self.exit_code in _FAILED_TO_START


@dataclass(frozen=True, slots=True)
class PytestRun:
    """How to run the suite's pytest: interpreter, directory, arguments, environment."""

    cwd: Path
    paths: tuple[str, ...] = ()
    python: str | None = None
    pytest_args: tuple[str, ...] = ()
    env: tuple[tuple[str, str | None], ...] = ()
    timeout: float = 900.0


def function_nodeid(nodeid: str) -> str:
    """``tests/a.py::test_x[1-2]`` -> ``tests/a.py::test_x`` (parametrized items map to their function)."""
    return nodeid.split("[", 1)[0]


def observe(run: PytestRun, *, execute: bool = False, oracle: str = SOURCE_PROBE) -> PytestView:
    """Ask the real pytest what it resolves; fall back to ``--setup-plan`` if the probe fails.

    Args:
        run: the interpreter, directory and arguments.
        execute: run the tests for real (records dynamic requests) instead of collecting only.
        oracle: ``"probe"`` (default, with fallback) or ``"setup-plan"`` (fallback only).
    """
    if oracle == SOURCE_SETUP_PLAN:
        return _setup_plan(run, note=None)
    view = _probe(run, execute)
    if view is not None:
        return view
    return _setup_plan(run, note="the probe could not read pytest's internals; used --setup-plan -q")


def _environment(run: PytestRun, extra: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    for key, value in run.env:
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    env.update(extra)
    env.setdefault("COLUMNS", "80")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _command(run: PytestRun, mode: Iterable[str]) -> list[str]:
    python = interpreter(run.python) if run.python else sys.executable
    return [python, "-m", "pytest", *mode, *run.pytest_args, *run.paths]


def _run(run: PytestRun, cmd: list[str], env: dict[str, str]) -> tuple[int, str]:
    try:
        done = subprocess.run(
            cmd, cwd=run.cwd, env=env, capture_output=True, text=True, timeout=run.timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return (-1, f"pytest timed out after {run.timeout:.0f}s")
    except OSError as exc:
        return (-1, f"cannot run {cmd[0]}: {exc}")
    output = (done.stdout or "") + (done.stderr or "")
    return (done.returncode, output)


def _tail(output: str, lines: int = 15) -> str:
    return "\n".join(output.rstrip().splitlines()[-lines:])


def _probe(run: PytestRun, execute: bool) -> PytestView | None:
    with tempfile.TemporaryDirectory(prefix="fixture-graph-probe-") as tmp:
        package = Path(tmp) / PROBE_PACKAGE
        package.mkdir()
        (package / "__init__.py").write_text("")
        here = Path(__file__).parent
        for name in PROBE_FILES:
            shutil.copyfile(here / name, package / name)
        out = Path(tmp) / "probe.json"
        pythonpath = os.pathsep.join(p for p in (tmp, os.environ.get("PYTHONPATH", "")) if p)
        extra = {"PYTHONPATH": pythonpath, "FIXTURE_GRAPH_PROBE_OUT": str(out)}
        if execute:
            extra["FIXTURE_GRAPH_PROBE_RUN"] = "1"
        plugin = ("-p", f"{PROBE_PACKAGE}.probe")
        mode = ("-q", _KEEP_GOING, *plugin) if execute else ("--collect-only", "-q", *plugin)
        code, output = _run(run, _command(run, mode), _environment(run, extra))
        if not out.is_file():
            if code in _FAILED_TO_START or code == -1:
                return PytestView(SOURCE_PROBE, None, str(run.cwd), (), (), code, _tail(output))
            return None
        try:
            data = json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
    if not data.get("internals", False):
        return None
    return _view_from_probe(data, code, output, execute)


def _observed_def(facts: dict[str, Any]) -> ObservedDef:
    return ObservedDef(
        str(facts.get("name", "?")),
        str(facts["path"]),
        int(facts["line"]),
        str(facts.get("module", "?")),
        str(facts.get("qualname", "?")),
        str(facts.get("scope", "?")),
        str(facts.get("baseid", "")),
        tuple(str(a) for a in facts.get("argnames", ())),
    )


def _view_from_probe(data: dict[str, Any], code: int, output: str, execute: bool) -> PytestView:
    names: dict[str, set[str]] = {}
    order: dict[str, list[str]] = {}
    chains: dict[str, dict[str, tuple[ObservedDef, ...]]] = {}
    winners: dict[str, dict[str, ObservedDef]] = {}
    runtime: dict[str, dict[str, str]] = {}
    setup_errors: dict[str, str] = {}
    for item in data.get("items", []):
        nodeid = function_nodeid(item["nodeid"])
        names.setdefault(nodeid, set()).update(item["fixturenames"])
        seen = order.setdefault(nodeid, [])
        seen.extend(n for n in item["fixturenames"] if n not in seen)
        chosen = chains.setdefault(nodeid, {})
        won = winners.setdefault(nodeid, {})
        for name, defs in item["defs"].items():
            if defs:
                won[name] = _observed_def({"name": name, **defs[-1]})
        for name, defs in (*item.get("late", {}).items(), *item["defs"].items()):
            if defs:
                chosen[name] = tuple(_observed_def({"name": name, **d}) for d in defs)
    for nodeid, used in data.get("runtime", {}).items():
        runtime.setdefault(function_nodeid(nodeid), {}).update(used)
    for nodeid, message in sorted(data.get("setup_errors", {}).items()):
        setup_errors.setdefault(function_nodeid(nodeid), str(message))
    tests = tuple(
        ObservedTest(
            nodeid,
            frozenset(names[nodeid]),
            tuple(sorted(winners.get(nodeid, {}).items())),
            tuple(sorted(runtime.get(nodeid, {}).items())) if execute else None,
            tuple(order[nodeid]),
            tuple(sorted(chains.get(nodeid, {}).items())),
            setup_errors.get(nodeid),
        )
        for nodeid in sorted(names)
    )
    found = {CollectionError(e["nodeid"], e["message"]) for e in data.get("errors", [])}
    found |= {CollectionError(e["nodeid"], e["message"], True) for e in data.get("skipped", [])}
    errors = tuple(sorted(found, key=_error_key))
    return PytestView(
        SOURCE_PROBE,
        data.get("pytest_version"),
        data.get("rootdir", ""),
        tests,
        errors,
        code,
        _tail(output),
        ran=execute,
        set_up=tuple(_observed_def(f) for f in data.get("setup", [])),
    )


def _error_key(error: CollectionError) -> tuple[str, str]:
    return (error.nodeid, error.message)


def _setup_plan(run: PytestRun, note: str | None) -> PytestView:
    code, output = _run(run, _command(run, ("--setup-plan", "-q", _KEEP_GOING)), _environment(run, {}))
    return parse_setup_plan(output, code, note=note, rootdir=str(run.cwd))


def parse_setup_plan(output: str, code: int = 0, *, note: str | None = None, rootdir: str = "") -> PytestView:
    """Read ``pytest --setup-plan -q`` output: test lines and collection errors.

    Progress characters of the *next* test can be glued to a line's end; the regex drops them.
    """
    closures: dict[str, set[str]] = {}
    errors: set[CollectionError] = set()
    for line in output.splitlines():
        match = _TEST_LINE.match(line)
        if match:
            names = closures.setdefault(function_nodeid(match.group(1)), set())
            names.update(n.strip() for n in (match.group(2) or "").split(",") if n.strip())
            continue
        error = _ERROR_LINE.match(line)
        if error and "::" not in error.group(1):
            errors.add(CollectionError(error.group(1), (error.group(2) or "collection failed").strip()))
    version = None
    tests = tuple(ObservedTest(n, frozenset(closures[n])) for n in sorted(closures))
    notes = (note,) if note else ()
    return PytestView(
        SOURCE_SETUP_PLAN,
        version,
        rootdir,
        tests,
        tuple(sorted(errors, key=_error_key)),
        code,
        _tail(output),
        notes=notes,
    )
