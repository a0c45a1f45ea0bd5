"""The window's sync: the status bar's state, background sync into the open article, the conflict
dialog — on real laptop libraries and a real shared library (a folder here; PostgreSQL below)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from newsdesk.library import Library
from newsdesk.sync import sync

BODY = "The council met at seven.\n\nDebate ran past midnight.\n\nThe vote was close.\n"
SHOTS = Path(os.environ.get("NEWSDESK_SHOTS", "")) if os.environ.get("NEWSDESK_SHOTS") else None


@pytest.fixture
def newsroom(tmp_path, library):
    """The window's library (laptop A) and laptop B, both synced with a shared library folder."""
    server = tmp_path / "server"
    Library.open(server).close()
    article = library.create_article(
        headline="Council votes on the budget", dek="A long night.", body=BODY
    )
    sync(library, str(server))
    other = Library.open(tmp_path / "laptop-b")
    sync(other, str(server))
    yield str(server), library, other, article
    other.close()


def _other_story(other: Library):
    return other.list_articles()[0]


def _wait_synced(qtbot, window, timeout: int = 30_000) -> None:
    qtbot.waitUntil(lambda: not window.sync.running, timeout=timeout)
    window.ops.wait()
    qtbot.waitUntil(
        lambda: window.sync.label.text().startswith(("Synced", "Offline")), timeout=timeout
    )


def test_the_status_bar_says_changes_wait_then_when_they_were_synced(qtbot, make_window, newsroom):
    _server, library, _other, _article = newsroom
    window = make_window()
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced at"), timeout=10_000)
    assert window.sync.label.isVisible()
    assert not window.sync.conflicts_button.isVisible()

    qtbot.keyClicks(window.form.dek, " And a longer one.")
    assert window.autosave.flush()
    qtbot.waitUntil(lambda: window.sync.label.text() == "1 change waiting", timeout=10_000)

    window.actions_by_name["sync_now"].trigger()
    _wait_synced(qtbot, window)
    assert window.sync.label.text().startswith("Synced at")
    assert "0 received" in window.statusBar().currentMessage() or window.sync.status.waiting == 0


def test_a_library_that_syncs_with_nothing_shows_no_sync_state(qtbot, window):
    qtbot.wait(400)
    assert not window.sync.label.isVisible()
    window.actions_by_name["sync_now"].trigger()
    qtbot.waitUntil(lambda: "not linked" in window.statusBar().currentMessage(), timeout=10_000)


def test_background_sync_pulls_another_laptops_edit_into_the_open_article_keeping_typing(
    qtbot, make_window, newsroom
):
    _server, library, other, article = newsroom
    window = make_window()
    assert window.article.id == article.id
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced at"), timeout=10_000)
    window.sync.after_save.setInterval(100)  # "after saves": the test does not wait 20 s

    # Laptop B changes the dek and the last paragraph, and syncs.
    theirs = _other_story(other)
    other.update_article(
        theirs.id,
        dek="Seven votes to two.",
        body=BODY.replace("The vote was close.", "The vote was seven to two."),
    )
    sync(other)

    # Here the reporter types in the headline and the first paragraph, unsaved...
    window.form.headline.end(False)
    qtbot.keyClicks(window.form.headline, " at last")
    cursor = window.editor.textCursor()
    cursor.setPosition(len("The council met at seven"))
    window.editor.setTextCursor(cursor)
    qtbot.keyClicks(window.editor, " sharp")
    assert window.autosave.dirty
    # ...the save that follows starts a background sync, which pulls B's edit.
    window.autosave.save_soon_now()
    qtbot.waitUntil(lambda: window.form.dek.text() == "Seven votes to two.", timeout=30_000)
    body = window.editor.toPlainText()
    assert "The council met at seven sharp." in body  # mine, still in the editor
    assert "The vote was seven to two." in body  # theirs, in place
    assert window.form.headline.text() == "Council votes on the budget at last"
    # The typing goes on where it was: the cursor stayed after "sharp".
    qtbot.keyClicks(window.editor, "!")
    assert "seven sharp!." in window.editor.toPlainText()
    assert window.autosave.flush()
    saved = library.get_article(article.id)
    assert saved.dek == "Seven votes to two."
    assert saved.headline == "Council votes on the budget at last"
    assert "seven sharp!." in saved.body and "seven to two." in saved.body
    assert window.conflict_box is None


