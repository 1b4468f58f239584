"""Run real pytest on a tree and read back its fixture resolution, for comparison with ours.

Two independent oracles: the ``oracle_plugin`` JSON dump of ``item._fixtureinfo`` (every collected
item, including skipped and erroring ones) and the test lines of ``pytest --setup-plan -q``
(section 7 of pytest-semantics.md), which print ``sorted(item.fixturenames)`` for items whose
setup succeeds.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
_TEST_LINE = re.compile(r"^ {8}(\S+::\S.*?)(?: \(fixtures used: (.*?)\))?[.sExXfF]*$")


@dataclass
class OracleTest:
    """What pytest reports for one test function (parametrized instances merged)."""

    nodeid: str
    fixturenames: set[str] = field(default_factory=set)
    winners: dict[str, tuple[str, int]] = field(default_factory=dict)


def function_nodeid(nodeid: str) -> str:
    """``tests/a.py::test_x[1-2]`` -> ``tests/a.py::test_x``."""
    return nodeid.split("[", 1)[0]


def _env(extra: dict[str, str | None] | None, out: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["COLUMNS"] = "80"
    env["PYTHONPATH"] = str(HERE)
    if out is not None:
        env["FG_ORACLE_OUT"] = str(out)
    for key, value in (extra or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_plugin_oracle(
    root: Path, args: tuple[str, ...] = (), env: dict[str, str | None] | None = None
) -> dict[str, OracleTest]:
    """Collect with the oracle plugin and return per-function results keyed by nodeid."""
    out = root.parent / f"{root.name}-oracle.json"
    out.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "--collect-only",
        "-q",
        "-p",
        "oracle_plugin",
        "-p",
        "no:cacheprovider",
        *args,
    ]
    subprocess.run(cmd, cwd=root, env=_env(env, out), capture_output=True, text=True, timeout=300)
    if not out.exists():
        return {}
    data = json.loads(out.read_text())
    rootdir = Path(data.get("rootdir", root))
    results: dict[str, OracleTest] = {}
    for item in data["items"]:
        nodeid = function_nodeid(item["nodeid"])
        test = results.setdefault(nodeid, OracleTest(nodeid))
        test.fixturenames.update(item["fixturenames"])
        for name, defs in item["defs"].items():
            if defs:
                last = defs[-1]
                path = Path(last["path"])
                absolute = path if path.is_absolute() else (rootdir / path)
                test.winners[name] = (os.path.realpath(absolute), last["line"])
    return results


def run_setup_plan(
    root: Path, args: tuple[str, ...] = (), env: dict[str, str | None] | None = None
) -> dict[str, set[str]]:
    """Closures from ``pytest --setup-plan -q`` test lines, keyed by function nodeid."""
    cmd = [sys.executable, "-m", "pytest", "--setup-plan", "-q", "-p", "no:cacheprovider", *args]
    done = subprocess.run(cmd, cwd=root, env=_env(env), capture_output=True, text=True, timeout=300)
    closures: dict[str, set[str]] = {}
    for line in done.stdout.splitlines():
        match = _TEST_LINE.match(line)
        if match:
            names = closures.setdefault(function_nodeid(match.group(1)), set())
            names.update(n.strip() for n in (match.group(2) or "").split(",") if n.strip())
    return closures
