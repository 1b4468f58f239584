"""diff, baselines and affected tests on real git repositories built in tmp_path."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.revisions import commit_tree, git, write

from fixture_graph.cli import ExitCode, main

BASE = {
    "pytest.ini": "[pytest]\ntestpaths = tests\n",
    "tests/conftest.py": """
        import pytest

        @pytest.fixture
        def db(engine):
            return engine

        @pytest.fixture
        def engine():
            return 1

        @pytest.fixture
        @memory_profile("old cache", "LOW")
        def cache():
            return {}

        @pytest.fixture
        @memory_profile("search", "HIGH")
        def search():
            return 2
    """,
    "tests/test_a.py": """
        def test_db(db):
            pass

        def test_cache(cache):
            pass

        def test_plain():
            pass
    """,
    "tests/unit/test_u.py": "def test_unit():\n    pass\n",
}

HEAD = {
    "tests/conftest.py": """
        import pytest

        @pytest.fixture
        def db(engine):
            return engine

        @pytest.fixture(scope="session")
        def engine(db):
            return 1

        @pytest.fixture
        @memory_profile("search", "HIGH")
        def search():
            return 2
    """,
    "tests/test_a.py": """
        def test_db(db):
            pass

        def test_cache(search):
            pass

        def test_plain():
            pass
    """,
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    commit_tree(root, BASE)
    write(root, HEAD)
    git(root, "commit", "-q", "-am", "head")
    monkeypatch.chdir(root)
    return root


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--no-plugins"])
    return result.exit_code, result.output


def fingerprint(repo: Path) -> tuple[str, str, str]:
    index = hashlib.sha256((repo / ".git" / "index").read_bytes()).hexdigest()
    return git(repo, "status", "--porcelain"), index, git(repo, "rev-parse", "HEAD")


def test_diff_reports_the_exact_delta_and_fails_on_the_new_cycle(repo: Path) -> None:
    before = fingerprint(repo)
    code, out = cli("diff", "HEAD~1", "HEAD", "--format", "json")
    assert fingerprint(repo) == before  # neither the work tree nor the index moved
    assert code == ExitCode.FINDINGS
    data = json.loads(out)
    assert [f["id"] for f in data["fixtures_removed"]] == ["tests/conftest.py::cache"]
    assert data["fixtures_added"] == []
    assert data["scope_changes"] == [
        {
            "id": "tests/conftest.py::engine",
            "name": "engine",
            "old": "function",
            "new": "session",
            "file": "tests/conftest.py",
            "line": 7,
        }
    ]
    assert data["edges_added"] == [["tests/conftest.py::engine", "tests/conftest.py::db"]]
    assert data["edges_removed"] == []
    assert sorted(f["code"] for f in data["new_findings"]) == ["FG001", "FG002"]
    # search is used now (FG006 fixed); cache, which overrode the builtin, is gone (FG007 fixed).
    assert sorted(f["code"] for f in data["fixed_findings"]) == ["FG006", "FG007"]
    assert data["heavier_tests"] == [{"nodeid": "tests/test_a.py::test_cache", "before": 2.0, "after": 8.0}]
    assert data["closure_changes"] == [
        {
            "kind": "gained",
            "name": "search",
            "change": "closure gained `search` (requested by the test; tests/conftest.py:11)",
            "tests": ["tests/test_a.py::test_cache"],
        },
        {
            "kind": "lost",
            "name": "cache",
            "change": "closure lost `cache` (was tests/conftest.py:11)",
            "tests": ["tests/test_a.py::test_cache"],
        },
    ]
    summary = {row["what"]: (row["base"], row["head"]) for row in data["summary"]}
    assert summary["circular dependencies"] == ("0", "1")
    assert summary["fixtures"] == ("4", "3")


def test_diff_text_and_work_tree_head(repo: Path) -> None:
    (repo / "tests" / "test_a.py").write_text("def test_db(db):\n    pass\n\ndef test_new(dbb):\n    pass\n")
    before = fingerprint(repo)
    code, out = cli("diff", "HEAD")
    assert fingerprint(repo) == before
    assert code == ExitCode.FINDINGS  # FG003: dbb is new in the work tree
    assert "new findings: 2 (2 already on base)" in out  # FG003 and, since test_cache went, FG006
    assert "FG003 [error] fixture 'dbb' not found" in out


def test_existing_findings_do_not_fail_a_pr_unless_asked(repo: Path) -> None:
    (repo / "tests" / "test_a.py").write_text("def test_db(db):\n    pass\n")
    git(repo, "commit", "-q", "-am", "fewer tests")
    code, out = cli("diff", "HEAD~1")
    assert code == ExitCode.OK, out  # only an info finding (search unused) is new
    assert "new findings: 1 (2 already on base)" in out
    assert cli("diff", "HEAD~1", "--fail-on-existing")[0] == ExitCode.FINDINGS


def test_unknown_revision_is_a_usage_error(repo: Path) -> None:
    code, out = cli("diff", "no-such-branch")
    assert code == ExitCode.USAGE
    assert "fixture-graph: error: git rev-parse" in out


def test_baseline_ratchet(repo: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    code, _ = cli("--write-baseline", str(baseline))
    assert code == ExitCode.OK
    assert cli("--baseline", str(baseline))[0] == ExitCode.OK
    keys = [e["key"] for e in json.loads(baseline.read_text())["findings"]]
    assert any(k.startswith("FG001:") for k in keys)
    # A new error fails; the cycle, once fixed, leaves a stale entry that is reported.
    write(
        repo,
        {"tests/conftest.py": BASE["tests/conftest.py"], "tests/test_b.py": "def test_b(nope):\n    pass\n"},
    )
    result = CliRunner().invoke(main, ["--baseline", str(baseline), "--no-plugins"])
    assert result.exit_code == ExitCode.FINDINGS
    assert "baseline: stale entry (no longer found; remove it): FG001:" in result.output


def test_bad_baseline_file_is_a_usage_error(repo: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    code, out = cli("--baseline", str(bad))
    assert code == ExitCode.USAGE
    assert "not a baseline" in out


def test_affected_lists_tests_reaching_changed_definitions(repo: Path) -> None:
    conftest = repo / "tests" / "conftest.py"
    conftest.write_text(conftest.read_text().replace("return 2", "return 3"))
    code, out = cli("affected", "HEAD")
    assert code == ExitCode.OK
    # search's body changed; the conftest changed, so every test under tests/ may be affected.
    assert out.splitlines() == [
        "tests/test_a.py::test_cache",
        "tests/test_a.py::test_db",
        "tests/test_a.py::test_plain",
        "tests/unit/test_u.py::test_unit",
    ]
    code, out = cli("affected", "HEAD", "--format", "json")
    reasons = {t["nodeid"]: t["reasons"] for t in json.loads(out)["tests"]}
    assert reasons["tests/test_a.py::test_cache"] == [
        "fixture `search` changed at tests/conftest.py:11 (body)",
        "tests/conftest.py changed",
    ]
    assert reasons["tests/unit/test_u.py::test_unit"] == ["tests/conftest.py changed"]


def test_affected_by_a_test_module_change_only(repo: Path) -> None:
    (repo / "tests" / "unit" / "test_u.py").write_text("def test_unit():\n    assert True\n")
    code, out = cli("affected", "HEAD")
    assert code == ExitCode.OK
    assert out.splitlines() == ["tests/unit/test_u.py::test_unit"]


GOLDEN = Path(__file__).parent / "data" / "golden" / "diff-comment.md"


def test_golden_diff_comment_and_svg(repo: Path, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    svg = tmp_path / "diff.svg"
    code, out = cli("diff", "HEAD~1", "HEAD", "--format", "markdown", "--svg", str(svg))
    assert code == ExitCode.FINDINGS
    text = out.rsplit("wrote ", 1)[0]
    if os.environ.get("FG_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8"), "FG_UPDATE_GOLDEN=1 rewrites the golden file"
    assert text.startswith("<!-- fixture-graph -->\n")
    assert len(text) < 65_536
    # The new cycle db -> engine -> db is drawn, both arrows red; the mismatch is one of them.
    assert "  n1 --> n2\n  n2 ==> n1\n" in text
    assert "linkStyle 0 stroke:#d62828" in text
    assert "linkStyle 1 stroke:#d62828" in text
    assert "red arrows are the new circular dependencies" in text
    titles = {t.text for t in ET.parse(svg).getroot().iter("{http://www.w3.org/2000/svg}title")}
    assert {"tests/conftest.py::engine", "tests/conftest.py::db", "tests/conftest.py::cache"} <= titles


def test_diff_comment_stays_under_the_limit(repo: Path) -> None:
    many = "import pytest\n" + "".join(
        f"@pytest.fixture\ndef f{i}(f{i + 1}):\n    return 1\n" for i in range(3000)
    )
    (repo / "tests" / "conftest_many.py").write_text(many)
    conftest = repo / "tests" / "conftest.py"
    conftest.write_text(conftest.read_text() + "\nfrom .conftest_many import *\n")
    (repo / "tests" / "__init__.py").write_text("")
    code, out = cli("diff", "HEAD", "--format", "markdown")
    assert code == ExitCode.OK  # the new fixtures are only unused (info); the cycle already existed
    assert len(out) < 65_536
    assert "more changed fixtures are not drawn" in out
    assert "_and " in out  # long lists say what they left out


def test_diff_reuses_the_work_tree_cache_for_revisions(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fixture_graph.scan.loader as loader_mod

    calls: list[str] = []
    real = loader_mod.extract_module

    def counting(shown: str, data: bytes, options: object, **kwargs: object) -> object:
        calls.append(shown)
        return real(shown, data, options, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loader_mod, "extract_module", counting)
    assert cli()[0] == ExitCode.FINDINGS  # a scan of the work tree fills its cache
    assert calls
    calls.clear()
    (repo / "tests" / "unit" / "test_u.py").write_text("def test_unit():\n    assert 1\n")
    assert cli("diff", "HEAD")[0] == ExitCode.OK
    # Every blob of HEAD is a file the work-tree scan already extracted (by content), so only
    # the file edited since then is extracted, once, for the work tree.
    assert calls == ["tests/unit/test_u.py"]
    assert git(repo, "status", "--porcelain") == " M tests/unit/test_u.py\n"  # the cache ignores itself


def test_diff_in_github_and_sarif_prints_only_the_new_findings(repo: Path) -> None:
    code, out = cli("diff", "HEAD~1", "HEAD", "--format", "github")
    assert code == ExitCode.FINDINGS
    titles = re.findall(r"title=(FG\d+)::", out)
    assert sorted(titles) == ["FG001", "FG002"]  # new on HEAD; none of the findings already on base
    assert "file=tests/conftest.py,line=" in out
    assert out.splitlines()[-1].endswith(", 2 findings")
    code, out = cli("diff", "HEAD~1", "HEAD", "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["FG001", "FG002"]
    (repo / "tests" / "test_a.py").write_text("def test_db(db):\n    pass\n")
    git(repo, "commit", "-q", "-am", "fewer tests")
    _, out = cli("diff", "HEAD~1", "--format", "sarif")
    assert len(json.loads(out)["runs"][0]["results"]) == 1  # 1 new, 2 already on base
    _, out = cli("diff", "HEAD~1", "--format", "sarif", "--fail-on-existing")
    assert len(json.loads(out)["runs"][0]["results"]) == 3  # the findings that can fail the run
