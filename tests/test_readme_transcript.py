"""The README's terminal transcript is what the tool prints now (``python tests/readme_transcript.py``
rewrites it)."""

from __future__ import annotations

from readme_transcript import README, readme_block, transcript


def test_readme_transcript_is_what_the_tool_prints() -> None:
    assert readme_block(README.read_text(encoding="utf-8")) == transcript(), (
        "the README transcript is stale: run python tests/readme_transcript.py and review the diff"
    )
