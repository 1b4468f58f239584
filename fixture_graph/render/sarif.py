"""SARIF 2.1.0 for code-scanning upload (GitHub, GitLab, Azure DevOps).

Locations are relative to the ``SRCROOT`` base, which is the working directory (the checkout in
CI), spelled by :mod:`fixture_graph.render.paths` as every format does; a file outside it gets an
absolute ``file:`` URI. ``partialFingerprints``
come from each finding's line-independent key, so code scanning keeps tracking a finding when
lines move.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fixture_graph import __version__
from fixture_graph.analyze import RULES
from fixture_graph.analyze.findings import Finding, Location, Severity
from fixture_graph.render.escape import printable, uri_path
from fixture_graph.render.paths import ShowPath, is_absolute, path_display
from fixture_graph.report import Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
INFO_URI = "https://pypi.org/project/fixture-graph/"


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def _physical(file: str, line: int) -> dict[str, Any]:
    """``file`` is already spelled for printing: relative to the working directory, or absolute."""
    artifact: dict[str, Any]
    if is_absolute(file):
        artifact = {"uri": Path(file).as_uri()}
    else:
        artifact = {"uri": uri_path(file), "uriBaseId": "SRCROOT"}
    location: dict[str, Any] = {"artifactLocation": artifact}
    if line > 0:
        location["region"] = {"startLine": line, "startColumn": 1}
    return location


def _related(index: int, related: Location, show: ShowPath) -> dict[str, Any]:
    return {
        "id": index,
        "physicalLocation": _physical(show(related.file), related.line),
        "message": {"text": printable(related.label)},
    }


def _result(finding: Finding, rule_index: dict[str, int], show: ShowPath) -> dict[str, Any]:
    text = finding.message + (f" (fix: {finding.fix})" if finding.fix else "")
    identity = (finding.key or text).encode("utf-8", "surrogateescape")
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index[finding.code],
        "level": LEVEL[finding.severity],
        "message": {"text": printable(text)},
        "locations": [{"physicalLocation": _physical(show(finding.file), finding.line)}],
        "partialFingerprints": {"fixtureGraphKey/v1": hashlib.sha256(identity).hexdigest()[:32]},
    }
    if finding.related:
        result["relatedLocations"] = [_related(i, r, show) for i, r in enumerate(finding.related)]
    return result


def build_sarif(report: Report, findings: Iterable[Finding] | None = None) -> dict[str, Any]:
    """The SARIF log as plain data (one run, every registered rule described).

    ``findings`` replaces the report's own (``diff`` passes only the new ones).
    """
    codes = sorted(RULES)
    rule_index = {code: i for i, code in enumerate(codes)}
    rules = [
        {
            "id": code,
            "name": _camel(RULES[code].name),
            "shortDescription": {"text": RULES[code].summary},
            "defaultConfiguration": {"level": LEVEL[RULES[code].severity]},
            "helpUri": f"{INFO_URI}#{code.lower()}",
        }
        for code in codes
    ]
    show = path_display(report.scan.rootdir)
    root = Path(os.getcwd()).as_uri().rstrip("/") + "/"
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "fixture-graph",
                        "version": __version__,
                        "informationUri": INFO_URI,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"SRCROOT": {"uri": root}},
                "results": [
                    _result(f, rule_index, show)
                    for f in (report.analysis.findings if findings is None else findings)
                ],
            }
        ],
    }


def render_sarif(report: Report, findings: Iterable[Finding] | None = None) -> str:
    """Serialize :func:`build_sarif`."""
    return json.dumps(build_sarif(report, findings), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
