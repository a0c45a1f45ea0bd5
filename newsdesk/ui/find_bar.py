"""The body editor's find and replace bar: match case, whole word, replace one or all."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from newsdesk.ui.editor import MarkdownEditor


class FindBar(QWidget):
    """Find and replace inside the body editor, with match case and whole word."""

    sig_closed = Signal()
    """The bar was hidden (Escape or its close button)."""

    def __init__(self, editor: MarkdownEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.setObjectName("find-bar")
        self.find_edit = QLineEdit(placeholderText="Find")
        self.find_edit.setAccessibleName("Find")
        self.find_edit.setClearButtonEnabled(True)
        self.replace_edit = QLineEdit(placeholderText="Replace with")
        self.replace_edit.setAccessibleName("Replace with")
        self.match_case = QCheckBox("Match &case")
        self.whole_word = QCheckBox("&Whole word")
        self.prev_button = QPushButton("Previous")
        self.next_button = QPushButton("Next")
        self.replace_button = QPushButton("Replace")
        self.replace_all_button = QPushButton("Replace all")
        self.count_label = QLabel("")
        self.count_label.setMinimumWidth(80)
        close = QToolButton(text="✕")
        close.setAccessibleName("Close find bar")
        close.setAutoRaise(True)

        # The field gets the row (never squeezed to a few letters in a narrow pane); the
        # options sit on their own row beneath it.
        self.find_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("x" * 24))
        self.count_label.setMinimumWidth(0)
        find_row = QHBoxLayout()
        find_row.addWidget(self.find_edit, 1)
        find_row.addWidget(self.prev_button)
        find_row.addWidget(self.next_button)
        find_row.addWidget(close)
        options_row = QHBoxLayout()
        options_row.addWidget(self.match_case)
        options_row.addWidget(self.whole_word)
        options_row.addStretch(1)
        options_row.addWidget(self.count_label)
        self.replace_row = QWidget()
        replace_row = QHBoxLayout(self.replace_row)
        replace_row.setContentsMargins(0, 0, 0, 0)
        replace_row.addWidget(self.replace_edit, 1)
        replace_row.addWidget(self.replace_button)
        replace_row.addWidget(self.replace_all_button)
        replace_row.addStretch(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addLayout(find_row)
        layout.addLayout(options_row)
        layout.addWidget(self.replace_row)

        self.find_edit.textChanged.connect(self._on_pattern_changed)
        self.find_edit.returnPressed.connect(self.find_next)
        self.replace_edit.returnPressed.connect(self.replace_one)
        self.next_button.clicked.connect(self.find_next)
        self.prev_button.clicked.connect(self.find_previous)
        self.replace_button.clicked.connect(self.replace_one)
        self.replace_all_button.clicked.connect(self.replace_all)
        self.match_case.toggled.connect(self._on_pattern_changed)
        self.whole_word.toggled.connect(self._on_pattern_changed)
        close.clicked.connect(self.close_bar)
        self.hide()

    # ---- showing ------------------------------------------------------------
    def show_find(self) -> None:
        self._open(replace=False)

    def show_replace(self) -> None:
        self._open(replace=True)

    def _open(self, *, replace: bool) -> None:
        selected = self.editor.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self.find_edit.setText(selected)
        self.replace_row.setVisible(replace)
        self.show()
        self.find_edit.setFocus()
        self.find_edit.selectAll()
        self._update_count()

    def close_bar(self) -> None:
        self.hide()
        self.editor.setFocus()
        self.sig_closed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
            return
        if event.matches(QKeySequence.StandardKey.FindPrevious) or (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.find_previous()
            return
        super().keyPressEvent(event)

    # ---- searching ----------------------------------------------------------
    def _flags(self, backward: bool = False) -> QTextDocument.FindFlag:
        flags = QTextDocument.FindFlag(0)
        if self.match_case.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        if self.whole_word.isChecked():
            flags |= QTextDocument.FindFlag.FindWholeWords
        if backward:
            flags |= QTextDocument.FindFlag.FindBackward
        return flags

    def _regex(self) -> re.Pattern[str] | None:
        pattern = self.find_edit.text()
        if not pattern:
            return None
        body = re.escape(pattern)
        if self.whole_word.isChecked():
            body = rf"(?<!\w){body}(?!\w)"
        return re.compile(body, 0 if self.match_case.isChecked() else re.IGNORECASE)

    def match_count(self) -> int:
        regex = self._regex()
        return len(regex.findall(self.editor.toPlainText())) if regex else 0

    def _update_count(self) -> None:
        if not self.find_edit.text():
            self.count_label.setText("")
            return
        n = self.match_count()
        self.count_label.setText("No matches" if n == 0 else f"{n} match" + ("es" if n > 1 else ""))

    def _on_pattern_changed(self) -> None:
        self._update_count()
        # Type-ahead: jump to the first match from where the selection starts.
        cursor = self.editor.textCursor()
        cursor.setPosition(min(cursor.position(), cursor.anchor()))
        self.editor.setTextCursor(cursor)
        if self.find_edit.text():
            self._find(backward=False)

    def _find(self, *, backward: bool) -> bool:
        pattern = self.find_edit.text()
        if not pattern:
            return False
        doc = self.editor.document()
        flags = self._flags(backward)
        start_at = QTextCursor(doc)
        current = self.editor.textCursor()
        # Backwards starts before the current match, so it is not found again.
        start_at.setPosition(current.selectionStart() if backward else current.selectionEnd())
        found = doc.find(pattern, start_at, flags)
        if not found.isNull() and backward and found.selectionStart() >= current.selectionStart():
            found = QTextCursor()  # Qt finds the match at the very start again: wrap instead
        if found.isNull():  # wrap around
            start = QTextCursor(doc)
            if backward:
                start.movePosition(QTextCursor.MoveOperation.End)
            found = doc.find(pattern, start, flags)
        if found.isNull():
            return False
        self.editor.setTextCursor(found)
        self.editor.ensureCursorVisible()
        return True

    def find_next(self) -> bool:
        return self._find(backward=False)

    def find_previous(self) -> bool:
        return self._find(backward=True)

    def _selection_matches(self) -> bool:
        regex = self._regex()
        selected = self.editor.textCursor().selectedText()
        return bool(regex and selected and regex.fullmatch(selected))

    def replace_one(self) -> None:
        """Replace the current match (if the selection is one) and move to the next."""
        if self._selection_matches():
            self.editor.textCursor().insertText(self.replace_edit.text())
        self.find_next()
        self._update_count()

    def replace_all(self) -> int:
        """Replace every match as one undoable step; returns how many were replaced."""
        regex = self._regex()
        if regex is None:
            return 0
        pattern = self.find_edit.text()
        replacement = self.replace_edit.text()
        doc = self.editor.document()
        flags = self._flags()
        cursor = QTextCursor(doc)
        edit = QTextCursor(doc)
        edit.beginEditBlock()
        n = 0
        while True:
            cursor = doc.find(pattern, cursor, flags)
            if cursor.isNull():
                break
            cursor.insertText(replacement)
            n += 1
        edit.endEditBlock()
        self._update_count()
        self.count_label.setText(f"Replaced {n}")
        return n
