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


# pytest-qt waits 5 s unless told otherwise. CI runs the whole suite on a slower, busier
# machine than a desk, where a window, a web page or a server can take longer to answer; a
# wait lasts its full timeout only when the test is failing anyway, so every wait given no
# timeout of its own waits 10 s.
PATIENT_WAIT_MS = 10_000


@pytest.fixture
def qtbot(qapp, request):
    """pytest-qt's qtbot, whose waits default to PATIENT_WAIT_MS."""
    return _patient_qtbot_class()(request)


def _patient_qtbot_class():
    from pytestqt.qtbot import QtBot  # here: tests without Qt never import it

    class PatientQtBot(QtBot):
        def waitUntil(self, callback, *, timeout: int = PATIENT_WAIT_MS):  # noqa: N802
            return super().waitUntil(callback, timeout=timeout)

        def waitSignal(self, signal, *, timeout: int = PATIENT_WAIT_MS, **kwargs):  # noqa: N802
            return super().waitSignal(signal, timeout=timeout, **kwargs)

        def waitSignals(self, signals, *, timeout: int = PATIENT_WAIT_MS, **kwargs):  # noqa: N802
            return super().waitSignals(signals, timeout=timeout, **kwargs)

        def waitCallback(self, *, timeout: int = PATIENT_WAIT_MS, **kwargs):  # noqa: N802
            return super().waitCallback(timeout=timeout, **kwargs)

        def waitExposed(self, widget, *, timeout: int = PATIENT_WAIT_MS):  # noqa: N802
            return super().waitExposed(widget, timeout=timeout)

        def waitActive(self, widget, *, timeout: int = PATIENT_WAIT_MS):  # noqa: N802
            return super().waitActive(widget, timeout=timeout)

    return PatientQtBot
