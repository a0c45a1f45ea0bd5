"""Fixtures for the export tests: one headless Debian Chromium for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.checkers import chromium_path, launch_chromium


class _Chromium:
    """The session's Chromium, started again when it has gone.

    A browser that dies under a loaded machine (killed, crashed) would otherwise
    fail every later test that looks at a page, for a reason none of them is about.
    """

    def __init__(self, playwright) -> None:
        self.playwright = playwright
        self.browser = launch_chromium(playwright)
        self.restarts = 0

    def connected(self):
        try:
            self.browser.new_context().close()  # a question the browser must answer
        except Exception:  # its connection is gone: Playwright's error types vary by version
            self.restarts += 1
            self.browser = launch_chromium(self.playwright)
        return self.browser


@pytest.fixture(scope="session")
def _chromium() -> Iterator[_Chromium]:
    chromium_path()  # fail with the install hint before starting Playwright
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = _Chromium(pw)
        try:
            yield chromium
        finally:
            chromium.browser.close()


@pytest.fixture
def browser(_chromium):
    """A Playwright ``Browser`` (Debian Chromium), shared by every export test."""
    return _chromium.connected()
