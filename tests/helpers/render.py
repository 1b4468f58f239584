"""Reports for the renderer tests: the sample suite, a cycle, hostile text, a generated big suite.

Trees are written under ``tmp_path`` (never where pytest would collect them). Findings are
built by hand from the resolution, so the renderers are tested independently of the rules.
"""

from __future__ import annotations

import dataclasses
import shutil
import textwrap
from pathlib import Path

from fixture_graph.analyze.findings import Analysis, Chain, Finding, Location, Severity, TestCost
from fixture_graph.config import ScanConfig
from fixture_graph.report import Report, build_report
from fixture_graph.scan.session import scan_paths

DATA = Path(__file__).resolve().parent.parent / "data"
GOLDEN = DATA / "golden"
UPDATE_ENV = "FIXTURE_GRAPH_UPDATE_GOLDEN"

HOSTILE_DOC = "<img src=x onerror=alert(1)>"
HOSTILE_SCRIPT = "</script><script>alert(2)</script>"


def scan_tree(root: Path, env: tuple[tuple[str, str | None], ...] = ()) -> Report:
    """Scan ``root`` like ``fixture-graph --no-plugins`` run there, without the analyzers."""
    config = ScanConfig(scan_plugins=False, env=env)
    return build_report(scan_paths([], config, invocation_dir=root), analyze=False)


def copy_sample(tmp_path: Path) -> Path:
    """A private copy of the bundled sample suite."""
    target = tmp_path / "sample_suite"
    shutil.copytree(DATA / "sample_suite", target)
    return target


def cycle_findings(report: Report) -> Analysis:
    """An FG001 finding per resolver cycle, the way a rule would report it."""
    by_id = {f.id: f for f in report.scan.fixtures}
    findings = []
    for cycle in report.resolution.cycles:
        first = by_id[cycle.links[0]]
        findings.append(
            Finding(
                code="FG001",
                severity=Severity.ERROR,
                message=f"circular dependency: {' -> '.join(cycle.names)}",
                file=first.file,
                line=first.line,
                symbol=first.id,
                related=tuple(Location(by_id[i].file, by_id[i].line, i) for i in cycle.links),
            )
        )
    return Analysis(findings=tuple(findings), rules_run=("FG001",))


def sample_analysis(report: Report) -> Analysis:
    """Findings, a chain and test costs over the sample suite, derived from its resolution."""
    by_id = {f.id: f for f in report.scan.fixtures}
    weights = dict(report.config.weights)
    session = sorted((f for f in report.user_fixtures if f.scope_label == "session"), key=lambda f: f.id)
    findings = [
        Finding(
            code="FG005",
            severity=Severity.WARNING,
            message=f"{len(session)} session-scoped fixtures, budget {report.config.max_session_fixtures}",
            file=session[0].file,
            line=session[0].line,
            symbol=session[0].id,
        )
    ]
    app = by_id["tests/conftest.py::app_instance"]
    findings.append(
        Finding(
            code="FG004",
            severity=Severity.WARNING,
            message="heavy chain: app_instance -> search_index -> settings -> config",
            file=app.file,
            line=app.line,
            symbol=app.id,
            fix="request search_index only where a test needs it",
        )
    )
    chain_ids = (
        "tests/conftest.py::app_instance",
        "tests/conftest.py::search_index",
        "tests/conftest.py::settings",
        "tests/conftest.py::config",
    )
    chain = Chain(chain_ids, sum(weights.get(by_id[i].impact or "", 0.0) for i in chain_ids))
    costs = []
    for test in report.resolution.tests:
        total = sum(weights.get(by_id[i].impact or "", 0.0) for i in test.closure_defs if i in by_id)
        costs.append(TestCost(test.nodeid, total, len(test.closure_defs)))
    return Analysis(
        findings=tuple(findings),
        heavy_chains=(chain,),
        test_costs=tuple(costs),
        rules_run=("FG004", "FG005"),
    )


def with_analysis(report: Report, analysis: Analysis) -> Report:
    """``report`` with hand-made findings."""
    return dataclasses.replace(report, analysis=analysis)


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: source}`` (dedented) under ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def write_cycle_suite(root: Path) -> Path:
    """``a -> b -> c -> a`` plus a self-request with no parent, and a fixture outside the cycle."""
    return write_files(
        root,
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": '''
                import pytest

                @pytest.fixture
                def a(b):
                    """First link."""

                @pytest.fixture(scope="session")
                def b(c):
                    return 2

                @pytest.fixture
                def c(a, helper):
                    return 3

                @pytest.fixture
                def helper():
                    return 4

                @pytest.fixture
                def x(x):
                    return 5
            ''',
            "test_cycle.py": """
                def test_via_a(a):
                    pass

                def test_x(x):
                    pass
            """,
        },
    )


def write_hostile_suite(root: Path) -> Path:
    """Fixtures whose docstrings, names and guards try to break out of every output language."""
    return write_files(
        root,
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": f'''
                import os
                import pytest

                @pytest.fixture
                def evil_doc():
                    """{HOSTILE_DOC}"""

                @pytest.fixture
                def evil_script(evil_doc):
                    """{HOSTILE_SCRIPT}"""

                @pytest.fixture(name="q\\"uote{{brace}}<b>&amp;\\\\back")
                def odd_name(evil_script):
                    """Line one
                    line "two" with \\\\N and {{braces}} & <tags>
                    """

                if os.environ.get("</script><b>") == "1":
                    @pytest.fixture
                    def guarded(odd_name):
                        return 1
            ''',
            "test_evil.py": """
                import pytest

                def test_evil(evil_script):
                    pass

                @pytest.mark.usefixtures('q"uote{brace}<b>&amp;\\\\back')
                def test_odd():
                    pass

                def test_guarded(guarded):
                    pass
            """,
        },
    )


def write_synthetic_suite(root: Path, fixtures: int = 2000, per_file: int = 50) -> Path:
    """A generated suite: ``fixtures`` fixtures in ``fixtures / per_file`` conftests.

    ``tests/conftest.py`` holds package 0; package ``p`` lives in ``tests/pkg<p>/conftest.py``,
    chains its own fixtures and leans on package 0's every seventh link, so the graph is wide,
    deep and connected. Every tenth fixture is session-scoped; impact levels rotate.
    """
    files = {"pytest.ini": "[pytest]\n", "tests/__init__.py": ""}
    levels = ("MINIMAL", "LOW", "MEDIUM", "HIGH", "VERY_HIGH")
    for p in range(max(1, fixtures // per_file)):
        lines = ["import pytest", ""]
        for i in range(per_file):
            deps = [f"p{p}_f{i - 1}"] if i else []
            if p and i % 7 == 0:
                deps.append(f"p0_f{(i * 3) % per_file}")
            scope = "session" if i % 10 == 0 and p == 0 else "function"
            lines.append(f"@pytest.fixture(scope={scope!r})")
            lines.append(f"@memory_profile('synthetic', {levels[(p + i) % 5]!r})")
            lines.append(f"def p{p}_f{i}({', '.join(deps)}):")
            lines.append(f'    """Synthetic fixture {i} of package {p}."""')
            lines.append("")
        folder = "tests" if p == 0 else f"tests/pkg{p}"
        files[f"{folder}/__init__.py"] = ""
        files[f"{folder}/conftest.py"] = "\n".join(lines) + "\n"
        files[f"{folder}/test_p{p}.py"] = f"def test_p{p}(p{p}_f{per_file - 1}):\n    pass\n"
    return write_files(root, files)