def test_unsaved_typing_stays_when_a_pulled_edit_to_other_fields_and_paragraphs_lands(
    qtbot, make_window, newsroom
):
    _server, library, other, article = newsroom
    window = make_window()
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced at"), timeout=10_000)
    theirs = _other_story(other)
    other.update_article(
        theirs.id,
        dek="Seven votes to two.",
        body=BODY.replace("The vote was close.", "The vote was seven to two."),
    )
    sync(other)
    # The typing is not saved when the sync lands (autosave waits for a pause).
    window.autosave._debounce.setInterval(60_000)
    window.autosave._cap.setInterval(60_000)
    window.form.headline.end(False)
    qtbot.keyClicks(window.form.headline, " at last")
    cursor = window.editor.textCursor()
    cursor.setPosition(len("The council met at seven"))
    window.editor.setTextCursor(cursor)
    qtbot.keyClicks(window.editor, " sharp")
    assert window.autosave.dirty
    window.sync.sync_now(manual=False)
    qtbot.waitUntil(lambda: window.form.dek.text() == "Seven votes to two.", timeout=30_000)
    assert window.autosave.dirty  # still to be saved: the typing, now with theirs merged in
    assert window.form.headline.text() == "Council votes on the budget at last"
    qtbot.keyClicks(window.editor, "!")
    body = window.editor.toPlainText()
    assert "seven sharp!." in body and "The vote was seven to two." in body
    assert window.conflict_box is None
    assert window.autosave.flush()
    saved = library.get_article(article.id)
    assert saved.dek == "Seven votes to two."
    assert saved.headline == "Council votes on the budget at last"
    assert "seven sharp!." in saved.body and "seven to two." in saved.body


def test_an_unreachable_shared_library_shows_offline_quietly(qtbot, make_window, newsroom):
    server, _library, _other, _article = newsroom
    window = make_window()
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced at"), timeout=10_000)
    Path(server, "library.sqlite").rename(Path(server, "away.sqlite"))  # the share is gone
    qtbot.keyClicks(window.form.dek, " More.")
    assert window.autosave.flush()
    window.sync.sync_now(manual=False)
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Offline"), timeout=10_000)
    assert window.sync.label.text() == "Offline · 1 change waiting"
    assert "no shared library" in window.sync.label.toolTip().lower()
    assert not [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]
    # Back online: the waiting change goes.
    Path(server, "away.sqlite").rename(Path(server, "library.sqlite"))
    window.sync.sync_now(manual=False)
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced at"), timeout=10_000)


