"""How every output spells a file: relative to the working directory, or absolute outside it.

ruff and pytest print paths a user can paste from where they stand, so the scan's rootdir-relative
paths (``tests/conftest.py``) are re-expressed from the current directory: from the rootdir they
are unchanged, from a parent directory they gain its prefix (``project/tests/conftest.py``), and
a file outside the current directory is printed absolute. Node ids and fixture ids are
identifiers, not paths, and stay rootdir-relative as pytest's node ids do.

:func:`path_display` is the one place that decides; every display format asks it (text,
concise, github, sarif, junit, gitlab, markdown, the HTML report, DOT/SVG labels and
tooltips, the diff's text and Markdown, ``verify``'s text). The data
formats (``json``, ``graphml``, ``node-link``, the diff's JSON, ``verify``'s JSON) keep paths relative to the
``rootdir`` they record, like their ids, so the same tree gives the same document wherever it
was made from.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import PurePosixPath

ShowPath = Callable[[str], str]


def path_display(rootdir: str, cwd: str | None = None) -> ShowPath:
    """A function turning a scan path into the path to print, for a run from ``cwd``.

    Args:
        rootdir: the scan's rootdir (absolute); scan paths are relative to it (POSIX spelling) or
            absolute for files outside it.
        cwd: the directory the user runs from (default: the process's working directory).

    Returns:
        ``show(file)``: ``file`` relative to ``cwd`` when it is ``cwd`` or below it, else
        absolute, always with ``/``. An empty ``file`` (no file) stays empty.
    """
    here = _posix(os.path.abspath(cwd if cwd is not None else os.getcwd()))
    root = _posix(os.path.abspath(rootdir))
    below_here = _under(root, here)  # the rootdir's path from here, or None

    def show(file: str) -> str:
        if not file:
            return file
        if is_absolute(file):
            rel = _under(_posix(file), here)
            return rel if rel is not None else _posix(file)
        if below_here is not None:
            return file if below_here == "." else f"{below_here}/{file}"
        rel = _under(f"{root}/{file}", here)
        return rel if rel is not None else f"{root}/{file}"

    return show


def is_absolute(file: str) -> bool:
    """True for ``/x`` and a Windows drive path (``C:/x``, ``C:\\x``); ``::x`` is a relative name."""
    return PurePosixPath(file).is_absolute() or bool(_DRIVE.match(file))


_DRIVE = re.compile(r"[A-Za-z]:[\\/]")


def _posix(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path


def _under(path: str, directory: str) -> str | None:
    """``path`` relative to ``directory`` when it is that directory or inside it, else None."""
    if path == directory:
        return "."
    prefix = directory if directory.endswith("/") else directory + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None
