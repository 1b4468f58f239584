"""Find the rootdir and ini settings exactly as pytest's ``determine_setup`` does.

pytest looks at the common ancestor of the path arguments and walks upwards, taking the first of
``pytest.toml``, ``.pytest.toml``, ``pytest.ini``, ``.pytest.ini``, ``pyproject.toml``, ``tox.ini``
and ``setup.cfg`` that holds pytest configuration. We copy that search, the fallbacks (a
``setup.py`` upwards, then the ancestor), and read the few options that change which files are
collected and which fixtures exist.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import iniconfig

from fixture_graph.config import CACHE_DIRNAME, ScanConfig
from fixture_graph.scan import inputs
from fixture_graph.scan.plugins import settings_keys

if TYPE_CHECKING:
    from fixture_graph.model import Issue

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

CONFIG_NAMES = (
    "pytest.toml",
    ".pytest.toml",
    "pytest.ini",
    ".pytest.ini",
    "pyproject.toml",
    "tox.ini",
    "setup.cfg",
)
DEFAULT_NORECURSEDIRS = ("*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}")
DEFAULT_PYTHON_FILES = ("test_*.py", "*_test.py")


class ConfigFileError(Exception):
    """A pytest config file that pytest itself would refuse (a usage error, exit code 2)."""


@dataclass(frozen=True, slots=True)
class IniSettings:
    """The ini options that decide what pytest collects and which fixtures exist."""

    rootdir: Path
    inifile: Path | None
    testpaths: tuple[str, ...] = ()
    python_files: tuple[str, ...] = DEFAULT_PYTHON_FILES
    python_classes: tuple[str, ...] = ("Test",)
    python_functions: tuple[str, ...] = ("test",)
    norecursedirs: tuple[str, ...] = DEFAULT_NORECURSEDIRS
    usefixtures: tuple[str, ...] = ()
    pythonpath: tuple[Path, ...] = ()
    confcutdir: Path | None = None
    noconftest: bool = False
    plugins: tuple[str, ...] = ()
    disabled_plugins: tuple[str, ...] = ()
    ignore: tuple[Path, ...] = ()
    ignore_glob: tuple[str, ...] = ()
    markexpr: str | None = None
    keyword: str | None = None
    # --doctest-glob patterns from addopts (pytest's default: test*.txt).
    doctest_globs: tuple[str, ...] = ("test*.txt",)
    issues: tuple[Issue, ...] = ()
    # The raw values of the ini keys and addopts flags the plugin registry asks for
    # (fixture_graph.scan.plugins.settings_keys), as (key, value) pairs.
    plugin_settings: tuple[tuple[str, str], ...] = ()


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def determine_setup(
    args: list[Path],
    invocation_dir: Path,
    *,
    inifile: str | None = None,
    rootdir_arg: str | None = None,
    confcutdir_arg: str | None = None,
) -> IniSettings:
    """Return pytest's rootdir, ini file and relevant settings for these path arguments.

    Raises:
        ConfigFileError: when the chosen config file cannot be parsed.
    """
    dirs = [p if inputs.is_dir(p) else p.parent for p in args if inputs.exists(p)]
    rootdir: Path | None
    inipath: Path | None
    if inifile:
        inipath = inputs.resolve(Path(inifile))
        cfg = _load_config(inipath) or {}
        rootdir = inipath.parent
    else:
        ancestor = _common_ancestor(invocation_dir, dirs)
        rootdir, inipath, cfg = _locate_config(invocation_dir, [ancestor])
        if rootdir is None:
            for candidate in (ancestor, *ancestor.parents):
                if inputs.is_file(candidate / "setup.py"):
                    rootdir = candidate
                    break
            else:
                if dirs != [ancestor]:
                    rootdir, inipath, cfg = _locate_config(invocation_dir, dirs)
                if rootdir is None:
                    rootdir = _common_ancestor(invocation_dir, [invocation_dir, ancestor])
                    if rootdir.parent == rootdir:
                        rootdir = ancestor
    if rootdir_arg:
        rootdir = inputs.resolve(Path(os.path.expandvars(rootdir_arg)))
    return _settings(rootdir, inipath, cfg, confcutdir_arg, invocation_dir)


def locate(
    paths: Iterable[str | Path], config: ScanConfig, invocation_dir: Path | None = None
) -> tuple[Path, list[Path], IniSettings]:
    """The invocation directory, the resolved path arguments, and pytest's rootdir and ini."""
    cwd = inputs.resolve(invocation_dir or Path.cwd())
    args = [inputs.resolve(cwd / split_nodeid(str(p))[0]) for p in paths]
    ini = determine_setup(
        args or [cwd],
        cwd,
        inifile=config.inifile,
        rootdir_arg=config.rootdir,
        confcutdir_arg=config.confcutdir,
    )
    return cwd, args, ini


