"""Suite-wide set-up: Qt runs offscreen, QtWebEngine runs without a sandbox or GPU."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --disable-logging")
os.environ.setdefault("QT_LOGGING_RULES", "qt.webenginecontext.debug=false;qt.qpa.*=false")

import pytest  # noqa: E402

from newsdesk.library import Library  # noqa: E402

# The throwaway PostgreSQL server for tests marked `postgres`, and the WordPress site.
pytest_plugins = ["tests.pg", "tests.wordpress"]


@pytest.fixture
def library(tmp_path):
    """A fresh, empty library in a real folder."""
    lib = Library.open(tmp_path / "library")
    yield lib
    lib.close()


@pytest.fixture
def laptop_library(tmp_path):
    """The same as `library`, under a name a module that overrides `library` can still ask for."""
    lib = Library.open(tmp_path / "library")
    yield lib
    lib.close()


# A laptop's library, then (as a second run of the same test) a newsroom's shared one on
# PostgreSQL: what a user can do on one must work on the other. A module runs all its
# tests on both by defining `library` as `either_library`.
BOTH_DESKS = ["laptop", pytest.param("shared", marks=pytest.mark.postgres)]


def library_argument(library: Library) -> str:
    """What `--library` says to reach this library: its folder, or a shared library's URL."""
    url = getattr(library, "url", None)
    return url.render_as_string(hide_password=False) if url is not None else str(library.root)


@pytest.fixture(params=BOTH_DESKS)
def either_library(request):
    """A fresh, empty library: a laptop's folder, or a shared library on PostgreSQL."""
    if request.param == "shared":
        return request.getfixturevalue("pg_library")
    return request.getfixturevalue("laptop_library")


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path, monkeypatch):
    """Never touch the real per-user library or settings from a test."""
    monkeypatch.setenv("NEWSDESK_LIBRARY", str(tmp_path / "default-library"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
