"""What ``fixture-graph rule CODE`` prints: why a rule matters, a small suite that triggers it, and
the same suite fixed.

Each example is a real tree (file name -> source) plus the options it needs; the test suite
writes both trees, scans them, and checks that the bad one gives the rule's finding and the
fixed one does not, so an explanation can never drift from what the rule does.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """The long explanation of one rule.

    ``example`` and ``fixed`` are ``(file name, source)`` pairs of a suite scanned from its own
    folder with ``args`` (a ``pytest.ini`` is added when none is given).
    """

    why: str
    example: tuple[tuple[str, str], ...]
    fixed: tuple[tuple[str, str], ...]
    args: tuple[str, ...] = ()


_SESSION_FIVE = """\
import pytest

@pytest.fixture(scope="session")
def config(): ...

@pytest.fixture(scope="session")
def database(config): ...

@pytest.fixture(scope="session")
def cache(config): ...

@pytest.fixture(scope="session")
def queue(config): ...

@pytest.fixture(scope="{scope}")
def mailer(config): ...
"""

_TEST_ALL_FIVE = "def test_signup(database, cache, queue, mailer): ...\n"

_MEASURE = """\
{{"schema": "fixture-graph-measure/1", "conftests": [], "fixtures": [{{"id": "conftest.py::model",
"name": "model", "scope": "session", "setups": 1, "setup_total_s": 0.2, "setup_max_s": 0.2,
"teardown_total_s": 0.0, "peak_alloc_bytes": {bytes}, "rss_delta_bytes": {bytes}}}]}}
"""

_API = "import pytest\n\n@pytest.fixture\ndef real_api(): ...\n\n@pytest.fixture\ndef fake_api(): ...\n"

_MODEL = """\
import pytest
from profiling import memory_profile

@memory_profile("a language model", "{level}")
@pytest.fixture(scope="session")
def model(): ...
"""

_DB_TESTS = "".join(f"def test_{verb}(db): ...\n\n" for verb in ("read", "write", "update", "delete"))
_CORE_TESTS = "".join(f"def test_{i}(): ...\n" for i in range(16))

_SEEDED = """\
import pytest

@pytest.fixture
def seeded_db():
    db = connect()
    db.insert("users", name="ada")
    return db
"""

_SERVER = """\
import pytest

@pytest.fixture(scope="session")
def server():
    s = start_server()
    yield s
    s.stop()
