"""Read one source file safely: never block, never read a device, never read past a limit.

A repository can contain anything under a ``.py`` name: a FIFO (``open`` would wait forever
for a writer), a character device (``/dev/zero`` never ends), a file that grows while it is
read, or one that vanishes between the walk and the read. Only regular files are opened, with
``O_NONBLOCK`` so a file swapped for a FIFO after the check cannot block either, and at most
``limit + 1`` bytes are read. What cannot be read is a :class:`SkippedFile` with an issue code.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1 << 16


class SkippedFile(Exception):
    """A file that was not read, with the issue code and message that say why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def read_source(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, read once and completely (see :func:`read_source_stat`)."""
    return read_source_stat(path, limit)[0]


def read_source_stat(path: Path, limit: int) -> tuple[bytes, os.stat_result]:
    """The bytes of the regular file ``path`` and its stat taken on the open file before reading.

    The stat comes from the descriptor the bytes were read from, so a cache keyed by it can never
    pair a newer stat with older bytes.

    Raises:
        SkippedFile: ``not-a-file`` (FIFO, device, socket, directory), ``file-too-large``,
            ``unreadable`` (vanished, permission denied, any I/O error) or
            ``changed-during-scan`` (its size or mtime moved while it was read, twice).
    """
    try:
        before = path.stat()
        _check(before, limit)
        for _ in range(2):
            data, first, changed = _read_checked(path, limit)
            if not changed:
                return data, first
    except OSError as exc:
        raise SkippedFile("unreadable", f"cannot read file: {exc.strerror or exc}") from None
    raise SkippedFile("changed-during-scan", "file kept changing while it was read; skipped")


def _check(status: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(status.st_mode):
        raise SkippedFile("not-a-file", f"{_kind(status.st_mode)}, not a regular file; never opened")
    if status.st_size > limit:
        raise SkippedFile("file-too-large", f"{status.st_size} bytes is over the {limit}-byte limit; skipped")


def _read_checked(path: Path, limit: int) -> tuple[bytes, os.stat_result, bool]:
    """Read up to ``limit + 1`` bytes; True when the file changed while it was read."""
    fd = os.open(path, _FLAGS)
    try:
        first = os.fstat(fd)
        _check(first, limit)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise SkippedFile("file-too-large", f"over the {limit}-byte limit (it grew while read); skipped")
        last = os.fstat(fd)
    finally:
        os.close(fd)
    changed = (first.st_size, first.st_mtime_ns) != (last.st_size, last.st_mtime_ns) or size != last.st_size
    return b"".join(chunks), first, changed


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "a special file"
