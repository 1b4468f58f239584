"""The suite's own modules a test module imports, transitively, resolved to files.

Nothing is imported: a module's import statements come from its extraction record (its
``import``, ``from ... import`` and star-import bindings, at the top level and under ``if`` or
``try``), and each name is resolved to a file the way the scan resolves a conftest's imports
(:class:`~fixture_graph.scan.modules.ModuleFinder`, relative imports against the importer's
package). Only files of the suite count (under the rootdir or a ``pythonpath`` entry): an
installed package is not part of a change. ``import a.b`` runs ``a/__init__.py`` too, and
``from pkg import mod`` may import the submodule ``pkg/mod.py``; both are followed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from fixture_graph.scan.records import Binding, ModuleRecord

_IMPORT_KINDS = frozenset({"import", "from", "star"})


def imported_names(record: ModuleRecord) -> Iterator[tuple[str, str | None]]:
    """``(module, attribute)`` for each import a module runs (attribute None for ``import m``
    and star imports), in source order; class bodies included."""
    stack: list[tuple[Binding, ...]] = [record.body]
    while stack:
        for binding in stack.pop():
            if binding.kind in _IMPORT_KINDS and binding.module is not None:
                yield binding.module, binding.attr if binding.kind == "from" else None
            elif binding.cls is not None:
                stack.append(binding.cls.body)


class LocalImports:
    """Which suite modules each module imports, memoized per file.

    Args:
        find_from: resolves ``(importer, "pkg.mod" or "..mod")`` to a file or None.
        submodule: ``(package __init__ file, name)`` to the submodule's file or None.
        is_local: whether a file belongs to the suite.
        read: the extraction record of a file (None when it cannot be read).
    """

    def __init__(
        self,
        find_from: Callable[[Path, str], Path | None],
        submodule: Callable[[Path, str], Path | None],
        is_local: Callable[[Path], bool],
        read: Callable[[Path], ModuleRecord | None],
    ) -> None:
        self._find_from = find_from
        self._submodule = submodule
        self._is_local = is_local
        self._read = read
        self._direct: dict[Path, tuple[Path, ...]] = {}
        self._closures: dict[Path, tuple[Path, ...]] = {}

    def direct(self, path: Path, record: ModuleRecord | None = None) -> tuple[Path, ...]:
        """The suite files ``path``'s own import statements load (``record``: its record, when
        the caller has it)."""
        found = self._direct.get(path)
        if found is not None:
            return found
        if record is None:
            record = self._read(path)
        out: dict[Path, None] = {}
        for module, attr in imported_names(record) if record is not None else ():
            for target in self._targets(path, module, attr):
                if target != path and self._is_local(target):
                    out[target] = None
        found = self._direct[path] = tuple(out)
        return found

    def closure(self, path: Path, record: ModuleRecord | None = None) -> tuple[Path, ...]:
        """Every suite file importing ``path`` loads, transitively (``path`` itself left out);
        ``record``: its record, when the caller has it."""
        self.direct(path, record)
        return self._reached(path)

    def _reached(self, start: Path) -> tuple[Path, ...]:
        """Every suite file importing ``start`` loads (``start`` left out), memoized: a walk
        stops at a module whose set is known and takes that set whole (it is complete, cycles
        included), so the test modules of a suite that all import one package share its walk."""
        known = self._closures.get(start)
        if known is not None:
            return known
        seen: dict[Path, None] = {}
        queue = list(self.direct(start))
        while queue:
            target = queue.pop()
            if target in seen or target == start:
                continue
            seen[target] = None
            done = self._closures.get(target)
            if done is None:
                queue.extend(self.direct(target))
            else:
                seen.update(dict.fromkeys(done))
        seen.pop(start, None)
        known = self._closures[start] = tuple(seen)
        return known

    def _targets(self, importer: Path, module: str, attr: str | None) -> Iterator[Path]:
        # ``import a.b.c`` runs a/__init__.py and a/b/__init__.py first (``..a.b``: ``..a``).
        rest = module.lstrip(".")
        dots = module[: len(module) - len(rest)]
        parts = rest.split(".") if rest else []
        for end in range(1, len(parts)):
            parent = self._find_from(importer, dots + ".".join(parts[:end]))
            if parent is not None:
                yield parent
        found = self._find_from(importer, module)
        if found is None:
            return
        yield found
        if attr is not None:  # ``from pkg import name`` (a star import has no attribute)
            sub = self._submodule(found, attr)
            if sub is not None:
                yield sub
