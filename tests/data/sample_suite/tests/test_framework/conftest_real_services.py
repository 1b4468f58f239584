"""More real-service fixtures, kept next to the framework helpers.

Only imported (by tests/conftest.py) when USE_REAL_SERVICES=true.
"""
import pytest

from .memory import MemoryImpact, memory_profile


class Application:
    def __init__(self, settings, engine, redis, search):
        self.settings = settings
        self.engine = engine
        self.redis = redis
        self.search = search


class ApiClient:
    def __init__(self, app, session):
        self.app = app
        self.session = session
        self.token = None

    def get(self, path):
        if path == "/health":
            return {"status": 200, "body": {"ok": True}}
        if path == "/me":
            return {"status": 200 if self.token else 401, "body": {"user": "alice"} if self.token else None}
        return {"status": 404, "body": None}


class WorkerPool:
    def __init__(self, broker, size):
        self.broker = broker
        self.size = size
        self.running = True

    def dispatch(self, task):
        self.broker.publish("tasks", task)
        return {"task": task, "queued": True}

    def shutdown(self):
        self.running = False


@pytest.fixture(scope="module")
@memory_profile("Full application wired to the real services", "HIGH")
def app_instance(settings, db_engine, redis_client, search_index):
    return Application(settings, db_engine, redis_client, search_index)


@pytest.fixture
@memory_profile("HTTP client talking to the real application", MemoryImpact.MEDIUM)
def api_client(app_instance, db_session):
    return ApiClient(app_instance, db_session)


@pytest.fixture
@memory_profile("HTTP client with a logged-in test user", impact="LOW")
def authenticated_api_client(api_client):
    api_client.token = "test-token"
    return api_client


@pytest.fixture(scope="session")
@memory_profile("Background worker processes consuming the broker", impact=MemoryImpact.VERY_HIGH)
def worker_pool(message_broker):
    pool = WorkerPool(message_broker, size=4)
    yield pool
    pool.shutdown()
