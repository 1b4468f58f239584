"""Files the tool writes for itself: atomic replacement, checksummed payloads, plain pickles.

The per-file extraction cache, the run replays and the reports written with ``-o`` share these
rules: a file is replaced in one rename, so a reader (or a concurrent run) never sees half of
one; a cache file starts with a magic line and the SHA-256 of its payload, so a truncated,
foreign or damaged file reads as absent; and a plain pickle may hold only containers, strings,
numbers and bytes, so a cache inside a repository can never make the tool run code.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import secrets
import stat
from pathlib import Path
from typing import Any

_DIGEST = 32
_GITIGNORE = b"# Created by fixture-graph automatically.\n*\n"
_CACHEDIR_TAG = (
    b"Signature: 8a477f597d28d172789f06886806bc55\n"
    b"# This file is a cache directory tag created by fixture-graph.\n"
)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and one rename.

    The new file gets the mode of the file it replaces, or for a new file the mode any program
    gets from ``open()``: 0666 less the umask (the kernel applies it, as the temporary file is
    created with that mode). A symlink is written through (its target is replaced, the link
    stays). A path that exists and is not a regular file (``/dev/null``, ``/dev/stdout``, a
    FIFO) is written in place: renaming over it would replace the device or pipe with a file.

    Raises:
        OSError: the folder cannot be created or written; ``path`` is then left as it was.
    """
    try:
        path = Path(os.path.realpath(path)) if path.is_symlink() else path
        st = path.stat()
    except OSError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        with path.open("wb") as handle:
            handle.write(data)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temporary(path)
    try:
        if st is not None and hasattr(os, "fchmod"):
            os.fchmod(fd, stat.S_IMODE(st.st_mode))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _create_temporary(path: Path) -> tuple[int, str]:
    """A new file beside ``path``, created with mode 0666 so the umask decides its permissions
    (``tempfile.mkstemp`` would make it 0600 whatever the umask)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        tmp = os.path.join(path.parent, f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def write_checked(path: Path, magic: bytes, payload: bytes) -> None:
    """Write ``payload`` after ``magic`` and its SHA-256 (read back with :func:`read_checked`)."""
    write_atomic(path, magic + hashlib.sha256(payload).digest() + payload)


class _HashingWriter:
    """A file-like sink that hashes what it writes (so a pickle streams to disk in one pass)."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return int(self.handle.write(data))


def dump_checked(path: Path, magic: bytes, obj: object) -> None:
    """Pickle ``obj`` to ``path`` as :func:`write_checked` would write its bytes, streaming it
    (no copy of the whole payload in memory), atomically via a temporary file in the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(magic + bytes(_DIGEST))
            writer = _HashingWriter(handle)
            pickle.dump(obj, writer, protocol=pickle.HIGHEST_PROTOCOL)
            handle.seek(len(magic))
            handle.write(writer.digest.digest())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_checked(path: Path, magic: bytes) -> memoryview | None:
    """The payload of a :func:`write_checked` file (a view of the bytes read, not a copy), or
    None when it is absent or does not check out."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(magic)
    if not data.startswith(magic) or len(data) < head + _DIGEST:
        return None
    payload = memoryview(data)[head + _DIGEST :]
    if hashlib.sha256(payload).digest() != data[head : head + _DIGEST]:
        return None
    return payload


class PlainUnpickler(pickle.Unpickler):
    """Builds containers, strings, numbers and bytes only: every class lookup is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refused global {module}.{name}")


def loads_plain(data: bytes | memoryview) -> Any:
    """Unpickle ``data`` with :class:`PlainUnpickler` (errors propagate; callers treat them as a miss)."""
    return PlainUnpickler(readable(data)).load()


def readable(data: bytes | memoryview) -> Any:
    """A binary file reading ``data`` (a memoryview is read in place, not copied)."""
    return _ViewReader(data) if isinstance(data, memoryview) else io.BytesIO(data)


class _ViewReader:
    """The part of a binary file's interface that unpicklers use, over a memoryview."""

    def __init__(self, view: memoryview) -> None:
        self.view = view.cast("B")
        self.pos = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.view) if size < 0 else min(len(self.view), self.pos + size)
        chunk = self.view[self.pos : end].tobytes()
        self.pos = end
        return chunk

    def readinto(self, buffer: Any) -> int:
        target = memoryview(buffer).cast("B")
        size = min(len(target), len(self.view) - self.pos)
        target[:size] = self.view[self.pos : self.pos + size]
        self.pos += size
        return size

    def readline(self, size: int = -1) -> bytes:
        # Only text-mode pickle opcodes read lines (never in what this package writes).
        rest = self.view[self.pos :] if size < 0 else self.view[self.pos : self.pos + size]
        end = rest.tobytes().find(b"\n")
        return self.read(len(rest) if end < 0 else end + 1)


def make_cache_directory(directory: Path) -> None:
    """Create a cache folder with a ``.gitignore`` and a ``CACHEDIR.TAG``, as pytest does."""
    if (directory / ".gitignore").is_file():
        return
    directory.mkdir(parents=True, exist_ok=True)
    write_atomic(directory / ".gitignore", _GITIGNORE)
    write_atomic(directory / "CACHEDIR.TAG", _CACHEDIR_TAG)
