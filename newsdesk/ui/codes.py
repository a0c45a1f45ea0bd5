"""Code replacements as you type: `=jd=` becomes "Jane Doe / Harbour Agency" the moment the second = is typed.

One CodeExpander holds the newsroom's table (read from the library off the
GUI thread) and watches the text fields attached to it. It looks only at
the characters just before the cursor, so a keystroke costs the same in a
caption and in a 20,000-word body; the replacement is one edit, so one
Ctrl+Z brings the code back.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QTextEdit, QWidget

from newsdesk.library import Library
from newsdesk.library.codes import code_before
from newsdesk.ui.workers import run_task

TYPED_AT_MOST = 2  # characters added by one keystroke (an input method may add two)


class CodeExpander(QObject):
    """Expands `=code=` in the fields attached to it, from the library's table."""

    sig_expanded = Signal(QWidget, str)
    """A code was replaced in this widget by this text."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.table: dict[str, str] = {}
        self._busy = False
        self._reads = 0  # only the newest read's table is taken

    def set_table(self, table: dict[str, str]) -> None:
        self.table = dict(table)

    def load(self, library: Library) -> None:
        """Read the table from the library off the GUI thread (again after it changes)."""

        self._reads += 1
        read = self._reads

        def done(table: dict[str, str]) -> None:
            # Reads run side by side: one begun before the table changed can answer last.
            if shiboken6.isValid(self) and read == self._reads:
                self.set_table(table)

        run_task(library.code_replacements, on_done=done)

    def attach(self, widget: QLineEdit | QPlainTextEdit | QTextEdit) -> None:
        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(lambda _t, w=widget: self._line_edited(w))
        else:
            document = widget.document()
            document.contentsChange.connect(
                lambda pos, removed, added, w=widget: self._text_changed(w, pos, added)
            )

    # ---- the hooks -----------------------------------------------------------------------
    def _line_edited(self, widget: QLineEdit) -> None:
        if self._busy or not self.table:
            return
        cursor = widget.cursorPosition()
        found = code_before(widget.text(), cursor, self.table)
        if found is None:
            return
        start, replacement = found
        self._busy = True
        try:
            widget.setSelection(start, cursor - start)
            widget.insert(replacement)  # one step of the field's own undo
        finally:
            self._busy = False
        # insert() is not an edit to Qt; to the form it is: it must be saved.
        widget.textEdited.emit(widget.text())
        self.sig_expanded.emit(widget, replacement)

    def _text_changed(self, widget: QPlainTextEdit | QTextEdit, pos: int, added: int) -> None:
        if self._busy or not self.table or not 0 < added <= TYPED_AT_MOST:
            return
        end = pos + added
        block = widget.document().findBlock(end)
        found = code_before(block.text(), end - block.position(), self.table)
        if found is None:
            return
        start = block.position() + found[0]
        code = block.text()[found[0] : end - block.position()]
        # A document must not be edited while it reports a change (Qt aborts): the
        # replacement follows at once, after checking the code is still where it was.
        QTimer.singleShot(0, widget, lambda: self._replace(widget, start, code, found[1]))

    def _replace(
        self, widget: QPlainTextEdit | QTextEdit, start: int, code: str, text: str
    ) -> None:
        if not shiboken6.isValid(widget):
            return
        document = widget.document()
        cursor = QTextCursor(document)
        end = start + len(code)
        if end > document.characterCount():
            return
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        if cursor.selectedText() != code:
            return  # typed over meanwhile: leave it
        view_cursor = widget.textCursor()
        at_code_end = view_cursor.position() == end and not view_cursor.hasSelection()
        self._busy = True
        try:
            cursor.insertText(text)
        finally:
            self._busy = False
        if at_code_end:
            widget.setTextCursor(cursor)
        self.sig_expanded.emit(widget, text)
