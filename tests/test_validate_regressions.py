"""Scanner bugs found by ``make validate`` on urllib3, each pinned by a small tree and real pytest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fixture_graph.config import ScanConfig
from fixture_graph.scan.session import scan_paths
from fixture_graph.verify import describe, verify_suite

Tree = Callable[[dict[str, str]], Path]


def _agrees(root: Path) -> tuple[int, list[str]]:
    result = verify_suite((), ScanConfig(), cwd=root)
    return result.total, [line for d in result.disagreements for line in describe(d)]


def test_local_base_named_testcase_is_not_unittest(write_tree: Tree) -> None:
    helpers = """
        class HypercornDummyServerTestCase:
            @classmethod
            def setup_class(cls):
                cls.port = 1

        class HTTPSHypercornDummyServerTestCase(HypercornDummyServerTestCase):
            pass
    """
    tests = """
        from helpers_testcase import HTTPSHypercornDummyServerTestCase

        class BaseTestHTTPS(HTTPSHypercornDummyServerTestCase):
            def test_inherited(self, tmp_path):
                pass

        class TestTLS(BaseTestHTTPS):
            pass
    """
    root = write_tree(
        {"pytest.ini": "[pytest]\n", "tests/helpers_testcase.py": helpers, "tests/test_https.py": tests}
    )
    scan = scan_paths([], ScanConfig(), invocation_dir=root)
    assert [t.nodeid for t in scan.tests] == ["tests/test_https.py::TestTLS::test_inherited"]
    assert not any(t.is_unittest for t in scan.tests)
    assert _agrees(root) == (1, [])


def test_xunit_shims_are_named_after_the_class_qualname(write_tree: Tree) -> None:
    module = """
        class TestSSL:
            def setup_method(self, method):
                pass

            @classmethod
            def setup_class(cls):
                pass

            class TestInner:
                def setup_method(self, method):
                    pass

                def test_inner(self):
                    pass

            def test_one(self):
                pass
    """
    aliased = "from test_socketlevel import TestSSL as TestSocketSSL  # noqa: F401\n"
    root = write_tree(
        {"pytest.ini": "[pytest]\n", "tests/test_socketlevel.py": module, "tests/test_pyopenssl.py": aliased}
    )
    scan = scan_paths([], ScanConfig(), invocation_dir=root)
    xunit = {f.id for f in scan.fixtures if f.kind.value == "xunit" and "pyopenssl" in f.id}
    assert xunit == {
        "tests/test_pyopenssl.py::TestSocketSSL::_xunit_setup_class_fixture_TestSSL",
        "tests/test_pyopenssl.py::TestSocketSSL::_xunit_setup_method_fixture_TestSSL",
        "tests/test_pyopenssl.py::TestSocketSSL::TestInner::_xunit_setup_method_fixture_TestSSL.TestInner",
    }
    assert _agrees(root) == (4, [])
