"""Browser / end-to-end fixtures. Only imported when RUN_E2E_TESTS=true.

The real suite drives a headless browser against a live server; these stand-ins
keep the names, scopes and dependency chains without launching anything.
"""
import pytest

from .test_framework.memory import MemoryImpact, memory_profile


class Browser:
    def __init__(self, name, headless=True):
        self.name = name
        self.headless = headless
        self.contexts = []
        self.closed = False

    def new_context(self):
        context = BrowserContext(self)
        self.contexts.append(context)
        return context

    def close(self):
        self.closed = True


class BrowserContext:
    def __init__(self, browser):
        self.browser = browser
        self.cookies = {}
        self.closed = False

    def new_page(self):
        return Page(self)

    def close(self):
        self.closed = True


class Page:
    def __init__(self, context):
        self.context = context
        self.url = "about:blank"
        self.title = ""

    def goto(self, url, title=""):
        self.url = url
        self.title = title
        return {"status": 200, "url": url}


class LiveServer:
    def __init__(self, url, log_path):
        self.url = url
        self.log_path = log_path
        self.running = True

    def stop(self):
        self.running = False


@pytest.fixture(scope="session")
@memory_profile("Headless browser process shared by the whole run", impact=MemoryImpact.VERY_HIGH)
def browser(settings):
    instance = Browser("chromium", headless=True)
    yield instance
    instance.close()


@pytest.fixture(scope="session")
@memory_profile("Application server running in a background thread", "HIGH")
def live_server(settings, tmp_data_dir, log_config):
    server = LiveServer(settings["base_url"], log_config["path"])
    yield server
    server.stop()


@pytest.fixture
@memory_profile("Fresh browser context (cookies, storage) per test", MemoryImpact.MEDIUM)
def browser_context(browser):
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
@memory_profile("Browser tab opened on the live server", impact="MEDIUM")
def page(browser_context, live_server):
    tab = browser_context.new_page()
    tab.goto(live_server.url + "/", title="Orders")
    yield tab


@pytest.fixture
@memory_profile("Page with the test user already signed in", "LOW")
def logged_in_page(page):
    page.context.cookies["session"] = "alice"
    page.goto(page.url + "account", title="Your account")
    return page


@pytest.fixture
@memory_profile("Checkout page with a stubbed payment gateway", impact="LOW")
def checkout_page(logged_in_page, mock_payment_gateway):
    logged_in_page.goto(logged_in_page.url.rsplit("/", 1)[0] + "/checkout", title="Checkout")
    logged_in_page.payment_gateway = mock_payment_gateway
    return logged_in_page
