"""Prompts that typing cannot answer: the stale-save prompt appears mid-typing and waits for a real choice."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from newsdesk.library import Library
from newsdesk.ui.guarded import QUIET_MS

KEYS = {" ": Qt.Key.Key_Space, "\n": Qt.Key.Key_Return}


def press(window, ch: str) -> None:
    """A key as a real keyboard delivers it: to whatever has the focus now (a dialog, once shown)."""
    target = QApplication.focusWidget() or QApplication.activeWindow() or window.editor
    if ch in KEYS:
        QTest.keyClick(target, KEYS[ch])
    else:
        QTest.keyClick(target, ch)


def test_typing_space_and_enter_as_the_stale_save_prompt_appears_neither_answers_it_nor_loses_a_key(
    qtbot, make_window, library, sample_article
):
    mine = make_window()
    other_library = Library.open(library.root)  # a second window, as a second instance would
    theirs = make_window(other_library)
    try:
        theirs.editor.moveCursor(QTextCursor.MoveOperation.End)
        QTest.keyClicks(theirs.editor, " THEIRS")
        assert theirs.autosave.flush()

        mine.activateWindow()
        mine.editor.setFocus()
        mine.editor.moveCursor(QTextCursor.MoveOperation.End)
        typed = ""
        appeared_at = None
        pattern = "ab c\nd e "
        # Keep typing (spaces and Enters among the letters) until well after the prompt is up.
        deadline = time.monotonic() + 12
        while time.monotonic() < deadline:
            ch = pattern[len(typed) % len(pattern)]
            press(mine, ch)
            typed += ch
            qtbot.wait(40)
            if appeared_at is None and mine.conflict_box is not None:
                appeared_at = time.monotonic()
            if appeared_at is not None and time.monotonic() - appeared_at > 1.5:
                break
        assert appeared_at is not None, "the prompt never appeared"
        box = mine.conflict_box
        assert box is not None and box.isVisible(), "a typed key answered the prompt"
        assert mine.article.id == sample_article.id  # no copy was made behind the user's back
        assert library.count_articles() == 1
        # Every key stayed where it was typed, in order.
        assert mine.editor.toPlainText().endswith(typed.replace("\n", "\n"))
        assert mine.conflict_guard.held_back > 0  # keys really were aimed at the prompt

        # A pause, then a deliberate key: now the prompt answers (its default keeps both).
        qtbot.wait(QUIET_MS + 300)
        press(mine, " ")
        qtbot.waitUntil(lambda: mine.conflict_box is None, timeout=10_000)
        copy = library.get_article(mine.article.id)
        assert copy.id != sample_article.id and copy.headline.endswith("(copy)")
        assert copy.body.endswith(typed)
        assert library.get_article(sample_article.id).body.endswith(" THEIRS")
    finally:
        theirs.close()
        other_library.close()
