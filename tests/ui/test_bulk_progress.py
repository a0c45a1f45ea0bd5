"""A list command over hundreds of stories (Move to Trash, Set Section, and their Undo) shows its
progress with Cancel, runs off the GUI thread, and a Cancel changes nothing at all."""

from __future__ import annotations

import threading

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
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


def pause_at_report(window, when) -> tuple[threading.Event, threading.Event]:
    """Stop the running command's writer right after the first report for which when(done,
    total) holds: (reached, go on)."""
    run = window.findChild(QObject, "bulk-progress-run")
    reached, go_on = threading.Event(), threading.Event()
    report = run.report

    def report_then_wait(done: int, total: int) -> None:
        report(done, total)
        if not reached.is_set() and when(done, total):
            reached.set()
            go_on.wait(30)

    run.report = report_then_wait  # looked up by the command when the writer runs it
    return reached, go_on


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
    # Each story is written (the first half of the bar), then its change-log row (the second).
    whole = 2 * MANY
    assert seen == [
        (0, whole),
        (100, whole),
        (200, whole),
        (300, whole),
        (MANY, whole),
        (MANY + 100, whole),
        (MANY + 200, whole),
        (MANY + 300, whole),
        (whole, whole),
    ]
    assert ticks  # events were handled while it ran
    qtbot.waitUntil(lambda: progress_dialog(window) is None, timeout=10_000)
    assert library.count_articles(section="Harbour") == MANY

    # Undo over as many shows progress too; cancelled, nothing moves back and Undo stays.
    before_undo = library.last_change_id()
    gate = hold_the_writer(window)
    window.trash.undo()
    dialog = progress_dialog(window)
    assert dialog.labelText() == f"Putting {MANY} stories back…"
    # The status bar still speaks, but its Undo cannot start another change meanwhile.
    assert window.statusBar().isEnabled() and not window.trash.undo_button.isEnabled()
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


def test_the_bar_is_full_only_when_the_work_is_and_then_cancel_is_refused_as_finishing(
    qtbot, make_window, library, monkeypatch
):
    monkeypatch.setattr(bulk, "BATCH", 100)
    ids = many_stories(library)
    window = make_window()
    gate = hold_the_writer(window)
    window.trash.delete_articles(ids)
    dialog = progress_dialog(window)
    button = cancel_button(dialog)
    # Right after the last report: only the commit is left.
    reached, go_on = pause_at_report(window, lambda done, total: done == total)
    gate.set()
    assert reached.wait(30)  # the stories and their change log are written; not committed
    qtbot.waitUntil(lambda: dialog.value() == dialog.maximum() == 2 * MANY, timeout=10_000)
    assert not button.isEnabled() and button.text() == "Finishing…"
    # A cancel that comes too late (Escape, say, as the last batch is written) is refused:
    # the dialog does not promise what the commit will not keep.
    dialog.reject()
    assert dialog.isVisible() and not dialog.labelText().startswith("Cancelling")
    go_on.set()
    qtbot.waitUntil(lambda: window.trash.can_undo(), timeout=30_000)
    qtbot.waitUntil(lambda: progress_dialog(window) is None, timeout=10_000)
    assert len(library.trashed_articles()) == MANY


def test_a_cancel_while_the_change_log_is_written_still_changes_nothing(
    qtbot, make_window, library, monkeypatch
):
    monkeypatch.setattr(bulk, "BATCH", 100)
    ids = many_stories(library)
    window = make_window()
    last_change = library.last_change_id()
    gate = hold_the_writer(window)
    window.trash.delete_articles(ids)
    dialog = progress_dialog(window)
    button = cancel_button(dialog)
    # Every story written, a first chunk of their log rows too: the bar is past half.
    reached, go_on = pause_at_report(window, lambda done, total: MANY < done < total)
    gate.set()
    assert reached.wait(30)
    qtbot.waitUntil(lambda: dialog.value() == MANY + 100, timeout=10_000)
    assert button.isEnabled() and button.text() == "Cancel"
    button.click()
    assert not button.isEnabled() and dialog.labelText().startswith("Cancelling")
    go_on.set()
    qtbot.waitUntil(
        lambda: (
            window.statusBar().currentMessage()
            == "Move to Trash cancelled; nothing was moved to the trash."
        ),
        timeout=30_000,
    )
    assert library.trashed_articles() == []
    assert library.last_change_id() == last_change


