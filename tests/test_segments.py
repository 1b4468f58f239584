"""The scan's reading of a module as top-level statements, for ``plan-split``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from fixture_graph.config import ScanConfig
from fixture_graph.scan.segments import SegmentError, read_module, read_split_sources, star_imports
from fixture_graph.scan.session import scan_paths

Tree = Callable[[dict[str, str]], Path]

MODULE = '''
    """Doc."""
    import os
    from .helpers import Base as B
    from .helpers import *

    LIMIT = 3


    @pytest.fixture
    def db(settings, tmp_path=LIMIT):
        local = Engine(settings)
        return [local for _ in range(LIMIT)]


    if os.environ.get("X") == "1":

        class Engine(B):
            def run(self, n):
                return n + LIMIT
    else:
        Engine = None
'''


def test_statements_with_what_they_bind_read_and_sit_under(write_tree: Tree) -> None:
    root = write_tree({"conftest.py": MODULE})
    module = read_module(root / "conftest.py", "conftest.py")
    rows = [(s.kind, s.start, s.end, s.binds, s.reads, s.guards) for s in module.segments]
    assert rows == [
        ("docstring", 1, 1, (), (), ()),
        ("import", 2, 2, ("os",), (), ()),
        ("import", 3, 3, ("B",), (), ()),
        ("import", 4, 4, (), (), ()),
        ("assign", 6, 6, ("LIMIT",), (), ()),
        # the parameters and the local are not free; the default and the decorator are read
        ("def", 9, 12, ("db",), ("Engine", "LIMIT", "pytest", "range"), ()),
        ("class", 17, 19, ("Engine",), ("B", "LIMIT"), ('os.environ.get("X") == "1"',)),
        ("assign", 21, 21, ("Engine",), (), ('not (os.environ.get("X") == "1")',)),
    ]
    assert module.segments[3].star
    assert module.segments[3].module == ".helpers"
    # A statement cut out of an ``if`` is dedented to column 0.
    assert module.segments[6].text.startswith("class Engine(B):\n    def run(self, n):\n")
    assert module.lines == 21
    assert not module.package


def test_star_imported_local_modules_are_read_too(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "tests/__init__.py": "",
            "tests/conftest.py": "from .base import *\nfrom os.path import *\nfrom tests.more import *\n",
            "tests/base.py": "X = 1\n",
            "tests/more.py": "Y = 2\n",
        }
    )
    scan = scan_paths(["tests"], ScanConfig(cache=False), invocation_dir=root)
    targets = star_imports(scan, "tests/conftest.py")
    sources = read_split_sources(root / "tests" / "conftest.py", root, targets)
    assert [s.file for s in sources] == ["tests/conftest.py", "tests/base.py", "tests/more.py"]
    assert sources[0].package


def test_a_star_imported_package_is_read_as_the_scan_resolves_it(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "tests/__init__.py": "",
            "tests/conftest.py": "from .fx import *\n",
            "tests/fx/__init__.py": "import pytest\n\n@pytest.fixture\ndef z():\n    return 1\n",
            "tests/test_z.py": "def test_z(z):\n    assert z\n",
        }
    )
    scan = scan_paths(["tests"], ScanConfig(cache=False), invocation_dir=root)
    targets = star_imports(scan, "tests/conftest.py")
    assert targets == {".fx": "tests/fx/__init__.py"}
    sources = read_split_sources(root / "tests" / "conftest.py", root, targets)
    assert [(s.file, s.imported_as) for s in sources] == [
        ("tests/conftest.py", None),
        ("tests/fx/__init__.py", ".fx"),
    ]


def test_unreadable_input_is_one_error_naming_the_file(write_tree: Tree) -> None:
    root = write_tree({"conftest.py": "def broken(:\n", "latin.py": ""})
    (root / "latin.py").write_bytes(b"x = '\xe9'\n")
    with pytest.raises(SegmentError, match=r"^conftest.py:1: syntax error"):
        read_module(root / "conftest.py", "conftest.py")
    with pytest.raises(SegmentError, match=r"^latin.py: not UTF-8"):
        read_module(root / "latin.py", "latin.py")
    with pytest.raises(SegmentError, match=r"^missing.py: "):
        read_module(root / "missing.py", "missing.py")