def test_a_conflict_is_marked_in_the_list_and_resolved_in_the_dialog(
    qtbot, make_window, newsroom, tmp_path
):
    _server, library, other, article = newsroom
    window = make_window()
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced at"), timeout=10_000)
    theirs = _other_story(other)
    other.update_article(theirs.id, headline="Budget passes after a long night")
    sync(other)
    window.form.headline.end(False)
    qtbot.keyClicks(window.form.headline, " - live")
    assert window.autosave.flush()

    window.actions_by_name["sync_now"].trigger()
    qtbot.waitUntil(lambda: window.sync.conflicts_button.isVisible(), timeout=30_000)
    assert window.sync.conflicts_button.text() == "1 conflict"
    model = window.browser.model
    row = model.row_of(article.id)
    index = model.index(row, 0)
    assert model.data(index, Qt.ItemDataRole.DecorationRole) is not None
    assert "conflict" in model.data(index, Qt.ItemDataRole.ToolTipRole).lower()
    # Nothing was overwritten: the window still shows mine, the server keeps theirs.
    assert window.form.headline.text() == "Council votes on the budget - live"

    qtbot.mouseClick(window.sync.conflicts_button, Qt.MouseButton.LeftButton)
    dialog = window.conflict_dialog
    qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=10_000)
    slug = library.get_article(article.id).slug
    assert dialog.list.item(0).text() == f"{slug} — headline"
    assert dialog.mine.toPlainText() == "Council votes on the budget - live"
    assert dialog.theirs.toPlainText() == "Budget passes after a long night"
    assert dialog.base.toPlainText() == "Council votes on the budget"
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        dialog.grab().save(str(SHOTS / "sync-conflict-dialog.png"))
        window.grab().save(str(SHOTS / "sync-status-bar.png"))

    dialog.merged.setPlainText("Budget passes after a long night - live")
    qtbot.mouseClick(dialog.merged_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=10_000)
    assert "Settled headline" in dialog.note.text()
    qtbot.waitUntil(
        lambda: window.form.headline.text() == "Budget passes after a long night - live",
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: not window.sync.conflicts_button.isVisible(), timeout=10_000)
    assert (
        model.data(model.index(model.row_of(article.id), 0), Qt.ItemDataRole.DecorationRole) is None
    )

    # The next sync shares the choice with the other laptop.
    window.sync.sync_now(manual=False)
    _wait_synced(qtbot, window)
    sync(other)
    assert other.get_article(theirs.id).headline == "Budget passes after a long night - live"


def test_a_merge_typed_for_the_next_conflict_stays_when_the_list_is_read_again(
    qtbot, make_window, newsroom
):
    _server, library, other, article = newsroom
    window = make_window()
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced at"), timeout=10_000)
    theirs = _other_story(other)
    other.update_article(theirs.id, headline="Budget passes", dek="Passed at dawn.")
    sync(other)
    window.form.headline.end(False)
    qtbot.keyClicks(window.form.headline, " - live")
    window.form.dek.end(False)
    qtbot.keyClicks(window.form.dek, " Still going.")
    assert window.autosave.flush()
    window.actions_by_name["sync_now"].trigger()
    qtbot.waitUntil(lambda: window.sync.conflicts_button.text() == "2 conflicts", timeout=30_000)
    qtbot.mouseClick(window.sync.conflicts_button, Qt.MouseButton.LeftButton)
    dialog = window.conflict_dialog
    qtbot.waitUntil(lambda: dialog.list.count() == 2, timeout=10_000)

    dialog.list.setCurrentRow(0)
    qtbot.mouseClick(dialog.theirs_button, Qt.MouseButton.LeftButton)  # the first, settled…
    dialog.list.setCurrentRow(1)  # …and on to the next before the list is read again
    dialog.merged.setPlainText("A merge typed by hand.")
    qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=10_000)

    assert dialog.merged.toPlainText() == "A merge typed by hand."
    assert dialog.merged.isEnabled()


def test_a_pulled_change_to_the_field_being_typed_is_a_conflict_never_an_overwrite(
    qtbot, make_window, newsroom
):
    _server, library, other, article = newsroom
    window = make_window()
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced at"), timeout=10_000)
    theirs = _other_story(other)
    other.update_article(theirs.id, dek="Their dek.")
    sync(other)
    # The sync lands while the typing is not saved yet (autosave waits for a pause).
    window.autosave._debounce.setInterval(60_000)
    window.autosave._cap.setInterval(60_000)
    window.form.dek.selectAll()
    qtbot.keyClicks(window.form.dek, "My dek, not saved yet.")
    assert window.autosave.dirty
    window.sync.sync_now(manual=False)
    qtbot.waitUntil(lambda: not window.sync.running, timeout=30_000)
    qtbot.wait(300)
    assert window.conflict_box is None  # not yet: the typing goes on until it is saved
    window.autosave.save_soon_now()
    qtbot.waitUntil(lambda: window.conflict_box is not None, timeout=30_000)
    assert "sync" in window.conflict_box.text().lower()
    assert window.form.dek.text() == "My dek, not saved yet."
    window.conflict_box.close()
    window.conflict_box = None
    window.save_mine_as_copy()  # nothing lost: both versions are kept
    assert library.get_article(article.id).dek == "Their dek."


