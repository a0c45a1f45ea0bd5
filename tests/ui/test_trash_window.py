"""Deleting stories in the window: Delete in the list with undo, the open story closed cleanly,
the list's context menu, and the Trash view's Restore and Empty Trash."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from newsdesk.library import Library
from tests.ui.conftest import open_in_window

SHOTS = Path(os.environ["NEWSDESK_SHOTS"]) if os.environ.get("NEWSDESK_SHOTS") else None


def focus_list(qtbot, window) -> None:
    window.activateWindow()
    window.browser.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.browser.view)


def listed_ids(window) -> list[int]:
    return [row.id for row in window.browser.model.rows]


def test_delete_in_the_list_moves_the_story_to_the_trash_and_ctrl_z_brings_it_back(
    qtbot, window, library
):
    other = library.create_article(headline="Harbour fees rise in spring", body="Fees.")
    window.browser.refresh()
    qtbot.waitUntil(lambda: other.id in listed_ids(window))
    open_id = window.article.id
    focus_list(qtbot, window)
    open_in_window(qtbot, window, open_id)
    window.browser.select_article(other.id)  # highlighted, not opened
    QTest.keyClick(window.browser.view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: other.id not in listed_ids(window), timeout=10_000)
    assert library.get_article(other.id).deleted_at is not None
    assert "Harbour fees rise in spring" in window.statusBar().currentMessage()
    assert "Undo" in window.statusBar().currentMessage()
    assert window.trash.undo_button.isVisible()
    assert window.article.id == open_id  # the story being edited stays open

    QTest.keyClick(window.browser.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: library.get_article(other.id).deleted_at is None, timeout=10_000)
    qtbot.waitUntil(lambda: other.id in listed_ids(window), timeout=10_000)


def test_ctrl_z_in_the_editor_still_undoes_typing_not_a_deletion(qtbot, window, library):
    other = library.create_article(headline="Second story", body="Text.")
    window.browser.refresh()
    qtbot.waitUntil(lambda: other.id in listed_ids(window))
    window.trash.delete_article(other.id)
    qtbot.waitUntil(window.trash.can_undo, timeout=10_000)
    window.editor.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.editor)
    QTest.keyClicks(window.editor, "xyz")
    QTest.keyClick(window.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "xyz" not in window.editor.toPlainText()
    assert library.get_article(other.id).deleted_at is not None  # still in the trash
    # And Delete in the body deletes a character, never the story.
    before = window.editor.toPlainText()
    cursor = window.editor.textCursor()
    cursor.setPosition(0)
    window.editor.setTextCursor(cursor)
    QTest.keyClick(window.editor, Qt.Key.Key_Delete)
    assert window.editor.toPlainText() == before[1:]
    assert library.get_article(window.article.id).deleted_at is None


def test_deleting_the_open_story_saves_it_then_closes_it_cleanly(qtbot, window, library):
    article_id = window.article.id
    other = library.create_article(headline="Another story", body="Text.")
    window.browser.refresh()
    qtbot.waitUntil(lambda: other.id in listed_ids(window))
    window.browser.select_article(article_id)
    QTest.keyClicks(window.editor, "Last words. ")
    window.actions_by_name["delete"].trigger()  # Edit > Delete, from the menu
    qtbot.waitUntil(lambda: article_id not in listed_ids(window), timeout=10_000)
    assert window.article is None
    assert not window.editor.isEnabled() and window.editor.toPlainText() == ""
    assert window.windowTitle() == "newsdesk"
    assert listed_ids(window) == [other.id]
    assert window.browser.view.selectionModel().selectedRows() == []  # no row looks open
    trashed = library.get_article(article_id)
    assert trashed.deleted_at is not None and "Last words. " in trashed.body  # nothing lost
    version = trashed.version
    qtbot.wait(2000)  # longer than autosave's pause: nothing saves into the closed story
    assert library.get_article(article_id).version == version
    # Undo reopens it where it was.
    window.trash.undo()
    qtbot.waitUntil(
        lambda: window.article is not None and window.article.id == article_id, timeout=5000
    )
    assert "Last words. " in window.editor.toPlainText()


def test_the_lists_context_menu_offers_open_and_move_to_trash(qtbot, window):
    focus_list(qtbot, window)
    window.browser.select_article(window.article.id)
    menu = window.trash.context_menu()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["&Open", "&Move to Trash", "Set &Section…", "E&xport Selected…", "&Trash…"]
    assert all(a.isEnabled() for a in menu.actions())
    assert window.actions_by_name["delete"] in window.menus[1][1].actions()  # Edit menu


def test_the_trash_view_restores_and_empties_with_a_confirmation_naming_how_many(
    qtbot, window, library
):
    stories = [library.create_article(headline=f"Old story {i}", body="Text.") for i in range(3)]
    for story in stories:
        library.trash_article(story.id)
    dialog = window.trash.show_trash()
    qtbot.waitUntil(lambda: len(dialog.rows) == 3, timeout=10_000)
    assert dialog.table.item(0, 0).text().startswith("Old story")
    assert "3 stories in the trash" in dialog.summary.text()
    assert not dialog.restore_button.isEnabled()  # nothing chosen yet

    # Restore one: it is back in the library and in the list.
    row = next(i for i, r in enumerate(dialog.rows) if r.id == stories[0].id)
    dialog.table.selectRow(row)
    QTest.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: library.get_article(stories[0].id).deleted_at is None, timeout=10_000)
    qtbot.waitUntil(lambda: len(dialog.rows) == 2, timeout=10_000)

    # Empty: asked first, naming the two left; Cancel changes nothing.
    QTest.mouseClick(dialog.empty_button, Qt.MouseButton.LeftButton)
    box = dialog.confirm_box
    assert box is not None and box.text() == "Remove 2 stories in the trash for good?"
    box.button(box.StandardButton.Cancel).click()
    assert len(library.trashed_articles()) == 2
    QTest.mouseClick(dialog.empty_button, Qt.MouseButton.LeftButton)
    QTest.mouseClick(dialog.confirm_empty_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: library.trashed_articles() == [], timeout=10_000)
    qtbot.waitUntil(lambda: dialog.rows == [], timeout=10_000)
    assert "The trash is empty." in dialog.summary.text() or "Emptied" in dialog.summary.text()
    # Emptying keeps a tombstone of each: uid and slug, no text.
    for story in stories[1:]:
        tomb = library.get_article(story.id)
        assert tomb.purged_at is not None and tomb.body == "" and tomb.uid == story.uid
    assert not dialog.empty_button.isEnabled()


def test_a_story_deleted_by_another_program_is_closed_in_the_window(qtbot, window, library):
    article_id, slug = window.article.id, window.article.slug
    with Library.open(library.root) as other:  # another process's view of the same folder
        other.trash_article(other.get_article(slug).id)
    qtbot.waitUntil(lambda: window.article is None, timeout=10_000)
    qtbot.waitUntil(lambda: article_id not in listed_ids(window), timeout=10_000)
    assert "trash" in window.statusBar().currentMessage()


def _trashed_by(library, name: str, monkeypatch, headlines: list[str]) -> list[int]:
    """Stories another person's program moved to the trash (it writes their name)."""
    monkeypatch.setenv("NEWSDESK_USER", name)
    ids = [library.create_article(headline=h, body="Text.").id for h in headlines]
    with Library.open(library.root) as theirs:
        for article_id in ids:
            theirs.trash_article(article_id)
    monkeypatch.delenv("NEWSDESK_USER")
    return ids


