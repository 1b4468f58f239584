"""Payment gateway behaviour against the stub gateway (runs once per provider)."""
import pytest

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("mock_email_sender")]


def test_gateway_charges(mock_payment_gateway):
    charge = mock_payment_gateway.charge(1999)
    assert charge["status"] == "succeeded"


def test_gateway_refund(mock_payment_gateway):
    charge = mock_payment_gateway.charge(500)
    assert mock_payment_gateway.refund(charge["id"])["status"] == "refunded"


def test_gateway_uses_default_currency(mock_payment_gateway, currency):
    assert mock_payment_gateway.charge(100)["currency"] == currency


def test_receipt_email_sent(mock_payment_gateway, mock_email_sender):
    charge = mock_payment_gateway.charge(2500)
    mock_email_sender.send("alice@example.com", f"Receipt {charge['id']}")
    assert len(mock_email_sender.outbox) == 1


def test_provider_is_known(payment_provider):
    assert payment_provider in {"stripe_v2", "adyen_v1"}
