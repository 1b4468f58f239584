"""A generated monolithic conftest, as the seed's suite had before it was split, with its tests.

:func:`write_monolith` writes, under a root folder, a ``pytest.ini``, a ``tests`` package whose
``conftest.py`` holds about 40 fixtures over four concerns in about 1,400 lines (the seed's
base, mocks, real services and e2e), the ``memory_profile`` tag module, and test modules that use
them. As in the seed, every fixture carries ``@memory_profile``, fixtures form chains
(``authenticated_api_client -> api_client -> app_instance -> search_index -> settings``), and the
real-service and browser fixtures are defined only under ``USE_REAL_SERVICES=true`` and
``RUN_E2E_TESTS=true`` (their tests are skipped otherwise). Helper classes are shared across
concerns (``Registry``), one constant is read by most helpers, stdlib imports stand in for heavy
ones (``sqlite3`` only the database helpers use), one fixture function is private (``name=``),
one fixture is autouse and one is parametrized, and a hook stays in the conftest.

Everything runs in plain pytest: the services are in-memory stand-ins.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.synth import MEMORY_PY

REAL = 'os.environ.get("USE_REAL_SERVICES", "").lower() == "true"'
E2E = 'os.getenv("RUN_E2E_TESTS") == "true"'


@dataclass(frozen=True)
class Spec:
    """One fixture of the monolith: its concern decides where the seed put it."""

    name: str
    concern: str
    args: tuple[str, ...] = ()
    scope: str = "function"
    impact: str = "LOW"
    helper: str | None = None
    yields: bool = False
    func: str | None = None
    extra: str = ""


SPECS: tuple[Spec, ...] = (
    # base: configuration, settings, temp dirs, logging, event loop (always loaded)
    Spec("config", "base", (), "session", "MINIMAL", extra="params_config"),
    Spec("settings", "base", ("config",), "session", "MINIMAL", extra="params_settings"),
    Spec("database_url", "base", ("settings",), "session", "MINIMAL", extra="params_url"),
    Spec("tmp_data_dir", "base", ("tmp_path_factory",), "session", "LOW", extra="params_tmp"),
    Spec("log_config", "base", ("tmp_data_dir",), "session", "LOW", "LogSink", yields=True),
    Spec("event_loop_runner", "base", (), "class", "LOW", "FakeEventLoop", yields=True),
    Spec("isolate_environment", "base", ("monkeypatch",), "function", "MINIMAL", extra="autouse"),
    Spec("feature_flags", "base", ("settings",), "function", "MINIMAL", func="_feature_flags", extra="flags"),
    Spec("locale", "base", ("request",), "function", "MINIMAL", extra="params_locale"),
    Spec("currency", "base", ("config",), "function", "MINIMAL", extra="currency"),
    Spec("frozen_clock", "base", (), "session", "MINIMAL", "FrozenClock"),
    # mocks: in-memory stand-ins for every service (always loaded)
    Spec("mock_db", "mocks", (), "function", "LOW", "FakeDatabase", yields=True),
    Spec("mock_cache", "mocks", (), "function", "MINIMAL", "FakeCache"),
    Spec("payment_provider", "mocks", ("request",), "function", "MINIMAL", extra="params_provider"),
    Spec(
        "mock_payment_gateway",
        "mocks",
        ("payment_provider", "currency"),
        "function",
        "LOW",
        "PaymentGatewayStub",
    ),
    Spec("mock_email_sender", "mocks", (), "function", "MINIMAL", "FakeEmailSender", yields=True),
    Spec("mock_services", "mocks", ("request", "mock_db"), "function", "LOW", extra="services"),
    Spec(
        "mock_app",
        "mocks",
        ("mock_services", "settings", "feature_flags"),
        "function",
        "MEDIUM",
        "MockApplication",
    ),
    Spec("mock_api_client", "mocks", ("mock_app",), "function", "LOW", "MockApiClient"),
    Spec("mock_queue", "mocks", (), "function", "MINIMAL", "FakeQueue"),
    Spec("mock_storage", "mocks", ("tmp_data_dir",), "function", "LOW", "FakeStorage"),
    # real services: only with USE_REAL_SERVICES=true
    Spec("db_engine", "services", ("database_url",), "session", "HIGH", "DatabaseEngine", yields=True),
    Spec("db_connection", "services", ("db_engine",), "module", "MEDIUM", "DatabaseConnection", yields=True),
    Spec("db_session", "services", ("db_connection",), "function", "MEDIUM", "DatabaseSession", yields=True),
    Spec("redis_client", "services", ("settings",), "session", "HIGH", "RedisClient", yields=True),
    Spec(
        "search_index",
        "services",
        ("settings", "tmp_data_dir"),
        "session",
        "VERY_HIGH",
        "SearchIndex",
        yields=True,
    ),
    Spec("message_broker", "services", ("settings",), "session", "MEDIUM", "MessageBroker"),
    Spec(
        "app_instance",
        "services",
        ("settings", "db_engine", "redis_client", "search_index"),
        "module",
        "HIGH",
        "Application",
    ),
    Spec("api_client", "services", ("app_instance", "db_session"), "function", "MEDIUM", "ApiClient"),
    Spec("authenticated_api_client", "services", ("api_client",), "function", "LOW", extra="authenticated"),
    Spec("worker_pool", "services", ("message_broker",), "session", "VERY_HIGH", "WorkerPool", yields=True),
    # e2e: only with RUN_E2E_TESTS=true
    Spec("browser", "e2e", ("settings",), "session", "VERY_HIGH", "Browser", yields=True),
    Spec(
        "live_server",
        "e2e",
        ("settings", "tmp_data_dir", "log_config"),
        "session",
        "HIGH",
        "LiveServer",
        yields=True,
    ),
    Spec("browser_context", "e2e", ("browser",), "function", "MEDIUM", "BrowserContext", yields=True),
    Spec("page", "e2e", ("browser_context", "live_server"), "function", "MEDIUM", "Page", yields=True),
    Spec("logged_in_page", "e2e", ("page",), "function", "LOW", extra="logged_in"),
    Spec(
        "checkout_page",
        "e2e",
        ("logged_in_page", "mock_payment_gateway"),
        "function",
        "LOW",
        extra="checkout",
    ),
    Spec("screenshot_dir", "e2e", ("tmp_data_dir",), "session", "LOW", extra="screenshots"),
    Spec("e2e_user", "e2e", ("live_server",), "function", "MINIMAL", "E2EUser"),
)

# Which helpers read the shared constant or the shared registry (so they must stay importable).
_TIMEOUT_USERS = frozenset(
    {"DatabaseEngine", "RedisClient", "Browser", "LiveServer", "FakeQueue", "MessageBroker"}
)
_REGISTRY_USERS = frozenset({"MockApplication", "Application"})
_GUARDS = {"services": REAL, "e2e": E2E}

_SPECIAL_BODIES = {
    "params_config": "    return dict(APP_DEFAULTS, loaded_at=json.dumps({'run': 1}))\n",
    "params_settings": (
        "    derived = dict(config)\n"
        '    derived["redis_url"] = "redis://localhost:6379/15"\n'
        '    derived["search_url"] = "http://localhost:9200"\n'
        '    derived["base_url"] = "http://127.0.0.1:8765"\n'
        '    derived["feature_flags"] = {"new_checkout": True, "one_click_refunds": False}\n'
        "    return derived\n"
    ),
    "params_url": "    return f\"postgresql://orders@localhost:5432/{settings['database_name']}\"\n",
    "params_tmp": '    return tmp_path_factory.mktemp("orders-data")\n',
    "autouse": (
        '    monkeypatch.setenv("APP_ENV", "test")\n'
        '    monkeypatch.delenv("ORDERS_API_TOKEN", raising=False)\n'
        "    yield\n"
    ),
    "flags": '    return dict(settings["feature_flags"])\n',
    "params_locale": "    return request.param\n",
    "currency": '    return config["default_currency"]\n',
    "params_provider": "    return request.param\n",
    "services": (
        "    # The cache is looked up lazily, the way the old conftest did it.\n"
        '    cache = request.getfixturevalue("mock_cache")\n'
        '    return {"db": mock_db, "cache": cache}\n'
    ),
    "authenticated": '    api_client.token = "test-token"\n    return api_client\n',
    "logged_in": (
        '    page.context.cookies["session"] = "alice"\n'
        '    page.goto(page.url + "account", title="Your account")\n'
        "    return page\n"
    ),
    "checkout": (
        '    logged_in_page.goto(logged_in_page.url + "checkout", title="Checkout")\n'
        "    logged_in_page.payment_gateway = mock_payment_gateway\n"
        "    return logged_in_page\n"
    ),
    "screenshots": '    return tmp_data_dir / "screenshots"\n',
}

_DECORATOR_EXTRA = {
    "autouse": "autouse=True",
    "params_locale": 'params=["en_US", "de_DE"], ids=["en", "de"]',
    "params_provider": 'params=["stripe_v2", "adyen_v1"], ids=["stripe", "adyen"]',
    "flags": 'name="feature_flags"',
}

_HEADER = '''"""Root conftest for the orders-service suite: every fixture in one file.

