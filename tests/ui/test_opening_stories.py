"""Opening a story in the window: it is read on a worker; meanwhile the story on screen stays as it
is and takes no typing, and what is typed goes into the story being opened."""

from __future__ import annotations

from PySide6.QtCore import QThreadPool
from PySide6.QtTest import QTest

from tests.ui.conftest import open_in_window


def settle(qtbot) -> None:
    """Every read in flight has answered and its answer has been handled."""
    assert QThreadPool.globalInstance().waitForDone(30_000)
    qtbot.wait(100)  # the answers, posted by now, are handled


def test_keys_typed_while_a_story_is_read_go_into_it_not_into_the_one_on_screen(
    qtbot, make_window, library
):
    first = library.create_article(headline="First", body="First body.")
    second = library.create_article(headline="Second", body="Second body.")
    window = make_window(open_initial=False)
    open_in_window(qtbot, window, first.id)
    window.focus_editor()

    assert window.open_article(second.id)
    # Still being read: the first story stays on screen (no blank editor in between)…
    assert window.article.id == first.id
    assert window.editor.toPlainText() == "First body."
    QTest.keyClicks(window.editor, "New ")
    # …and takes none of the keys.
    assert window.editor.toPlainText() == "First body."

    qtbot.waitUntil(lambda: window.article.id == second.id, timeout=10_000)
    assert window.editor.toPlainText() == "New Second body."
    assert window.form.headline.text() == "Second"
    assert window.autosave.flush()
    assert library.get_article(second.id).body == "New Second body."
    assert library.get_article(first.id).body == "First body."


def test_choosing_the_story_on_screen_again_before_the_other_arrives_keeps_it(
    qtbot, make_window, library
):
    first = library.create_article(headline="First", body="First body.")
    second = library.create_article(headline="Second", body="Second body.")
    window = make_window(open_initial=False)
    open_in_window(qtbot, window, first.id)
    window.focus_editor()

    assert window.open_article(second.id)
    assert window.open_article(first.id)  # changed their mind before the read answered
    QTest.keyClicks(window.editor, "Kept ")
    settle(qtbot)
    assert window.article.id == first.id
    assert window.editor.toPlainText() == "Kept First body."
    assert window.form.headline.text() == "First"


def test_a_story_gone_before_it_is_read_leaves_the_open_one_and_says_so(
    qtbot, make_window, library
):
    first = library.create_article(headline="First", body="First body.")
    gone = library.create_article(headline="Gone", body="Soon gone.")
    window = make_window(open_initial=False)
    open_in_window(qtbot, window, first.id)
    qtbot.waitUntil(lambda: window.browser.model.row_of(gone.id) >= 0, timeout=10_000)
    library.delete_article(gone.id)  # another program, before the list heard of it
    window.focus_editor()

    assert window.open_article(gone.id)
    QTest.keyClicks(window.editor, "Still ")
    qtbot.waitUntil(
        lambda: "no longer in the library" in window.statusBar().currentMessage(), timeout=5000
    )
    message = window.statusBar().currentMessage()
    assert "Traceback" not in message and "NotFound" not in message
    assert window.article.id == first.id
    # What was typed meanwhile went into the story that stayed open.
    assert window.editor.toPlainText() == "Still First body."
    qtbot.waitUntil(lambda: window.browser.model.row_of(gone.id) < 0, timeout=10_000)
    assert window.browser.view.currentIndex().row() == window.browser.model.row_of(first.id)
