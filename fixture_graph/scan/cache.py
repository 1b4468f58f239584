"""A persistent, content-addressed cache of per-file extraction results.

:func:`~fixture_graph.scan.extract.extract_module` is a pure function of (shown path, bytes,
:class:`ExtractOptions`), so its result can be reused whenever those are the same. Each entry is
keyed by ``sha256(shown path, NUL, bytes)``; the tool version, the Python version, the grammar
the files were parsed with (a newer ``--python`` parses what the running Python cannot, see
``target_parser.py``), the cache format and the options select the cache *file*
(``extract-<namespace>.bin``), so an entry made by another version, for another grammar or with
other options is never even read. Next to the key, an entry keeps
the file's ``stat`` (size, mtime, ctime, inode) as git's index does: when the stat is unchanged
and the file was last changed well before the entry was verified, the bytes need not be read
again. A touched but unchanged file is re-read and re-hashed, and still hits.

Safety: the file starts with a magic line and the SHA-256 of its payload; anything that does not
check out is a miss. Records are pickled with a restricted unpickler that can only build the
record classes (a cache inside a repository must never run code), and a decoded record whose
path differs from the file's is a miss. Writes go to a temporary file that replaces the old one
atomically, so concurrent runs never see half a file: the last writer wins, and a lost entry is
only a future miss.
"""

from __future__ import annotations

import copyreg
import dataclasses
import functools
import hashlib
import io
import os
import pickle
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fixture_graph import __version__
from fixture_graph.config import ExtractOptions
from fixture_graph.model import HookParametrize, Issue
from fixture_graph.scan import records
from fixture_graph.scan.inputs import RACY_NS, StatKey, stat_key
from fixture_graph.storage import dump_checked, loads_plain, make_cache_directory, read_checked

FORMAT = 2  # 2: FuncInfo gained unread, shape_hash, constant and redefines (FG014, FG015)
# Records cross between interpreters (a ``--python`` worker pickles, this one unpickles): protocol
# 5 is the highest that every supported Python (3.10 and later) reads and writes.
PROTOCOL = 5
MAGIC = b"fixture-graph extract cache\n"
# Entries not used for this long are dropped when the cache is written.
MAX_AGE_NS = 30 * 24 * 3600 * 1_000_000_000

# (stat, content key, verified at (ns), pickled record)
Entry = tuple[StatKey, bytes, int, bytes]

# Every dataclass of the records module (new record types are picked up without a change here).
_RECORD_CLASSES: tuple[type, ...] = (
    *(
        obj
        for obj in vars(records).values()
        if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == records.__name__
    ),
    Issue,
    HookParametrize,
)
_ALLOWED = {(cls.__module__, cls.__qualname__): cls for cls in _RECORD_CLASSES}
_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in _RECORD_CLASSES}


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def content_key(shown: str, data: bytes) -> bytes:
    """The entry key: the record depends on the shown path and the bytes (and the namespace)."""
    digest = hashlib.sha256(shown.encode("utf-8", "surrogateescape"))
    digest.update(b"\0")
    digest.update(data)
    return digest.digest()


