"""Integration tests against the real database and application stack."""
import os

import pytest

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        os.environ.get("USE_REAL_SERVICES", "").lower() != "true",
        reason="needs real services (set USE_REAL_SERVICES=true)",
    ),
]


def test_db_session_roundtrip(db_session):
    db_session.add({"id": 1})
    db_session.commit()
    assert db_session.committed == [{"id": 1}]


def test_connection_shares_engine(db_engine, db_connection):
    assert db_connection.engine is db_engine


def test_api_client_health(api_client):
    assert api_client.get("/health")["status"] == 200


def test_authenticated_request(authenticated_api_client):
    assert authenticated_api_client.get("/me")["status"] == 200


def test_app_instance_wiring(app_instance, redis_client):
    assert app_instance.redis is redis_client