def split_nodeid(arg: str) -> tuple[str, tuple[str, ...]]:
    """A path argument's path and its ``::`` selection parts (``tests/t.py::TestX::test_y[1]``).

    pytest's ``resolve_collection_argument`` (``_pytest/main.py``): text from the first ``[``
    on (a parametrization id) belongs to the last part, so ``::`` inside it does not split.
    """
    base, bracket, rest = arg.partition("[")
    path, *parts = base.split("::")
    if bracket:
        if not parts:
            return arg, ()
        parts[-1] = f"{parts[-1]}{bracket}{rest}"
    return path, tuple(parts)


def cache_directory(config: ScanConfig, rootdir: Path) -> Path:
    """Where the per-file cache (and the CLI's replays) live: ``--cache-dir``, else under the rootdir."""
    return rootdir / (config.cache_dir or CACHE_DIRNAME)


# ---------------------------------------------------------------------------------------------
# Private functions
# ---------------------------------------------------------------------------------------------


def _common_ancestor(invocation_dir: Path, paths: list[Path]) -> Path:
    ancestor: Path | None = None
    for path in paths:
        if not inputs.exists(path):
            continue
        if ancestor is None:
            ancestor = path
        elif ancestor in path.parents or path == ancestor:
            continue
        elif path in ancestor.parents:
            ancestor = path
        else:
            ancestor = Path(os.path.commonpath([path, ancestor]))
    if ancestor is None:
        return invocation_dir
    return ancestor.parent if inputs.is_file(ancestor) else ancestor


def _locate_config(invocation_dir: Path, args: list[Path]) -> tuple[Path | None, Path | None, dict[str, Any]]:
    found_pyproject: Path | None = None
    for arg in args or [invocation_dir]:
        for base in (arg, *arg.parents):
            for name in CONFIG_NAMES:
                candidate = base / name
                if not inputs.is_file(candidate):
                    continue
                if name == "pyproject.toml" and found_pyproject is None:
                    found_pyproject = candidate
                cfg = _load_config(candidate)
                if cfg is not None:
                    return base, candidate, cfg
    if found_pyproject is not None:
        return found_pyproject.parent, found_pyproject, {}
    return None, None, {}


def _load_config(path: Path) -> dict[str, Any] | None:
    """The pytest section of ``path`` as a dict, or None if it holds no pytest configuration."""
    inputs.note_file(path)
    try:
        if path.suffix == ".toml":
            return _load_toml(path)
        ini = iniconfig.IniConfig(str(path))
    except (OSError, UnicodeDecodeError, iniconfig.ParseError, tomllib.TOMLDecodeError) as exc:
        raise ConfigFileError(f"{path}: {exc}") from exc
    if path.suffix == ".ini":
        if "pytest" in ini:
            return dict(ini["pytest"].items())
        return {} if path.name in ("pytest.ini", ".pytest.ini") else None
    if path.suffix == ".cfg" and "tool:pytest" in ini.sections:
        return dict(ini["tool:pytest"].items())
    return None


def _load_toml(path: Path) -> dict[str, Any] | None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    if path.name in ("pytest.toml", ".pytest.toml"):
        section = data.get("pytest", {})
        return dict(section) if isinstance(section, dict) else {}
    tool = data.get("tool", {}).get("pytest", {})
    if not isinstance(tool, dict):
        return None
    native = {k: v for k, v in tool.items() if k != "ini_options"}
    if native:
        return native
    ini_options = tool.get("ini_options")
    if isinstance(ini_options, dict):
        return {k: v if isinstance(v, list) else str(v) for k, v in ini_options.items()}
    return None


