"""A list command over hundreds of stories (Move to Trash, Set Section, and their Undo) shows its
progress with Cancel, runs off the GUI thread, and a Cancel changes nothing at all."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QProgressDialog, QPushButton

from newsdesk.library import bulk
from newsdesk.ui.bulk_progress import SHOWN_FROM

MANY = SHOWN_FROM + 50


def many_stories(library, n: int = MANY) -> list[int]:
    with library.transaction():
        return [
            library.create_article(headline=f"Harbour story {i}", body="Boats.", section="News").id
            for i in range(n)
        ]


def progress_dialog(window) -> QProgressDialog | None:
    return window.findChild(QProgressDialog, "bulk-progress")


def hold_the_writer(window) -> threading.Event:
    """Keep the window's one writer busy until the event is set (what comes next waits)."""
    gate, started = threading.Event(), threading.Event()

    def wait(_library) -> None:
        started.set()
        gate.wait(30)

    window.ops.run_op(wait)
    assert started.wait(10)
    return gate


def cancel_button(dialog: QProgressDialog) -> QPushButton:
    (button,) = dialog.findChildren(QPushButton)
    return button


def test_cancelling_a_move_to_trash_of_hundreds_of_stories_changes_nothing(
    qtbot, make_window, library
):
    ids = many_stories(library)
    window = make_window()
    last_change = library.last_change_id()
    gate = hold_the_writer(window)
    window.trash.delete_articles(ids)
    dialog = progress_dialog(window)
    assert dialog is not None and dialog.isVisible()
    assert dialog.labelText() == f"Moving {MANY} stories to the trash…"
    assert dialog.maximum() == MANY
    cancel_button(dialog).click()
    assert dialog.isVisible()  # until the writer has stopped
    assert dialog.labelText().startswith("Cancelling")
    gate.set()
    qtbot.waitUntil(
        lambda: (
            window.statusBar().currentMessage()
            == "Move to Trash cancelled; nothing was moved to the trash."
        ),
        timeout=30_000,
    )
    qtbot.waitUntil(lambda: progress_dialog(window) is None, timeout=10_000)
    assert library.count_articles() == MANY
    assert library.trashed_articles() == []
    assert library.last_change_id() == last_change  # not one line in the change log
    assert library.section_counts()["News"] == MANY
    assert not window.trash.can_undo()  # nothing to undo


def test_set_section_over_hundreds_of_stories_shows_its_progress_and_undo_can_be_cancelled(
    qtbot, make_window, library, monkeypatch
):
    monkeypatch.setattr(bulk, "BATCH", 100)
    ids = many_stories(library)
    window = make_window()
    seen: list[tuple[int, int]] = []
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))  # the GUI thread keeps running
    gate = hold_the_writer(window)
    window.selection.set_section(ids, "Harbour")
    run = window.findChild(QObject, "bulk-progress-run")
    run.sig_progress.connect(lambda done, total: seen.append((done, total)))
    assert progress_dialog(window).labelText() == f"Moving {MANY} stories into Harbour…"
    timer.start(5)
    gate.set()
    qtbot.waitUntil(lambda: window.trash.can_undo(), timeout=30_000)
    timer.stop()
    assert seen == [(0, MANY), (100, MANY), (200, MANY), (300, MANY), (MANY, MANY)]
    assert ticks  # events were handled while it ran
    qtbot.waitUntil(lambda: progress_dialog(window) is None, timeout=10_000)
    assert library.count_articles(section="Harbour") == MANY

    # Undo over as many shows progress too; cancelled, nothing moves back and Undo stays.
    before_undo = library.last_change_id()
    gate = hold_the_writer(window)
    window.trash.undo()
    dialog = progress_dialog(window)
    assert dialog.labelText() == f"Putting {MANY} stories back…"
    cancel_button(dialog).click()
    gate.set()
    qtbot.waitUntil(
        lambda: (
            window.statusBar()
            .currentMessage()
            .startswith("Cancelled; no section was changed back.")
        ),
        timeout=30_000,
    )
    assert library.count_articles(section="Harbour") == MANY
    assert library.last_change_id() == before_undo
    assert window.trash.can_undo() and window.trash.undo_button.isVisible()
    window.trash.undo()  # and this time it goes through
    qtbot.waitUntil(lambda: library.count_articles(section="News") == MANY, timeout=30_000)
    qtbot.waitUntil(lambda: progress_dialog(window) is None, timeout=10_000)


def test_a_few_stories_move_without_a_progress_dialog(qtbot, make_window, library):
    ids = many_stories(library, 3)
    window = make_window()
    window.trash.delete_articles(ids)
    assert progress_dialog(window) is None
    qtbot.waitUntil(lambda: len(library.trashed_articles()) == 3, timeout=10_000)


def test_cancelling_a_restore_of_hundreds_from_the_trash_view_leaves_them_in_the_trash(
    qtbot, make_window, library
):
    ids = many_stories(library)
    library.trash_articles(ids)
    window = make_window()
    dialog = window.trash.show_trash()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == MANY, timeout=30_000)
    dialog.table.selectAll()
    last_change = library.last_change_id()
    gate = hold_the_writer(window)
    dialog.restore_selected()
    progress = dialog.findChild(QProgressDialog, "bulk-progress")
    assert progress.labelText() == f"Restoring {MANY} stories…"
    cancel_button(progress).click()
    gate.set()
    qtbot.waitUntil(
        lambda: dialog.outcome.text() == "Restore cancelled; nothing was restored.",
        timeout=30_000,
    )
    assert len(library.trashed_articles()) == MANY
    assert library.last_change_id() == last_change
