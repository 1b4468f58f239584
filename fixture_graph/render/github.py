"""GitHub Actions workflow commands: findings become annotations on the pull request's diff.

See "Workflow commands for GitHub Actions": ``::error file=F,line=L,col=C,title=T::message``.
Paths are printed from the current directory (:mod:`fixture_graph.render.paths`), which is the
workspace root in Actions.
"""

from __future__ import annotations

from collections.abc import Iterable

from fixture_graph.analyze.findings import Finding, Severity
from fixture_graph.render.escape import printable
from fixture_graph.render.paths import ShowPath, path_display
from fixture_graph.report import Report
from fixture_graph.words import counted

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message (``%``, CR and LF; other controls and bidi characters shown)."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """Escape a property value (data escapes plus ``:`` and ``,``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_commands(findings: Iterable[Finding], show: ShowPath) -> list[str]:
    """One workflow command per finding (``show`` spells its path)."""
    lines = []
    for finding in findings:
        props = [f"file={escape_property(show(finding.file))}"]
        if finding.line > 0:
            props.append(f"line={finding.line}")
            props.append(f"col={finding.col}")
        props.append(f"title={escape_property(finding.code)}")
        message = finding.message + (f" (fix: {finding.fix})" if finding.fix else "")
        lines.append(f"::{LEVEL[finding.severity]} {','.join(props)}::{escape_data(message)}")
    return lines


def render_github(report: Report, findings: Iterable[Finding] | None = None) -> str:
    """One workflow command per finding, then a one-line notice with the totals.

    ``findings`` replaces the report's own (``diff`` passes only the new ones).
    """
    shown = tuple(report.analysis.findings if findings is None else findings)
    lines = workflow_commands(shown, path_display(report.scan.rootdir))
    n_cycles = sum(1 for f in shown if f.code == "FG001")
    lines.append(
        f"::notice title=fixture-graph::{counted(len(report.user_fixtures), 'fixture')} analyzed, "
        f"{n_cycles} circular {'dependency' if n_cycles == 1 else 'dependencies'}, "
        f"{counted(len(shown), 'finding')}"
    )
    return "\n".join(lines) + "\n"
