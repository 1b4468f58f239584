"""Integration tests that run in every environment: mocks stand in for services."""
import pytest

pytestmark = pytest.mark.integration


def test_seeded_db_has_users(mock_db):
    assert len(mock_db.select("users")) == 2


def test_app_sees_seeded_users(mock_app):
    assert mock_app.services["db"].select("users", active=True)[0]["name"] == "alice"


def test_api_client_lists_users(mock_api_client):
    assert len(mock_api_client.get("/users")["body"]) == 2


def test_unknown_route_is_404(mock_api_client):
    assert mock_api_client.get("/nope")["status"] == 404


def test_database_url_points_at_test_db(database_url):
    assert database_url.endswith("/orders_test")
