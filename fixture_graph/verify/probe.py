"""The pytest plugin ``fixture-graph verify`` loads into the suite's own pytest (``-p``).

It writes one JSON file (``FIXTURE_GRAPH_PROBE_OUT``) holding, for every collected item, its
``fixturenames`` and the definitions visible for each name (farthest first, the last wins), plus
every collection error. With ``FIXTURE_GRAPH_PROBE_RUN=1`` the tests really run and each item
also records the names it resolved at run time, which reveals ``getfixturevalue`` calls, every
definition pytest set up (``pytest_fixture_setup``), and the first line of each setup error
(``fixture 'x' not found``, ``recursive dependency``, ``ScopeMismatch``).

It imports only the standard library and :mod:`.pytest_internals`, because it runs in the
suite's interpreter, where fixture-graph may not be installed (verify copies both files into a
temporary package).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

# Relative, so the same file works inside fixture_graph and inside verify's temporary copy.
from . import pytest_internals as internals

SCHEMA = "fixture-graph-probe/1"
_STATE: dict[str, Any] = {
    "items": [],
    "errors": [],
    "skipped": [],
    "runtime": {},
    "setup": {},
    "setup_errors": {},
    "internals": True,
}


def _error_message(report: Any) -> str:
    text = str(getattr(report, "longreprtext", "") or getattr(report, "longrepr", ""))
    lines = [ln[2:].strip() for ln in text.splitlines() if ln.startswith("E ") and ln[2:].strip()]
    if lines:
        return lines[0][:500]
    rest = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return rest[0][:500] if rest else "collection failed"


def pytest_collectreport(report: Any) -> None:
    if report.failed:
        _STATE["errors"].append({"nodeid": report.nodeid, "message": _error_message(report)})
    elif report.skipped:  # pytest.importorskip / skip(allow_module_level=True) in a module
        longrepr = getattr(report, "longrepr", None)
        reason = str(longrepr[-1]) if isinstance(longrepr, tuple) and longrepr else "skipped"
        _STATE["skipped"].append({"nodeid": report.nodeid, "message": reason[:500]})


def _item_record(item: Any) -> dict[str, Any]:
    defs = internals.resolved_definitions(item)
    # FIXTURE_GRAPH_PROBE_NO_INTERNALS=1 simulates a pytest whose internals moved (for tests).
    if defs is None or os.environ.get("FIXTURE_GRAPH_PROBE_NO_INTERNALS") == "1":
        _STATE["internals"] = False
    names = [str(n) for n in getattr(item, "fixturenames", ())]
    return {
        "nodeid": item.nodeid,
        "fixturenames": names,
        "defs": {
            name: [internals.fixturedef_facts(d) for d in fixturedefs]
            for name, fixturedefs in sorted((defs or {}).items())
        },
        # What setup's second lookup finds for names collection left unresolved.
        "late": {
            name: [internals.fixturedef_facts(d) for d in fixturedefs]
            for name, fixturedefs in sorted(_late(item, names, defs or {}).items())
        },
    }


def _late(item: Any, names: list[str], defs: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Definitions setup finds for names it requests that collection left without any: names of
    ``fixturenames``, and (pytest 8.x lists no dependencies of an overridden definition) the
    arguments of every definition it may set up, transitively."""
    late: dict[str, list[Any]] = {}
    seen = {"request", *(n for n, d in defs.items() if d)}
    pending = [*names, *(str(a) for ds in defs.values() for d in ds for a in getattr(d, "argnames", ()))]
    while pending:
        batch = sorted({n for n in pending if n not in seen})
        seen.update(batch)
        found = internals.late_definitions(item, batch) if batch else {}
        late.update(found)
        pending = [str(a) for ds in found.values() for d in ds for a in getattr(d, "argnames", ())]
    return late


def _write(session: Any) -> None:
    out = os.environ.get("FIXTURE_GRAPH_PROBE_OUT")
    if not out:
        return
    data = {
        "schema": SCHEMA,
        "pytest_version": pytest.__version__,
        "python": sys.version.split()[0],
        "rootdir": str(session.config.rootpath),
        "invocation_dir": str(session.config.invocation_params.dir),
        "internals": _STATE["internals"],
        "items": _STATE["items"],
        "errors": _STATE["errors"],
        "skipped": _STATE["skipped"],
        "runtime": _STATE["runtime"],
        "setup": sorted(_STATE["setup"].values(), key=lambda f: (f["path"], f["line"], f["name"])),
        "setup_errors": _STATE["setup_errors"],
    }
    tmp = f"{out}.part"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
    os.replace(tmp, out)


def pytest_collection_finish(session: Any) -> None:
    _STATE["items"] = [_item_record(item) for item in session.items]
    _write(session)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: Any) -> Iterator[None]:
    if os.environ.get("FIXTURE_GRAPH_PROBE_RUN") == "1":
        used = internals.used_definitions(item)
        if used is None:
            _STATE["internals"] = False
        else:
            _STATE["runtime"][item.nodeid] = {
                str(name): internals.fixturedef_facts(fixturedef)["path"]
                for name, fixturedef in sorted(used.items())
                if hasattr(fixturedef, "func")
            }
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: Any) -> Iterator[None]:
    if os.environ.get("FIXTURE_GRAPH_PROBE_RUN") == "1" and hasattr(fixturedef, "func"):
        facts = internals.fixturedef_facts(fixturedef)
        _STATE["setup"].setdefault(f"{facts['path']}:{facts['line']}:{facts['name']}", facts)
    yield


def pytest_runtest_logreport(report: Any) -> None:
    if report.when == "setup" and report.failed and os.environ.get("FIXTURE_GRAPH_PROBE_RUN") == "1":
        _STATE["setup_errors"].setdefault(report.nodeid, _error_message(report))


def pytest_sessionfinish(session: Any) -> None:
    if os.environ.get("FIXTURE_GRAPH_PROBE_RUN") == "1":
        _write(session)
