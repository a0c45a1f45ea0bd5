"""Fixtures for the export tests: one headless Debian Chromium for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.checkers import chromium_session


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """A Playwright ``Browser`` (Debian Chromium), shared by every export test."""
    with chromium_session() as b:
        yield b
