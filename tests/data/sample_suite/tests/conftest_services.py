"""Real service fixtures. Only imported when USE_REAL_SERVICES=true.

In the real suite these open connections to Postgres, Redis and Elasticsearch;
here they are small stand-ins that keep the same names, scopes and dependencies.
"""
import pytest

from .test_framework.memory import MemoryImpact, memory_profile


class DatabaseEngine:
    def __init__(self, url, pool_size=5):
        self.url = url
        self.pool_size = pool_size
        self.disposed = False

    def connect(self):
        return DatabaseConnection(self)

    def dispose(self):
        self.disposed = True


class DatabaseConnection:
    def __init__(self, engine):
        self.engine = engine
        self.closed = False

    def close(self):
        self.closed = True


class DatabaseSession:
    def __init__(self, connection):
        self.connection = connection
        self.pending = []
        self.committed = []

    def add(self, obj):
        self.pending.append(obj)

    def commit(self):
        self.committed.extend(self.pending)
        self.pending = []

    def rollback(self):
        self.pending = []


class RedisClient:
    def __init__(self, url):
        self.url = url
        self._store = {}

    def set(self, key, value):
        self._store[key] = value

    def get(self, key):
        return self._store.get(key)

    def flushdb(self):
        self._store.clear()


class SearchIndex:
    def __init__(self, url, path):
        self.url = url
        self.path = path
        self.documents = {}

    def index(self, doc_id, doc):
        self.documents[doc_id] = doc

    def search(self, term):
        return [d for d in self.documents.values() if term in d.get("title", "")]


class MessageBroker:
    def __init__(self, url):
        self.url = url
        self.queues = {}

    def publish(self, queue, message):
        self.queues.setdefault(queue, []).append(message)


@pytest.fixture(scope="session")
@memory_profile("Database engine with a connection pool", "HIGH")
def db_engine(database_url):
    engine = DatabaseEngine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
@memory_profile("One database connection per test module", MemoryImpact.MEDIUM)
def db_connection(db_engine):
    connection = db_engine.connect()
    yield connection
    connection.close()


@pytest.fixture
@memory_profile("Transactional session rolled back after each test", impact="MEDIUM")
def db_session(db_connection):
    session = DatabaseSession(db_connection)
    yield session
    session.rollback()


@pytest.fixture(scope="session")
@memory_profile("Redis client on a dedicated test database", impact=MemoryImpact.HIGH)
def redis_client(settings):
    client = RedisClient(settings["redis_url"])
    yield client
    client.flushdb()


@pytest.fixture(scope="session")
@memory_profile("Search index built from the fixture catalogue", impact=MemoryImpact.VERY_HIGH)
def search_index(settings, tmp_data_dir):
    index = SearchIndex(settings["search_url"], tmp_data_dir / "search-index")
    index.index("sku-1", {"title": "blue mug"})
    index.index("sku-2", {"title": "red mug"})
    yield index
    index.documents.clear()


@pytest.fixture(scope="session")
@memory_profile("Message broker connection", MemoryImpact.MEDIUM)
def message_broker(settings):
    return MessageBroker(settings["broker_url"])