def _args(value: object) -> tuple[str, ...]:
    """An ``args``-type ini value: shlex-split text, or a native TOML list."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    if isinstance(value, bool):
        return (str(value).lower(),)
    return tuple(shlex.split(str(value)))


def _settings(
    rootdir: Path, inipath: Path | None, cfg: dict[str, Any], confcutdir_arg: str | None, cwd: Path
) -> IniSettings:
    """The settings; paths given as options (``--confcutdir``, ``--ignore``, ``--ignore-glob``) are
    relative to the invocation directory ``cwd``, as pytest's ``absolutepath`` makes them."""
    base = inipath.parent if inipath else rootdir
    addopts = _args(cfg.get("addopts"))
    opts = _parse_addopts(addopts)
    confcutdir_text = confcutdir_arg or opts.get("confcutdir")
    if confcutdir_text:
        confcutdir: Path | None = inputs.resolve(cwd / confcutdir_text)
    else:
        confcutdir = base
    return IniSettings(
        rootdir=rootdir,
        inifile=inipath,
        testpaths=_args(cfg.get("testpaths")),
        python_files=_args(cfg.get("python_files")) or DEFAULT_PYTHON_FILES,
        python_classes=_args(cfg.get("python_classes")) or ("Test",),
        python_functions=_args(cfg.get("python_functions")) or ("test",),
        norecursedirs=_args(cfg["norecursedirs"]) if "norecursedirs" in cfg else DEFAULT_NORECURSEDIRS,
        usefixtures=_args(cfg.get("usefixtures")),
        pythonpath=tuple(inputs.resolve(base / p) for p in _args(cfg.get("pythonpath"))),
        confcutdir=confcutdir,
        noconftest=bool(opts.get("noconftest")),
        plugins=tuple(p for p in opts.get("plugins", []) if not p.startswith("no:")),
        disabled_plugins=tuple(p[3:] for p in opts.get("plugins", []) if p.startswith("no:")),
        ignore=tuple(inputs.resolve(cwd / p) for p in opts.get("ignore", [])),
        ignore_glob=tuple(os.path.abspath(cwd / g) for g in opts.get("ignore_glob", [])),
        markexpr=opts.get("markexpr"),
        keyword=opts.get("keyword"),
        doctest_globs=tuple(opts.get("doctest_glob", [])) or ("test*.txt",),
        plugin_settings=_plugin_settings(cfg, addopts),
    )


def _plugin_settings(cfg: dict[str, Any], addopts: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The registry's ini keys as found in ``cfg``, and its flags as given in ``addopts``."""
    ini_keys, flags = settings_keys()
    out = {key: str(cfg[key]).strip() for key in sorted(ini_keys) if key in cfg}
    it = iter(addopts)
    for token in it:
        name, eq, inline = token.partition("=")
        if name in flags:
            out[name] = inline if eq else next(it, "")
    return tuple(out.items())


def _parse_addopts(addopts: tuple[str, ...]) -> dict[str, Any]:
    """Read the few pytest command-line options in ``addopts`` that change fixture visibility
    or which tests are collected (``-m``/``-k``: the last one given wins, as with argparse)."""
    out: dict[str, Any] = {"plugins": [], "ignore": [], "ignore_glob": [], "doctest_glob": []}
    it = iter(addopts)
    for token in it:
        name, _, inline = token.partition("=")
        if token.startswith("-p") and not token.startswith("--"):
            # pytest's consider_preparse strips the value: "-p plugin" in one TOML item works.
            value = token[2:].strip().lstrip("=") or next(it, "").strip()
            out["plugins"].append(value)
        elif token.startswith(("-m", "-k")) and not token.startswith("--"):
            # argparse reads ``-m EXPR``, ``-mEXPR`` and ``-m=EXPR`` alike.
            attached = token[2:]
            value = attached[1:] if attached.startswith("=") else attached or next(it, "")
            out["markexpr" if token[1] == "m" else "keyword"] = value
        elif name in ("--confcutdir", "--ignore", "--ignore-glob", "--doctest-glob"):
            value = inline if "=" in token else next(it, "")
            key = name[2:].replace("-", "_")
            if key == "confcutdir":
                out[key] = value
            else:
                out[key].append(value)
        elif token == "--noconftest":
            out["noconftest"] = True
    return out
