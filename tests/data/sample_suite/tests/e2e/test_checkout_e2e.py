"""Checkout through the browser, with the payment gateway stubbed (once per provider)."""
import os

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(os.getenv("RUN_E2E_TESTS") != "true", reason="e2e tests disabled (set RUN_E2E_TESTS=true)"),
]


def test_checkout_page_renders(checkout_page):
    assert checkout_page.title == "Checkout"


def test_checkout_submits_payment(checkout_page):
    assert checkout_page.payment_gateway.charge(999)["status"] == "succeeded"
