"""GitHub Actions workflow commands: findings become annotations on the pull request's diff.

See "Workflow commands for GitHub Actions": ``::error file=F,line=L,col=C,title=T::message``.
Paths are made relative to the current directory, which is the workspace root in Actions.
"""

from __future__ import annotations

import os
from pathlib import Path

from fixture_graph.analyze.findings import Severity
from fixture_graph.render.escape import printable
from fixture_graph.report import Report

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message (``%``, CR and LF; other controls and bidi characters shown)."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """Escape a property value (data escapes plus ``:`` and ``,``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _path(report: Report, file: str) -> str:
    absolute = Path(report.scan.rootdir, file)
    try:
        return Path(os.path.relpath(absolute)).as_posix()
    except ValueError:  # another drive on Windows
        return absolute.as_posix()


def render_github(report: Report) -> str:
    """One workflow command per finding, then a one-line notice with the totals."""
    lines = []
    for finding in report.analysis.findings:
        props = [f"file={escape_property(_path(report, finding.file))}"]
        if finding.line > 0:
            props.append(f"line={finding.line}")
            props.append(f"col={finding.col}")
        props.append(f"title={escape_property(finding.code)}")
        message = finding.message + (f" (fix: {finding.fix})" if finding.fix else "")
        lines.append(f"::{LEVEL[finding.severity]} {','.join(props)}::{escape_data(message)}")
    n_cycles = sum(1 for f in report.analysis.findings if f.code == "FG001")
    lines.append(
        f"::notice title=fixture-graph::{len(report.user_fixtures)} fixtures analyzed, {n_cycles} circular "
        f"{'dependency' if n_cycles == 1 else 'dependencies'}, {len(report.analysis.findings)} findings"
    )
    return "\n".join(lines) + "\n"
