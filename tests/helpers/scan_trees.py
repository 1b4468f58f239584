"""Scan trees with this interpreter's fixture-graph, each tree's JSON to its own file.

Run as a script by any supported interpreter whose environment has the package (one process for
all trees, so four Pythons scan thirty trees in seconds)::

    python scan_trees.py OUT_DIR SUITE_PYTHON NAME=ROOT[,EXTRA_ARG...]...

Each tree is scanned from its root, as ``fixture-graph --python SUITE_PYTHON --no-cache -j 1
--format json -o OUT_DIR/NAME.json EXTRA_ARGS``: the suite's environment is the same for every
interpreter, so only the tool's own Python differs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from click.testing import CliRunner

from fixture_graph.cli import main


def scan_all(out_dir: Path, python: str, trees: list[str]) -> int:
    failures = 0
    for spec in trees:
        name, _, rest = spec.partition("=")
        root, *extra = rest.split(",")
        os.chdir(root)
        out = str(out_dir / f"{name}.json")
        args = ["--python", python, "--no-cache", "-j", "1", "--format", "json", "-o", out]
        result = CliRunner().invoke(main, [*args, *extra])
        if result.exit_code not in (0, 1, 3) or (
            result.exception and not isinstance(result.exception, SystemExit)
        ):
            print(f"{name}: exit {result.exit_code}\n{result.output}", file=sys.stderr)
            failures += 1
    return failures


if __name__ == "__main__":
    sys.exit(scan_all(Path(sys.argv[1]), sys.argv[2], sys.argv[3:]))