Base configuration, in-memory mocks, the real services (only with USE_REAL_SERVICES=true) and the
browser fixtures (only with RUN_E2E_TESTS=true) all live here, about 1,400 lines.
"""
import json
import os
import sqlite3

import pytest

from .test_framework.memory import MemoryImpact, memory_profile

DEFAULT_TIMEOUT = 30
APP_DEFAULTS = {
    "app_name": "orders-service",
    "environment": "test",
    "database_name": "orders_test",
    "default_currency": "USD",
    "supported_locales": ["en_US", "de_DE"],
}


def pytest_configure(config):
    config.addinivalue_line("markers", "unit: fast tests on base and mock fixtures")
    config.addinivalue_line("markers", "integration: tests of the real services")
    config.addinivalue_line("markers", "e2e: browser tests")


class Registry:
    """Named services an application object hands out (shared by the mock and real apps)."""

    def __init__(self, **services):
        self._services = dict(services)

    def get(self, name):
        return self._services[name]

    def names(self):
        return sorted(self._services)

    def __len__(self):
        return len(self._services)
'''

# The seed's memory_profile decorator, as the synthetic suites write it.
_MEMORY = MEMORY_PY

_METHODS = ("record", "history", "reset", "describe", "snapshot")


def _helper_class(name: str) -> str:
    """A small stand-in class with a state, a few recorded operations and ``close``."""
    timeout = "DEFAULT_TIMEOUT" if name in _TIMEOUT_USERS else "None"
    lines = [
        f"class {name}:",
        f'    """In-memory stand-in used by the {name} fixture; records what the tests do with it."""',
        "",
        "    def __init__(self, *parts):",
        "        self.parts = parts",
        f"        self.timeout = {timeout}",
        "        self.closed = False",
        "        self.events = []",
        "        self.saved = []",
    ]
    if name in _REGISTRY_USERS:
        lines.append('        self.registry = Registry(**{f"part{i}": p for i, p in enumerate(parts)})')
    if name == "DatabaseEngine":
        lines.append('        self.memory = sqlite3.connect(":memory:")')
    for method in _METHODS:
        lines += ["", *_method(method)]
    lines += ["", *_extras(name), "", "    def close(self):", "        self.closed = True", "", ""]
    return "\n".join(lines) + "\n"


def _method(method: str) -> list[str]:
    bodies = {
        "record": ["self.events.append(event)", "return len(self.events)"],
        "history": ["return list(self.events)"],
        "reset": ["self.events.clear()", "self.saved.clear()"],
        "describe": ['return f"{type(self).__name__}({len(self.parts)} parts, {len(self.events)} events)"'],
        "snapshot": ["self.saved.append(list(self.events))", "return len(self.saved)"],
        "restore": ["if self.saved:", "    self.events = self.saved.pop()", "return list(self.events)"],
        "count": ["return sum(1 for e in self.events if e == event)"],
        "latest": ["return self.events[-1] if self.events else None"],
    }
    arg = ", event" if method in ("record", "count") else ""
    doc = f'"""{method.capitalize()} the recorded events."""'
    return [f"    def {method}(self{arg}):", f"        {doc}", *(f"        {b}" for b in bodies[method])]


def _extras(name: str) -> list[str]:
    """Methods some fixtures or tests call by name."""
    extras = {
        "FakeDatabase": [
            "    def insert(self, table, row):",
            "        self.record((table, dict(row)))",
            "        return row",
            "",
            "    def select(self, table, **where):",
            "        rows = [r for t, r in self.events if t == table]",
            "        return [r for r in rows if all(r.get(k) == v for k, v in where.items())]",
        ],
        "PaymentGatewayStub": [
            "    def charge(self, amount):",
            '        self.record({"amount": amount})',
            '        return {"id": f"ch_{len(self.events)}", "amount": amount, "status": "succeeded"}',
        ],
        "Page": [
            '    url = "http://127.0.0.1:8765/"',
            '    title = ""',
            "",
            "    @property",
            "    def context(self):",
            "        return self.parts[0]",
            "",
            '    def goto(self, url, title=""):',
            "        self.url = url",
            "        self.title = title",
            '        return {"status": 200, "url": url}',
        ],
        "BrowserContext": ["    cookies = {}"],
        "DatabaseSession": [
            "    def add(self, row):",
            "        self.record(row)",
            "",
            "    def commit(self):",
            "        self.snapshot()",
        ],
        "ApiClient": [
            "    token = None",
            "",
            "    def get(self, path):",
            '        return {"status": 200 if path == "/health" or self.token else 401}',
        ],
        "MockApiClient": [
            "    def get(self, path):",
            '        return {"status": 200 if path == "/health" else 404}',
        ],
    }
    return extras.get(name, ["    pass"])


def _fixture(spec: Spec) -> str:
    options = [f'scope="{spec.scope}"'] if spec.scope != "function" else []
    if spec.extra in _DECORATOR_EXTRA:
        options.append(_DECORATOR_EXTRA[spec.extra])
    decorator = f"@pytest.fixture({', '.join(options)})" if options else "@pytest.fixture"
    level = f"MemoryImpact.{spec.impact}" if spec.impact in ("HIGH", "VERY_HIGH") else f'"{spec.impact}"'
    description = f"{spec.name.replace('_', ' ')} ({spec.concern})"
    signature = f"def {spec.func or spec.name}({', '.join(spec.args)}):"
    head = [decorator, f'@memory_profile("{description}", {level})', signature]
    if spec.helper is not None:
        args = ", ".join(a for a in spec.args if a != "request")
        body = [f"    value = {spec.helper}({args})"]
        body += ["    yield value", "    value.close()"] if spec.yields else ["    return value"]
        text = "\n".join([*head, *body]) + "\n"
    else:
        text = "\n".join(head) + "\n" + _SPECIAL_BODIES[spec.extra]
    return text


def _indent(text: str) -> str:
    return "".join(("    " + line if line.strip() else line) for line in text.splitlines(keepends=True))


def monolith_source() -> str:
    """The monolithic ``tests/conftest.py``: helpers and fixtures of each concern together,
    the real-service and browser parts each under their env guard."""
    parts = [_HEADER, "\n"]
    for concern in ("base", "mocks", "services", "e2e"):
        specs = [s for s in SPECS if s.concern == concern]
        block = f"# ---- {concern} " + "-" * 60 + "\n\n"
        for spec in specs:
            if spec.helper is not None:
                block += "\n" + _helper_class(spec.helper)
        block += "\n\n".join(_fixture(s) for s in specs) + "\n"
        guard = _GUARDS.get(concern)
        parts.append(f"\nif {guard}:\n" + _indent(block) if guard else block)
    return "\n".join(p.rstrip("\n") + "\n" for p in parts)


_SKIP_REAL = """\
pytestmark = pytest.mark.skipif(
    os.environ.get("USE_REAL_SERVICES", "").lower() != "true", reason="needs USE_REAL_SERVICES=true"
)
"""
_SKIP_E2E = """\
pytestmark = pytest.mark.skipif(os.getenv("RUN_E2E_TESTS") != "true", reason="needs RUN_E2E_TESTS=true")
"""
_SKIP_BOTH = """\
pytestmark = pytest.mark.skipif(
    not (os.getenv("RUN_E2E_TESTS") == "true" and os.environ.get("USE_REAL_SERVICES", "").lower() == "true"),
    reason="needs both switches",
)
"""
_IMPORTS = "import os\n\nimport pytest\n\n"

TESTS: dict[str, str] = {
    "unit/test_settings.py": """\
