"""UI test set-up: QtWebEngine loaded before the QApplication, and windows on real libraries."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt, QThreadPool

# QtWebEngine must be imported, and GL contexts shared, before pytest-qt creates
# the QApplication; the preview widget is created later, after a window paints.
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
try:
    import PySide6.QtWebEngineWidgets  # noqa: F401
except ImportError:
    pass


@pytest.fixture(scope="session", autouse=True)
def _delete_widgets_before_exit(qapp):
    """Delete every window left at the end of the session while the QApplication still exists.

    pytest-qt closes the widgets a test registers but does not delete them; a
    QtWebEngine page still alive when its profile is released at exit makes the
    interpreter crash (exit status 139) after every test has passed.
    """
    from PySide6.QtWidgets import QApplication

    yield
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


SAMPLE_BODY = """The council voted **seven to two** on Tuesday night to close the \
[old bridge](https://example.org/bridge) for a year of repairs.

## What happens next

> We have no choice, said the mayor, who called the vote "the hardest of my term".

- Detours start on Monday
- Buses 4 and 11 are rerouted

Residents packed the hall for three hours; most speakers asked for a ferry \
while the bridge is shut."""


@pytest.fixture
def settings(tmp_path):
    """A settings file of the test's own, so no test sees another's window layout."""
    s = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    yield s
    s.sync()


@pytest.fixture
def sample_article(library):
    return library.create_article(
        headline="Council votes to close the old bridge for a year",
        dek="Repairs will cost £12m and detours start next week.",
        byline="By Ana Ruiz",
        section="News",
        tags=["transport", "council"],
        body=SAMPLE_BODY,
    )


@pytest.fixture
def make_window(qtbot, library, settings):
    """Build main windows on the test's library; each is closed (and saved) at the end."""
    from newsdesk.ui.main_window import MainWindow

    windows = []

    def make(lib=None, *, show: bool = True, open_initial: bool = True):
        window = MainWindow(lib or library, settings=settings)
        qtbot.addWidget(window)
        windows.append(window)
        if open_initial:
            window.open_initial()
        if show:
            window.show()
            qtbot.waitExposed(window)
        return window

    yield make
    for window in windows:
        if shiboken6.isValid(window):
            window.close()
    # No worker may outlive the test's library folder.
    QThreadPool.globalInstance().waitForDone(10_000)
    # Delete the windows now: a web page still alive when QtWebEngine's profile
    # is released at exit crashes the interpreter.
    for window in windows:
        if shiboken6.isValid(window):
            window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


@pytest.fixture
def window(make_window, sample_article):
    """The main window open on the sample article, with its preview ready."""
    w = make_window()
    return w


def answered() -> None:
    """Every read on a worker has answered and its answer was handled.

    Handling an answer may start another read (a page after a refresh), so a few rounds.
    Not a time: on a slow machine the reads take what they take.
    """
    for _ in range(4):
        assert QThreadPool.globalInstance().waitForDone(10_000), "a read never answered"
        QCoreApplication.processEvents()


def open_in_window(qtbot, window, article_id: int, timeout: int = 10_000) -> None:
    """Open a story as the list does, and wait until it is in the editor (it is read on a worker)."""
    assert window.open_article(article_id)
    qtbot.waitUntil(
        lambda: window.article is not None and window.article.id == article_id, timeout=timeout
    )


def wait_preview_ready(qtbot, window, timeout: int = 30_000) -> None:
    qtbot.waitUntil(lambda: window.preview_ready, timeout=timeout)


def run_js(qtbot, window, script: str, timeout: int = 10_000):
    """Evaluate JavaScript in the preview page and return its result."""
    box: list = []
    window.preview.run_js(script, lambda value: box.append(value))
    qtbot.waitUntil(lambda: bool(box), timeout=timeout)
    return box[0]


def bulk_articles(library, n: int, *, words=("harbour", "council", "ferry", "budget")) -> None:
    """Fill a library with n articles quickly (one transaction), newest first by id.

    Headlines are "Story 0 about the harbour", "Story 1 about the council", ...
    """
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert

    from newsdesk.library import Article

    now = datetime.now(UTC)
    sections = ("News", "Sport", "Culture")
    rows = [
        {
            "headline": f"Story {i} about the {words[i % len(words)]}",
            "slug": f"story-{i}",
            "section": sections[i % len(sections)],
            "status": "draft" if i % 2 else "published",
            "body": f"Paragraph {i} about the {words[i % len(words)]}.",
            "updated_at": now - timedelta(seconds=i),
        }
        for i in range(n)
    ]
    with library.engine.begin() as conn:
        conn.execute(insert(Article), rows)
    library.rebuild_search_index()


def type_text(widget, text: str) -> None:
    """Type like a person: QTest.keyClicks, with Return for each line break."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    for i, line in enumerate(text.split("\n")):
        if i:
            QTest.keyClick(widget, Qt.Key.Key_Return)
        if line:
            QTest.keyClicks(widget, line)
