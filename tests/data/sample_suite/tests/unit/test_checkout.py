"""Checkout logic against the mock database and gateway."""
import pytest

from ..test_framework.memory import memory_profile

pytestmark = pytest.mark.unit


class TestCheckoutFlow:
    @pytest.fixture(autouse=True)
    @memory_profile("Empties the mock cart table around every checkout test", impact="MINIMAL")
    def empty_cart(self, mock_db):
        mock_db.tables["cart_items"] = []
        yield
        mock_db.tables["cart_items"].clear()

    def test_cart_starts_empty(self, mock_db):
        assert mock_db.select("cart_items") == []

    def test_add_item(self, mock_db):
        mock_db.insert("cart_items", {"sku": "sku-1", "qty": 2})
        assert len(mock_db.select("cart_items", sku="sku-1")) == 1

    def test_checkout_charges_gateway(self, mock_db, mock_payment_gateway):
        mock_db.insert("cart_items", {"sku": "sku-1", "qty": 1, "price": 1200})
        total = sum(i["price"] * i["qty"] for i in mock_db.select("cart_items"))
        assert mock_payment_gateway.charge(total)["amount"] == 1200


def test_mock_app_wires_services(mock_app):
    assert set(mock_app.services) == {"db", "cache"}


def test_mock_api_client_health(mock_api_client):
    assert mock_api_client.get("/health")["status"] == 200
