"""Turn a path into a :class:`ModuleRecord` once: from the cache, a worker process, or in-process.

The scan asks for files one at a time, in collection order, because which file comes next
depends on conftests already read. Before it starts, :meth:`FileLoader.prefetch` is handed the
files the scan will most likely ask for (a cheap directory listing). Those whose stat matches
the cache need nothing; above :data:`PARALLEL_THRESHOLD` the rest are read, parsed and extracted
by a process pool in chunks, in the same order the scan will ask for them, so the main process
resolves imports and registers fixtures while the workers parse. Workers send back pickled
records (small, no AST) that double as cache entries. Any file not prefetched is loaded
in-process. Every path gives the same record and the same issue whichever way it was loaded.

A file the running Python cannot parse is handed, with a newer ``--python``, to a
:class:`~fixture_graph.scan.target_parser.TargetParser`: the suite's interpreter parses it with
its own grammar (PEP 695, PEP 701...). Its record is cached (the cache file is chosen by that
grammar too); when that interpreter cannot answer, the local syntax error stands, a
``target-python`` issue says why, and nothing is cached.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fixture_graph.config import ExtractOptions
from fixture_graph.model import Issue
from fixture_graph.scan import inputs
from fixture_graph.scan.cache import ExtractCache, content_key, decode_record, encode_record
from fixture_graph.scan.extract import PARSE_FAILURES, extract_module
from fixture_graph.scan.records import ModuleRecord
from fixture_graph.scan.safe_read import SkippedFile, read_source_stat
from fixture_graph.scan.target_parser import TargetParser
from fixture_graph.scan.walk import WalkRules, matches_any

# Below this many files to parse, a pool costs more than it saves (forking two workers takes
# about 30 ms; pytest's own 124 test files parse 20% faster in a pool than in-process).
PARALLEL_THRESHOLD = 48
CHUNK_SIZE = 48

# What loading one file gives, as small picklable tuples:
#   ("record", stat, key, blob, record, source) | ("same", stat, key) | ("skipped", code, message)
# A worker sends the pickled ``blob`` (which is also the cache entry) and no record object; in
# process, the record is kept as it is and ``blob`` is made only when a cache wants it.
# ``source`` (the bytes) comes back only for a file that failed to parse, for a newer parser.
Outcome = tuple[Any, ...]
Progress = Callable[[int, int], None]


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def load_outcome(
    path: str,
    shown: str,
    max_bytes: int,
    options: ExtractOptions,
    expected: bytes | None,
    *,
    in_process: bool = False,
    encode: bool = True,
    track_uses: bool | None = None,
) -> Outcome:
    """Read and extract one file (pure; runs in workers too).

    The stat is taken from the open file *before* reading, so a file that changes while it is
    read gets a newer stat than the one stored, and is never trusted stale.
    """
    try:
        # Regular files only, never blocking, at most max_bytes (see safe_read).
        data, st = read_source_stat(Path(path), max_bytes)
    except SkippedFile as skipped:
        return ("skipped", skipped.code, skipped.message)
    key = content_key(shown, data)
    if expected is not None and key == expected:
        return ("same", inputs.stat_key(st), key)
    record = extract_module(shown, data, options, track_uses=track_uses)
    blob = encode_record(record) if encode else None
    source = data if parse_failed(record) else None
    return ("record", inputs.stat_key(st), key, blob, record if in_process else None, source)


def parse_failed(record: ModuleRecord) -> bool:
    """True when the parser refused the file (a newer grammar may accept it)."""
    return not record.parsed and bool(record.issues) and record.issues[0].code in PARSE_FAILURES


def _load_chunk(args: tuple[list[tuple[str, str, bytes | None]], int, ExtractOptions]) -> list[Outcome]:
    items, max_bytes, options = args
    return [load_outcome(path, shown, max_bytes, options, expected) for path, shown, expected in items]


class FileLoader:
    """Loads records for the scan, with an optional cache, pool and progress callback.

    Args:
        options: extraction options.
        max_bytes: larger files are skipped with a ``file-too-large`` issue.
        cache: the persistent cache, or None.
        jobs: worker processes for prefetched files (1 = everything in-process).
        progress: called as ``progress(loaded, expected)`` after each file.
        target: the parser of a newer ``--python``, asked for files this Python cannot parse.
    """

    def __init__(
        self,
        options: ExtractOptions,
        max_bytes: int,
        cache: ExtractCache | None = None,
        jobs: int = 1,
        progress: Progress | None = None,
        target: TargetParser | None = None,
    ) -> None:
        self.options = options
        self.target = target
        self.max_bytes = max_bytes
        self.cache = cache
        self.jobs = jobs
        self.progress = progress
        self._pending: dict[str, int] = {}
        self._ready: dict[str, Outcome] = {}
        self._results: Iterator[list[Outcome]] | None = None
        self._chunks: list[list[str]] = []
        self._next_chunk = 0
        self._pool: Any = None
        # The encoded record of every file extracted in this run, by path, with its stat: the
        # scan drops the records of collected test modules, and one imported later is decoded
        # from here rather than parsed again (the blobs are the cache's own, when it is on).
        self._done: dict[str, tuple[inputs.StatKey, bytes]] = {}
        self._total = 0
        self._loaded = 0

    # -- public ---------------------------------------------------------------------------------

    def prefetch(self, paths: list[tuple[Path, str]]) -> None:
        """Start loading ``(path, shown)`` pairs the scan is expected to ask for, in that order."""
        todo: list[tuple[str, str, bytes | None]] = []
        for path, shown in paths:
            key = str(path)
            if self.cache is not None:
                try:
                    st = os.stat(key)
                except OSError:
                    continue
                if st.st_size <= self.max_bytes and self.cache.fresh(key, st):
                    continue
            todo.append((key, shown, self.cache.expected_key(key) if self.cache else None))
        self._total = len(paths)
        if self.jobs <= 1 or len(todo) < PARALLEL_THRESHOLD:
            return
        chunks = [todo[i : i + CHUNK_SIZE] for i in range(0, len(todo), CHUNK_SIZE)]
        self._chunks = [[item[0] for item in chunk] for chunk in chunks]
        for index, names in enumerate(self._chunks):
            for name in names:
                self._pending[name] = index
        self._pool = _context().Pool(processes=min(self.jobs, len(chunks)), initializer=_worker_start)
        self._results = self._pool.imap(_load_chunk, [(c, self.max_bytes, self.options) for c in chunks])

    def load(
        self, path: Path, shown: str, track_uses: bool | None = None
    ) -> tuple[ModuleRecord | None, Issue | None]:
        """The record of ``path`` (None when it cannot be read, with the issue saying why).

        ``track_uses`` is passed to the extraction when this call extracts the file (False for
        files outside the suite, whose uses no rule reads; a cached record may have them).
        """
        self._loaded += 1
        if self.progress is not None:
            self.progress(self._loaded, max(self._total, self._loaded))
        key = str(path)
        done = self._done.get(key)
        if done is not None:  # read before in this run (a dropped record asked for again)
            record = decode_record(done[1], shown)
            if record is not None:
                inputs.note_file(key, done[0])
                return record, None
        if self.cache is not None:
            try:
                st = os.stat(key)
            except OSError:
                st = None
            if st is not None and st.st_size <= self.max_bytes:
                record = self.cache.trusted(key, st, shown)
                if record is not None:
                    inputs.note_file(key, inputs.stat_key(st))
                    return record, None
        outcome = self._take(key)
        if outcome is None:
            expected = self.cache.expected_key(key) if self.cache else None
            outcome = self._load_here(key, shown, expected, track_uses)
        return self._finish(key, shown, outcome)

    def extract(self, shown: str, data: bytes, *, track_uses: bool | None = None) -> ModuleRecord:
        """Extract ``data`` here, or with the target's grammar when only that can parse it."""
        record = extract_module(shown, data, self.options, track_uses=track_uses)
        if self.target is not None and parse_failed(record):
            better = self.target.extract(shown, data, self.options, track_uses)[0]
            if better is not None:
                return better
        return record

    def close(self) -> None:
        """Stop the workers and write the cache."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        if self.target is not None:
            self.target.close()
        if self.cache is not None:
            self.cache.save()

    # -- private --------------------------------------------------------------------------------

    def _take(self, key: str) -> Outcome | None:
        if key in self._ready:
            return self._ready.pop(key)
        index = self._pending.pop(key, None)
        if index is None or self._results is None:
            return None
        while self._next_chunk <= index:
            outcomes = next(self._results)
            for path, outcome in zip(self._chunks[self._next_chunk], outcomes, strict=True):
                self._ready[path] = outcome
            self._next_chunk += 1
        return self._ready.pop(key, None)

    def _finish(self, key: str, shown: str, outcome: Outcome) -> tuple[ModuleRecord | None, Issue | None]:
        kind = outcome[0]
        if kind == "skipped":
            inputs.note_file(key, inputs.UNTRUSTED)  # no stat from before the attempt
            return None, Issue(shown, 0, outcome[1], outcome[2], True)
        stat: inputs.StatKey = outcome[1]
        # Taken before the bytes were read (perhaps long before, by a worker): a later change
        # shows as a different stat next time.
        inputs.note_file(key, stat)
        if kind == "same" and self.cache is not None:
            record = self.cache.by_key(key, outcome[2], stat, shown)
            if record is not None:
                return record, None
            outcome = self._load_here(key, shown, None)
            if outcome[0] != "record":
                return self._finish(key, shown, outcome)
        record = outcome[4] if outcome[4] is not None else decode_record(outcome[3], shown)
        if record is None:  # pragma: no cover - a record we just encoded always decodes
            raise RuntimeError(f"extraction result of {shown} did not round-trip")
        blob = outcome[3]
        if self.target is not None and outcome[5] is not None:
            better, better_blob, reason = self.target.extract(shown, outcome[5], self.options)
            if reason is not None:
                # Not cached: the next run asks the target again.
                message = f"not parsed by {self.target.label} (--python): {reason}"
                return record, Issue(shown, 0, "target-python", message, True)
            assert better is not None
            assert better_blob is not None
            record, blob = better, better_blob
        if blob is not None:
            self._done[key] = (stat, blob)
        if self.cache is not None:
            self.cache.store(key, outcome[1], outcome[2], blob if blob is not None else encode_record(record))
        return record, None

    def _load_here(
        self, key: str, shown: str, expected: bytes | None, track_uses: bool | None = None
    ) -> Outcome:
        return load_outcome(
            key,
            shown,
            self.max_bytes,
            self.options,
            expected,
            in_process=True,
            encode=self.cache is not None,
            track_uses=track_uses,
        )


def _worker_start() -> None:
    """A worker only parses and extracts: ASTs hold no reference cycles, and the worker is gone
    when the scan ends, so the cycle collector would only re-scan every live node (it costs
    about a third of the parse time on large files)."""
    gc.disable()


def _context() -> Any:
    """fork where it is safe (no other thread yet), so workers start without re-importing."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def list_candidates(root: Path, rules: WalkRules) -> list[Path]:
    """The conftests and test modules below ``root``, in walk order, without reading any file.

    This is a guess for prefetching: it ignores ``collect_ignore`` and failing conftests (the
    scan just never asks for those), so it may list a few files too many, never a wrong one.
    """
    if not root.is_dir():
        return [root] if root.is_file() else []
    out: list[Path] = []
    frames = [iter(_entries(root, out))]
    while frames:
        entry = next(frames[-1], None)
        if entry is None:
            frames.pop()
            continue
        try:
            if entry.is_symlink() and not rules.follow_symlinks:
                continue
            if entry.is_dir():
                if entry.name != "__pycache__" and not matches_any(Path(entry.path), rules.norecursedirs):
                    frames.append(iter(_entries(Path(entry.path), out)))
            elif (
                entry.name.endswith(".py")
                and entry.name != "conftest.py"
                and matches_any(Path(entry.path), rules.python_files)
            ):
                out.append(Path(entry.path))
        except OSError:
            continue
    return out


def _entries(directory: Path, out: list[Path]) -> list[os.DirEntry[str]]:
    """A directory's entries by name; its conftest goes to ``out`` first, as the walk loads it."""
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return []
    if any(e.name == "conftest.py" for e in entries):
        out.append(directory / "conftest.py")
    return entries