class _Blocked(QObject):
    """Whether a window was ever blocked by a modal one."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked = False

    def eventFilter(self, _watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.WindowBlocked:
            self.blocked = True
        return False


def test_a_bulk_change_holds_its_window_but_not_manage_authors_or_the_trash_window(
    qtbot, make_window, library
):
    ids = many_stories(library)
    window = make_window()
    authors = window.actions_by_name["authors"]
    authors.trigger()
    authors_dialog = window.authors_dialog
    trash_dialog = window.trash.show_trash()
    watch = _Blocked()
    authors_dialog.installEventFilter(watch)
    trash_dialog.installEventFilter(watch)
    gate = hold_the_writer(window)
    window.selection.set_section(ids, "Harbour")
    dialog = progress_dialog(window)
    assert dialog.windowModality() == Qt.WindowModality.NonModal
    # The story list, the editor and the menus take no input while the stories change...
    assert not window.centralWidget().isEnabled() and not window.menuBar().isEnabled()
    assert not window.close()  # nor does the window close under it
    # ...but the window's other windows go on working.
    assert authors_dialog.isEnabled() and trash_dialog.isEnabled()
    assert trash_dialog.table.isEnabled()
    gate.set()
    qtbot.waitUntil(lambda: progress_dialog(window) is None, timeout=30_000)
    assert window.centralWidget().isEnabled() and window.menuBar().isEnabled()
    assert not watch.blocked
    assert library.count_articles(section="Harbour") == MANY


def test_a_restore_in_the_trash_window_holds_it_and_the_main_window_above_it(
    qtbot, make_window, library
):
    ids = many_stories(library)
    library.trash_articles(ids)
    window = make_window()
    dialog = window.trash.show_trash()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == MANY, timeout=30_000)
    dialog.table.selectAll()
    gate = hold_the_writer(window)
    dialog.restore_selected()
    assert not dialog.table.isEnabled() and not window.centralWidget().isEnabled()
    gate.set()
    qtbot.waitUntil(
        lambda: dialog.findChild(QProgressDialog, "bulk-progress") is None, timeout=30_000
    )
    qtbot.waitUntil(lambda: library.trashed_articles() == [], timeout=10_000)
    assert dialog.table.isEnabled() and window.centralWidget().isEnabled()


def test_a_window_held_by_two_changes_takes_input_again_only_when_both_are_done(
    qtbot, make_window, library
):
    ids = many_stories(library)
    trashed = many_stories(library)
    library.trash_articles(trashed)
    window = make_window()
    trash_dialog = window.trash.show_trash()
    qtbot.waitUntil(lambda: trash_dialog.table.rowCount() == MANY, timeout=30_000)
    trash_dialog.table.selectAll()
    gate = hold_the_writer(window)
    window.selection.set_section(ids, "Harbour")  # holds the main window
    trash_dialog.restore_selected()  # holds the trash window and the main window above it
    restore = trash_dialog.findChild(QObject, "bulk-progress-run")
    reached, go_on = pause_at_report(trash_dialog, lambda done, total: True)
    gate.set()
    assert reached.wait(30)  # the Set Section is committed; the restore has begun
    qtbot.waitUntil(lambda: library.count_articles(section="Harbour") == MANY, timeout=30_000)
    qtbot.waitUntil(lambda: window.trash.can_undo(), timeout=30_000)
    # The first change is done, but the main window still waits for the second.
    assert not window.centralWidget().isEnabled() and not trash_dialog.table.isEnabled()
    assert restore is trash_dialog.findChild(QObject, "bulk-progress-run")
    go_on.set()
    qtbot.waitUntil(lambda: library.trashed_articles() == [], timeout=30_000)
    qtbot.waitUntil(lambda: window.centralWidget().isEnabled(), timeout=10_000)
    assert trash_dialog.table.isEnabled() and window.menuBar().isEnabled()
