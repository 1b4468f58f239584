"""Analyzers over the resolved fixture graph: a registry of rules, run once per report.

The rules and their runner live in :mod:`fixture_graph.analyze.runner`, loaded on first use of
:data:`RULES`, :class:`Analysis` or :func:`run_analysis`: importing a light submodule such as
:mod:`~fixture_graph.analyze.findings` (a replayed run needs only that) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fixture_graph.analyze.runner import RULES, Analysis, run_analysis

__all__ = ["RULES", "Analysis", "run_analysis"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("fixture_graph.analyze.runner"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