"""

RULE_DOCS: dict[str, RuleDoc] = {
    "FG001": RuleDoc(
        why="pytest cannot set up fixtures that request each other in a loop: every test that "
        "reaches one of them errors with 'recursive dependency involving fixture'.",
        example=(
            (
                "conftest.py",
                "import pytest\n\n@pytest.fixture\ndef user(account): ...\n\n"
                "@pytest.fixture\ndef account(user): ...\n",
            ),
            ("test_login.py", "def test_login(user): ...\n"),
        ),
        fixed=(
            (
                "conftest.py",
                "import pytest\n\n@pytest.fixture\ndef user(): ...\n\n"
                "@pytest.fixture\ndef account(user): ...\n",
            ),
            ("test_login.py", "def test_login(user): ...\n"),
        ),
    ),
    "FG002": RuleDoc(
        why="A wider fixture lives longer than the narrower one it requests, so pytest refuses "
        "it at setup with ScopeMismatch.",
        example=(
            (
                "conftest.py",
                "import pytest\n\n@pytest.fixture\ndef settings(): ...\n\n"
                '@pytest.fixture(scope="session")\ndef app(settings): ...\n',
            ),
            ("test_app.py", "def test_app(app): ...\n"),
        ),
        fixed=(
            (
                "conftest.py",
                'import pytest\n\n@pytest.fixture(scope="session")\ndef settings(): ...\n\n'
                '@pytest.fixture(scope="session")\ndef app(settings): ...\n',
            ),
            ("test_app.py", "def test_app(app): ...\n"),
        ),
    ),
    "FG003": RuleDoc(
        why="A requested name no visible fixture provides: pytest errors with \"fixture 'x' not "
        "found\". A conftest's fixtures are visible only in its own folder and below.",
        example=(
            ("conftest.py", "import pytest\n\n@pytest.fixture\ndef client(): ...\n"),
            ("test_api.py", "def test_get(clinet): ...\n"),
        ),
        fixed=(
            ("conftest.py", "import pytest\n\n@pytest.fixture\ndef client(): ...\n"),
            ("test_api.py", "def test_get(client): ...\n"),
        ),
    ),
    "FG004": RuleDoc(
        why="Each test that requests the head of a heavy chain pays for every link: the summed "
        "impact weight (declared with @memory_profile) passes heavy-chain-threshold (24).",
        example=(
            (
                "conftest.py",
                "import pytest\nfrom profiling import memory_profile\n\n"
                '@memory_profile("a browser", "VERY_HIGH")\n@pytest.fixture\ndef browser(): ...\n\n'
                '@memory_profile("a page", "VERY_HIGH")\n@pytest.fixture\ndef page(browser): ...\n',
            ),
            ("test_ui.py", "def test_title(page): ...\n"),
        ),
        fixed=(
            (
                "conftest.py",
                "import pytest\nfrom profiling import memory_profile\n\n"
                '@memory_profile("a browser", "VERY_HIGH")\n@pytest.fixture(scope="session")\n'
                "def browser(): ...\n\n"
                '@memory_profile("a page", "LOW")\n@pytest.fixture\ndef page(browser): ...\n',
            ),
            ("test_ui.py", "def test_title(page): ...\n"),
        ),
    ),
    "FG005": RuleDoc(
        why="Session fixtures live for the whole run and hold their memory until the end; more "
        "than max-session-fixtures (4) is usually state that should be narrower.",
        example=(
            ("conftest.py", _SESSION_FIVE.format(scope="session")),
            ("test_signup.py", _TEST_ALL_FIVE),
        ),
        fixed=(
            ("conftest.py", _SESSION_FIVE.format(scope="function")),
            ("test_signup.py", _TEST_ALL_FIVE),
        ),
    ),
    "FG006": RuleDoc(
        why="A fixture no collected test reaches (directly, through other fixtures, autouse or "
        "usefixtures) is dead code that still costs reading and maintenance.",
        example=(
            (
                "conftest.py",
                "import pytest\n\n@pytest.fixture\ndef db(): ...\n\n@pytest.fixture\ndef legacy_db(): ...\n",
            ),
            ("test_db.py", "def test_query(db): ...\n"),
        ),
        fixed=(
            ("conftest.py", "import pytest\n\n@pytest.fixture\ndef db(): ...\n"),
            ("test_db.py", "def test_query(db): ...\n"),
        ),
    ),
    "FG007": RuleDoc(
        why="A fixture that overrides an outer one of the same name changes what every test below "
        "it gets; legal pytest, but easy to do by accident.",
        example=(
            ("conftest.py", "import pytest\n\n@pytest.fixture\ndef user(): ...\n"),
            ("api/conftest.py", "import pytest\n\n@pytest.fixture\ndef user(): ...\n"),
            ("api/test_me.py", "def test_me(user): ...\n"),
        ),
        fixed=(
            ("conftest.py", "import pytest\n\n@pytest.fixture\ndef user(): ...\n"),
            ("api/conftest.py", "import pytest\n\n@pytest.fixture\ndef api_user(): ...\n"),
            ("api/test_me.py", "def test_me(user, api_user): ...\n"),
        ),
    ),
    "FG008": RuleDoc(
        why="An autouse fixture is set up for every test it can see; its weight times its number "
        "of setups passes autouse-cost-threshold (64).",
        example=(
            (
                "conftest.py",
                "import pytest\nfrom profiling import memory_profile\n\n"
                '@memory_profile("a seeded database", "VERY_HIGH")\n@pytest.fixture(autouse=True)\n'
                "def seeded_db(): ...\n",
            ),
            ("test_many.py", "".join(f"def test_{i}(): ...\n" for i in range(4))),
        ),
        fixed=(
            (
                "conftest.py",
                "import pytest\nfrom profiling import memory_profile\n\n"
                '@memory_profile("a seeded database", "VERY_HIGH")\n@pytest.fixture\n'
                "def seeded_db(): ...\n",
            ),
            (
                "test_many.py",
                "def test_0(seeded_db): ...\n" + "".join(f"def test_{i}(): ...\n" for i in (1, 2, 3)),
            ),
        ),
    ),
    "FG009": RuleDoc(
        why="A conftest's top-level imports run when pytest collects, for every run, even one "
        "selecting a single unrelated test; heavy modules make every run slow to start.",
        example=(
            (
                "conftest.py",
                "import pandas\nimport pytest\n\n"
                "@pytest.fixture\ndef frame():\n    return pandas.DataFrame()\n",
            ),
            ("test_frame.py", "def test_frame(frame): ...\n"),
        ),
        fixed=(
            (
                "conftest.py",
                "import pytest\n\n@pytest.fixture\ndef frame():\n    import pandas\n\n"
                "    return pandas.DataFrame()\n",
            ),
            ("test_frame.py", "def test_frame(frame): ...\n"),
        ),
    ),
    "FG010": RuleDoc(
        why="request.getfixturevalue() with a computed name hides a dependency from every static "
        "reading (and from pytest's own setup plan) until the test runs.",
        example=(
            ("conftest.py", "import pytest\n\n@pytest.fixture\ndef sqlite(): ...\n"),
            (
                "test_backend.py",
                'BACKEND = "sql" + "ite"\n\ndef test_backend(request):\n'
                "    request.getfixturevalue(BACKEND)\n",
            ),
        ),
        fixed=(
            ("conftest.py", "import pytest\n\n@pytest.fixture\ndef sqlite(): ...\n"),
            ("test_backend.py", 'def test_backend(request):\n    request.getfixturevalue("sqlite")\n'),
        ),
    ),
    "FG011": RuleDoc(
        why="A measured cost (pytest --fixture-graph-measure) far above the fixture's impact tag "
        "means the tag, and every weight built on it, understates what the fixture costs.",
        example=(
            ("conftest.py", _MODEL.format(level="LOW")),
            ("test_model.py", "def test_model(model): ...\n"),
            ("measure.json", _MEASURE.format(bytes=300 * 1024 * 1024)),
        ),
        fixed=(
            ("conftest.py", _MODEL.format(level="HIGH")),
            ("test_model.py", "def test_model(model): ...\n"),
            ("measure.json", _MEASURE.format(bytes=300 * 1024 * 1024)),
        ),
        args=("--measurements", "measure.json"),
    ),
    "FG012": RuleDoc(
        why="A contract in [tool.fixture_graph] keeps tests apart from fixtures they must not "
        "reach (unit tests from real services); a test that reaches one breaks it.",
        example=(
            (
                "pyproject.toml",
                "[tool.pytest.ini_options]\n\n[tool.fixture_graph]\n\n"
                '[[tool.fixture_graph.contracts]]\nname = "unit tests stay offline"\n'
                'tests = ["unit/*"]\nforbid = ["real_*"]\n',
            ),
            (
                "conftest.py",
                _API,
            ),
            ("unit/test_sync.py", "def test_sync(real_api): ...\n"),
        ),
        fixed=(
            (
                "pyproject.toml",
                "[tool.pytest.ini_options]\n\n[tool.fixture_graph]\n\n"
                '[[tool.fixture_graph.contracts]]\nname = "unit tests stay offline"\n'
                'tests = ["unit/*"]\nforbid = ["real_*"]\n',
            ),
            (
                "conftest.py",
                _API,
            ),
            ("unit/test_sync.py", "def test_sync(fake_api): ...\n"),
        ),
    ),
    "FG013": RuleDoc(
        why="A costly fixture set up once per test when one setup per module would do, or kept "
        "for the whole run when one module uses it. Widening is only possible when everything it "
        "requests is at least as wide (pytest's ScopeMismatch), so the advice names the "
        "dependency that blocks it and the chain to it.",
        example=(
            (
                "conftest.py",
                "import pytest\nfrom profiling import memory_profile\n\n"
                '@memory_profile("a migrated database", "HIGH")\n@pytest.fixture\n'
                "def db(tmp_path): ...\n",
            ),
            ("test_db.py", _DB_TESTS),
        ),
        fixed=(
            (
                "conftest.py",
                "import pytest\nfrom profiling import memory_profile\n\n"
                '@memory_profile("a migrated database", "HIGH")\n@pytest.fixture(scope="module")\n'
                "def db(tmp_path_factory): ...\n",
            ),
            ("test_db.py", _DB_TESTS),
        ),
    ),
    "FG016": RuleDoc(
        why="Every test an autouse fixture reaches runs once per param, including tests that "
        "never look at it: an autouse fixture with params (or requesting a parametrized one) "
        "multiplies the whole folder it sits in.",
        example=(
            (
                "conftest.py",
                'import pytest\n\n@pytest.fixture(autouse=True, params=["sqlite", "postgres"])\n'
                "def backend(request): ...\n",
            ),
            ("test_app.py", "def test_query(): ...\n\ndef test_version(): ...\n"),
        ),
        fixed=(
            (
                "conftest.py",
                'import pytest\n\n@pytest.fixture(params=["sqlite", "postgres"])\n'
                "def backend(request): ...\n",
            ),
            ("test_app.py", "def test_query(backend): ...\n\ndef test_version(): ...\n"),
        ),
    ),
    "FG019": RuleDoc(
        why="Under pytest-xdist every worker sets up its own copy of a session or module "
        "fixture; --dist loadgroup keeps the tests with one xdist_group mark on one worker, so "
        "a heavy fixture that a few tests share is set up once (the rule speaks with --workers N).",
        example=(
            (
                "conftest.py",
                "import pytest\nfrom profiling import memory_profile\n\n"
                '@memory_profile("a browser", "VERY_HIGH")\n@pytest.fixture(scope="session")\n'
                "def browser(): ...\n",
            ),
            ("test_ui.py", "def test_login(browser): ...\n\ndef test_logout(browser): ...\n"),
            ("test_core.py", _CORE_TESTS),
        ),
        fixed=(
            (
                "conftest.py",
                "import pytest\nfrom profiling import memory_profile\n\n"
                '@memory_profile("a browser", "VERY_HIGH")\n@pytest.fixture(scope="session")\n'
                "def browser(): ...\n",
            ),
            (
                "test_ui.py",
                'import pytest\n\npytestmark = pytest.mark.xdist_group("browser")\n\n'
                "def test_login(browser): ...\n\ndef test_logout(browser): ...\n",
            ),
            ("test_core.py", _CORE_TESTS),
        ),
        args=("--workers", "4"),
    ),
    "FG017": RuleDoc(
        why="A conftest's fixtures are visible to every test below its folder, and pytest imports "
        "it for every run. Fixtures only the tests of one subfolder reach belong in that "
        "subfolder's conftest: the other tests stop seeing them and the shared conftest stays small.",
        example=(
            ("conftest.py", "import pytest\n\n@pytest.fixture\ndef engine(): ...\n"),
            ("integration/test_db.py", "def test_query(engine): ...\n"),
            ("unit/test_math.py", "def test_add(): ...\n"),
        ),
        fixed=(
            ("integration/conftest.py", "import pytest\n\n@pytest.fixture\ndef engine(): ...\n"),
            ("integration/test_db.py", "def test_query(engine): ...\n"),
            ("unit/test_math.py", "def test_add(): ...\n"),
        ),
    ),
    "FG018": RuleDoc(
        why="A heavy import at the top of a conftest runs at every collection; when only a few "
        "fixtures read it, importing it inside them means only runs that set them up pay for it.",
        example=(
            (
                "conftest.py",
                "import pandas\nimport pytest\n\n"
                "@pytest.fixture\ndef frame():\n    return pandas.DataFrame()\n",
            ),
            ("test_frame.py", "def test_frame(frame): ...\n\ndef test_plain(): ...\n"),
        ),
        fixed=(
            (
                "conftest.py",
                "import pytest\n\n@pytest.fixture\ndef frame():\n    import pandas\n\n"
                "    return pandas.DataFrame()\n",
            ),
            ("test_frame.py", "def test_frame(frame): ...\n\ndef test_plain(): ...\n"),
        ),
    ),
    "FG014": RuleDoc(
        why="A test parameter that resolves to a fixture the test never reads: either the test wants "
        "the fixture's side effect (say so with @pytest.mark.usefixtures, which keeps it out of the "
        "signature) or it does not need it at all (remove it, and its setup cost). Only names that "
        "are fixtures for the test count, resolved across conftests as pytest does. A fixture's own "
        "unread parameter is reported only when what it gets only returns a literal: a fixture can "
        "depend on another's side effect only by requesting it (pytest ignores marks on fixtures).",
        example=(
            ("conftest.py", _SEEDED),
            ("test_users.py", "def test_count(seeded_db):\n    assert count_users() == 1\n"),
        ),
        fixed=(
            ("conftest.py", _SEEDED),
            (
                "test_users.py",
                'import pytest\n\n@pytest.mark.usefixtures("seeded_db")\n'
                "def test_count():\n    assert count_users() == 1\n",
            ),
        ),
    ),
    "FG015": RuleDoc(
        why="Copies of a fixture drift apart: a fix lands in one and not the other. Copies in sibling "
        "folders belong in their nearest common conftest.py; a copy that overrides an identical outer "
        "fixture can go; and a fixture defined twice in one module is dead (pytest keeps the last).",
        example=(
            ("api/conftest.py", _SERVER),
            ("api/test_api.py", "def test_api(server):\n    assert server\n"),
            ("web/conftest.py", _SERVER),
            ("web/test_web.py", "def test_web(server):\n    assert server\n"),
        ),
        fixed=(
            ("conftest.py", _SERVER),
            ("api/test_api.py", "def test_api(server):\n    assert server\n"),
            ("web/test_web.py", "def test_web(server):\n    assert server\n"),
        ),
    ),
}
