"""Scan a git revision of the suite without touching the work tree.

The revision's Python and config files are exported from git objects into a private temporary
directory (see :mod:`fixture_graph.scan.git`) and scanned from the same relative place the user
is in, so ids (relative to the rootdir) match those of the work tree.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

from fixture_graph.config import AnalyzeConfig, GateConfig, ScanConfig
from fixture_graph.report import Report, build_report
from fixture_graph.scan import git
from fixture_graph.scan.ini import cache_directory, locate
from fixture_graph.scan.session import scan_paths


def _relocate(value: str | None, repo: Path, dest: Path) -> str | None:
    if value is None or not Path(value).is_absolute():
        return value
    path = Path(value).resolve()
    return str(dest / path.relative_to(repo)) if path.is_relative_to(repo) else value


def scan_revision(
    repo: Path,
    revision: str | None,
    paths: tuple[Path, ...],
    scan: ScanConfig,
    analyze: AnalyzeConfig,
    gate: GateConfig,
    cwd: Path | None = None,
) -> Report:
    """The report of ``revision`` (None: the work tree as it is), for the same paths and settings."""
    cwd = (cwd or Path.cwd()).resolve()
    if revision is None:
        return build_report(scan_paths(list(paths), scan, invocation_dir=cwd), analyze, gate)
    commit = git.resolve_revision(repo, revision)
    if scan.cache:
        # Share the work tree's per-file cache: most blobs of a revision are files seen before.
        scan = dataclasses.replace(scan, cache_dir=str(_work_tree_cache(paths, scan, cwd)))
    with tempfile.TemporaryDirectory(prefix="fixture-graph-rev-") as tmp:
        dest = Path(tmp).resolve()
        git.export_revision(repo, commit, dest)
        where = dest / cwd.relative_to(repo) if cwd.is_relative_to(repo) else dest
        where.mkdir(parents=True, exist_ok=True)
        moved = tuple(
            Path(_relocate(str(p.resolve()), repo, dest) or p) if p.is_absolute() else p for p in paths
        )
        config = dataclasses.replace(
            scan,
            cache_alias=(str(dest), str(repo)) if scan.cache else None,
            rootdir=_relocate(scan.rootdir, repo, dest),
            inifile=_relocate(scan.inifile, repo, dest),
            confcutdir=_relocate(scan.confcutdir, repo, dest),
        )
        result = scan_paths(list(moved), config, invocation_dir=where)
        # Report the revision's rootdir and ini file where they are in the repository, not in the
        # temporary export, so paths shown to users (and github annotations) point at real files.
        result = dataclasses.replace(
            result,
            rootdir=_relocate(result.rootdir, dest, repo) or result.rootdir,
            inifile=_relocate(result.inifile, dest, repo),
        )
    return build_report(result, analyze, gate)


def _work_tree_cache(paths: tuple[Path, ...], scan: ScanConfig, cwd: Path) -> Path:
    """The cache directory a scan of the work tree uses (under its rootdir, or ``cache_dir``)."""
    if scan.cache_dir is not None and Path(scan.cache_dir).is_absolute():
        return Path(scan.cache_dir)
    return cache_directory(scan, locate(paths, scan, cwd)[2].rootdir)


def rootdir_relative(report: Report, repo: Path, repo_paths: set[str]) -> set[str]:
    """Repository-relative paths re-expressed relative to ``report``'s rootdir (the work tree's)."""
    rootdir = Path(report.scan.rootdir).resolve()
    out = set()
    for rel in repo_paths:
        absolute = repo / rel
        if absolute.is_relative_to(rootdir):
            out.add(Path(os.path.relpath(absolute, rootdir)).as_posix())
    return out
