"""Walk the file tree the way pytest's collection does, without importing anything.

It yields the directories pytest would collect (skipping ``norecursedirs``, virtualenvs,
``__pycache__``, ``--ignore`` and ``collect_ignore``), in pytest's order (entries sorted by name),
and the test modules in them (``python_files``). Unreadable folders and symlinks become issues.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fixture_graph.model import Issue
from fixture_graph.scan import inputs, modules


@dataclass(frozen=True, slots=True)
class WalkRules:
    """What to skip while walking."""

    norecursedirs: tuple[str, ...]
    python_files: tuple[str, ...]
    ignore: tuple[Path, ...] = ()
    ignore_glob: tuple[str, ...] = ()
    follow_symlinks: bool = False
    # The doctest plugin's --doctest-glob patterns (default test*.txt); empty when it is disabled.
    doctest_globs: tuple[str, ...] = ()


def fnmatch_ex(pattern: str, path: Path) -> bool:
    """pytest's ``fnmatch_ex`` (``_pytest/pathlib.py``): how ``python_files`` and
    ``norecursedirs`` patterns match a path.

    A pattern without a path separator is matched against the basename; one with a separator
    against the whole path, with ``*/`` put in front when the path is absolute and the pattern
    is not (so ``checks/*.py`` matches ``/any/where/checks/x.py``, ``*`` crossing separators as
    ``fnmatch`` does). On Windows a pattern written with ``/`` only is read with ``\\``.
    """
    if os.sep != "/" and os.sep not in pattern and "/" in pattern:
        pattern = pattern.replace("/", os.sep)
    if os.sep not in pattern:
        name = path.name
    else:
        name = str(path)
        if path.is_absolute() and not os.path.isabs(pattern):
            pattern = f"*{os.sep}{pattern}"
    return fnmatch.fnmatch(name, pattern)


def matches_any(path: Path, patterns: tuple[str, ...]) -> bool:
    """Whether ``path`` matches one of ``patterns`` by pytest's ``fnmatch_ex``."""
    return any(fnmatch_ex(p, path) for p in patterns)


def walk(
    root: Path,
    rules: WalkRules,
    on_dir: Callable[[Path], tuple[tuple[Path, ...], tuple[str, ...]] | None],
    issue: Callable[[Issue], None],
    show: Callable[[Path], str],
) -> Iterator[Path]:
    """Yield test module paths below ``root`` in collection order.

    ``on_dir(d)`` is called when a directory is entered (its conftest is loaded then) and returns
    the ``collect_ignore`` paths and ``collect_ignore_glob`` patterns (absolute) that apply to
    the entries of ``d``, or None when the directory failed to collect (an error in its
    conftest), in which case it is skipped.
    """
    seen: set[tuple[int, int]] = set()
    frames: list[tuple[Iterator[os.DirEntry[str]], tuple[Path, ...], tuple[str, ...]]] = []
    entered = _enter(root, seen, on_dir, issue, show)
    if entered is not None:
        frames.append(entered)
    while frames:
        entries, ignored, ignored_glob = frames[-1]
        entry = next(entries, None)
        if entry is None:
            frames.pop()
            continue
        path = Path(entry.path)
        kind = _classify(entry, path, rules, (root, ignored, ignored_glob), issue, show)
        if kind == "dir":
            entered = _enter(path, seen, on_dir, issue, show)
            if entered is not None:
                frames.append(entered)
        elif kind == "module":
            yield path


def _enter(
    directory: Path,
    seen: set[tuple[int, int]],
    on_dir: Callable[[Path], tuple[tuple[Path, ...], tuple[str, ...]] | None],
    issue: Callable[[Issue], None],
    show: Callable[[Path], str],
) -> tuple[Iterator[os.DirEntry[str]], tuple[Path, ...], tuple[str, ...]] | None:
    inputs.note_dir(directory)  # before its stat and its listing
    try:
        st = directory.stat()
    except OSError as exc:
        issue(Issue(show(directory), 0, "unreadable", f"cannot read directory: {exc.strerror}", True))
        return None
    key = (st.st_dev, st.st_ino)
    if key in seen:
        issue(Issue(show(directory), 0, "symlink-loop", "directory already visited (symlink loop)", True))
        return None
    seen.add(key)
    extra = on_dir(directory)
    if extra is None:
        return None
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        issue(Issue(show(directory), 0, "unreadable", f"cannot list directory: {exc.strerror}", True))
        return None
    return iter(entries), extra[0], extra[1]


def _classify(
    entry: os.DirEntry[str],
    path: Path,
    rules: WalkRules,
    where: tuple[Path, tuple[Path, ...], tuple[str, ...]],
    issue: Callable[[Issue], None],
    show: Callable[[Path], str],
) -> str:
    """ "dir" to recurse into, "module" for a test module, "" to skip.

    ``where`` is the walk's root and the ``collect_ignore`` paths and globs in force.
    """
    root, ignored, ignored_glob = where
    if _ignored(path, rules, ignored, ignored_glob):
        return ""
    if entry.is_symlink():
        inputs.note_symlink(path)
        if _symlink_broken(path):
            issue(Issue(show(path), 0, "symlink-loop", "broken or looping symlink", True))
            return ""
        if not rules.follow_symlinks:
            _say_skipped(path, root, issue, show)
            return ""
    try:
        is_dir = entry.is_dir()
        is_file = entry.is_file()
    except OSError:
        issue(Issue(show(path), 0, "symlink-loop", "cannot stat (symlink loop?)", True))
        return ""
    if is_dir:
        if entry.name == "__pycache__" or matches_any(path, rules.norecursedirs):
            return ""
        if modules.is_file(path / "pyvenv.cfg") or modules.is_file(path / "conda-meta" / "history"):
            return ""
        return "dir"
    if not is_file and path.suffix == ".py":
        # A FIFO would block open() forever and a device may never end: never opened.
        message = "a FIFO, device or socket named like a Python file; never opened"
        issue(Issue(show(path), 0, "not-a-file", message))
        return ""
    if (
        is_file
        and path.suffix == ".py"
        and entry.name != "conftest.py"
        and matches_any(path, rules.python_files)
    ):
        return "module"
    if is_file and path.suffix != ".py" and rules.doctest_globs and matches_any(path, rules.doctest_globs):
        return "module"  # a doctest text file (pytest's doctest plugin, ``_is_doctest``)
    return ""


def _ignored(path: Path, rules: WalkRules, ignored: tuple[Path, ...], ignored_glob: tuple[str, ...]) -> bool:
    """pytest's ``pytest_ignore_collect`` (``_pytest/main.py``): ``--ignore`` and ``collect_ignore``
    paths compare equal; ``--ignore-glob`` and ``collect_ignore_glob`` patterns (made absolute)
    are matched with plain ``fnmatch`` against the whole path."""
    if path in rules.ignore or path in ignored:
        return True
    text = str(path)
    return any(fnmatch.fnmatch(text, g) for g in (*rules.ignore_glob, *ignored_glob))


def _say_skipped(path: Path, root: Path, issue: Callable[[Issue], None], show: Callable[[Path], str]) -> None:
    """An issue for a symlinked folder or Python file that is not followed, saying where it points."""
    try:
        if not (path.is_dir() or path.suffix == ".py"):
            return
        outside = "" if path.resolve().is_relative_to(root) else " pointing outside the scanned folder"
    except OSError:  # e.g. a path longer than the system allows
        outside = ""
    issue(Issue(show(path), 0, "symlink-skipped", f"symlink{outside} not followed (use --follow-symlinks)"))


def _symlink_broken(path: Path) -> bool:
    try:
        path.resolve(strict=True)
    except (OSError, RuntimeError):
        return True
    return False
