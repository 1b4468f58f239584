"""Core fixtures: configuration, settings, temp dirs, logging, event loop."""
import pytest

from .test_framework.memory import MemoryImpact, memory_profile


class FakeEventLoop:
    """Stand-in for an asyncio loop: runs callables synchronously."""

    def __init__(self):
        self.closed = False
        self.calls = 0

    def run_until_complete(self, job):
        self.calls += 1
        return job()

    def close(self):
        self.closed = True


@pytest.fixture(scope="session")
@memory_profile("Static application configuration loaded once per run", "MINIMAL")
def config():
    return {
        "app_name": "orders-service",
        "environment": "test",
        "debug": True,
        "database_name": "orders_test",
        "cache_ttl_seconds": 30,
        "default_currency": "USD",
        "supported_locales": ["en_US", "de_DE"],
    }


@pytest.fixture(scope="session")
@memory_profile("Settings object derived from config", impact="MINIMAL")
def settings(config):
    return {
        "app_name": config["app_name"],
        "environment": config["environment"],
        "database_name": config["database_name"],
        "redis_url": "redis://localhost:6379/15",
        "search_url": "http://localhost:9200",
        "broker_url": "memory://",
        "base_url": "http://127.0.0.1:8765",
        "feature_flags": {"new_checkout": True, "one_click_refunds": False},
        "overridden_by": None,
    }


@pytest.fixture(scope="session")
@memory_profile("Test database URL built from settings", MemoryImpact.MINIMAL)
def database_url(settings):
    return f"postgresql://orders:orders@localhost:5432/{settings['database_name']}"


@pytest.fixture(scope="session")
@memory_profile("Per-run scratch directory for uploads, exports and indexes", impact="LOW")
def tmp_data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("orders-data")


@pytest.fixture(scope="session")
@memory_profile("Logging configuration pointing at a per-run log file", "LOW")
def log_config(tmp_data_dir):
    log_config = {"level": "DEBUG", "path": tmp_data_dir / "orders-test.log", "handlers": ["file"]}
    yield log_config
    log_config["handlers"].clear()


@pytest.fixture(scope="class")
@memory_profile("Synchronous stand-in for the asyncio event loop, one per test class", MemoryImpact.LOW)
def event_loop_runner():
    loop = FakeEventLoop()
    yield loop
    loop.close()


@pytest.fixture(autouse=True)
@memory_profile("Pins APP_ENV=test and removes real credentials for every test", impact=MemoryImpact.MINIMAL)
def isolate_environment(monkeypatch):
    monkeypatch.setenv("APP_ENV", "test")
    monkeypatch.delenv("ORDERS_API_TOKEN", raising=False)
    yield


@pytest.fixture(name="feature_flags")
@memory_profile("Copy of the feature flags from settings", "MINIMAL")
def feature_flags_fixture(settings):
    return dict(settings["feature_flags"])


@pytest.fixture(params=["en_US", "de_DE"], ids=["en", "de"])
@memory_profile("Storefront locale, run once per supported locale", impact="MINIMAL")
def locale(request):
    return request.param


@pytest.fixture
@memory_profile("Default currency code", MemoryImpact.MINIMAL)
def currency(config):
    return config["default_currency"]
