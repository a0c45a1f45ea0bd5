"""One-paragraph text fields that wrap: the headline and dek grow with their text, never cut it off."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QMimeData, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor, QTextLayout, QTextOption
from PySide6.QtWidgets import QFrame, QPlainTextEdit, QSizePolicy, QWidget

DOCUMENT_MARGIN = 3  # pixels around the text, about what a line edit leaves


def one_line(text: str) -> str:
    """The text as one paragraph: line breaks (pasted, imported) become spaces."""
    return " ".join(text.replace("\u2029", "\n").replace("\r", "\n").split("\n"))


class WrappingLineEdit(QPlainTextEdit):
    """A line edit whose text wraps onto as many lines as it needs (up to max_lines).

    It speaks QLineEdit's language where the form uses it (text, setText,
    textEdited, returnPressed, cursorPosition, selectedText), so the form and
    the spell checker treat it as a field, not as a body. Enter never inserts a
    line break: a headline is one paragraph. It is a QPlainTextEdit so the
    spell checker's highlighter underlines it like the body.
    """

    textEdited = Signal(str)  # noqa: N815 (mirrors QLineEdit)
    """The user changed the text (typing, pasting, a spelling suggestion) — not setText."""
    returnPressed = Signal()  # noqa: N815 (mirrors QLineEdit)

    def __init__(
        self, parent: QWidget | None = None, *, placeholderText: str = "", max_lines: int = 4
    ) -> None:
        super().__init__(parent)
        self.max_lines = max_lines
        self._setting = False
        self._last_text = ""
        self.setPlaceholderText(placeholderText)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.document().setDocumentMargin(DOCUMENT_MARGIN)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.textChanged.connect(self._on_text_changed)
        # The line count changes when the text or the width does: the height follows.
        self.document().documentLayout().documentSizeChanged.connect(self._fit_height)

    # ---- QLineEdit's vocabulary ------------------------------------------------------
    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:  # noqa: N802 (mirrors QLineEdit)
        """Replace the text without it counting as an edit (like QLineEdit, undo starts over)."""
        self._setting = True
        try:
            self.setPlainText(one_line(text))
            self.end()  # like QLineEdit: the cursor after the new text
        finally:
            self._setting = False
        self._last_text = self.toPlainText()
        self._fit_height()

    def cursorPosition(self) -> int:  # noqa: N802 (mirrors QLineEdit)
        return self.textCursor().position()

    def setCursorPosition(self, position: int) -> None:  # noqa: N802 (mirrors QLineEdit)
        cursor = self.textCursor()
        cursor.setPosition(max(0, min(position, len(self.toPlainText()))))
        self.setTextCursor(cursor)

    def selectedText(self) -> str:  # noqa: N802 (mirrors QLineEdit)
        return self.textCursor().selectedText()

    def end(self, mark: bool = False) -> None:
        mode = QTextCursor.MoveMode.KeepAnchor if mark else QTextCursor.MoveMode.MoveAnchor
        cursor = self.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End, mode)
        self.setTextCursor(cursor)

    # ---- one paragraph ----------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self.returnPressed.emit()
            return
        super().keyPressEvent(event)

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802 (Qt override)
        if source.hasText():
            self.textCursor().insertText(one_line(source.text()))
        else:
            super().insertFromMimeData(source)

    def _on_text_changed(self) -> None:
        text = self.toPlainText()
        if text == self._last_text:
            return  # a format change (the spelling underline), not an edit
        if "\n" in text or "\u2029" in text:  # an input method or drop slipped a break in
            cursor = self.textCursor()
            position = cursor.position()
            cursor.select(QTextCursor.SelectionType.Document)
            cursor.insertText(one_line(text))
            self.setCursorPosition(position)
            return  # the insert above comes back here with the repaired text
        self._last_text = text
        if not self._setting:
            self.textEdited.emit(text)

    # ---- height: as many lines as the text needs ----------------------------------------
    def line_count(self, width: int | None = None) -> int:
        """Lines the text takes at the field's present width (or this viewport width).

        Laid out here rather than read from the document, whose layout lags a resize.
        """
        text = self.toPlainText()
        if not text:
            return 1
        inner = (self.viewport().width() if width is None else width) - 2 * DOCUMENT_MARGIN
        layout = QTextLayout(text, self.font())
        option = QTextOption()
        option.setWrapMode(self.wordWrapMode())
        layout.setTextOption(option)
        layout.beginLayout()
        lines = 0
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(max(1, inner))
            lines += 1
        layout.endLayout()
        return max(1, lines)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            # After the layout that resized it has finished: a height set from inside
            # that layout pass is not applied until the next one.
            QTimer.singleShot(0, self, self._fit_height)

    def _height_for(self, lines: int) -> int:
        frame = self.frameWidth() * 2
        margins = self.contentsMargins()
        text = self.fontMetrics().lineSpacing() * lines + 2 * DOCUMENT_MARGIN
        return text + frame + margins.top() + margins.bottom() + 2

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        lines = min(self.max_lines, self.line_count())
        return QSize(super().sizeHint().width(), self._height_for(lines))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(self.fontMetrics().horizontalAdvance("x" * 12), self._height_for(1))

    def _fit_height(self, *_args) -> None:
        if not shiboken6.isValid(self):
            return
        # A scroll bar only when the text is longer than the field may grow: one left
        # over from a narrower moment would hide part of a text that fits.
        fits = self.line_count() <= self.max_lines
        self.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff if fits else Qt.ScrollBarPolicy.ScrollBarAsNeeded
        )
        height = self.sizeHint().height()
        if height != self.height() or height != self.minimumHeight():
            self.setFixedHeight(height)
            self.updateGeometry()
