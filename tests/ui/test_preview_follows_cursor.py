"""The preview follows the editor's cursor: into a block taller than the preview, and along a
paragraph typed as one long line."""

from __future__ import annotations

import json

from PySide6.QtGui import QTextCursor

from tests.ui.conftest import open_in_window, run_js, wait_preview_ready

LONG = "The council met again to talk about the levy. " * 400  # one source line


def place_on_screen(qtbot, window, index: int, along: float) -> list:
    """Of the body's block `index`: is it taller than the preview, is its top scrolled away, and
    is the place `along` its height on screen?"""
    script = (
        f"JSON.stringify((() => {{ const r = document.querySelectorAll('#story-body > .blk')"
        f"[{index}].getBoundingClientRect(); const y = r.top + {along} * r.height;"
        " return [r.height > innerHeight, r.top < 0, y >= 0 && y < innerHeight]; })())"
    )
    return json.loads(run_js(qtbot, window, script))


def test_the_preview_follows_the_cursor_along_a_long_paragraph(qtbot, make_window, library):
    story = library.create_article(headline="Levy", body=f"Opening.\n\n{LONG}\n\nThe end.")
    window = make_window()
    open_in_window(qtbot, window, story.id)
    wait_preview_ready(qtbot, window)
    editor = window.editor
    block = editor.document().findBlockByNumber(2)
    cursor = QTextCursor(block)
    cursor.setPosition(block.position() + int(0.85 * len(LONG)))
    editor.setTextCursor(cursor)  # as a click or the arrow keys would
    assert editor.caret_place()[0] == 2 and abs(editor.caret_place()[1] - 0.85) < 0.01
    # The long paragraph may come after the first screen: the scroll waits for it (a loaded
    # machine takes seconds to render 19,000 characters).
    qtbot.waitUntil(
        lambda: place_on_screen(qtbot, window, 1, 0.85) == [True, True, True], timeout=30_000
    )
