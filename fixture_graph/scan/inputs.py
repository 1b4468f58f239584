"""Everything on disk that a scan's answer depends on, so an unchanged tree can skip the scan.

A scan is a pure function of its configuration and of what it finds on disk: the bytes of the
files it reads, the entries of the directories it lists, and the outcome of every probe (does
``x/__init__.py`` exist, is this a directory, where does this symlink point). While a
:class:`Recorder` is active, the scan's file-system helpers below note each of these *before*
they look, the way ``make`` and git's index do:

* a directory listed: its ``st_mtime_ns`` (creating, deleting or renaming an entry changes it),
  inode and type, or None when it did not exist;
* a path probed (does ``x/__init__.py`` exist, is this a directory): the answer, which is simply
  asked again (whatever else changes in its folder does not matter);
* a file read: its stat (size, mtime, ctime, inode), taken before the bytes are read;
* a path resolved through symlinks: the answer, which is simply asked again.

:func:`still_fresh` re-checks all of it with stats alone (no reading, no parsing). A stamp taken
within :data:`RACY_NS` of the recording may hide a change made in the same timestamp tick, so a
recording with any such stamp is :attr:`Inputs.racy` and must not be trusted later.

Only the helpers here record. A scan module that touched the disk any other way would make a
replayed answer stale; ``tests/test_replay.py`` runs scans with every ``os``-level file access
watched and checks each one is covered by the recording.
"""

from __future__ import annotations

import glob as glob_mod
import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

# A file changed this close to the moment its stat was taken may change again unseen within the
# same timestamp tick, so the stat is not trusted (git calls this "racy clean"). The extraction
# cache (scan/cache.py) follows the same rule.
RACY_NS = 2_000_000_000

# What must stay equal for a file's bytes to be trusted unchanged without reading them.
StatKey = tuple[int, int, int, int]
# A stamp no file has: for a file whose state before it was read is unknown (never fresh).
UNTRUSTED: StatKey = (-1, -1, -1, -1)
DirStamp = tuple[int, int, bool]


def stat_key(st: os.stat_result) -> StatKey:
    """(size, mtime, ctime, inode) of a stat."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


@dataclass(frozen=True, slots=True)
class Inputs:
    """The recorded inputs of one scan (plain tuples of paths and stamps, sorted)."""

    dirs: tuple[tuple[str, DirStamp | None], ...]
    files: tuple[tuple[str, StatKey | None], ...]
    links: tuple[tuple[str, str], ...]
    probes: tuple[tuple[str, int], ...]
    racy: bool


class Recorder:
    """Collects the inputs of one scan; see the module docstring."""

    def __init__(self) -> None:
        self.started_ns = time.time_ns()
        self.dirs: dict[str, DirStamp | None] = {}
        self.files: dict[str, StatKey | None] = {}
        self.links: dict[str, str] = {}
        self.probes: dict[str, int] = {}

    def directory(self, path: Path | str) -> None:
        """``path`` is about to be listed."""
        key = os.fspath(path)
        if key not in self.dirs:
            self.dirs[key] = _dir_stamp(key)

    def file(self, path: Path | str, stamp: StatKey | None = None) -> None:
        """``path`` is about to be read (``stamp``: its stat, when the reader already took it)."""
        key = os.fspath(path)
        if key not in self.files:
            self.files[key] = stamp if stamp is not None else _file_stamp(key)

    def probe(self, path: Path | str) -> None:
        """``path`` is about to be probed (exists? a file? a directory?)."""
        key = os.fspath(path)
        if key not in self.probes:
            self.probes[key] = _kind(key)

    def link(self, path: Path | str, resolved: Path | str) -> None:
        """``path`` resolved (through any symlinks) to ``resolved``."""
        self.links.setdefault(os.fspath(path), os.fspath(resolved))

    def finish(self) -> Inputs:
        """The inputs, with :attr:`Inputs.racy` set when a stamp is too young to trust."""
        limit = self.started_ns - RACY_NS
        # mtime only: a change to a file's bytes always sets its mtime, so an older mtime than
        # the window means any later change shows (a recent ctime alone is chmod or utime).
        racy = any(d is not None and d[0] >= limit for d in self.dirs.values()) or any(
            s is not None and s[1] >= limit for s in self.files.values()
        )
        return Inputs(
            dirs=tuple(sorted(self.dirs.items())),
            files=tuple(sorted(self.files.items(), key=lambda item: item[0])),
            links=tuple(sorted(self.links.items())),
            probes=tuple(sorted(self.probes.items())),
            racy=racy,
        )


_ACTIVE: ContextVar[Recorder | None] = ContextVar("fixture_graph_inputs", default=None)


@contextmanager
def recording() -> Iterator[Recorder]:
    """Record the inputs of the scan run inside the ``with`` block."""
    recorder = Recorder()
    token = _ACTIVE.set(recorder)
    try:
        yield recorder
    finally:
        _ACTIVE.reset(token)


def still_fresh(inputs: Inputs) -> bool:
    """True when every recorded input is as it was (stats only; see the module docstring)."""
    if inputs.racy:
        return False
    for key, dir_stamp in inputs.dirs:
        if _dir_stamp(key) != dir_stamp:
            return False
    for key, stamp in inputs.files:  # the whole cost of a replay on a large tree
        try:
            st = os.stat(key)
        except OSError:
            if stamp is not None:
                return False
            continue
        if stamp != stat_key(st):
            return False
    if any(_kind(key) != kind for key, kind in inputs.probes):
        return False
    return all(os.path.realpath(key) == resolved for key, resolved in inputs.links)


# -- the scan's file-system helpers (each records what it looks at, then looks) ------------------


def note_dir(path: Path) -> None:
    """Record that the caller is about to list ``path``."""
    recorder = _ACTIVE.get()
    if recorder is not None:
        recorder.directory(path)


def note_file(path: Path | str, stamp: StatKey | None = None) -> None:
    """Record that the caller is about to read ``path`` (whose stat may already be known)."""
    recorder = _ACTIVE.get()
    if recorder is not None:
        recorder.file(path, stamp)


def note_symlink(path: Path) -> None:
    """Record a symlink the caller is about to follow: where it points, and that target's folder."""
    recorder = _ACTIVE.get()
    if recorder is not None:
        target = os.path.realpath(path)
        recorder.link(path, target)
        recorder.directory(os.path.dirname(target))


