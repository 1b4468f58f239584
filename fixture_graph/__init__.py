"""fixture-graph: a static analyzer of pytest fixture dependency graphs.

The public API is :func:`scan_paths` (files -> :class:`~fixture_graph.model.ScanResult`),
:func:`resolve` (pytest's resolution) and :func:`build_report`. Nothing here imports networkx,
jinja2 or graphviz, so ``fixture-graph --help`` starts fast.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__", "build_report", "resolve", "scan_paths"]


def __getattr__(name: str) -> object:
    if name == "scan_paths":
        from fixture_graph.scan.session import scan_paths

        return scan_paths
    if name == "resolve":
        from fixture_graph.resolve import resolve

        return resolve
    if name == "build_report":
        from fixture_graph.report import build_report

        return build_report
    raise AttributeError(name)
