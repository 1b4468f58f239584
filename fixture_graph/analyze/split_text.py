"""Small text and path helpers of ``plan-split``: guards as ``if`` blocks, relative imports
re-based for another folder, and which local file a conftest's import loads.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import PurePosixPath


def guard_names(guards: Iterable[str]) -> list[str]:
    """The names the guard expressions read (``os`` for ``os.getenv("X") == "1"``)."""
    names: list[str] = []
    for guard in guards:
        try:
            tree = ast.parse(guard, mode="eval")
        except SyntaxError:
            continue
        names.extend(n.id for n in ast.walk(tree) if isinstance(n, ast.Name))
    return names


def condition(guards: tuple[str, ...]) -> str:
    """One ``if`` condition for several guards (each parenthesised when there are several)."""
    return guards[0] if len(guards) == 1 else " and ".join(f"({g})" for g in guards)


def indent(text: str) -> str:
    """``text`` one level deeper (blank lines stay blank)."""
    return "".join(("    " + line if line.strip() else line) for line in text.splitlines(keepends=True))


def wrapped(items: Iterable[tuple[tuple[str, ...], str]], place_guards: tuple[str, ...]) -> list[str]:
    """Statement texts in order, each ``(guards, text)``, with one ``if`` around each run of
    statements that need guards the place (a module loading under ``place_guards``) lacks."""
    blocks: list[tuple[tuple[str, ...], list[str]]] = []
    for guards, text in items:
        extra = tuple(g for g in guards if g not in place_guards)
        if blocks and blocks[-1][0] == extra and extra:
            blocks[-1][1].append(text)
        else:
            blocks.append((extra, [text]))
    out = []
    for extra, texts in blocks:
        body = "\n\n".join(t.rstrip("\n") + "\n" for t in texts)
        out.append(f"if {condition(extra)}:\n{indent(body)}" if extra else body)
    return out


def _folder_of(file: str) -> str:
    folder = str(PurePosixPath(file).parent)
    return "" if folder == "." else folder


def rebase_import(text: str, module: str, source_file: str, folder: str) -> str | None:
    """``text`` (a ``from .x import y`` of ``source_file``) as it must read from ``folder``, or
    None when it reads the same there (absolute, or the same folder)."""
    source_folder = _folder_of(source_file)
    if not module.startswith(".") or source_folder == folder:
        return None
    level = len(module) - len(module.lstrip("."))
    base = PurePosixPath(source_folder) if source_folder else PurePosixPath()
    for _ in range(level - 1):
        base = base.parent
    target = [p for p in base.parts if p != "."] + [p for p in module[level:].split(".") if p]
    here = [p for p in PurePosixPath(folder).parts if p != "."]
    common = 0
    while common < min(len(target), len(here)) and target[common] == here[common]:
        common += 1
    tree = ast.parse(text).body[0]
    if not isinstance(tree, ast.ImportFrom):
        return None
    tree.level = len(here) - common + 1
    tree.module = ".".join(target[common:]) or None
    return ast.unparse(tree) + "\n"
