"""What one keystroke costs the body editor: the block it changed, not the whole document."""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from newsdesk.ui import editor_text
from newsdesk.ui.editor import MarkdownEditor

PARAGRAPH = (
    "The council said on *Tuesday* that its **budget** for schools would be agreed "
    "after [months](https://example.org/m) of talks."
)


def long_body(paragraphs: int = 200) -> str:
    blocks = []
    for n in range(paragraphs):
        blocks.append(f"## Subhead {n}" if n % 9 == 0 else f"{PARAGRAPH} Paragraph {n}.")
    return "\n\n".join(blocks) + "\n"


class PaintedHeights(QObject):
    """The height of each region the viewport paints."""

    def __init__(self) -> None:
        super().__init__()
        self.heights: list[int] = []

    def eventFilter(self, _watched, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Paint:
            self.heights.append(event.region().boundingRect().height())
        return False


@pytest.fixture
def editor(qtbot):
    ed = MarkdownEditor()
    qtbot.addWidget(ed)
    ed.resize(600, 700)
    ed.show()
    qtbot.waitExposed(ed)
    ed.set_text(long_body())
    QApplication.processEvents()  # the highlighter colours the body once
    return ed


def _cursor_at_end_of_paragraph(ed: MarkdownEditor, number: int) -> None:
    block = ed.document().findBlockByNumber(number)
    assert "*Tuesday*" in block.text()  # a coloured paragraph
    cursor = QTextCursor(block)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    ed.setTextCursor(cursor)
    ed.centerCursor()
    ed.setFocus()
    QApplication.processEvents()


def test_typing_in_a_coloured_paragraph_repaints_only_that_paragraph(editor):
    _cursor_at_end_of_paragraph(editor, 100)
    spy = PaintedHeights()
    editor.viewport().installEventFilter(spy)
    line = editor.fontMetrics().lineSpacing()
    block = editor.textCursor().block()
    lines_before = block.lineCount()
    typed = 0
    for char in "abc":
        spy.heights.clear()
        QTest.keyClick(editor, char)
        QApplication.processEvents()
        typed += 1
        if editor.textCursor().block().lineCount() != lines_before:
            break  # a new line wrapped: the paragraphs below moved (checked below)
        assert spy.heights, "the typed character was never painted"
        # The paragraph (a few lines), never the viewport (~35 lines).
        assert max(spy.heights) <= (lines_before + 1) * line + 8
    assert typed >= 2
    assert editor.document().documentLayout().block_repaints >= typed - 1


def test_a_line_that_wraps_repaints_the_paragraphs_below_it(editor):
    _cursor_at_end_of_paragraph(editor, 100)
    spy = PaintedHeights()
    editor.viewport().installEventFilter(spy)
    block = editor.textCursor().block()
    lines = block.lineCount()
    for _ in range(200):
        spy.heights.clear()
        QTest.keyClick(editor, Qt.Key.Key_W)
        QApplication.processEvents()
        if editor.textCursor().block().lineCount() != lines:
            break
    assert editor.textCursor().block().lineCount() == lines + 1
    # Everything below the paragraph moved down a line: the whole viewport is repainted.
    assert max(spy.heights) >= editor.viewport().height() - 2


def qt_text(ed: MarkdownEditor) -> str:
    return QPlainTextEdit.toPlainText(ed)  # Qt's own copy of the whole document


def test_the_body_text_follows_every_kind_of_edit_without_copying_the_document(editor):
    ed = editor
    mirror = ed._mirror
    assert ed.toPlainText() == qt_text(ed)
    reads = mirror.full_reads
    _cursor_at_end_of_paragraph(ed, 100)
    for char in "typed words":
        QTest.keyClick(ed, char)
        assert ed.toPlainText() == qt_text(ed)
    QTest.keyClick(ed, Qt.Key.Key_Return)
    QTest.keyClick(ed, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)  # a line separator
    QTest.keyClick(ed, Qt.Key.Key_Backspace)
    QTest.keyClick(ed, Qt.Key.Key_Backspace)
    QTest.keyClick(ed, Qt.Key.Key_Delete)
    assert ed.toPlainText() == qt_text(ed)
    # Typing, new paragraphs and deletions were followed edit by edit.
    assert mirror.full_reads == reads

    rng = random.Random(17)
    pieces = ["x", "\n", "\n\n- a list\n", "no\u00a0break", "é", "", "**bold**"]
    for _ in range(60):
        text = qt_text(ed)
        cursor = QTextCursor(ed.document())
        a, b = sorted(rng.randint(0, len(text)) for _ in range(2))
        if rng.random() < 0.7:
            b = min(b, a + rng.randint(0, 40))
        cursor.setPosition(a)
        cursor.setPosition(b, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(rng.choice(pieces))
        assert ed.toPlainText() == qt_text(ed)
    for _ in range(10):
        ed.undo()
        assert ed.toPlainText() == qt_text(ed)
    for _ in range(5):
        ed.redo()
        assert ed.toPlainText() == qt_text(ed)
    assert mirror.full_reads == reads


def test_the_body_text_is_right_after_a_new_body_a_whole_replacement_and_emoji(editor):
    ed = editor
    ed.set_text("First story.\n\nSecond paragraph.")
    assert ed.toPlainText() == "First story.\n\nSecond paragraph."
    ed.replace_all_text("Restored revision\n\nwith two paragraphs\n")
    assert ed.toPlainText() == qt_text(ed) == "Restored revision\n\nwith two paragraphs\n"
    # Past U+FFFF Qt's positions and Python's differ: the text is still exact.
    cursor = QTextCursor(ed.document())
    cursor.setPosition(8)
    cursor.insertText("🗞️ ")
    assert ed.toPlainText() == qt_text(ed)
    cursor.setPosition(2)
    cursor.insertText("z")
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertText("😀 end")
    assert ed.toPlainText() == qt_text(ed)
    ed.undo()
    ed.undo()
    assert ed.toPlainText() == qt_text(ed)
    ed.set_text("")
    assert ed.toPlainText() == ""
    QTest.keyClick(ed, "a")
    assert ed.toPlainText() == "a"


def _coloured(block) -> bool:
    return bool(block.layout().formats())


def test_opening_a_long_body_colours_the_first_screen_at_once_and_the_rest_soon_after(qtbot):
    ed = MarkdownEditor()
    qtbot.addWidget(ed)
    ed.resize(600, 700)
    ed.show()
    body = long_body(900)  # 1,799 blocks with the blank lines
    ed.set_text(body)
    doc = ed.document()
    last_subhead = doc.findBlockByNumber(2 * 891)
    assert last_subhead.text() == "## Subhead 891"
    assert _coloured(doc.findBlockByNumber(0))  # the first screen, at once
    assert not _coloured(last_subhead)  # far below: not yet
    assert ed.backfill.running
    qtbot.waitUntil(lambda: not ed.backfill.running, timeout=60_000)
    assert _coloured(last_subhead)
    assert all(
        _coloured(doc.findBlockByNumber(n)) for n in range(0, doc.blockCount(), 2)
    )  # every paragraph and subhead (the blank lines between have nothing to colour)
    # Colouring is no edit: the text, the undo history and the modified flag are as loaded.
    assert ed.toPlainText() == body
    assert not doc.isUndoAvailable()
    assert not doc.isModified()


def test_the_blocks_in_view_are_coloured_first_and_an_edit_is_coloured_at_once(qtbot):
    ed = MarkdownEditor()
    qtbot.addWidget(ed)
    ed.resize(600, 700)
    ed.show()
    qtbot.waitExposed(ed)
    ed.set_text(long_body(900))
    ed.backfill.stop()  # held where it started: nothing below the first screen is coloured
    doc = ed.document()
    end = QTextCursor(doc)
    end.movePosition(QTextCursor.MoveOperation.End)
    ed.setTextCursor(end)
    ed.ensureCursorVisible()
    QApplication.processEvents()
    bottom = doc.findBlockByNumber(doc.blockCount() - 2)
    assert bottom.text().startswith("The council said") and not _coloured(bottom)
    # Typing in an uncoloured paragraph colours it with the keystroke.
    cursor = QTextCursor(bottom)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    ed.setTextCursor(cursor)
    QTest.keyClick(ed, "x")
    assert _coloured(bottom)
    # The backfill, started again from the top, colours what is in view before the rest.
    ed.backfill.start(150)
    ed.backfill._step(budget_ms=0)
    above = doc.findBlockByNumber(doc.blockCount() - 10)
    assert _coloured(above)
    assert not _coloured(doc.findBlockByNumber(1000))
    qtbot.waitUntil(lambda: not ed.backfill.running, timeout=60_000)
    assert _coloured(doc.findBlockByNumber(1000))


def test_colouring_out_of_view_waits_while_the_reader_types(qtbot, monkeypatch):
    # A pause long enough that a loaded machine's slow 40 ms waits still count as typing.
    monkeypatch.setattr(editor_text, "TYPING_PAUSE_S", 3.0)
    ed = MarkdownEditor()
    qtbot.addWidget(ed)
    ed.resize(600, 700)
    ed.show()
    qtbot.waitExposed(ed)
    ed.set_text(long_body(900))
    ed.setFocus()
    reached = ed.backfill.reached
    assert reached > 0
    for char in "typing along":
        QTest.keyClick(ed, char)
        qtbot.wait(40)
    # Half a second of typing: the blocks below the screen were left for later.
    assert ed.backfill.reached == reached
    qtbot.waitUntil(lambda: not ed.backfill.running, timeout=60_000)
    assert _coloured(ed.document().findBlockByNumber(1000))
