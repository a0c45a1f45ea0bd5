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
