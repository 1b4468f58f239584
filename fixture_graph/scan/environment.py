"""The target Python environment: its ``sys.path``, pytest version and ``pytest11`` plugins.

The tool is often installed apart from the suite, so ``--python`` names the suite's interpreter.
We run that interpreter once to print its ``sys.path`` and version (running the interpreter, not
the suite), then read installed distributions' metadata from disk as ``importlib.metadata``
would. The version says which grammar the suite is written for (see ``scan/target_parser.py``).
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fixture_graph.scan import inputs

_METADATA = (".dist-info", ".egg-info")
# Run in the target interpreter: its sys.path and the facts guards may read (scan/guards.py).
_FACTS_CODE = """
import json, os, platform, sys

def answer():
    facts = {
        "os.name": os.name,
        "sys.platform": sys.platform,
        "sys.version_info": list(sys.version_info),
        "sys.implementation.name": sys.implementation.name,
        "sys.byteorder": sys.byteorder,
        "platform.system()": platform.system(),
        "platform.machine()": platform.machine(),
        "platform.python_implementation()": platform.python_implementation(),
    }
    for name in dir(sys.flags):
        value = getattr(sys.flags, name)
        if not name.startswith("_") and isinstance(value, (int, bool)):
            facts["sys.flags." + name] = value
    return {"sys_path": list(sys.path), "facts": facts}
"""


class EnvironmentError_(Exception):
    """The ``--python`` interpreter could not be run."""


@dataclass(frozen=True, slots=True)
class EntryPoint:
    """One ``pytest11`` entry point: the plugin's name and its module."""

    name: str
    module: str
    distribution: str


@dataclass(frozen=True, slots=True)
class TargetEnvironment:
    """What the scan needs from the environment that would run the suite."""

    sys_path: tuple[Path, ...]
    pytest_version: str | None
    entry_points: tuple[EntryPoint, ...]
    # Attributes of the interpreter that guards read (``os.name``, ``sys.version_info``, ...).
    facts: tuple[tuple[str, object], ...] = ()
    # The interpreter that would run the suite (None: the running one) and its (major, minor).
    python: str | None = None
    version: tuple[int, int] = (sys.version_info[0], sys.version_info[1])

    @property
    def newer_grammar(self) -> bool:
        """True when the suite's Python is newer than the running one (it may parse more)."""
        return self.python is not None and self.version > sys.version_info[:2]


def load_environment(python: str | None) -> TargetEnvironment:
    """Read the environment of ``python`` (default: the running interpreter).

    Raises:
        EnvironmentError_: when ``python`` cannot be run.
    """
    if python is None:
        namespace: dict[str, Any] = {}
        exec(compile(_FACTS_CODE, "<facts>", "exec"), namespace)
        found = namespace["answer"]()
    else:
        python = interpreter(python)
        try:
            done = subprocess.run(
                [python, "-c", _FACTS_CODE + "print(json.dumps(answer()))"],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
            found = _probe_answer(done.stdout)
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            raise EnvironmentError_(f"cannot run --python {python}: {exc}") from exc
    if python is not None:
        _note_interpreter(python)
    raw = [str(p) for p in found["sys_path"]]
    facts = {k: tuple(v) if isinstance(v, list) else v for k, v in dict(found["facts"]).items()}
    info = facts["sys.version_info"]
    assert isinstance(info, tuple)
    version = (int(info[0]), int(info[1]))
    paths = tuple(dict.fromkeys(inputs.resolve(Path(p)) for p in raw if p and inputs.is_dir(Path(p))))
    if python is not None:
        _note_path_files(paths)
    dists = _distributions(paths)
    pytest_version = next((v for name, v, _ in dists if name == "pytest"), None)
    eps: list[EntryPoint] = []
    for name, _version, dist_dir in dists:
        eps.extend(_entry_points(dist_dir, name))
    return TargetEnvironment(paths, pytest_version, tuple(eps), tuple(sorted(facts.items())), python, version)


def _note_interpreter(python: str) -> None:
    """Record what the probe of another interpreter answered from, so a replayed run notices a
    change: the executable (through its symlinks, as a venv's python is one) and its
    ``pyvenv.cfg``. (The ``.pth`` files of its search path are noted by :func:`_note_path_files`;
    the ``PYTHON*`` variables are part of the replay key.)"""
    found = shutil.which(python) or python
    path = Path(found)
    inputs.note_symlink(path)
    if inputs.is_file(path):
        inputs.note_file(Path(os.path.realpath(path)))
    config = path.parent.parent / "pyvenv.cfg"
    if inputs.is_file(config):
        inputs.note_file(config)


def _note_path_files(paths: tuple[Path, ...]) -> None:
    """Record the ``.pth`` files of the search path: ``site`` reads them to build ``sys.path``
    (the listing of each directory is recorded when its distributions are read)."""
    for base in paths:
        try:
            entries = inputs.scandir(base)
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(".pth"):
                inputs.note_file(Path(entry.path))


def _probe_answer(stdout: str) -> dict[str, Any]:
    """The search path and facts printed by the probe.

    Raises:
        ValueError: the output is not what the probe prints.
    """
    answer = json.loads(stdout)
    if not isinstance(answer, dict):
        raise ValueError(f"unexpected probe output: {stdout[:200]!r}")
    raw, facts = answer.get("sys_path"), answer.get("facts")
    if not (isinstance(raw, list) and all(isinstance(p, str) for p in raw)):
        raise ValueError("probe output without a sys.path list")
    info = facts.get("sys.version_info") if isinstance(facts, dict) else None
    if not (isinstance(info, list) and len(info) >= 2 and all(type(v) is int for v in info[:2])):
        raise ValueError("probe output without a version")
    return answer


def interpreter(python: str) -> str:
    """``--python`` may name an interpreter or a virtualenv directory."""
    path = Path(python)
    if path.is_dir():
        for candidate in (path / "bin" / "python", path / "Scripts" / "python.exe"):
            if candidate.exists():
                return str(candidate)
        raise EnvironmentError_(f"--python {python}: a directory without bin/python (not a virtualenv?)")
    return python


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _distributions(paths: tuple[Path, ...]) -> list[tuple[str, str, Path]]:
    """(normalized name, version, metadata dir), first occurrence on the path winning."""
    seen: dict[str, tuple[str, str, Path]] = {}
    for base in paths:
        try:
            # The listing is recorded, so the entries' types need no probe of their own.
            entries = sorted(
                Path(e.path) for e in inputs.scandir(base) if e.name.endswith(_METADATA) and e.is_dir()
            )
        except OSError:
            continue
        for entry in entries:
            stem = entry.name.rsplit(".", 1)[0]
            name, _, version = stem.partition("-")
            key = _normalize(name)
            if key not in seen:
                seen[key] = (key, version.split("-")[0], entry)
    return list(seen.values())


def _entry_points(dist_dir: Path, dist: str) -> list[EntryPoint]:
    path = dist_dir / "entry_points.txt"
    if not inputs.is_file(path):
        return []
    inputs.note_file(path)
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError, OSError):
        return []
    if not parser.has_section("pytest11"):
        return []
    out = []
    for name, value in parser.items("pytest11"):
        module = value.split(":", 1)[0].strip()
        out.append(EntryPoint(name.strip(), module, dist))
    return out
