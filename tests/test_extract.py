"""Per-file extraction: declaration forms, argument rules, impact tags, guards, bad input."""

from __future__ import annotations

import pytest

from fixture_graph.config import ExtractOptions
from fixture_graph.scan.extract import extract_module
from fixture_graph.scan.guards import evaluate
from fixture_graph.scan.records import FuncInfo, ModuleRecord


def extract(source: str) -> ModuleRecord:
    return extract_module("m.py", source.encode(), ExtractOptions())


def funcs(record: ModuleRecord) -> dict[str, FuncInfo]:
    return {b.name: b.func for b in record.body if b.func is not None}


def test_declaration_forms_and_arguments() -> None:
    record = extract(
        """
import pytest as pt
from pytest import fixture as fx
import pytest_asyncio

@pt.fixture(scope="session", autouse=True, params=[1, 2], ids=["a", "b"], name="renamed")
def one(a, b=1, *args, c, d=2, **kw):
    yield a

@fx
async def two(x, /, y):
    return y

@pytest_asyncio.fixture(loop_scope="module")
async def three():
    pass

@pt.fixture(scope=lambda fixture_name, config: "session")
def four(): ...
"""
    )
    f = funcs(record)
    assert f["one"].fixture is not None
    assert (f["one"].fixture.scope, f["one"].fixture.autouse, f["one"].fixture.name) == (
        "session",
        True,
        "renamed",
    )
    assert f["one"].fixture.param_count == 2
    assert f["one"].argnames == ("a", "c")
    assert f["one"].is_yield
    assert f["two"].argnames == ("y",)
    assert f["two"].is_async
    assert f["three"].fixture is not None
    assert f["three"].fixture.decorator == "pytest_asyncio.fixture"
    assert f["three"].fixture.loop_scope == "module"
    assert f["four"].fixture is not None
    assert f["four"].fixture.scope_source is not None
    assert "lambda" in f["four"].fixture.scope_source


def test_methods_drop_self_and_mock_patch_consumes_arguments() -> None:
    record = extract(
        """
import pytest
from unittest import mock

class TestX:
    @pytest.fixture
    def fx(self, dep):
        pass

    @pytest.fixture
    @staticmethod
    def st(dep2):
        pass

    @mock.patch("os.getcwd")
    def test_m(self, mocked, real):
        pass
"""
    )
    cls = record.body[-1].cls
    assert cls is not None
    methods = {b.name: b.func for b in cls.body if b.func is not None}
    assert methods["fx"].argnames == ("dep",)
    assert methods["st"].argnames == ("dep2",)
    assert methods["test_m"].argnames == ("real",)


@pytest.mark.parametrize(
    ("decorator", "expected"),
    [
        ('@memory_profile("desc", "HIGH")', "HIGH"),
        ('@memory_profile("desc", impact="LOW")', "LOW"),
        ("@memory_profile('desc', impact=ImpactLevel.HIGH)", "HIGH"),
        ("@memory_profile('desc', impact=MemoryImpact.VERY_HIGH)", "VERY_HIGH"),
        ("@memory_profile('desc', MemoryImpact.MEDIUM)", "MEDIUM"),
    ],
)
def test_impact_tag_forms(decorator: str, expected: str) -> None:
    record = extract(f"import pytest\n@pytest.fixture\n{decorator}\ndef f(): pass\n")
    assert funcs(record)["f"].impact == expected
    assert funcs(record)["f"].impact_description == "desc"


def test_unknown_impact_level_is_an_issue() -> None:
    record = extract("import pytest\n@pytest.fixture\n@memory_profile('d', 'HUGE')\ndef f(): pass\n")
    assert funcs(record)["f"].impact is None
    assert [i.code for i in record.issues] == ["unknown-impact"]
    assert record.issues[0].line == 3


def test_getfixturevalue_literal_and_dynamic() -> None:
    record = extract(
        """
import pytest
@pytest.fixture
def f(request):
    request.getfixturevalue("heavy")
    name = "x"
    request.getfixturevalue(name)
"""
    )
    assert funcs(record)["f"].getfixturevalue == ("heavy",)
    assert [(i.code, i.line) for i in record.issues] == [("dynamic-getfixturevalue", 7)]


@pytest.mark.parametrize(
    ("condition", "env", "expected"),
    [
        ('os.environ.get("USE_REAL_SERVICES") == "true"', {"USE_REAL_SERVICES": "true"}, True),
        ('os.environ.get("USE_REAL_SERVICES") == "true"', {"USE_REAL_SERVICES": None}, False),
        ('os.environ.get("USE_REAL_SERVICES", "").lower() == "true"', {"USE_REAL_SERVICES": "TRUE"}, True),
        ('os.getenv("RUN_E2E_TESTS")', {"RUN_E2E_TESTS": "1"}, True),
        ('os.getenv("RUN_E2E_TESTS")', {}, None),
        ('"X" in os.environ', {"X": ""}, True),
        ('not os.getenv("A") and os.getenv("B") == "1"', {"A": None, "B": "1"}, True),
        ('os.getenv("A") or os.getenv("B")', {"A": "1"}, True),
        ('os.getenv("A") or os.getenv("B")', {"A": None}, None),
        ('sys.platform == "win32"', {"A": "1"}, None),
    ],
)
def test_env_guards(condition: str, env: dict[str, str | None], expected: bool | None) -> None:
    record = extract(f"import os, sys\nif {condition}:\n    from .conftest_services import *\n")
    binding = record.body[-1]
    assert binding.kind == "star"
    assert binding.guards
    assert evaluate(binding.guards[0], env) is expected


