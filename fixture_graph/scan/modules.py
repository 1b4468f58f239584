"""Find the file a dotted module name refers to, the way Python's path-based import would.

Nothing is imported: we only look for ``a/b/c.py`` or ``a/b/c/__init__.py`` under each search
directory, in order. Relative imports are resolved against the importing file's package.
"""

from __future__ import annotations

from pathlib import Path

from fixture_graph.scan import inputs


class ModuleFinder:
    """Resolve module names to files over an ordered search path, with memoization."""

    def __init__(self, search_path: list[Path]) -> None:
        self.search_path = list(dict.fromkeys(search_path))
        self._cache: dict[str, Path | None] = {}

    def add_front(self, directory: Path) -> None:
        """Put ``directory`` first, as pytest's prepend import mode does for a conftest's basedir."""
        if directory not in self.search_path:
            self.search_path.insert(0, directory)
            self._cache.clear()

    def find(self, dotted: str) -> Path | None:
        """The file for absolute module ``dotted``, or None when no search directory has it."""
        if dotted in self._cache:
            return self._cache[dotted]
        found = None
        parts = dotted.split(".")
        for base in self.search_path:
            found = _find_under(base, parts)
            if found is not None:
                break
        self._cache[dotted] = found
        return found

    def find_from(self, importer: Path, spec: str) -> Path | None:
        """The file for ``spec`` (``pkg.mod`` or ``..mod``) imported from ``importer``."""
        if not spec.startswith("."):
            return self.find(spec)
        level = len(spec) - len(spec.lstrip("."))
        base = importer.parent
        for _ in range(level - 1):
            base = base.parent
        rest = spec[level:]
        if not rest:
            init = base / "__init__.py"
            return init if is_file(init) else None
        return _find_under(base, rest.split("."))

    def submodule(self, package_file: Path, name: str) -> Path | None:
        """The submodule ``name`` of the package whose ``__init__.py`` is ``package_file``."""
        if package_file.name != "__init__.py":
            return None
        return _find_under(package_file.parent, [name])


def basedir(path: Path) -> Path:
    """The directory pytest's prepend import mode puts on ``sys.path`` for ``path``.

    That is the first ancestor that is not a package (has no ``__init__.py``).
    """
    directory = path.parent
    while is_file(directory / "__init__.py") and directory.parent != directory:
        directory = directory.parent
    return directory


def module_name(path: Path) -> str:
    """The ``__name__`` pytest gives ``path`` in prepend mode (package path joined by dots)."""
    parts = [] if path.name == "__init__.py" else [path.stem]
    directory = path.parent
    while is_file(directory / "__init__.py") and directory.parent != directory:
        parts.append(directory.name)
        directory = directory.parent
    return ".".join(reversed(parts))


def module_exists(base: Path, top: str) -> bool:
    """Whether top-level module ``top`` can be imported from search directory ``base``.

    Counts ``top.py``, a package or namespace directory, an extension module (``top.*.so`` /
    ``.pyd``), and a name mapped by a setuptools editable finder (``__editable___*_finder.py``).
    """
    if not top.isidentifier():
        return False
    if inputs.is_file(base / f"{top}.py") or inputs.is_dir(base / top):
        return True
    try:
        entries = inputs.glob(base, f"{top}.*")
    except OSError:
        return False
    if any(e.suffix in (".so", ".pyd", ".pyc") for e in entries):
        return True
    for finder in inputs.glob(base, "__editable__*finder.py"):
        try:
            inputs.note_file(finder)
            text = finder.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if f"'{top}'" in text or f'"{top}"' in text:
            return True
    return False


is_file = inputs.is_file


def _find_under(base: Path, parts: list[str]) -> Path | None:
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    target = base.joinpath(*parts)
    module = target.with_name(target.name + ".py")
    if is_file(module):
        return module
    init = target / "__init__.py"
    if is_file(init):
        return init
    return None