def test_config(config):
    assert config["app_name"] == "orders-service"


def test_settings_derive(settings, database_url):
    assert database_url.endswith("orders_test")


def test_flags(feature_flags):
    assert feature_flags["new_checkout"]


def test_locale(locale, currency):
    assert currency == "USD"


def test_clock(frozen_clock):
    assert frozen_clock.describe()
""",
    "unit/test_files.py": """\
def test_tmp(tmp_data_dir, log_config):
    assert tmp_data_dir.exists()


def test_storage(mock_storage):
    assert mock_storage.record("x") == 1
""",
    "unit/test_async.py": """\
class TestLoop:
    def test_first(self, event_loop_runner):
        assert event_loop_runner.record(1) >= 1

    def test_second(self, event_loop_runner, mock_queue):
        assert not event_loop_runner.closed
""",
    "unit/test_checkout.py": """\
class TestCheckout:
    def test_cart(self, mock_db):
        assert mock_db.select("cart") == []

    def test_charge(self, mock_db, mock_payment_gateway):
        assert mock_payment_gateway.charge(1200)["amount"] == 1200


def test_app(mock_app):
    assert len(mock_app.registry) == 3


def test_api(mock_api_client, mock_email_sender):
    assert mock_api_client.get("/health")["status"] == 200
""",
    "unit/test_services_mocked.py": """\
