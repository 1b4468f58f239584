"""Baselines: findings accepted for now, so a large suite can adopt the gate gradually.

A baseline file lists finding keys (line-independent, see :class:`~fixture_graph.analyze.findings.Finding`).
Findings in it do not fail the run; new ones do. Entries that no longer match any finding are
reported as stale, so the baseline only ever shrinks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fixture_graph.analyze.findings import Finding

SCHEMA = "fixture-graph-baseline/1"


class BaselineError(ValueError):
    """A baseline file that cannot be read; the message names the file."""


@dataclass(frozen=True, slots=True)
class BaselineSplit:
    """Findings split by a baseline."""

    new: tuple[Finding, ...]
    known: tuple[Finding, ...]
    stale: tuple[str, ...]


def dump_baseline(findings: Iterable[Finding]) -> str:
    """The baseline document for ``findings`` (sorted, one entry per key)."""
    entries = {f.key: {"key": f.key, "code": f.code, "file": f.file, "message": f.message} for f in findings}
    document = {"schema": SCHEMA, "findings": [entries[k] for k in sorted(entries)]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load_baseline(path: Path) -> frozenset[str]:
    """The finding keys recorded in ``path``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: not a baseline (invalid JSON: {exc})") from None
    if (
        not isinstance(data, dict)
        or data.get("schema") != SCHEMA
        or not isinstance(data.get("findings"), list)
    ):
        raise BaselineError(f"{path}: not a baseline (expected schema {SCHEMA!r})")
    keys = [e.get("key") for e in data["findings"] if isinstance(e, dict)]
    if not all(isinstance(k, str) for k in keys):
        raise BaselineError(f"{path}: every baseline entry needs a string 'key'")
    return frozenset(k for k in keys if isinstance(k, str))


def split_by_baseline(findings: Iterable[Finding], keys: frozenset[str]) -> BaselineSplit:
    """Separate new findings from known ones, and list baseline keys nothing matched."""
    new: list[Finding] = []
    known: list[Finding] = []
    seen: set[str] = set()
    for finding in findings:
        if finding.key in keys:
            known.append(finding)
            seen.add(finding.key)
        else:
            new.append(finding)
    return BaselineSplit(tuple(new), tuple(known), tuple(sorted(keys - seen)))