def _row_of(dialog, article_id: int) -> int:
    return next(i for i, r in enumerate(dialog.rows) if r.id == article_id)


def _ctrl_click(dialog, row: int) -> None:
    table = dialog.table
    rect = table.visualRect(table.model().index(row, 0))
    QTest.mouseClick(
        table.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ControlModifier,
        rect.center(),
    )


def test_the_trash_view_shows_who_deleted_each_story_and_restores_many_at_once_with_undo(
    qtbot, window, library, monkeypatch
):
    ids = _trashed_by(
        library, "Ana Ruiz", monkeypatch, ["Ferry strike ends", "Tide tables", "Harbour fees"]
    )
    dialog = window.trash.show_trash()
    qtbot.waitUntil(lambda: len(dialog.rows) == 3, timeout=10_000)
    for row in range(3):
        assert dialog.table.item(row, 2).text() == "Ana Ruiz"
        when = library.get_article(dialog.rows[row].id).deleted_at.astimezone()
        assert dialog.table.item(row, 1).text() == f"{when:%Y-%m-%d %H:%M}"
        assert "Moved to the trash by Ana Ruiz on" in dialog.table.item(row, 0).toolTip()
    assert dialog.table.horizontalHeaderItem(2).text() == "Deleted by"

    # Ctrl+A chooses them all; Restore brings all three back at once.
    dialog.table.setFocus()
    QTest.keyClick(dialog.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(dialog.selected()) == 3
    assert dialog.restore_button.text() == "&Restore (3)"
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        qtbot.wait(100)  # the buttons' new labels laid out
        dialog.grab().save(str(SHOTS / "trash.png"))
    QTest.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: library.trashed_articles() == [], timeout=10_000)
    qtbot.waitUntil(lambda: dialog.outcome.text() == "Restored 3 stories.", timeout=10_000)
    assert not dialog.undo_button.isHidden()
    qtbot.waitUntil(lambda: all(i in listed_ids(window) for i in ids), timeout=10_000)
    qtbot.waitUntil(lambda: dialog.rows == [], timeout=10_000)
    if SHOTS is not None:
        qtbot.wait(100)
        dialog.grab().save(str(SHOTS / "trash-restored.png"))

    # Ctrl+Z in the trash view puts them back as they were: the same time, the same name.
    QTest.keyClick(dialog.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(library.trashed_articles()) == 3, timeout=10_000)
    assert {a.deleted_by for a in library.trashed_articles()} == {"Ana Ruiz"}
    qtbot.waitUntil(lambda: dialog.outcome.text() == "Put 3 stories back in the trash.")
    assert dialog.undo_button.isHidden()
    qtbot.waitUntil(lambda: not any(i in listed_ids(window) for i in ids), timeout=10_000)


