"""Keyboard-only use of the related-stories picker inside the main window, as a reporter meets it."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QThreadPool
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QListWidget, QWidget

from newsdesk.app import build_window
from newsdesk.ui.related_picker import ROW_ROLE


@pytest.fixture
def open_id(library) -> int:
    """Eight published ferry stories and the open article (the newest); returns its id."""
    for n in range(8):
        library.create_article(
            headline=f"Ferry story {n}",
            status="published",
            section="Local",
            body=f"The ferry left the harbour at {n} o'clock.",
        )
    return library.create_article(headline="Night crossing", body="Notes on the night.").id


@pytest.fixture
def window(qtbot, library, settings, open_id):
    """The window as a user gets it: panels installed after the first paint, Images in front."""
    w = build_window(library, settings=settings)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: "related" in w.panels, timeout=10_000)
    yield w
    if shiboken6.isValid(w):
        w.close()
    QThreadPool.globalInstance().waitForDone(10_000)
    w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def on_screen(widget: QWidget) -> bool:
    """The user can see this widget (a dock behind another tab is moved off the window)."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def current_row_on_screen(view: QListWidget) -> bool:
    rect = view.visualItemRect(view.currentItem())
    return view.viewport().rect().intersects(rect)


def search_and_arrow_down(qtbot, picker) -> None:
    picker.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
    QTest.keyClicks(picker.search_field, "ferry")
    qtbot.waitUntil(lambda: picker.results.count() == 8, timeout=10_000)
    QTest.keyClick(picker.search_field, Qt.Key.Key_Down)


def test_down_from_the_search_field_lands_on_the_first_result_and_enter_adds_it(
    qtbot, library, window, open_id
):
    assert window.article.id == open_id
    picker = window.panels["related"]
    assert not on_screen(picker), "the Images tab is in front at first"

    search_and_arrow_down(qtbot, picker)

    # Focus is on the first result, and the picker came to the front to show it.
    focused = QApplication.focusWidget()
    assert focused is picker.results
    qtbot.waitUntil(lambda: on_screen(focused), timeout=10_000)
    assert picker.results.currentRow() == 0
    assert current_row_on_screen(picker.results)
    first = picker.results.item(0).data(ROW_ROLE).article_id

    QTest.keyClick(focused, Qt.Key.Key_Return)
    assert picker.picked_ids() == [first]
    qtbot.waitUntil(lambda: picker._pending_writes == 0, timeout=10_000)
    assert [link.target_id for link in library.get_article(open_id).related] == [first]
    window.grab().save("/tmp/polish-1.png")


def test_end_and_home_reach_the_last_and_first_story_in_each_list(qtbot, library, window):
    picker = window.panels["related"]
    search_and_arrow_down(qtbot, picker)
    for _ in range(6):  # six related stories, added from the results with Enter
        QTest.keyClick(picker.results, Qt.Key.Key_Return)
    assert len(picker.picked_ids()) == 6

    for view in (picker.results, picker.picked):
        view.setFocus(Qt.FocusReason.TabFocusReason)
        view.setCurrentRow(0)
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_End)
        assert view.currentRow() == view.count() - 1, view.objectName()
        assert current_row_on_screen(view), view.objectName()
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Home)
        assert view.currentRow() == 0, view.objectName()
        assert current_row_on_screen(view), view.objectName()


def test_down_pressed_before_the_results_arrive_still_lands_on_the_first_one(
    qtbot, library, window
):
    picker = window.panels["related"]
    picker.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
    # A quick typist: Down follows the last letter before the search has even started.
    QTest.keyClicks(picker.search_field, "ferry")
    assert picker.results.count() == 0
    with qtbot.waitSignal(picker.sig_results_shown, timeout=10_000):
        QTest.keyClick(picker.search_field, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is picker.results
    assert picker.results.currentRow() == 0
    QTest.keyClick(picker.results, Qt.Key.Key_Return)
    assert picker.picked_ids() == [picker.results.item(0).data(ROW_ROLE).article_id]
