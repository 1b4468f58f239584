"""Text and JSON views of a :class:`~fixture_graph.verify.verdict.VerifyResult`.

Both are sorted and deterministic. The JSON (``"schema": "fixture-graph-verify/1"``) is what
``make validate`` reads to build the README's Accuracy table; like the scan's JSON it keeps paths
relative to the ``rootdir`` it records. The text output prints each place from the working
directory (:func:`~fixture_graph.render.paths.path_display`), as the scan's text output does.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from fixture_graph.render.paths import ShowPath, path_display
from fixture_graph.verify.findings import FindingCheck, Verdict
from fixture_graph.verify.verdict import VerifyResult, describe

SCHEMA = "fixture-graph-verify/1"


def render_verify_text(result: VerifyResult, cwd: str | None = None) -> str:
    """Headline (agreeing/total), each disagreement with its cause, what was not judged, then the
    findings as pytest judges them; places relative to ``cwd`` (default: the working directory)."""
    show = path_display(result.rootdir, cwd) if result.rootdir else None
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
            lines.extend(describe(disagreement, show))
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
    lines.extend(_findings_text(result, show or _same))
    lines.extend(f"note: {n}" for n in result.notes)
    return "\n".join(lines) + "\n"


def _counts(checks: tuple[FindingCheck, ...]) -> str:
    counts = Counter(c.verdict for c in checks)
    return ", ".join(f"{counts[v]} {v.value}" for v in Verdict)


def _same(path: str) -> str:
    return path


def _findings_text(result: VerifyResult, show: ShowPath) -> list[str]:
    """Error findings as pytest judges them (false ones first), then FG006's precision."""
    lines = [
        f"error findings: {len(result.errors)} ({_counts(result.errors)}); "
        f"false error findings: {result.false_errors} of {len(result.errors)}"
    ]
    order = {Verdict.FALSE: 0, Verdict.UNVERIFIED: 1, Verdict.CONFIRMED: 2}
    for check in sorted(result.errors, key=lambda c: (order[c.verdict], c.file, c.line, c.key)):
        where = f"{show(check.file)}:{check.line}"
        lines.append(f"    {check.verdict.value}: {where}: {check.code} {check.message}")
        lines.append(f"        {check.detail}")
    if result.unused:
        precision = result.unused_precision
        shown = "n/a" if precision is None else f"{100 * precision:.1f}%"
        lines.append(
            f"FG006 unused fixtures: {len(result.unused)} ({_counts(result.unused)}); "
            f"pytest reaches {result.unused_false}: precision {shown}"
        )
        for check in result.unused:
            if check.verdict is not Verdict.CONFIRMED:
                lines.append(f"    {check.verdict.value}: {show(check.file)}:{check.line}: {check.message}")
                lines.append(f"        {check.detail}")
    return lines


def _check_json(check: FindingCheck) -> dict[str, Any]:
    return {
        "code": check.code,
        "key": check.key,
        "message": check.message,
        "file": check.file,
        "line": check.line,
        "verdict": check.verdict.value,
        "detail": check.detail,
    }


def verify_json(result: VerifyResult) -> dict[str, Any]:
    """The JSON document as a dict."""
    return {
        "schema": SCHEMA,
        "rootdir": result.rootdir,
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
        "error_findings": [_check_json(c) for c in result.errors],
        "false_error_findings": result.false_errors,
        "unused_findings": [_check_json(c) for c in result.unused],
        "unused_false_positives": result.unused_false,
        "unused_precision": None if result.unused_precision is None else round(result.unused_precision, 6),
    }


def render_verify_json(result: VerifyResult) -> str:
    """The JSON document as text (stable key order, trailing newline)."""
    return json.dumps(verify_json(result), indent=2, sort_keys=True) + "\n"
