"""Full-stack e2e: browser plus real services. Needs BOTH environment switches."""
import os

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not (os.getenv("RUN_E2E_TESTS") == "true" and os.environ.get("USE_REAL_SERVICES", "").lower() == "true"),
        reason="full-stack e2e needs RUN_E2E_TESTS=true and USE_REAL_SERVICES=true",
    ),
]


def test_order_persisted_after_checkout(checkout_page, db_session):
    charge = checkout_page.payment_gateway.charge(4200)
    db_session.add({"order": charge["id"]})
    db_session.commit()
    assert db_session.committed


def test_search_results_page(page, search_index):
    page.goto(page.url + "search?q=mug", title="Search")
    assert search_index.search("mug")