def encode_record(record: records.ModuleRecord) -> bytes:
    """Pickle a record compactly: each record object becomes ``(class, field values)``."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(record)
    return buffer.getvalue()


def decode_record(blob: bytes, shown: str) -> records.ModuleRecord | None:
    """The record in ``blob`` if it is well formed and belongs to ``shown``; else None (a miss)."""
    try:
        record = _RecordUnpickler(io.BytesIO(blob)).load()
    except Exception:
        return None
    if type(record) is not records.ModuleRecord or record.path != shown:
        return None
    return record


def namespace(options: ExtractOptions, grammar: tuple[int, int] | None = None) -> str:
    """The cache file's name part: everything besides the bytes that the records depend on.

    That is the tool version, the Python version (``ast`` changes), the grammar (the newer
    ``--python`` version that parses what this Python cannot; None: this Python's own), the
    options, the record classes' fields, and the source of the extraction code itself, so a
    development build whose version number did not move still never reads records made by
    different code. A run for another grammar never sees these entries: a file that parsed
    under ``--python`` 3.13 is still a syntax error for a run under 3.11 alone, and the reverse.
    """
    shapes = [(cls.__qualname__, _FIELDS[cls]) for cls in _RECORD_CLASSES]
    own = sys.version_info[:2]
    parsed_by = grammar if grammar is not None and grammar > own else None
    text = repr((FORMAT, __version__, sys.implementation.name, own, options, shapes))
    if parsed_by is not None:
        text += repr(("grammar", parsed_by))
    digest = hashlib.sha256(text.encode())
    digest.update(_code_digest())
    return digest.hexdigest()[:16]


class ExtractCache:
    """The entries of one cache file, loaded once per scan and written back once.

    Args:
        directory: the cache directory (``.fixture_graph_cache`` under the rootdir by default).
        options: the extraction options; they choose the cache file.
        grammar: the (major, minor) of a newer ``--python`` whose parser is asked for files this
            Python cannot parse; it chooses the cache file too.
    """

    def __init__(
        self,
        directory: Path,
        options: ExtractOptions,
        alias: tuple[str, str] | None = None,
        grammar: tuple[int, int] | None = None,
    ) -> None:
        self.directory = directory
        # A scan of an exported git revision reads files under a temporary prefix; ``alias``
        # (temporary prefix, work-tree prefix) files its entries under the work tree's paths, so
        # an unchanged blob hits the entry of the same file in the work tree (by content key).
        self.alias = alias
        self.path = directory / f"extract-{namespace(options, grammar)}.bin"
        self.started_ns = time.time_ns()
        self._old: dict[str, Entry] = _read_file(self.path)
        self._new: dict[str, Entry] = {}
        self.hits = 0
        self.misses = 0

    def _key(self, path: str) -> str:
        if self.alias is not None and path.startswith(self.alias[0]):
            return self.alias[1] + path[len(self.alias[0]) :]
        return path

    def fresh(self, path: str, st: os.stat_result) -> bool:
        """True when the stat of ``path`` proves its entry current (the bytes need no reading)."""
        if self.alias is not None:  # the stat of an exported file says nothing about the entry
            return False
        entry = self._old.get(path)
        return (
            entry is not None
            and entry[0] == stat_key(st)
            and max(st.st_mtime_ns, st.st_ctime_ns) < entry[2] - RACY_NS
        )

    def trusted(self, path: str, st: os.stat_result, shown: str) -> records.ModuleRecord | None:
        """The cached record of ``path`` if its stat proves it unchanged (no read needed)."""
        if not self.fresh(path, st):
            return None
        entry = self._old[path]
        record = decode_record(entry[3], shown)
        if record is not None:
            self.hits += 1
            self._new[path] = entry
        return record

    def expected_key(self, path: str) -> bytes | None:
        """The content key last seen for ``path`` (a re-read with this key is a hit)."""
        entry = self._old.get(self._key(path))
        return entry[1] if entry is not None else None

    def by_key(self, path: str, key: bytes, stat: StatKey, shown: str) -> records.ModuleRecord | None:
        """The cached record of ``path`` when its bytes hash to ``key``; refreshes its stat."""
        path = self._key(path)
        entry = self._old.get(path)
        if entry is None or entry[1] != key:
            return None
        record = decode_record(entry[3], shown)
        if record is not None:
            self.hits += 1
            if self.alias is None:
                self._new[path] = (stat, key, self.started_ns, entry[3])
        return record

    def store(self, path: str, stat: StatKey, key: bytes, blob: bytes) -> None:
        """Remember a freshly extracted record (``blob`` from :func:`encode_record`)."""
        self.misses += 1
        path = self._key(path)
        if self.alias is not None and path in self._old:
            return  # another revision of a work-tree file: keep the work tree's entry
        self._new[path] = (stat, key, self.started_ns, blob)

    def save(self) -> None:
        """Write the merged entries atomically; an unwritable cache is silently skipped."""
        changed = any(self._old.get(p) != e for p, e in self._new.items())
        if not changed:
            return
        oldest = self.started_ns - MAX_AGE_NS
        merged = {p: e for p, e in self._old.items() if e[2] >= oldest}
        merged.update(self._new)
        try:
            make_cache_directory(self.directory)
            dump_checked(self.path, MAGIC, merged)
        except OSError:
            return


# ---------------------------------------------------------------------------------------------
# Private functions
# ---------------------------------------------------------------------------------------------


@functools.cache
def _code_digest() -> bytes:
    """The bytes of the modules extraction runs (empty when their source is not on disk)."""
    from fixture_graph.scan import extract, guards, plugins, reads

    digest = hashlib.sha256()
    for module in (extract, guards, records, plugins, reads):
        try:
            digest.update(Path(module.__file__ or "").read_bytes())
        except OSError:
            digest.update(module.__name__.encode())
    return digest.digest()


def _reducer(cls: type) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
    names = _FIELDS[cls]

    def reduce(obj: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, tuple(getattr(obj, n) for n in names)

    return reduce


_DISPATCH: dict[type, Callable[[Any], Any]] = {
    **copyreg.dispatch_table,
    **{cls: _reducer(cls) for cls in _RECORD_CLASSES},
}


class _RecordUnpickler(pickle.Unpickler):
    """Builds record classes and plain containers only; any other global is refused."""

    def find_class(self, module: str, name: str) -> Any:
        cls = _ALLOWED.get((module, name))
        if cls is None:
            raise pickle.UnpicklingError(f"refused global {module}.{name}")
        return cls


def _read_file(path: Path) -> dict[str, Entry]:
    payload = read_checked(path, MAGIC)
    if payload is None:
        return {}
    try:
        entries = loads_plain(payload)  # only dicts, tuples, ints and bytes: no global at all
    except Exception:
        return {}
    if not isinstance(entries, dict):
        return {}
    return {p: e for p, e in entries.items() if _valid_entry(p, e)}


def _valid_entry(path: object, entry: object) -> bool:
    return (
        isinstance(path, str)
        and isinstance(entry, tuple)
        and len(entry) == 4
        and isinstance(entry[0], tuple)
        and len(entry[0]) == 4
        and all(type(v) is int for v in entry[0])
        and isinstance(entry[1], bytes)
        and type(entry[2]) is int
        and isinstance(entry[3], bytes)
    )
