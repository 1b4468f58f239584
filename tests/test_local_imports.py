"""The scan records, per test module, the suite modules it imports, transitively (for `affected`)."""

from __future__ import annotations

from pathlib import Path

from helpers.revisions import write

from fixture_graph.config import ScanConfig
from fixture_graph.scan.session import scan_paths

TREE: dict[str, str | None] = {
    "pytest.ini": "[pytest]\npythonpath = src\n",
    "conftest.py": "",
    "helpers/__init__.py": "from .base import BASE\n",
    "helpers/base.py": "BASE = 1\n",
    "helpers/db.py": "import json\n\nfrom helpers import base\n",
    "helpers/cycle_a.py": "from helpers import cycle_b\n",
    "helpers/cycle_b.py": "from helpers import cycle_a\n",
    "src/app/__init__.py": "",
    "src/app/models.py": "X = 1\n",
    "tests/util.py": "VALUE = 1\n",
    # `import a.b` runs a/__init__.py; `from app import models` imports the submodule.
    "tests/test_one.py": (
        "import pytest\nimport helpers.db\nfrom app import models\n\n\ndef test_one():\n    pass\n"
    ),
    # A cycle, and an import in a class body.
    "tests/test_two.py": (
        "from helpers import cycle_a\n\n\nclass TestX:\n    from helpers import base as b\n\n"
        "    def test_x(self):\n        pass\n"
    ),
    # Installed and standard-library modules are not the suite's.
    "tests/test_three.py": "import json\nimport pytest\n\n\ndef test_three():\n    pass\n",
    # The test module's basedir is on sys.path (pytest's prepend import mode).
    "tests/test_four.py": "from util import VALUE\n\n\ndef test_four():\n    pass\n",
    # A module without tests is left out.
    "tests/test_none.py": "import helpers.db\n",
}


def test_each_test_module_lists_the_suite_modules_it_imports(tmp_path: Path) -> None:
    write(tmp_path, TREE)
    result = scan_paths(["tests"], ScanConfig(cache=False, test_imports=True), invocation_dir=tmp_path)
    assert result.test_imports == (
        ("tests/test_four.py", ("tests/util.py",)),
        (
            "tests/test_one.py",
            (
                "helpers/__init__.py",
                "helpers/base.py",
                "helpers/db.py",
                "src/app/__init__.py",
                "src/app/models.py",
            ),
        ),
        (
            "tests/test_two.py",
            ("helpers/__init__.py", "helpers/base.py", "helpers/cycle_a.py", "helpers/cycle_b.py"),
        ),
    )
    # Reading the helpers for their imports is not a scan of them: nothing else changes.
    assert result.issues == ()
    assert {t.nodeid for t in result.tests} == {
        "tests/test_one.py::test_one",
        "tests/test_two.py::TestX::test_x",
        "tests/test_three.py::test_three",
        "tests/test_four.py::test_four",
    }


def test_relative_imports_and_broken_helpers(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pytest.ini": "[pytest]\n",
            "tests/__init__.py": "",
            "tests/support/__init__.py": "",
            "tests/support/factories.py": "def broken(:\n",  # unreadable: followed no further
            "tests/unit/__init__.py": "",
            "tests/unit/test_rel.py": "from ..support import factories\n\n\ndef test_rel():\n    pass\n",
        },
    )
    result = scan_paths(["tests"], ScanConfig(cache=False, test_imports=True), invocation_dir=tmp_path)
    assert result.test_imports == (
        ("tests/unit/test_rel.py", ("tests/support/__init__.py", "tests/support/factories.py")),
    )
    assert result.issues == ()  # pytest reports the helper's syntax error when it imports it
