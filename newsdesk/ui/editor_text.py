"""The body editor's per-keystroke bookkeeping: a layout that repaints one block, and the text kept current by edits.

Both make a keystroke cost the block it changed, not the document: a
20,000-word body is ~130 KB and a 100,000-word one ~600 KB, and the window
reads the body and repaints the editor on every key.
"""

from __future__ import annotations

import re
import time
from typing import Any

from PySide6.QtCore import QObject, QPoint, QTimer
from PySide6.QtGui import QTextBlock, QTextCursor, QTextDocument
from PySide6.QtWidgets import QPlainTextDocumentLayout, QPlainTextEdit

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
        # Set while blocks out of view are coloured (ColourBackfill): such a block is
        # neither laid out nor repainted now; Qt lays it out when it comes into view.
        self.offscreen = False

    def documentChanged(self, position: int, removed: int, added: int) -> None:  # noqa: N802
        doc = self.document()
        block = doc.findBlock(position)
        one_block = (
            doc.blockCount() == self._block_count
            and block.isValid()
            and block == doc.findBlock(max(0, position + added - 1))
        )
        if one_block and self.offscreen:
            return
        if (
            one_block
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
        piece = self._read(position, added)
        if removed == added and old[position : position + removed] == piece:
            return  # new colours, same text (the highlighter, the spell checker)
        new = old[:position] + piece + old[position + removed :]
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


# Opening a body colours this many blocks at once (more than a tall screen shows); the
# rest are coloured after, BACKFILL_MS at a time, the window's other events between
# steps. It finishes soon after the story opens (its blocks then go to the spell
# checker, as they did when all were coloured at once), before the reader types.
FIRST_COLOURED_BLOCKS = 150
BACKFILL_MS = 4.0
BACKFILL_GAP_MS = 0
# Blocks out of view wait while the reader types (a key less than this long ago): each
# step would otherwise share the window's time with the keystroke on its way to the preview.
TYPING_PAUSE_S = 0.3


class ColourBackfill(QObject):
    """Colours the blocks a newly opened body left uncoloured, a few milliseconds at a time.

    Colouring a 20,000-word body at once holds the window ~45 ms (~180 ms at
    100,000 words) just when the preview wants to draw its first screen; the
    highlighter colours the first FIRST_COLOURED_BLOCKS when the text is set
    and this does the rest from the top down, blocks in view first. Edits are
    coloured as usual meanwhile. Where it has got to is a cursor, so edits
    above it move it with the text.
    """

    def __init__(self, editor: QPlainTextEdit, highlighter: Any, layout: BlockRepaintLayout):
        super().__init__(editor)
        self._editor = editor
        self._highlighter = highlighter
        self._layout = layout
        self._at: QTextCursor | None = None  # the start of the first block not coloured yet
        self._typed_at = float("-inf")  # time.perf_counter() of the last key
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(BACKFILL_GAP_MS)
        self._timer.timeout.connect(self._step)

    @property
    def running(self) -> bool:
        return self._at is not None

    @property
    def reached(self) -> int:
        """The number of the first block not coloured yet (-1 when done)."""
        return self._at.blockNumber() if self._at is not None else -1

    def typed(self) -> None:
        """A key was pressed: blocks out of view wait until typing pauses."""
        self._typed_at = time.perf_counter()

    def start(self, first_block: int) -> None:
        """Colour every block from this one on (the ones before it are coloured)."""
        block = self._editor.document().findBlockByNumber(first_block)
        if not block.isValid():
            self.stop()
            return
        self._at = QTextCursor(block)
        self._timer.start()

    def stop(self) -> None:
        self._at = None
        self._timer.stop()

    def finish(self) -> None:
        """Colour everything left now (a whole-document search, a test)."""
        while self._at is not None:
            self._step(budget_ms=None)

    def _step(self, budget_ms: float | None = BACKFILL_MS) -> None:
        if self._at is None:
            return
        start = self._at.block()
        deadline = None if budget_ms is None else time.perf_counter() + budget_ms / 1000
        # Blocks in view first: the reader may have scrolled past where this has got to.
        first, last = self._visible_range()
        block = self._editor.document().findBlockByNumber(max(first, start.blockNumber()))
        while block.isValid() and block.blockNumber() <= last:
            # Coloured blocks keep their formats; colouring one again would repaint it
            # on every step until the backfill gets there.
            if not block.layout().formats():
                self._colour(block, offscreen=False)
            block = block.next()
        if budget_ms is not None and time.perf_counter() - self._typed_at < TYPING_PAUSE_S:
            self._timer.start()
            return
        block = start
        while block.isValid() and (deadline is None or time.perf_counter() < deadline):
            self._colour(block, offscreen=not first <= block.blockNumber() <= last)
            block = block.next()
        if not block.isValid():
            self.stop()
            return
        self._at = QTextCursor(block)
        self._timer.start()

    def _colour(self, block: QTextBlock, *, offscreen: bool) -> None:
        self._layout.offscreen = offscreen
        try:
            self._highlighter.rehighlightBlock(block)
        finally:
            self._layout.offscreen = False

    def _visible_range(self) -> tuple[int, int]:
        ed = self._editor
        first = ed.firstVisibleBlock().blockNumber()
        bottom = ed.cursorForPosition(QPoint(0, max(0, ed.viewport().height() - 1)))
        return first, bottom.blockNumber()
