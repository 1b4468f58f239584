"""In-memory mock versions of the external services. Always loaded."""
import pytest

from .test_framework.memory import MemoryImpact, memory_profile


class FakeDatabase:
    """A dict of lists pretending to be the orders database."""

    def __init__(self):
        self.tables = {"users": [], "orders": [], "cart_items": []}
        self.closed = False

    def insert(self, table, row):
        self.tables.setdefault(table, []).append(dict(row))
        return row

    def select(self, table, **where):
        rows = self.tables.get(table, [])
        return [r for r in rows if all(r.get(k) == v for k, v in where.items())]

    def close(self):
        self.closed = True


class FakeCache:
    def __init__(self):
        self._data = {}

    def get(self, key, default=None):
        return self._data.get(key, default)

    def set(self, key, value):
        self._data[key] = value


class PaymentGatewayStub:
    def __init__(self, provider, currency):
        self.provider = provider
        self.currency = currency
        self.charges = []

    def charge(self, amount, currency=None):
        charge = {"id": f"ch_{len(self.charges) + 1}", "amount": amount,
                  "currency": currency or self.currency, "provider": self.provider, "status": "succeeded"}
        self.charges.append(charge)
        return charge

    def refund(self, charge_id):
        return {"charge_id": charge_id, "status": "refunded"}


class FakeEmailSender:
    def __init__(self):
        self.outbox = []

    def send(self, to, subject, body=""):
        self.outbox.append({"to": to, "subject": subject, "body": body})


class MockApplication:
    def __init__(self, services, settings, feature_flags):
        self.services = services
        self.settings = settings
        self.feature_flags = feature_flags


class MockApiClient:
    def __init__(self, app):
        self.app = app

    def get(self, path):
        if path == "/health":
            return {"status": 200, "body": {"ok": True}}
        if path == "/users":
            return {"status": 200, "body": self.app.services["db"].select("users")}
        return {"status": 404, "body": None}


@pytest.fixture
@memory_profile("In-memory dict-of-lists database", impact="LOW")
def mock_db():
    db = FakeDatabase()
    yield db
    db.close()


@pytest.fixture
@memory_profile("Dict-backed cache", "MINIMAL")
def mock_cache():
    return FakeCache()


@pytest.fixture(params=["stripe_v2", "adyen_v1"], ids=["stripe", "adyen"])
@memory_profile("Payment provider name, run once per supported provider", impact=MemoryImpact.MINIMAL)
def payment_provider(request):
    return request.param


@pytest.fixture
@memory_profile("Payment gateway stub recording charges in a list", "LOW")
def mock_payment_gateway(payment_provider, currency):
    return PaymentGatewayStub(payment_provider, currency)


@pytest.fixture
@memory_profile("Email sender collecting messages in an outbox", MemoryImpact.MINIMAL)
def mock_email_sender():
    sender = FakeEmailSender()
    yield sender
    sender.outbox.clear()


@pytest.fixture
@memory_profile("Registry of mocked services handed to the application", impact="LOW")
def mock_services(request, mock_db):
    # The cache is looked up lazily, the way the old monolithic conftest did it.
    cache = request.getfixturevalue("mock_cache")
    return {"db": mock_db, "cache": cache}


@pytest.fixture
@memory_profile("Application object wired to mocked services", MemoryImpact.MEDIUM)
def mock_app(mock_services, settings, feature_flags):
    return MockApplication(mock_services, settings, feature_flags)


@pytest.fixture
@memory_profile("HTTP client bound to the mocked application", impact="LOW")
def mock_api_client(mock_app):
    return MockApiClient(mock_app)
