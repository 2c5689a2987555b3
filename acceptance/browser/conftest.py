"""The Chromium page of the browser tests, and the portal's empty cache (the portal tests' own fixture)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from acceptance.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from facturier.portal.tests.conftest import _empty_cache  # noqa: F401 (an autouse fixture, used by name)

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make beside it are safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture
def page():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True, locale="fr-FR", viewport={"width": 1360, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()
