"""Parse with the suite's grammar: extraction run by the ``--python`` interpreter, in a worker.

A suite run by a newer Python than the tool's may use syntax the tool's parser rejects (PEP 695
``type X = int`` and ``def f[T](x: T)``, PEP 701 f-strings in 3.12; t-strings in 3.14). pytest
imports those modules with the suite's interpreter, so they must be parsed with its grammar.

:func:`~fixture_graph.scan.extract.extract_module` is a pure function of (path, bytes, options)
that imports only the standard library and the package's own modules (``config``, ``model``,
``scope`` and ``scan.{extract,guards,reads,records,cache,inputs}``, ``storage``), so
:class:`TargetParser` runs it in one long-lived worker started under the target interpreter as
``python -I -S -c <bootstrap> <dir of the fixture_graph package>``: isolated (no ``PYTHON*``
variables, no user or suite site-packages, no ``.pth`` files run), with the package's folder
*appended* to ``sys.path`` so the standard library is never shadowed. Nothing is installed into
the target.

The worker is started lazily, by the first file the running interpreter fails to parse (almost
every file parses locally, so the common case costs nothing). Requests and replies are
length-prefixed plain pickles (protocol 5, readable by Python 3.8 and later): a request holds the
shown path, the bytes and the options as plain values; a reply holds the record pickled by
:func:`~fixture_graph.scan.cache.encode_record`, which this side rebuilds with the cache's
restricted unpickler (record classes only, whichever Python pickled them). The worker's startup
and each reply are bounded by :data:`TIMEOUT`; a worker that cannot start, crashes or hangs is
killed and its reason returned as text (the loader turns it into an issue), never raised.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pickle
import queue
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

from fixture_graph.config import ExtractOptions
from fixture_graph.scan.cache import decode_record
from fixture_graph.scan.records import ModuleRecord
from fixture_graph.storage import loads_plain

# Seconds the worker may take to start, and to answer one file (parsing a 4 MiB file takes < 1 s).
TIMEOUT = 60.0
# A worker that crashed or hung is restarted for the next file at most this many times.
MAX_FAILURES = 3
PROTOCOL = 5
_HEADER = struct.Struct(">Q")
_MAX_FRAME = 1 << 30
_STDERR_TAIL = 2000
_BOOTSTRAP = (
    "import sys; sys.path.append(sys.argv[1]); from fixture_graph.scan.target_parser import serve; serve()"
)

# (record, its pickle from encode_record, None) or (None, None, why the target gave no record)
Answer = tuple[ModuleRecord | None, bytes | None, str | None]


def package_parent() -> str:
    """The folder holding the ``fixture_graph`` package (put on the worker's ``sys.path``)."""
    import fixture_graph

    return str(Path(fixture_graph.__file__ or ".").resolve().parent.parent)


class TargetParser:
    """Extracts files with another interpreter's grammar, through one worker process.

    Args:
        python: the interpreter that runs the suite.
        version: its (major, minor), for messages.
        timeout: seconds for the worker to start, and to answer each file.
    """

    def __init__(self, python: str, version: tuple[int, int], timeout: float = TIMEOUT) -> None:
        self.python = python
        self.version = version
        self.timeout = timeout
        self.label = f"Python {version[0]}.{version[1]}"
        self._proc: subprocess.Popen[bytes] | None = None
        self._replies: queue.Queue[Any] = queue.Queue()
        self._stderr: IO[bytes] | None = None
        self._failures = 0
        self._broken: str | None = None

    def extract(
        self, shown: str, data: bytes, options: ExtractOptions, track_uses: bool | None = None
    ) -> Answer:
        """The record of ``data`` as the target's extraction makes it, or why there is none."""
        if self._broken is not None:
            return None, None, self._broken
        if self._proc is None:
            reason = self._start()
            if reason is not None:
                return self._failed(reason)
        assert self._proc is not None
        assert self._proc.stdin is not None
        fields = {f.name: getattr(options, f.name) for f in dataclasses.fields(options)}
        try:
            _write_frame(self._proc.stdin, (shown, data, fields, track_uses))
        except OSError:
            return self._failed(self._exited())
        reply, reason = self._reply()
        if reason is not None:
            return self._failed(reason)
        if not (isinstance(reply, tuple) and len(reply) == 2 and reply[0] in ("record", "error")):
            return self._failed(f"{self.label} worker sent an unexpected reply")
        if reply[0] == "error" or not isinstance(reply[1], bytes):
            return None, None, f"{self.label} failed on this file: {reply[1]}"
        record = decode_record(reply[1], shown)
        if record is None:
            return None, None, f"{self.label} worker sent a record this version cannot read"
        return record, reply[1], None

    def close(self) -> None:
        """Stop the worker (it exits by itself at the end of its input)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    # -- private --------------------------------------------------------------------------------

    def _start(self) -> str | None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - kept open while the worker lives
        self._replies = queue.Queue()
        command = [self.python, "-I", "-S", "-c", _BOOTSTRAP, package_parent()]
        try:
            self._proc = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr
            )
        except (OSError, ValueError) as exc:
            self._proc = None
            return f"cannot run {self.python}: {exc}"
        assert self._proc.stdout is not None
        threading.Thread(target=_read_replies, args=(self._proc.stdout, self._replies), daemon=True).start()
        ready, reason = self._reply()
        if reason is not None:
            return reason
        if not (isinstance(ready, tuple) and len(ready) == 2 and ready[0] == "ready"):
            return f"{self.python} did not start the {self.label} worker"
        return None

    def _reply(self) -> tuple[Any, str | None]:
        try:
            frame = self._replies.get(timeout=self.timeout)
        except queue.Empty:
            return None, f"{self.label} ({self.python}) gave no answer within {self.timeout:g} s"
        if frame is None:
            return None, self._exited()
        try:
            return loads_plain(frame), None
        except Exception:
            return None, f"{self.label} worker sent an unreadable reply"

    def _exited(self) -> str:
        assert self._proc is not None
        try:
            status = self._proc.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            status = None
        tail = ""
        if self._stderr is not None:
            self._stderr.seek(0, os.SEEK_END)
            size = self._stderr.tell()
            self._stderr.seek(max(0, size - _STDERR_TAIL))
            lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
            tail = lines[-1] if lines else ""
        said = f": {tail}" if tail else ""
        return f"the {self.label} worker ({self.python}) exited with status {status}{said}"

    def _failed(self, reason: str) -> Answer:
        """Kill the worker; the next file starts another, until :data:`MAX_FAILURES`."""
        if self._proc is not None:
            self._proc.kill()
        self.close()
        self._failures += 1
        if self._failures >= MAX_FAILURES:
            self._broken = reason = f"{reason} (gave up after {self._failures} failures)"
        return None, None, reason


def _write_frame(stream: IO[bytes], value: object) -> None:
    payload = pickle.dumps(value, protocol=PROTOCOL)
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def _read_frame(stream: IO[bytes]) -> bytes | None:
    """One frame's payload; None at the end of the stream (or a truncated or oversized frame)."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    if size > _MAX_FRAME:
        return None
    payload = stream.read(size)
    return payload if len(payload) == size else None


def _read_replies(stream: IO[bytes], replies: queue.Queue[Any]) -> None:
    """The parent's reader thread: every frame goes to ``replies``, then None at the end."""
    try:
        while True:
            frame = _read_frame(stream)
            replies.put(frame)
            if frame is None:
                return
    except (OSError, ValueError):
        replies.put(None)


def serve() -> None:
    """The worker's loop, under the target interpreter: extract each request until end of input.

    The replies go to the real stdout; anything else printed goes to stderr.
    """
    from fixture_graph.scan.cache import encode_record
    from fixture_graph.scan.extract import extract_module

    requests = sys.stdin.buffer
    replies = sys.stdout.buffer
    sys.stdout = sys.stderr
    _write_frame(replies, ("ready", tuple(sys.version_info[:3])))
    while True:
        frame = _read_frame(requests)
        if frame is None:
            return
        shown, data, fields, track_uses = loads_plain(frame)
        try:
            record = extract_module(shown, data, ExtractOptions(**fields), track_uses=track_uses)
            reply: tuple[str, object] = ("record", encode_record(record))
        except Exception as exc:  # extract_module turns bad input into issues; this is a bug
            reply = ("error", f"{type(exc).__name__}: {exc}")
        _write_frame(replies, reply)
