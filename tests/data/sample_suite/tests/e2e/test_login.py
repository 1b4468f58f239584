"""Login flow through the browser."""
import os

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(os.getenv("RUN_E2E_TESTS") != "true", reason="e2e tests disabled (set RUN_E2E_TESTS=true)"),
]


def test_browser_launches(browser):
    assert browser.headless is True


def test_home_page_loads(page, live_server):
    assert page.url.startswith(live_server.url)


def test_logged_in_page_has_session_cookie(logged_in_page):
    assert logged_in_page.context.cookies["session"] == "alice"
