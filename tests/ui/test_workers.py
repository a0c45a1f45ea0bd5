"""run_task: answers reach the GUI thread, and an answer for a deleted widget is dropped quietly."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QLabel

from newsdesk.ui.workers import run_task


def test_the_answer_arrives_on_the_gui_thread(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    run_task(lambda: "done", on_done=label.setText)
    qtbot.waitUntil(lambda: label.text() == "done")


def test_an_answer_for_a_deleted_widget_is_dropped(qtbot):
    label = QLabel()
    shiboken6.delete(label)
    run_task(lambda: "late", on_done=lambda text: label.setText(text))
    QThreadPool.globalInstance().waitForDone(5000)
    qtbot.wait(50)  # the queued answer is delivered, and must not raise


def test_other_errors_in_a_callback_still_surface(qtbot):
    def broken(_value):
        raise ValueError("a real bug")

    run_task(lambda: 1, on_done=broken)
    QThreadPool.globalInstance().waitForDone(5000)
    with qtbot.captureExceptions() as exceptions:
        qtbot.wait(50)
    assert any(isinstance(e[1], ValueError) for e in exceptions)


def test_a_story_list_deleted_while_its_page_is_read_drops_the_page(qtbot, library):
    """The answer emits a signal on the gone model ("Signal source has been deleted"): dropped."""
    from newsdesk.ui.article_list_model import ArticleListModel

    model = ArticleListModel(library)
    with qtbot.captureExceptions() as exceptions:
        model.refresh()  # the first page is read on the pool
        shiboken6.delete(model)  # the window closes before it arrives
        QThreadPool.globalInstance().waitForDone(5000)
        qtbot.wait(50)
    assert exceptions == []


def test_a_signal_emitted_on_a_deleted_object_is_dropped_but_other_runtime_errors_are_not(qtbot):
    label = QLabel()
    shiboken6.delete(label)

    def emits(_value):
        label.windowTitleChanged.emit("late")

    def fails(_value):
        raise RuntimeError("the library is locked")

    run_task(lambda: 1, on_done=emits)
    run_task(lambda: 2, on_done=fails)
    QThreadPool.globalInstance().waitForDone(5000)
    with qtbot.captureExceptions() as exceptions:
        qtbot.wait(50)
    assert [str(e[1]) for e in exceptions] == ["the library is locked"]