def test_deleting_chosen_stories_for_good_asks_then_removes_them_all_and_keeps_the_rest(
    qtbot, window, library, monkeypatch
):
    ids = _trashed_by(library, "Ben Okafor", monkeypatch, ["One", "Two", "Three"])
    dialog = window.trash.show_trash()
    qtbot.waitUntil(lambda: len(dialog.rows) == 3, timeout=10_000)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.table.clearSelection()
    for article_id in ids[:2]:
        _ctrl_click(dialog, _row_of(dialog, article_id))
    assert {s.id for s in dialog.selected()} == set(ids[:2])
    # The Delete key asks first; Cancel changes nothing.
    dialog.table.setFocus()
    QTest.keyClick(dialog.table, Qt.Key.Key_Delete)
    box = dialog.confirm_box
    assert box is not None and box.text() == "Delete 2 stories for good?"
    box.button(box.StandardButton.Cancel).click()
    assert len(library.trashed_articles()) == 3
    QTest.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    QTest.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [a.id for a in library.trashed_articles()] == [ids[2]], timeout=10_000)
    assert all(library.get_article(i).purged_at is not None for i in ids[:2])
    qtbot.waitUntil(lambda: dialog.outcome.text() == "Deleted 2 stories for good.", timeout=10_000)
    qtbot.waitUntil(lambda: [r.id for r in dialog.rows] == [ids[2]], timeout=10_000)


def test_restoring_a_choice_one_of_which_was_emptied_elsewhere_restores_none_and_says_why(
    qtbot, window, library, monkeypatch
):
    ids = _trashed_by(library, "Ana Ruiz", monkeypatch, ["Kept story", "Emptied story"])
    dialog = window.trash.show_trash()
    qtbot.waitUntil(lambda: len(dialog.rows) == 2, timeout=10_000)
    dialog.table.selectAll()
    with Library.open(library.root) as other:  # another window empties one meanwhile
        other.empty_trash([ids[1]])
    dialog.restore_selected()
    qtbot.waitUntil(
        lambda: dialog.outcome.text().startswith("Nothing was restored"), timeout=10_000
    )
    assert "'emptied-story'" in dialog.outcome.text() and "Traceback" not in dialog.outcome.text()
    assert library.get_article(ids[0]).deleted_at is not None  # all or nothing
    assert dialog.undo_button.isHidden()
    qtbot.waitUntil(lambda: [r.id for r in dialog.rows] == [ids[0]], timeout=10_000)
