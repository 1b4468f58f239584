"""Replay a whole run's output when nothing it depends on has changed.

A warm run with the per-file cache still resolves and analyzes every test, which on a large
suite costs far more than checking that nothing changed. So a run that recorded its inputs
(:mod:`fixture_graph.scan.inputs`: every directory listed or probed, every file read, every
symlink resolved) stores its rendered output next to them, under a key made of everything else
the output depends on (the tool's code, the configuration, the options, the interpreter and its
``sys.path``, the working directory). The next run with the same key checks the inputs with
stats alone and, when every one is unchanged, prints the stored output instead of scanning.

Never stale: a recording with a stamp too young to trust is not stored, any doubt is a miss,
and a file that is not exactly what was written (truncated, foreign, tampered) is a miss too.
Entries are plain tuples of strings and numbers, unpickled by an unpickler that refuses every
class (a cache inside a repository must never run code).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fixture_graph import __version__
from fixture_graph.scan.inputs import Inputs, still_fresh
from fixture_graph.storage import loads_plain, read_checked, write_checked

if TYPE_CHECKING:
    from fixture_graph.analyze.findings import Finding

MAGIC = b"fixture-graph replay 4\n"
KEEP = 8


@dataclass(frozen=True, slots=True)
class Replay:
    """What a run printed, and what its exit code and baseline handling need.

    ``worst`` is the highest severity among the findings (0 when there are none), which is all
    the gate needs; the findings themselves are only built when a baseline asks for them.
    """

    output: str
    summary: str
    fatal: bool
    worst: int
    load_findings: Callable[[], tuple[Finding, ...]]

    @classmethod
    def of(cls, output: str, summary: str, fatal: bool, findings: tuple[Finding, ...]) -> Replay:
        """A run made just now, from its findings."""
        worst = max((int(f.severity) for f in findings), default=0)
        return cls(output, summary, fatal, worst, lambda: findings)


def replay_key(*parts: object) -> str:
    """The key of a run: ``parts`` (configuration and options), the code, the interpreter, and
    the ``PYTHON*`` variables (they shape the search path of a ``--python`` interpreter too)."""
    python_env = sorted((k, v) for k, v in os.environ.items() if k.startswith("PYTHON"))
    text = repr((__version__, sys.version, sys.executable, sys.path, os.getcwd(), python_env, parts))
    digest = hashlib.sha256(text.encode("utf-8", "surrogateescape"))
    digest.update(_code_digest())
    return digest.hexdigest()


def replay_path(cache_dir: Path, key: str) -> Path:
    """Where the replay for ``key`` is kept (one file per key)."""
    return cache_dir / f"replay-{key[:24]}.bin"


def load_replay(path: Path, key: str) -> Replay | None:
    """The stored run for ``key`` at ``path`` if its inputs are unchanged; else None."""
    payload = read_checked(path, MAGIC)
    if payload is None:
        return None
    try:
        stored_key, inputs, output, summary, fatal, worst, findings = loads_plain(payload)
        if stored_key != key:
            return None
        dirs, files, links, probes = inputs
        if not still_fresh(Inputs(dirs, files, links, probes, racy=False)):
            return None
        return Replay(output, summary, bool(fatal), int(worst), lambda: _findings(findings))
    except Exception:  # anything malformed is a miss, never a crash
        return None


def store_replay(path: Path, key: str, inputs: Inputs, replay: Replay) -> bool:
    """Store ``replay`` for ``key`` (atomically); False when the inputs are too young to trust."""
    if inputs.racy:
        with contextlib.suppress(OSError):
            path.unlink()  # an older entry for the key would only ever be a miss now
        return False
    # Pickled apart: a replay that needs no baseline never even unpickles them.
    findings = pickle.dumps(tuple(_plain_finding(f) for f in replay.load_findings()), pickle.HIGHEST_PROTOCOL)
    recorded = (inputs.dirs, inputs.files, inputs.links, inputs.probes)
    stored = (key, recorded, replay.output, replay.summary, replay.fatal, replay.worst, findings)
    try:
        write_checked(path, MAGIC, pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        return False
    _prune(path.parent)
    return True


def _prune(directory: Path) -> None:
    """Keep the :data:`KEEP` newest replays (each option set has its own; old ones pile up)."""
    try:
        found = sorted(directory.glob("replay-*.bin"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    except OSError:
        return
    for old in found[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()


def _plain_finding(f: Finding) -> tuple[Any, ...]:
    related = tuple((r.file, r.line, r.label) for r in f.related)
    return (f.code, int(f.severity), f.message, f.file, f.line, f.symbol, related, f.fix, f.col, f.key)


def _findings(blob: bytes) -> tuple[Finding, ...]:
    from fixture_graph.analyze.findings import Finding, Location, Severity

    out = []
    for plain in loads_plain(blob):
        code, severity, message, file, line, symbol, related, fix, col, key = plain
        out.append(
            Finding(
                code=code,
                severity=Severity(severity),
                message=message,
                file=file,
                line=line,
                symbol=symbol,
                related=tuple(Location(*r) for r in related),
                fix=fix,
                col=col,
                key=key,
            )
        )
    return tuple(out)


@functools.lru_cache(maxsize=1)
def _code_digest() -> bytes:
    """The package's own files (code and templates): a development build changes the key too."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    roots = [package, package.parent / "templates"]
    for root in roots:
        if not root.is_dir():
            continue
        for directory, subdirs, files in os.walk(root):
            subdirs[:] = sorted(d for d in subdirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".pyc", ".pyo")):
                    continue
                path = os.path.join(directory, name)
                st = os.stat(path)
                digest.update(f"{os.path.relpath(path, root)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return digest.digest()
