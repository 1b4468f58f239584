"""Integration conftest: the mock database comes pre-seeded here.

`mock_db` is always defined (conftest_mocks is imported unconditionally), so this
override chain resolves whether or not USE_REAL_SERVICES is set.
"""
import pytest

from ..test_framework.memory import memory_profile


@pytest.fixture
@memory_profile("Mock database seeded with integration users and orders", impact="LOW")
def mock_db(mock_db):
    mock_db.insert("users", {"id": 1, "name": "alice", "active": True})
    mock_db.insert("users", {"id": 2, "name": "bob", "active": False})
    mock_db.insert("orders", {"id": 100, "user_id": 1, "total": 4200})
    yield mock_db
