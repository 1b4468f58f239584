"""The rules registry: code -> rule, in the style of ruff and pyflakes.

A rule is a function of the shared :class:`~fixture_graph.analyze.context.Context` that yields
findings. Registering it with :func:`rule` gives it a stable code, a name, a default severity
and a one-line summary (``fixture-graph rules`` and the SARIF ``rules`` table print these).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fixture_graph.analyze.findings import Finding, Severity

if TYPE_CHECKING:
    from fixture_graph.analyze.context import Context

Check = Callable[["Context"], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    """One registered rule."""

    code: str
    name: str
    severity: Severity
    summary: str
    check: Check


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, severity: Severity, summary: str) -> Callable[[Check], Check]:
    """Register ``check`` under ``code`` (codes are unique and never reused)."""

    def register(check: Check) -> Check:
        if code in RULES:
            raise ValueError(f"duplicate rule code {code}")
        RULES[code] = Rule(code, name, severity, summary, check)
        return check

    return register


def selected(code: str, select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    """ruff's selection: the longest matching prefix wins, and ``ignore`` wins a tie.

    An empty ``select`` selects everything (the empty prefix).
    """

    def best(prefixes: tuple[str, ...]) -> int:
        return max((len(p) for p in prefixes if code.startswith(p)), default=-1)

    chosen = best(select) if select else 0
    return (chosen >= 0 and best(ignore) < chosen) or (chosen == 0 and best(ignore) < 0)
