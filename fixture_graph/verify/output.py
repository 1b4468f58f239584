"""Text and JSON views of a :class:`~fixture_graph.verify.verdict.VerifyResult`.

Both are sorted and deterministic. The JSON (``"schema": "fixture-graph-verify/1"``) is what
``make validate`` reads to build the README's Accuracy table.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from fixture_graph.verify.verdict import VerifyResult, describe

SCHEMA = "fixture-graph-verify/1"


def render_verify_text(result: VerifyResult) -> str:
    """Headline (agreeing/total), then each disagreement with its cause, then what was not judged."""
    if result.failure:
        return f"verify: {result.failure}\n"
    pct = 100.0 * result.agreement
    oracle = "pytest run" if result.ran else result.source
    lines = [
        f"agreement: {result.agreeing}/{result.total} tests ({pct:.1f}%), "
        f"pytest {result.pytest_version or '?'}, oracle: {oracle}"
    ]
    if result.disagreements:
        causes = Counter(d.cause.value for d in result.disagreements)
        lines.append("disagreements by cause: " + ", ".join(f"{k} {v}" for k, v in sorted(causes.items())))
        for disagreement in result.disagreements:
            lines.extend(describe(disagreement))
    if result.unverifiable:
        failed = sum(1 for u in result.unverifiable if not u.skipped)
        skipped = len(result.unverifiable) - failed
        lines.append(f"unverifiable: {failed} collectors failed, {skipped} skipped at collection in pytest")
        for u in result.unverifiable:
            what = "skipped" if u.skipped else "failed"
            lines.append(f"    {u.nodeid or '<session>'} ({what}, {u.tests} tests not judged): {u.message}")
    if result.dynamic_notes:
        lines.append(
            f"dynamic requests: {len(result.dynamic_notes)} tests may resolve more at run time "
            "(rerun with --run to observe them)"
        )
        for nodeid, text in result.dynamic_notes[:20]:
            lines.append(f"    {nodeid}: {text}")
        if len(result.dynamic_notes) > 20:
            lines.append(f"    ... {len(result.dynamic_notes) - 20} more (see --format json)")
    lines.extend(f"note: {n}" for n in result.notes)
    return "\n".join(lines) + "\n"


def verify_json(result: VerifyResult) -> dict[str, Any]:
    """The JSON document as a dict."""
    return {
        "schema": SCHEMA,
        "pytest_version": result.pytest_version,
        "oracle": result.source,
        "ran": result.ran,
        "failure": result.failure,
        "total": result.total,
        "agreeing": result.agreeing,
        "agreement": round(result.agreement, 6),
        "disagreements": [
            {
                "nodeid": d.nodeid,
                "cause": d.cause.value,
                "explanation": d.explanation,
                "collected": d.collected,
                "missing": list(d.missing),
                "extra": list(d.extra),
                "winners": [{"name": w.name, "pytest": w.pytest, "ours": w.ours} for w in d.winners],
                "runtime_extra": list(d.runtime_extra),
            }
            for d in result.disagreements
        ],
        "unverifiable": [
            {"nodeid": u.nodeid, "message": u.message, "tests": u.tests, "skipped": u.skipped}
            for u in result.unverifiable
        ],
        "dynamic_notes": [{"nodeid": n, "detail": t} for n, t in result.dynamic_notes],
        "notes": list(result.notes),
    }


def render_verify_json(result: VerifyResult) -> str:
    """The JSON document as text (stable key order, trailing newline)."""
    return json.dumps(verify_json(result), indent=2, sort_keys=True) + "\n"
