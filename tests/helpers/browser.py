"""Headless Chromium for the report tests, the screenshots and the scale bench.

Debian's ``chromium`` driven by the ``playwright`` package, with no browser download: the
executable is ``/usr/bin/chromium`` (``FIXTURE_GRAPH_CHROMIUM`` overrides it), and the flags
keep it off the network, which a sealed CI machine does not have.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("FIXTURE_GRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing_reason() -> str | None:
    """Why no browser test can run here, or None when one can."""
    if importlib.util.find_spec("playwright") is None:
        return "the 'playwright' package is not installed: pip install -e '.[test]' (make test does this)"
    if not Path(CHROMIUM).is_file():
        return (
            f"no Chromium at {CHROMIUM}: install it with 'apt-get install -y chromium' "
            "(make test does this where apt exists) or set FIXTURE_GRAPH_CHROMIUM"
        )
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """A launched headless Chromium (a playwright ``Browser``), closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
