"""JUnit XML (``--format junit``) for CI test-report views (Jenkins, GitLab, Azure DevOps).

One ``<testsuite>`` per file with findings and one failed ``<testcase>`` per finding, as ruff's
JUnit output does: the test's name is the rule and the place, the failure's ``type`` is the code
and severity, its text the ``path:line:col`` line and the fix. A run without findings is one
passing test, so a report view shows that the check ran. The document validates against the
Jenkins xUnit ``junit-10.xsd`` (checked in the tests); repository text is escaped for display
and XML 1.0, which cannot carry control characters even as references.
"""

from __future__ import annotations

from itertools import groupby
from xml.etree import ElementTree

from fixture_graph.analyze.findings import Finding
from fixture_graph.render.escape import printable
from fixture_graph.render.paths import ShowPath, path_display
from fixture_graph.report import Report

SUITES_NAME = "fixture-graph"


def _case(finding: Finding, show: ShowPath) -> ElementTree.Element:
    path = show(finding.file)
    case = ElementTree.Element(
        "testcase",
        name=printable(f"{finding.code} {finding.symbol or path}:{finding.line}"),
        classname=printable(path),
        time="0",
    )
    failure = ElementTree.SubElement(
        case, "failure", message=printable(finding.message), type=f"{finding.code} {finding.severity.label}"
    )
    text = f"{path}:{finding.line}:{finding.col}: {finding.code} [{finding.severity.label}] {finding.message}"
    lines = [text, *(f"{show(r.file)}:{r.line}: {r.label}" for r in finding.related)]
    if finding.fix:
        lines.append(f"fix: {finding.fix}")
    failure.text = "\n".join(printable(line) for line in lines)
    return case


def render_junit(report: Report) -> str:
    """The findings as a JUnit XML document (UTF-8, with an XML declaration)."""
    show = path_display(report.scan.rootdir)
    findings = report.analysis.findings
    suites = ElementTree.Element(
        "testsuites",
        name=SUITES_NAME,
        tests=str(max(len(findings), 1)),
        failures=str(len(findings)),
        errors="0",
    )
    for file, group in groupby(findings, key=lambda f: f.file):
        cases = [_case(f, show) for f in group]
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            name=printable(show(file)),
            tests=str(len(cases)),
            failures=str(len(cases)),
            errors="0",
            skipped="0",
            file=printable(show(file)),
        )
        suite.extend(cases)
    if not findings:
        suite = ElementTree.SubElement(
            suites, "testsuite", name=SUITES_NAME, tests="1", failures="0", errors="0", skipped="0"
        )
        ElementTree.SubElement(suite, "testcase", name="no findings", classname=SUITES_NAME, time="0")
    ElementTree.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"
    )
