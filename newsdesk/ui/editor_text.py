"""The body editor's per-keystroke bookkeeping: a layout that repaints one block, and the text kept current by edits.

Both make a keystroke cost the block it changed, not the document: a
20,000-word body is ~130 KB and a 100,000-word one ~600 KB, and the window
reads the body and repaints the editor on every key.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QObject
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QPlainTextDocumentLayout

# Characters QTextDocument.toPlainText() rewrites: paragraph and line separators and the
# frame marks become newlines, a no-break space a plain space. The mirror does the same.
_PLAIN = str.maketrans(
    {"\u2029": "\n", "\u2028": "\n", "\ufdd0": "\n", "\ufdd1": "\n", "\u00a0": " "}
)
# Qt counts positions in UTF-16 units; Python strings count code points. Past U+FFFF the
# two disagree, so a body holding such a character (an emoji) is read whole instead.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class BlockRepaintLayout(QPlainTextDocumentLayout):
    """QPlainTextEdit's layout, repainting only the block a keystroke changed.

    A syntax highlighter re-colouring a block sets its formats, which clears
    that block's layout; Qt's layout then takes the change for an unknown one
    and repaints the whole viewport (every visible line, ~2.5 ms a key). Here
    a change inside one laid-out block is laid out at once, and only that
    block is repainted, unless its height changed (a line wrapped), when the
    blocks below moved and everything is repainted as before.
    """

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._block_count = -1  # as of the last change Qt's own code handled
        self.block_repaints = 0  # changes repainted as one block (for the tests)

    def documentChanged(self, position: int, removed: int, added: int) -> None:  # noqa: N802
        doc = self.document()
        block = doc.findBlock(position)
        if (
            doc.blockCount() == self._block_count
            and block.isValid()
            and block == doc.findBlock(max(0, position + added - 1))
            and block.layout().lineCount() == 0  # cleared by the highlighter's new formats
            and block.lineCount() > 0  # and laid out before that
        ):
            lines = block.lineCount()
            self.blockBoundingRect(block)  # lays the block out again
            if block.lineCount() == lines:
                self.block_repaints += 1
                self.updateBlock.emit(block)
            else:
                self.requestUpdate()
            return
        super().documentChanged(position, removed, added)
        self._block_count = doc.blockCount()


class TextMirror(QObject):
    """A document's plain text, kept current from its contentsChange reports.

    text() equals document.toPlainText(), but an edit costs the characters it
    added rather than a copy of the whole document. Anything the reports
    cannot account for (a length that does not add up, positions past the
    end, characters beyond U+FFFF) makes the next text() read the document
    whole, so the mirror is never wrong, only sometimes no faster.
    """

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._doc = document
        self._text: str | None = None  # None: read the document whole next time
        self.full_reads = 0  # how often text() read the whole document (for the tests)
        document.contentsChange.connect(self._on_change)

    def text(self) -> str:
        text = self._text
        if text is None or len(text) != self._doc.characterCount() - 1:
            text = self._doc.toPlainText()
            self.full_reads += 1
            self._text = None if _ASTRAL.search(text) else text
        return text

    def _on_change(self, position: int, removed: int, added: int) -> None:
        old = self._text
        if old is None:
            return
        length = self._doc.characterCount() - 1  # the document's final separator is not text
        if position < 0 or position + removed > len(old) or position + added > length:
            self._text = None  # e.g. setPlainText, which reports the final separator too
            return
        new = old[:position] + self._read(position, added) + old[position + removed :]
        if len(new) != length or _ASTRAL.search(new, position, position + added):
            self._text = None
            return
        self._text = new

    def _read(self, position: int, count: int) -> str:
        if not count:
            return ""
        cursor = QTextCursor(self._doc)
        cursor.setPosition(position)
        cursor.setPosition(position + count, QTextCursor.MoveMode.KeepAnchor)
        return cursor.selectedText().translate(_PLAIN)