@pytest.mark.parametrize("spelling", ["from typing import TYPE_CHECKING", "import typing as TYPE_CHECKING"])
def test_type_checking_in_a_guard_is_false_without_a_lookup(spelling: str) -> None:
    """pytest 9's capture.py: ``sys.version_info >= (3, 11) or TYPE_CHECKING``, decided on 3.10 too."""
    name = "TYPE_CHECKING" if spelling.startswith("from") else "TYPE_CHECKING.TYPE_CHECKING"
    record = extract(f"import os\n{spelling}\nif os.getenv('A') or {name}:\n    from .x import *\n")
    [guard] = record.body[-1].guards
    assert evaluate(guard, {"A": None}) is False  # no constant lookup given: decided all the same
    assert evaluate(guard, {"A": "1"}) is True


def test_try_except_import_is_conditional_and_type_checking_is_skipped() -> None:
    record = extract(
        """
from typing import TYPE_CHECKING
try:
    from fast import thing
except ImportError:
    thing = None
if TYPE_CHECKING:
    from typing_only import never
"""
    )
    names = [(b.name, bool(b.guards)) for b in record.body]
    assert ("thing", True) in names
    assert all(name != "never" for name, _ in names)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"def broken(:\n", "syntax-error"),
        (b"x = 1\x00\n", "binary-file"),
        (b"# -*- coding: latin-1 -*-\nx = '\xe9'\n", None),
        (b"x = '\xff\xfe'\n", "decode-error"),
        (b"\xef\xbb\xbfimport pytest\r\n@pytest.fixture\r\ndef f():\r\n    pass\r\n", None),
        (("x = " + "(" * 5000 + "1" + ")" * 5000 + "\n").encode(), "too-deep"),
    ],
)
def test_bad_input_is_an_issue_not_a_crash(data: bytes, code: str | None) -> None:
    record = extract_module("bad.py", data, ExtractOptions())
    assert [i.code for i in record.issues] == ([code] if code else [])
    if code:
        assert record.issues[0].fatal
        assert record.issues[0].file == "bad.py"


def test_long_left_deep_expression_in_a_fixture_does_not_crash() -> None:
    body = "+".join(["1"] * 1900)  # 1,903 levels with the module, def and return: under the limit
    record = extract(f"import pytest\n@pytest.fixture\ndef f(request):\n    return {body}\n")
    assert funcs(record)["f"].fixture is not None
    deeper = "+".join(["1"] * 50000)
    record = extract(f"import pytest\n@pytest.fixture\ndef f(request):\n    return {deeper}\n")
    assert [i.code for i in record.issues] == ["too-deep"]


def test_text_checks_never_hide_a_yield_or_getfixturevalue() -> None:
    # Bodies are only walked when their source mentions the word; the line numbers behind that
    # check must match the parser's, and NFKC-normalized spellings must still be walked.
    source = (
        "import pytest\n"
        "\x0c\n"  # a form feed: str.splitlines() counts a line here, the parser does not
        "@pytest.fixture\n"
        "def plain():\n"
        "    return 1\n"
        "@pytest.fixture\n"
        "def gen():\n"
        "    yield 1\n"
        "def test_dyn(request):\n"
        "    request.getfixturevalue('plain')\n"
    )
    record = extract_module("test_m.py", source.encode(), ExtractOptions())
    found = funcs(record)
    assert (found["plain"].is_yield, found["gen"].is_yield) == (False, True)
    assert found["test_dyn"].getfixturevalue == ("plain",)
    wide = (
        "import pytest\n"
        "@pytest.fixture\n"
        "def gen():\n"
        "    return '\u00e9'\n"
        "def test_dyn(request):\n"
        "    request.\uff47etfixturevalue('gen')\n"  # fullwidth g: NFKC makes it getfixturevalue
        "def test_other(request):\n"
        "    yield_ = request\n"
    )
    record = extract_module("test_w.py", wide.encode(), ExtractOptions())
    assert record.issues == ()
    found = funcs(record)
    assert found["test_dyn"].getfixturevalue == ("gen",)
    assert not found["gen"].is_yield
    assert not found["test_other"].is_yield


def test_test_modules_skip_import_uses_unless_asked() -> None:
    source = b"import pandas as pd\ndef test_x():\n    pd.DataFrame()\n"
    skipped = extract_module("test_x.py", source, ExtractOptions())
    assert (skipped.uses_tracked, skipped.top_imports) == (False, ())
    tracked = extract_module("test_x.py", source, ExtractOptions(), track_uses=True)
    assert tracked.uses_tracked
    (imp,) = tracked.top_imports
    assert (imp.module, imp.used_by, imp.module_level) == ("pandas", ("test_x",), False)
