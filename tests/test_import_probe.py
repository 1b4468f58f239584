"""``try: import x`` / ``except ImportError`` guards are decided against the target environment.

Found by ``make validate`` on structlog: pytest-randomly defines ``faker_seed`` under
``if have_faker:``, a flag set by such a probe; without faker installed pytest never registers it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fixture_graph.config import ScanConfig
from fixture_graph.scan.session import scan_paths
from fixture_graph.verify import verify_suite

Tree = Callable[[dict[str, str]], Path]

CONFTEST = """
    import pytest

    try:
        from not_installed_anywhere.sub import thing
        HAVE_IT = True
    except ImportError:
        HAVE_IT = False

    try:
        import json
    except ModuleNotFoundError:
        json = None
    else:
        @pytest.fixture
        def with_json():
            return json

    try:
        import not_installed_either
    except ImportError:
        @pytest.fixture
        def fallback():
            return "fallback"

    if HAVE_IT:
        @pytest.fixture(autouse=True)
        def seeded():
            return thing

    if not HAVE_IT:
        @pytest.fixture
        def without():
            return 0

    try:
        from .local_helpers import helper
    except ImportError:
        @pytest.fixture
        def undecided():
            return 1
"""


def _tree(write_tree: Tree) -> Path:
    test = "def test_a(with_json, fallback, without):\n    pass\n"
    return write_tree({"pytest.ini": "[pytest]\n", "conftest.py": CONFTEST, "test_a.py": test})


def test_import_probes_are_decided(write_tree: Tree) -> None:
    scan = scan_paths([], ScanConfig(), invocation_dir=_tree(write_tree))
    user = {f.name: f for f in scan.fixtures if f.kind.value == "conftest"}
    assert set(user) == {"with_json", "fallback", "without", "undecided"}
    assert [n for n, f in sorted(user.items()) if f.conditional] == ["undecided"]


def test_import_probes_agree_with_pytest(write_tree: Tree) -> None:
    result = verify_suite((), ScanConfig(), cwd=_tree(write_tree))
    assert (result.total, result.agreeing, result.disagreements) == (1, 1, ())


def test_a_later_assignment_ends_the_flag(write_tree: Tree) -> None:
    conftest = """
        import pytest

        try:
            import not_installed_anywhere
            HAVE = True
        except ImportError:
            HAVE = False

        HAVE = compute()

        if HAVE:
            @pytest.fixture
            def maybe():
                return 1
    """
    root = write_tree(
        {"pytest.ini": "[pytest]\n", "conftest.py": conftest, "test_a.py": "def test_a():\n    pass\n"}
    )
    scan = scan_paths([], ScanConfig(), invocation_dir=root)
    (maybe,) = [f for f in scan.fixtures if f.name == "maybe"]
    assert maybe.conditional
    assert maybe.guards == ("HAVE",)
