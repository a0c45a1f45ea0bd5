"""Autosave: what a reporter types reaches the library within two seconds, and nothing is lost."""

from __future__ import annotations

from PySide6.QtCore import Qt, QThreadPool, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest

from newsdesk.library import Library
from tests.ui.conftest import open_in_window, type_text


def saved_body(library, article_id) -> str:
    return library.get_article(article_id).body


def test_an_edit_reaches_the_library_within_two_seconds(qtbot, window, library):
    article_id = window.article.id
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    type_text(window.editor, "\n\nThe ferry will be free for residents.")
    # Saved a second after the last key; the wait is generous because a loaded
    # machine runs the event loop late (the test checks behaviour, not speed).
    assert window.autosave._debounce.interval() <= 1000
    qtbot.waitUntil(
        lambda: saved_body(library, article_id).endswith("free for residents."), timeout=10_000
    )
    assert saved_body(library, article_id) == window.editor.toPlainText()
    qtbot.waitUntil(lambda: window.save_label.text() == "All changes saved")


def test_non_stop_typing_is_still_saved_every_couple_of_seconds(qtbot, window, library):
    article_id = window.article.id
    # A pause in typing never comes here: the pause a save waits for is made longer
    # than the test, so only the cap on how long a save may wait can save the text.
    window.autosave._debounce.setInterval(600_000)
    assert window.autosave._cap.interval() <= 1500
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    words = iter(f"w{i} " for i in range(100_000))
    timer = QTimer(interval=60)  # faster than the one-second pause autosave waits for
    timer.timeout.connect(lambda: QTest.keyClicks(window.editor, next(words)))
    timer.start()
    try:
        # Generous: on a loaded machine the event loop itself runs late.
        qtbot.waitUntil(lambda: "w0 " in saved_body(library, article_id), timeout=15_000)
        assert timer.isActive()  # still typing when the save landed
    finally:
        timer.stop()


