"""The README's terminal transcript, made by running the real tool on the sample suite.

``python tests/readme_transcript.py`` rewrites the block between the transcript markers in
README.md; ``tests/test_readme_transcript.py`` checks that the block is what the tool prints
now. Each command runs as a real process (``python -m fixture_graph``) in a copy of the sample
suite, without colour (``NO_COLOR``) and at 80 columns; the copy's absolute path is shown as
``.../sample_suite``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
START = "<!-- transcript: made by tests/readme_transcript.py -->"
END = "<!-- transcript end -->"

COMMANDS = (
    ("fixture-graph", "--format", "concise"),
    ("fixture-graph", "--statistics", "--env", "USE_REAL_SERVICES=true", "--env", "RUN_E2E_TESTS=true"),
    ("fixture-graph", "-q", "--select", "FG007"),
    ("fixture-graph", "tests/unit/test_nothing.py"),
    ("fixture-graph", "--format", "yaml"),
    ("fixture-graph", "rule", "FG002"),
)


def transcript() -> str:
    """Run :data:`COMMANDS` in a fresh copy of the sample suite; the text of the session."""
    with tempfile.TemporaryDirectory() as tmp:
        suite = Path(tmp) / "sample_suite"
        shutil.copytree(REPO / "tests" / "data" / "sample_suite", suite)
        env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "GITHUB_STEP_SUMMARY")}
        env.update(NO_COLOR="1", COLUMNS="80", PYTHONPATH=str(REPO))
        lines = ["$ cd tests/data/sample_suite"]
        for command in COMMANDS:
            done = subprocess.run(
                [sys.executable, "-m", "fixture_graph", *command[1:]],
                cwd=suite,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=300,
                check=False,
            )
            lines.append(f'$ {shlex.join(command)}; echo "exit $?"')
            lines.extend(done.stdout.replace(str(suite), ".../sample_suite").rstrip("\n").splitlines())
            lines.append(f"exit {done.returncode}")
        return "\n".join(lines) + "\n"


def readme_block(text: str) -> str:
    """The transcript block of the README text (between the markers, without the fences)."""
    body = text.split(START, 1)[1].split(END, 1)[0]
    return body.strip("\n").removeprefix("```console\n").removesuffix("```") if body else ""


def main() -> None:
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    README.write_text(f"{head}{START}\n```console\n{transcript()}```\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