@pytest.mark.postgres
def test_background_sync_with_postgresql_brings_another_laptops_story_into_the_list(
    qtbot, make_window, library, pg_url, tmp_path
):
    library.create_article(headline="From this laptop", body="Mine.\n")
    sync(library, pg_url)
    other = Library.open(tmp_path / "laptop-b")
    try:
        sync(other, pg_url)
        window = make_window()
        qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced at"), timeout=20_000)
        new = other.create_article(headline="From the other laptop", body="Theirs.\n")
        sync(other)
        window.actions_by_name["sync_now"].trigger()
        model = window.browser.model
        qtbot.waitUntil(
            lambda: any(r.headline == "From the other laptop" for r in model.rows), timeout=30_000
        )
        assert library.find_article(new.uid) is not None
        qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced at"), timeout=10_000)
    finally:
        other.close()


def test_a_sync_state_read_before_a_newer_one_is_never_shown(qtbot, library, tmp_path):
    from PySide6.QtCore import QCoreApplication, QThreadPool

    from newsdesk.ui.ops import Operations
    from newsdesk.ui.sync_window import SyncController

    ops = Operations(library)
    controller = SyncController(ops)
    shown: list = []
    controller.sig_status.connect(shown.append)
    controller.refresh_status()  # read while the library syncs with nothing yet…
    assert QThreadPool.globalInstance().waitForDone(10_000)  # …its answer waits, unseen
    server = tmp_path / "server"
    Library.open(server).close()
    sync(library, str(server))  # …and the library is linked before the answer is shown
    controller.refresh_status()
    assert QThreadPool.globalInstance().waitForDone(10_000)
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    QCoreApplication.processEvents()  # every answer queued so far has been delivered
    assert [status.linked for status in shown] == [True]
    assert controller.label.text().startswith("Synced at")
    controller.stop()
    ops.shutdown()


def test_a_conflict_list_read_while_a_choice_is_saved_does_not_offer_that_choice_again(
    qtbot, make_window, newsroom
):
    import threading

    from PySide6.QtCore import QCoreApplication, QThreadPool

    _server, library, other, article = newsroom
    window = make_window()
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced at"), timeout=10_000)
    theirs = _other_story(other)
    other.update_article(theirs.id, headline="Budget passes after a long night")
    sync(other)
    window.form.headline.end(False)
    qtbot.keyClicks(window.form.headline, " - live")
    assert window.autosave.flush()
    window.actions_by_name["sync_now"].trigger()
    qtbot.waitUntil(lambda: window.sync.conflicts_button.isVisible(), timeout=30_000)
    dialog = window.show_sync_conflicts()
    qtbot.waitUntil(lambda: dialog.list.count() == 1 and dialog.mine_button.isEnabled())
    # No sync may start while the writer is held below (it would wait for the writer).
    qtbot.waitUntil(lambda: not window.sync.running)
    window.sync.after_save.stop()
    window.sync.every.stop()

    go = threading.Event()
    window.ops.run_op(lambda _library: go.wait(30))  # the writer is busy a moment
    dialog.choose("mine")  # the choice waits its turn…
    assert not dialog.mine_button.isEnabled()
    window.show_sync_conflicts()  # …while the list is asked for again and read before it
    assert QThreadPool.globalInstance().waitForDone(10_000)
    QCoreApplication.processEvents()  # that read's answer is handled
    assert not dialog.mine_button.isEnabled(), "the conflict being settled was offered again"
    assert not dialog.theirs_button.isEnabled()

    go.set()
    qtbot.waitUntil(lambda: dialog.list.count() == 0)
    assert "kept" in dialog.note.text().lower() or "settled" in dialog.note.text().lower()
    assert library.get_article(article.id).headline == "Council votes on the budget - live"
