"""FG003 is an error only where pytest itself fails: each route by which pytest might still get
the name (something the scan could not read) makes it a warning that says why and how to settle.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from fixture_graph.analyze.findings import Severity
from fixture_graph.config import ScanConfig
from fixture_graph.report import build_report
from fixture_graph.scan.session import scan_paths

Tree = Callable[[dict[str, str]], Path]
INI = "[pytest]\naddopts = -p no:asyncio -p no:anyio -p no:hypothesispytest\n"


def fg003(root: Path, config: ScanConfig | None = None) -> list[tuple[str, str]]:
    report = build_report(scan_paths([], config or ScanConfig(), invocation_dir=root))
    return sorted((f.severity.value, f.message) for f in report.analysis.findings if f.code == "FG003")


def test_a_name_nothing_can_provide_is_an_error(write_tree: Tree) -> None:
    root = write_tree({"pytest.ini": INI, "test_x.py": "def test_x(missing): pass\n"})
    assert fg003(root) == [(Severity.ERROR.value, "fixture 'missing' not found, requested by test")]


def test_a_name_imported_from_an_unscanned_package_is_a_warning(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": INI,
            "conftest.py": "from somelib.testing import db_session\n",
            "test_x.py": "def test_x(db_session): pass\n",
        }
    )
    ((severity, message),) = fg003(root)
    assert severity == Severity.WARNING.value
    assert "may come from 'somelib.testing', imported in conftest.py but not scanned" in message


def test_a_star_import_from_an_unscanned_package_is_a_warning_and_stdlib_is_not(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": INI,
            "conftest.py": "from somelib.fixtures import *\n",
            "sub/conftest.py": "from os.path import *\n",
            "test_x.py": "def test_x(anything): pass\n",
            "other/test_y.py": "def test_y(anything): pass\n",
        }
    )
    severities = [s for s, _ in fg003(root)]
    # Both tests see the root conftest's star import (the stdlib one in sub/ sees no test).
    assert severities == [Severity.WARNING.value, Severity.WARNING.value]


def test_a_star_import_from_the_standard_library_proves_nothing(write_tree: Tree) -> None:
    root = write_tree(
        {"pytest.ini": INI, "conftest.py": "from os.path import *\n", "test_x.py": "def test_x(n): pass\n"}
    )
    assert [s for s, _ in fg003(root)] == [Severity.ERROR.value]


def test_an_opaque_import_in_a_sibling_directory_proves_nothing_here(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": INI,
            "a/conftest.py": "from somelib.testing import db_session\n",
            "b/test_b.py": "def test_b(db_session): pass\n",
        }
    )
    assert [s for s, _ in fg003(root)] == [Severity.ERROR.value]


def test_a_hook_the_scan_cannot_read_makes_it_a_warning(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": INI,
            "conftest.py": """
                def pytest_generate_tests(metafunc):
                    for name in compute():
                        metafunc.parametrize(name, [1])
                """,
            "test_x.py": "def test_x(word): pass\n",
        }
    )
    ((severity, message),) = fg003(root)
    assert severity == Severity.WARNING.value
    assert "pytest_generate_tests hook (conftest.py:3) may parametrize it" in message


def test_an_unread_decorator_makes_it_a_warning_a_known_one_does_not(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": INI,
            "test_x.py": """
                from hypothesis import settings
                from somelib import inject

                @inject
                def test_injected(service): pass

                @settings(max_examples=5)
                def test_settings(service): pass
                """,
        }
    )
    found = fg003(root)
    assert sorted(s for s, _ in found) == [Severity.WARNING.value, Severity.ERROR.value]
    assert any("@inject is not one the scan can read" in m for s, m in found if s == Severity.WARNING.value)


def test_an_unscanned_plugin_makes_it_a_warning(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": INI,
            "conftest.py": 'pytest_plugins = ["not_installed_anywhere"]\n',
            "test_x.py": "def test_x(fx): pass\n",
        }
    )
    ((severity, message),) = fg003(root)
    assert severity == Severity.WARNING.value
    assert "not_installed_anywhere" in message


def test_a_conditional_test_or_requester_makes_it_a_warning(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": INI,
            "conftest.py": """
                import os
                import pytest

                if os.environ.get("REAL") == "1":
                    @pytest.fixture
                    def service(missing_dep): pass
                """,
            "test_x.py": "def test_x(service): pass\n",
        }
    )
    severities = {m.split(",")[0]: s for s, m in fg003(root)}
    assert severities == {"fixture 'missing_dep' not found": Severity.WARNING.value}


@pytest.mark.skipif(
    not Path("/root/.pyenv/versions/3.12.1/bin/python").exists(), reason="needs a Python without pytest"
)
def test_an_environment_without_pytest_makes_every_unknown_a_warning(write_tree: Tree) -> None:
    python = "/root/.pyenv/versions/3.12.1/bin/python"
    root = write_tree({"pytest.ini": INI, "test_x.py": "def test_x(missing): pass\n"})
    ((severity, message),) = fg003(root, ScanConfig(python=python))
    assert severity == Severity.WARNING.value
    assert "no pytest was found" in message


# -- FG006: "delete it" only when no route reaches the definition ------------------------------


def fg006(root: Path) -> dict[str, str]:
    report = build_report(scan_paths([], ScanConfig(), invocation_dir=root))
    return {f.symbol: f.message for f in report.analysis.findings if f.code == "FG006"}


def test_a_function_registered_twice_and_used_once_is_not_unused(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": INI,
            "conftest.py": """
                import pytest

                @pytest.fixture
                def shared(): pass

                @pytest.fixture
                def idle(): pass
                """,
            "helpers/__init__.py": "",
            "helpers/fixtures.py": "import pytest\n\n@pytest.fixture\ndef imported(): pass\n",
            "sub/conftest.py": "from helpers.fixtures import imported\n",
            "sub/test_a.py": "from conftest import shared\n\ndef test_a(shared, imported): pass\n",
        }
    )
    found = fg006(root)
    # `shared` is used through its registration in sub/test_a.py: the conftest one is not "unused".
    assert sorted(found) == ["conftest.py::idle"]
    assert "is not used by any collected test" in found["conftest.py::idle"]


def test_a_dynamic_request_that_can_see_it_makes_it_possibly_unused(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": INI,
            "a/conftest.py": "import pytest\n\n@pytest.fixture\ndef maybe(): pass\n",
            "a/test_a.py": "def test_a(request):\n    request.getfixturevalue(compute())\n",
            "b/conftest.py": "import pytest\n\n@pytest.fixture\ndef dead(): pass\n",
            "b/test_b.py": "def test_b(): pass\n",
        }
    )
    found = fg006(root)
    assert "is possibly unused" in found["a/conftest.py::maybe"]
    assert "a/test_a.py:2" in found["a/conftest.py::maybe"]
    # The dynamic call in a/ cannot see b/'s fixture.
    assert "is not used by any collected test" in found["b/conftest.py::dead"]
