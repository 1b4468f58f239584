"""Read revisions straight from git objects: no checkout, no change to the work tree or index.

``export_revision`` lists a revision's tree with ``git ls-tree`` and streams the blobs the scan
needs (Python files and pytest's config files) through one ``git cat-file --batch`` process
into a private temporary directory, which the normal scanner then reads. Identical blobs are
read once. Every call passes an argument list, so no path or revision reaches a shell.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

CONFIG_NAMES = frozenset(
    {"pytest.ini", ".pytest.ini", "pytest.toml", ".pytest.toml", "pyproject.toml", "tox.ini", "setup.cfg"}
)
TIMEOUT = 600


class GitError(RuntimeError):
    """git failed (not a repository, unknown revision, git missing); the message says which."""


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args],
            input=stdin,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} timed out") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]}: {message[-1] if message else 'failed'}")
    return done.stdout


def repo_root(path: Path) -> Path:
    """The top of the work tree containing ``path``."""
    start = path if path.is_dir() else path.parent
    return Path(_git(start, "rev-parse", "--show-toplevel").decode().strip()).resolve()


def resolve_revision(repo: Path, revision: str) -> str:
    """The commit id ``revision`` names (``main``, ``HEAD~1``, a tag, an id)."""
    if revision.startswith("-"):
        raise GitError(f"not a revision: {revision!r}")
    return _git(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").decode().strip()


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """One blob of a revision's tree."""

    path: str
    sha: str


def _wanted(path: str) -> bool:
    name = PurePosixPath(path).name
    return name.endswith(".py") or name in CONFIG_NAMES


def list_tree(repo: Path, commit: str) -> list[TreeEntry]:
    """The regular-file blobs of ``commit`` that the scan can need (symlinks and submodules skipped)."""
    out = []
    for record in _git(repo, "ls-tree", "-r", "-z", "--full-tree", commit).split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        path = raw_path.decode("utf-8", "surrogateescape")
        if kind == "blob" and mode in ("100644", "100755") and _wanted(path):
            out.append(TreeEntry(path, sha))
    return out


def _read_blobs(repo: Path, shas: list[str]) -> Iterator[tuple[str, bytes]]:
    """(sha, content) for each sha, from one ``git cat-file --batch`` run."""
    if not shas:
        return
    data = _git(repo, "cat-file", "--batch", stdin="".join(f"{s}\n" for s in shas).encode())
    position = 0
    for sha in shas:
        header_end = data.index(b"\n", position)
        header = data[position:header_end].decode().split()
        if len(header) != 3 or header[1] != "blob":
            raise GitError(f"git cat-file: unexpected answer for {sha}: {' '.join(header)}")
        size = int(header[2])
        start = header_end + 1
        yield sha, data[start : start + size]
        position = start + size + 1


def export_revision(repo: Path, commit: str, dest: Path) -> int:
    """Write ``commit``'s Python and config files under ``dest``; returns how many were written.

    Paths that would escape ``dest`` (absolute, ``..``) are refused, since a tree can hold any name.
    """
    entries = list_tree(repo, commit)
    unique = sorted({e.sha for e in entries})
    blobs = dict(_read_blobs(repo, unique))
    root = dest.resolve()
    written = 0
    for entry in entries:
        target = (root / entry.path).resolve()
        if not target.is_relative_to(root):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blobs[entry.sha])
        written += 1
    return written


def changed_files(repo: Path, base: str, head: str | None) -> set[str]:
    """Repository-relative paths changed between ``base`` and ``head`` (None: the work tree,
    untracked files included)."""
    args = ["diff", "--name-only", "-z", "--no-renames", base]
    if head is not None:
        args.append(head)
    names = {p.decode("utf-8", "surrogateescape") for p in _git(repo, *args).split(b"\0") if p}
    if head is None:
        untracked = _git(repo, "ls-files", "--others", "--exclude-standard", "-z")
        names |= {p.decode("utf-8", "surrogateescape") for p in untracked.split(b"\0") if p}
    return names
