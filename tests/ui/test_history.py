"""History: revisions with their time and length, a diff, and a restore that can be undone."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest

from newsdesk.ui.history import HistoryDialog


def written(qtbot, window) -> None:
    """The save started (Ctrl+S: queued on the library's writer at once) is written and its
    answer handled, however slow the machine: the writer is waited for, not a time."""
    assert window.ops.wait(60_000)
    qtbot.waitUntil(lambda: not window.autosave.busy, timeout=60_000)


def test_restoring_a_revision_brings_its_text_back_and_keeps_the_replaced_one(
    qtbot, window, library
):
    article_id = window.article.id
    window.editor.setPlainText("The first draft of the story.")
    window.save_now()
    written(qtbot, window)
    assert len(library.revisions(article_id)) == 1
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    QTest.keyClicks(window.editor, " A second sentence was added later.")
    window.save_now()
    written(qtbot, window)
    assert len(library.revisions(article_id)) == 2
    QTest.keyClicks(window.editor, " And unsaved words.")

    window.show_history()
    dialog: HistoryDialog = window.history_dialog
    qtbot.waitUntil(lambda: dialog.list.count() == 2)
    assert "12 words" in dialog.list.item(0).text()
    assert "6 words" in dialog.list.item(1).text()
    assert "Saved" in dialog.list.item(1).text()

    dialog.list.setCurrentRow(1)  # the first draft
    diff = dialog.diff.toPlainText()
    assert (
        "− The first draft of the story. A second sentence was added later. And unsaved words."
        in diff
    )
    assert "+ The first draft of the story." in diff

    dialog.restore_button.click()
    # Restored on the library's writer, then shown.
    qtbot.waitUntil(lambda: window.editor.toPlainText() == "The first draft of the story.")
    assert library.get_article(article_id).body == "The first draft of the story."
    # Restoring recorded what it replaced (the unsaved words too: they were saved first).
    revisions = library.revisions(article_id)
    assert revisions[0].reason == "before restore"
    assert revisions[0].body.endswith("And unsaved words.")

    # The restore is undoable in the editor as well, and that undo is saved like any edit.
    window.editor.undo()
    assert window.editor.toPlainText().endswith("And unsaved words.")
    qtbot.waitUntil(
        lambda: library.get_article(article_id).body.endswith("And unsaved words."), timeout=10_000
    )
    assert not window.autosave.conflicted


def test_history_with_no_revisions_says_how_to_make_one(qtbot, window):
    window.show_history()
    dialog = window.history_dialog
    qtbot.waitUntil(lambda: "No revisions yet" in dialog.diff.toPlainText())
    assert not dialog.restore_button.isEnabled()
    dialog.reject()