def note_probe(path: Path) -> None:
    """Record that the caller is about to ask whether ``path`` exists, and as what."""
    recorder = _ACTIVE.get()
    if recorder is not None:
        recorder.probe(path)


def is_file(path: Path) -> bool:
    """``path.is_file()``, False instead of an error (a name longer than the OS allows)."""
    return _probe(path, Path.is_file)


def is_dir(path: Path) -> bool:
    """``path.is_dir()``, False instead of an error."""
    return _probe(path, Path.is_dir)


def exists(path: Path) -> bool:
    """``path.exists()``, False instead of an error."""
    return _probe(path, Path.exists)


def _probe(path: Path, test: Callable[[Path], bool]) -> bool:
    note_probe(path)
    try:
        return test(path)
    except OSError:
        return False


def resolve(path: Path) -> Path:
    """``path.resolve()``: the answer is recorded, and asked again when the inputs are checked."""
    resolved = path.resolve()
    recorder = _ACTIVE.get()
    if recorder is not None:
        recorder.link(path, resolved)
    return resolved


def scandir(path: Path | str) -> list[os.DirEntry[str]]:
    """The entries of directory ``path`` (a list, so the directory is closed at once)."""
    note_dir(Path(path))
    with os.scandir(path) as entries:
        return list(entries)


def shell_glob(base: Path, pattern: str) -> list[Path]:
    """``glob.glob(pattern, recursive=True)`` run in ``base``, sorted as text: how pytest expands
    ``testpaths`` (``Config._decide_args``). Unlike pathlib, ``*`` skips hidden entries, ``**``
    also yields files, and absolute patterns work. Directories it may list are recorded."""
    if not os.path.isabs(pattern):
        try:
            glob(base, pattern)  # records the directories (a superset of what glob.glob lists)
        except (ValueError, NotImplementedError, OSError):  # a pattern pathlib refuses
            note_dir(base)
    found = sorted(glob_mod.glob(pattern, root_dir=base, recursive=True))
    return [base / p for p in found]


def glob(base: Path, pattern: str) -> list[Path]:
    """``base.glob(pattern)``, sorted, recording every directory the match may list.

    That is ``base`` and each directory matched by a leading part of the pattern (all
    directories below one when the pattern has ``**``): a superset of what pathlib lists.
    """
    note_dir(base)
    parts = Path(pattern).parts
    for depth in range(1, len(parts)):
        prefix = "/".join(parts[:depth])
        for found in base.glob(prefix):
            if not found.is_dir():
                continue
            note_dir(found)
            if "**" in parts[:depth]:
                for directory, _subdirs, _files in os.walk(found):
                    note_dir(Path(directory))
    return sorted(base.glob(pattern))


# -- stamps ----------------------------------------------------------------------------------------


def _dir_stamp(key: str) -> DirStamp | None:
    try:
        st = os.stat(key)
    except OSError:
        return None
    # The inode tells a directory replaced by another (or a symlink retargeted) from the same
    # one, and a directory that became a file (or the reverse) must not look unchanged.
    return (st.st_mtime_ns, st.st_ino, stat.S_ISDIR(st.st_mode))


_MISSING, _OTHER_KIND, _DIRECTORY = 0, 1, 2


def _kind(key: str) -> int:
    """What a probe of ``key`` sees: nothing, a directory, or something else (a file)."""
    try:
        st = os.stat(key)
    except (OSError, ValueError):
        return _MISSING
    return _DIRECTORY if stat.S_ISDIR(st.st_mode) else _OTHER_KIND


def _file_stamp(key: str) -> StatKey | None:
    try:
        return stat_key(os.stat(key))
    except OSError:
        return None