def test_services(mock_services):
    assert set(mock_services) == {"db", "cache"}


def test_provider(payment_provider):
    assert payment_provider
""",
    "integration/test_real_db.py": _IMPORTS
    + _SKIP_REAL
    + """

def test_session(db_session):
    db_session.add({"id": 1})


def test_connection(db_engine, db_connection):
    assert db_connection.parts[0] is db_engine


def test_api(authenticated_api_client):
    assert authenticated_api_client.get("/me")["status"] == 200


def test_wiring(app_instance, redis_client):
    assert app_instance.parts[2] is redis_client
""",
    "integration/test_search.py": _IMPORTS
    + _SKIP_REAL
    + """

def test_search(search_index, mock_cache):
    assert search_index.describe()


def test_workers(worker_pool):
    assert worker_pool.parts
""",
    "integration/test_mocked.py": """\
def test_seeded(mock_db, mock_api_client):
    assert mock_db.insert("users", {"id": 1})
""",
    "e2e/test_login.py": _IMPORTS
    + _SKIP_E2E
    + """

def test_login(logged_in_page, e2e_user):
    assert logged_in_page.context.cookies["session"]


def test_screens(page, screenshot_dir):
    assert page.url
""",
    "e2e/test_checkout.py": _IMPORTS
    + _SKIP_E2E
    + """

def test_checkout(checkout_page):
    assert checkout_page.payment_gateway
""",
    "e2e/test_full_stack.py": _IMPORTS
    + _SKIP_BOTH
    + """

def test_order(checkout_page, db_session):
    db_session.add({"order": 1})
""",
}


def write_monolith(root: Path) -> Path:
    """Write the monolithic suite under ``root`` and return the conftest's path."""
    files = {
        "pytest.ini": "[pytest]\ntestpaths = tests\naddopts = -p no:cacheprovider\n",
        "tests/__init__.py": "",
        "tests/conftest.py": monolith_source(),
        "tests/test_framework/__init__.py": "",
        "tests/test_framework/memory.py": _MEMORY,
    }
    for folder in ("unit", "integration", "e2e"):
        files[f"tests/{folder}/__init__.py"] = ""
    files.update({f"tests/{rel}": text for rel, text in TESTS.items()})
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "tests" / "conftest.py"
