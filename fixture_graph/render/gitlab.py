"""GitLab Code Quality (``--format gitlab``): the findings as a merge request's code quality report.

GitLab reads a JSON array of issues, each with ``description``, ``check_name``, ``fingerprint``
(unique per issue; it tells new issues from fixed ones between branches), ``severity`` (one of
``info``, ``minor``, ``major``, ``critical``, ``blocker``) and ``location`` (``path`` relative
to the repository root, ``lines.begin``). Paths are spelled from the working directory, which
is the project's root in a CI job; the fingerprint comes from the finding's line-independent
key, so moving code does not make an issue look new.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fixture_graph.analyze.findings import Finding, Severity
from fixture_graph.render.paths import ShowPath, path_display
from fixture_graph.report import Report

SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def _issue(finding: Finding, show: ShowPath, fingerprint: str) -> dict[str, Any]:
    description = finding.message + (f" (fix: {finding.fix})" if finding.fix else "")
    return {
        "type": "issue",
        "check_name": finding.code,
        "description": description,
        "categories": ["Bug Risk" if finding.severity is Severity.ERROR else "Performance"],
        "severity": SEVERITY[finding.severity],
        "fingerprint": fingerprint,
        "location": {"path": show(finding.file), "lines": {"begin": max(finding.line, 1)}},
    }


def render_gitlab(report: Report) -> str:
    """The Code Quality report: one issue per finding, in the findings' order."""
    show = path_display(report.scan.rootdir)
    issues = []
    seen: set[str] = set()
    for finding in report.analysis.findings:
        identity = f"{finding.code}\0{finding.key or finding.message}\0{finding.file}"
        fingerprint = hashlib.md5(
            identity.encode("utf-8", "surrogateescape"), usedforsecurity=False
        ).hexdigest()
        while fingerprint in seen:  # two findings with one key: still unique, and stable
            fingerprint = hashlib.md5(fingerprint.encode(), usedforsecurity=False).hexdigest()
        seen.add(fingerprint)
        issues.append(_issue(finding, show, fingerprint))
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
