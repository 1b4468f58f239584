"""A suite without impact tags: no output shows weight tables of zeros, only a one-line note.

Impact tags come from ``@memory_profile(description, impact)``. Without any (and without
measurements, and with untagged fixtures weighing nothing) every chain and test weighs 0, so
the text summary, the Markdown comment, the HTML report and the JSON say so once instead of
listing zeros. The near misses: one tag, a non-zero ``untagged-weight``, or measurements bring
the weights (and the tables) back.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.cli import run

from fixture_graph.cli.scan_cmd import FORMATS
from fixture_graph.render.summary import NO_IMPACT_NOTE

Tree = Callable[[dict[str, str]], Path]

UNTAGGED = {
    "pytest.ini": "[pytest]\n",
    "conftest.py": """
        import pytest
        @pytest.fixture(scope="session")
        def engine(): pass
        @pytest.fixture
        def db(engine): pass
        @pytest.fixture
        def client(db): pass
    """,
    "test_x.py": """
        def test_client(client): pass
        def test_db(db): pass
    """,
}
TAGGED = {
    **UNTAGGED,
    "conftest.py": UNTAGGED["conftest.py"].replace(
        "def engine(): pass", "@memory_profile('engine', 'HIGH')\n        def engine(): pass"
    ),
}
ZEROS = re.compile(r"\b0(\.0)? points\b")


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "svg" or shutil.which("dot")])
def test_no_output_shows_zero_weights_on_an_untagged_suite(write_tree: Tree, fmt: str) -> None:
    code, out = run(write_tree(UNTAGGED), "--format", fmt)
    assert code == 0, out
    assert not ZEROS.search(out)
    assert "heaviest chain" not in out.lower()
    assert "heaviest tests" not in out.lower()


def test_text_says_once_that_no_impact_tags_were_found(write_tree: Tree) -> None:
    code, out = run(write_tree(UNTAGGED))
    assert code == 0
    assert out.count("no impact tags found") == 1
    assert f"note: {NO_IMPACT_NOTE}" in out
    assert "@memory_profile(" in out


def test_markdown_has_the_note_and_no_chain_line(write_tree: Tree) -> None:
    _, out = run(write_tree(UNTAGGED), "--format", "markdown")
    (note,) = [line for line in out.splitlines() if "impact tags" in line]
    assert note.startswith("No impact tags found")
    assert '`@memory_profile("what it holds", "HIGH")`' in note
    assert "Heaviest chain" not in out


WEIGHT_MARKUP = (
    'id="card-chain"',
    'id="fg-t-chains"',
    'id="fg-f-impact"',
    '<th data-key="impact"',
    "weight (",
)


def test_html_has_the_note_instead_of_the_weight_card_and_tables(write_tree: Tree) -> None:
    _, html = run(write_tree(UNTAGGED), "--format", "html")
    assert html.count('id="fg-impact-note"') == 1
    for gone in (
        'id="card-chain"',
        'id="fg-t-chains"',
        'id="fg-f-impact"',
        '<th data-key="impact"',
        "weight (",
    ):
        assert gone not in html
    # Every table keeps its header cells; the rows are drawn by the page from the data.
    assert '"impactNote":true' in json.dumps(island(html), separators=(",", ":"))


def island(html: str) -> dict[str, object]:
    from fixture_graph.render.html import decode_data

    return decode_data(html.split('data-encoding="gzip+base64">', 1)[1].split("</script>", 1)[0])


def test_json_has_a_note_and_no_zero_weight_tests(write_tree: Tree) -> None:
    _, out = run(write_tree(UNTAGGED), "--format", "json")
    data = json.loads(out)
    assert data["notes"] == [NO_IMPACT_NOTE]
    assert data["heaviest_tests"] == []
    assert data["heavy_chains"] == []


def test_near_miss_one_tag_brings_the_weights_back(write_tree: Tree) -> None:
    root = write_tree(TAGGED)
    _, text = run(root)
    assert "no impact tags found" not in text
    assert "heaviest chains:\n    8 points: client -> db -> engine [HIGH]" in text
    _, html = run(root, "--format", "html")
    for back in (
        'id="card-chain"',
        'id="fg-t-chains"',
        'id="fg-f-impact"',
        '<th data-key="impact"',
        "weight (",
    ):
        assert back in html
    assert 'id="fg-impact-note"' not in html
    _, md = run(root, "--format", "markdown")
    assert "Heaviest chain (8 points)" in md
    assert "impact tags" not in md
    data = json.loads(run(root, "--format", "json")[1])
    assert data["notes"] == []
    assert [t["weight"] for t in data["heaviest_tests"]] == [8.0, 8.0]


def test_near_miss_untagged_fixtures_given_a_weight(write_tree: Tree) -> None:
    root = write_tree({**UNTAGGED, "pyproject.toml": "[tool.fixture_graph]\nuntagged-weight = 1\n"})
    _, text = run(root)
    assert "no impact tags found" not in text
    assert "\n    3 points: client -> db -> engine\n" in text
    assert "heaviest tests:\n    3 points: test_x.py::test_client" in text


def test_near_miss_measurements_of_an_untagged_suite(write_tree: Tree) -> None:
    from fixture_graph.measure import SCHEMA

    root = write_tree(UNTAGGED)
    entry = {
        "id": "conftest.py::engine",
        "setups": 1,
        "setup_total_s": 0.5,
        "setup_max_s": 0.5,
        "teardown_total_s": 0.0,
        "peak_alloc_bytes": 300 * 1024 * 1024,
        "rss_delta_bytes": 0,
    }
    (root / "m.json").write_text(json.dumps({"schema": SCHEMA, "fixtures": [entry]}))
    (root / "pyproject.toml").write_text('[tool.fixture_graph]\ncost = "measured"\n')
    _, text = run(root, "--measurements", "m.json")
    assert "no impact tags found" not in text
    assert "measured cost (1 fixture measured)" in text
    assert "\n    300 MB measured: client -> db -> engine\n" in text