def test_ctrl_s_saves_at_once_and_records_a_revision(qtbot, window, library):
    article_id = window.article.id
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.editor.setFocus()
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    QTest.keyClicks(window.editor, " Updated at 9pm.")
    assert library.revisions(article_id) == []

    QTest.keyClick(window.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert window.ops.wait(30_000)  # at once: the save is on the library's writer already
    assert len(library.revisions(article_id)) == 1
    revision = library.revisions(article_id)[0]
    assert revision.body.endswith("Updated at 9pm.")
    assert revision.reason == "save"
    assert saved_body(library, article_id).endswith("Updated at 9pm.")


def test_a_revision_is_recorded_every_few_minutes_of_editing(qtbot, window, library):
    article_id = window.article.id
    window.autosave.revision_interval_s = 0.5  # five minutes in the app; shortened here
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    QTest.keyClicks(window.editor, " First.")
    qtbot.waitUntil(lambda: len(library.revisions(article_id)) == 1, timeout=10_000)
    QTest.keyClicks(window.editor, " Second.")
    qtbot.waitUntil(lambda: len(library.revisions(article_id)) == 2, timeout=10_000)
    newest, older = library.revisions(article_id)
    assert newest.reason == older.reason == "timed"
    assert older.body.endswith("First.") and newest.body.endswith("First. Second.")


def test_switching_articles_and_closing_save_immediately(
    qtbot, make_window, library, sample_article
):
    other = library.create_article(headline="Second story", body="Start.")
    window = make_window()
    open_in_window(qtbot, window, sample_article.id)
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    QTest.keyClicks(window.editor, " Switched.")
    open_in_window(qtbot, window, other.id)  # no pause: the switch itself saves
    assert saved_body(library, sample_article.id).endswith("Switched.")

    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    QTest.keyClicks(window.editor, " Closed.")
    window.close()
    assert saved_body(library, other.id) == "Start. Closed."


def _two_windows(make_window, library, sample_article):
    mine = make_window()
    other_library = Library.open(library.root)  # a second window, as a second instance would
    theirs = make_window(other_library)
    assert mine.article.id == theirs.article.id == sample_article.id
    return mine, theirs, other_library


def test_a_second_window_save_is_detected_and_mine_can_be_kept_as_a_copy(
    qtbot, make_window, library, sample_article
):
    mine, theirs, other_library = _two_windows(make_window, library, sample_article)
    try:
        theirs.editor.moveCursor(QTextCursor.MoveOperation.End)
        QTest.keyClicks(theirs.editor, " THEIRS")
        assert theirs.autosave.flush()

        mine.editor.moveCursor(QTextCursor.MoveOperation.End)
        QTest.keyClicks(mine.editor, " MINE")
        qtbot.waitUntil(lambda: mine.conflict_box is not None, timeout=10_000)
        assert mine.save_label.text() == "Changed elsewhere: not saving"
        assert saved_body(library, sample_article.id).endswith(" THEIRS")  # not overwritten

        mine.conflict_box.buttonClicked.emit(mine.save_copy_button)
        assert saved_body(library, sample_article.id).endswith(" THEIRS")
        copy = library.get_article(mine.article.id)
        assert copy.id != sample_article.id
        assert copy.headline.endswith("(copy)") and copy.body.endswith(" MINE")
    finally:
        theirs.close()
        other_library.close()


def test_keep_mine_overwrites_and_load_theirs_can_be_undone(
    qtbot, make_window, library, sample_article
):
    mine, theirs, other_library = _two_windows(make_window, library, sample_article)
    try:
        QTest.keyClicks(theirs.editor, "THEIRS ")
        assert theirs.autosave.flush()
        QTest.keyClicks(mine.editor, "MINE ")
        qtbot.waitUntil(lambda: mine.conflict_box is not None, timeout=10_000)
        mine.conflict_box.buttonClicked.emit(mine.keep_mine_button)
        assert saved_body(library, sample_article.id).startswith("MINE ")
        assert not mine.autosave.conflicted

        # Now the other window is behind; it loads mine and could undo back to its text.
        QTest.keyClicks(theirs.editor, "AGAIN ")
        qtbot.waitUntil(lambda: theirs.conflict_box is not None, timeout=10_000)
        theirs.conflict_box.buttonClicked.emit(theirs.load_theirs_button)
        qtbot.waitUntil(lambda: theirs.editor.toPlainText().startswith("MINE "), timeout=10_000)
        theirs.editor.undo()
        assert theirs.editor.toPlainText().startswith("THEIRS AGAIN ")
    finally:
        theirs.close()
        other_library.close()


def _conflict_in_mine(qtbot, mine, theirs):
    """Both windows typed at the start of the body; theirs saved first, so mine must choose."""
    QTest.keyClicks(theirs.editor, "THEIRS ")
    assert theirs.autosave.flush()
    QTest.keyClicks(mine.editor, "MINE ")
    qtbot.waitUntil(lambda: mine.conflict_box is not None, timeout=10_000)


def test_words_typed_while_their_copy_loads_are_kept_in_it(
    qtbot, make_window, library, sample_article
):
    from tests.ui.test_late_reads import HeldRead

    mine, theirs, other_library = _two_windows(make_window, library, sample_article)
    try:
        _conflict_in_mine(qtbot, mine, theirs)
        # No other read of the story may take the hold: none is running, and none starts
        # before the click (the event loop does not run in between).
        assert QThreadPool.globalInstance().waitForDone(10_000)
        held = HeldRead(library, "find_article")  # their copy answers late, on cue
        mine.conflict_box.buttonClicked.emit(mine.load_theirs_button)
        qtbot.waitUntil(held.taken.is_set, timeout=10_000)
        mine.editor.moveCursor(QTextCursor.MoveOperation.End)
        QTest.keyClicks(mine.editor, " Tolls rise in May.")  # the user keeps typing meanwhile
        held.release.set()
        qtbot.waitUntil(lambda: mine.editor.toPlainText().startswith("THEIRS "), timeout=10_000)

        text = mine.editor.toPlainText()
        assert text.endswith("while the bridge is shut. Tolls rise in May.")
        assert "MINE" not in text  # their copy, as asked
        assert "typed while it loaded" in mine.statusBar().currentMessage()
        assert not mine.autosave.conflicted
        qtbot.waitUntil(lambda: saved_body(library, sample_article.id) == text, timeout=10_000)
    finally:
        theirs.close()
        other_library.close()


def test_words_typed_where_their_copy_differs_while_it_loads_keep_it_from_loading(
    qtbot, make_window, library, sample_article
):
    from tests.ui.test_late_reads import HeldRead

    mine, theirs, other_library = _two_windows(make_window, library, sample_article)
    try:
        _conflict_in_mine(qtbot, mine, theirs)
        # No other read of the story may take the hold: none is running, and none starts
        # before the click (the event loop does not run in between).
        assert QThreadPool.globalInstance().waitForDone(10_000)
        held = HeldRead(library, "find_article")
        mine.conflict_box.buttonClicked.emit(mine.load_theirs_button)
        qtbot.waitUntil(held.taken.is_set, timeout=10_000)
        QTest.keyClicks(mine.editor, "AGAIN ")  # in the paragraph their copy changed
        held.release.set()
        qtbot.waitUntil(lambda: mine.conflict_box is not None, timeout=10_000)  # asked again

        assert mine.editor.toPlainText().startswith("MINE AGAIN ")  # nothing replaced
        assert "Choose again" in mine.statusBar().currentMessage()
        assert mine.autosave.conflicted
        assert saved_body(library, sample_article.id).startswith("THEIRS ")
    finally:
        theirs.close()
        other_library.close()
