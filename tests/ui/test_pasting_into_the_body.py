"""Pasting huge or hostile Markdown into the body: it lands at once, the window stays usable, the
preview says in a sentence what it cannot show and what to do, and every word is saved."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QApplication

from tests.ui.conftest import wait_preview_ready

LONG = "".join(f"## Part {i}\n\nLine {i} of the pasted notes.\n\n" for i in range(1500))


def paste(window, text: str) -> None:
    QApplication.clipboard().setText(text)
    window.editor.setFocus()
    window.editor.moveCursor(window.editor.textCursor().MoveOperation.End)
    window.editor.paste()


def test_a_long_paste_lands_at_once_and_is_coloured_a_little_at_a_time_after(qtbot, window):
    paste(window, LONG)
    editor = window.editor
    assert editor.toPlainText().endswith(LONG)
    # Colouring 4,500 pasted lines at once held the window; they are coloured after it.
    assert editor.backfill.running
    last_heading = editor.document().find("## Part 1499").block()
    assert last_heading.text() == "## Part 1499"
    assert not last_heading.layout().formats()  # not coloured yet
    qtbot.waitUntil(lambda: not editor.backfill.running, timeout=30_000)
    assert last_heading.layout().formats()  # coloured as a subhead in the end


def preview_body(qtbot, window) -> str:
    box: list = []
    window.preview.run_js(
        "JSON.stringify(document.getElementById('story-body').textContent)", box.append
    )
    qtbot.waitUntil(lambda: bool(box), timeout=10_000)
    return json.loads(box[0])


def test_a_markdown_bomb_pasted_into_the_body_is_saved_and_the_preview_says_what_to_do(
    qtbot, window, library, capfd
):
    wait_preview_ready(qtbot, window)
    bomb = "[" * 100_000
    paste(window, "\n\n" + bomb + "\n\nAfter the bomb.")
    qtbot.waitUntil(lambda: "After the bomb." in preview_body(qtbot, window), timeout=60_000)
    said = preview_body(qtbot, window)
    assert "This block is too large to publish." in said
    assert "Split it into shorter paragraphs" in said  # what to do, not only what went wrong
    window.autosave.flush()
    assert bomb in library.get_article(window.article.id).body  # nothing lost
    assert "Traceback" not in capfd.readouterr().err


def test_a_long_story_is_coloured_again_in_view_at_once_and_the_rest_a_little_at_a_time(
    qtbot, window
):
    editor = window.editor
    editor.set_text(LONG)
    editor.backfill.finish()
    last_heading = editor.document().find("## Part 1499").block()
    assert last_heading.layout().formats()
    # A new palette (or spelling language) colours everything again: in view now, the rest
    # after (all 4,500 lines at once held the window, four times over while a story opened).
    editor.highlighter.set_palette(editor.palette())
    assert editor.backfill.running
    first = editor.document().findBlockByNumber(editor.firstVisibleBlock().blockNumber())
    assert first.text() == "## Part 0" and first.layout().formats()  # in view: coloured
    qtbot.waitUntil(lambda: not editor.backfill.running, timeout=30_000)
    assert last_heading.layout().formats()
