"""The Markdown editor on its own: find and replace, smart link paste, highlighting, undo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QFont, QGuiApplication, QTextCursor
from PySide6.QtTest import QTest

from newsdesk.ui.editor import FindBar, MarkdownEditor

TEXT = "Bridge closed. The bridge reopens; bridges matter. BRIDGE!"


@pytest.fixture
def editor(qtbot):
    ed = MarkdownEditor()
    bar = FindBar(ed)
    qtbot.addWidget(ed)
    qtbot.addWidget(bar)
    ed.set_text(TEXT)
    ed.find_bar = bar
    return ed


def test_find_counts_matches_with_match_case_and_whole_word(editor):
    bar = editor.find_bar
    bar.show_find()
    bar.find_edit.setText("bridge")
    assert bar.match_count() == 4
    assert bar.count_label.text() == "4 matches"
    bar.match_case.setChecked(True)
    assert bar.match_count() == 2  # "bridge", "bridges"
    bar.whole_word.setChecked(True)
    assert bar.match_count() == 1
    bar.match_case.setChecked(False)
    assert bar.match_count() == 3  # not "bridges"


def test_find_next_and_previous_walk_the_matches_and_wrap(editor):
    bar = editor.find_bar
    bar.show_find()
    bar.whole_word.setChecked(True)
    bar.find_edit.setText("bridge")
    starts = []
    for _ in range(4):
        starts.append(editor.textCursor().selectionStart())
        bar.find_next()
    last = TEXT.index("BRIDGE")
    assert starts == [0, TEXT.index("bridge"), last, 0]
    assert editor.textCursor().selectionStart() == TEXT.index("bridge")
    bar.find_previous()
    assert editor.textCursor().selectionStart() == 0
    bar.find_previous()  # wraps to the end
    assert editor.textCursor().selectionStart() == last


def test_replace_one_and_replace_all_are_each_one_undo_step(editor):
    bar = editor.find_bar
    bar.show_replace()
    bar.whole_word.setChecked(True)
    bar.find_edit.setText("bridge")
    bar.replace_edit.setText("span")
    bar.replace_one()  # replaces the selected first match
    assert editor.toPlainText().startswith("span closed.")
    assert bar.replace_all() == 2
    assert editor.toPlainText() == "span closed. The span reopens; bridges matter. span!"
    editor.undo()
    assert editor.toPlainText() == "span closed. The bridge reopens; bridges matter. BRIDGE!"


def test_escape_closes_the_bar_and_returns_to_the_text(qtbot, editor):
    editor.show()
    editor.find_bar.show()
    editor.find_bar.show_find()
    QTest.keyClick(editor.find_bar.find_edit, "\x1b")
    assert not editor.find_bar.isVisible()


def test_pasting_a_link_over_selected_words_makes_a_markdown_link(editor):
    editor.set_text("Read the council report today.")
    cursor = editor.textCursor()
    cursor.setPosition(9)
    cursor.setPosition(23, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    QGuiApplication.clipboard().setText("https://example.org/report.pdf")
    editor.paste()
    assert (
        editor.toPlainText() == "Read the [council report](https://example.org/report.pdf) today."
    )
    editor.undo()
    assert editor.toPlainText() == "Read the council report today."


def test_pasting_rich_text_keeps_only_the_words(editor):
    editor.set_text("")
    data = QMimeData()
    data.setHtml("<b>Bold</b> words")
    data.setText("Bold words")
    editor.insertFromMimeData(data)
    assert editor.toPlainText() == "Bold words"


def test_markdown_is_highlighted(qtbot, editor):
    editor.set_text("## Subhead\n\nSome **strong** words and a [link](https://x.org).\n\n> A quote")
    editor.highlighter.rehighlight()
    doc = editor.document()

    def formats(block_no):
        return doc.findBlockByNumber(block_no).layout().formats()

    heading = formats(0)
    assert heading and heading[0].format.fontWeight() == QFont.Weight.Bold
    para = {(f.start, f.length) for f in formats(2)}
    assert (5, 10) in para  # **strong**
    text = doc.findBlockByNumber(2).text()
    assert (text.index("[link]"), len("[link]")) in para
    assert formats(4)[0].format.fontItalic()


def test_line_wrap_can_be_switched_off(editor):
    editor.set_line_wrap(False)
    assert editor.lineWrapMode() == MarkdownEditor.LineWrapMode.NoWrap
    editor.set_line_wrap(True)
    assert editor.lineWrapMode() == MarkdownEditor.LineWrapMode.WidgetWidth
