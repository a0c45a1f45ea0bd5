"""The Markdown body editor: highlighting and smart pasting (find and replace: ui/find_bar.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QMimeData, QPoint, QRegularExpression, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QImage,
    QKeyEvent,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QPlainTextEdit,
    QWidget,
)

from newsdesk.ui.editor_text import (
    FIRST_COLOURED_BLOCKS,
    BlockRepaintLayout,
    ColourBackfill,
    TextMirror,
)
from newsdesk.ui.find_bar import FindBar  # noqa: F401 (the window imports both from here)

# A body longer than this many blocks is coloured again a little at a time, not all at once.
LONG_RECOLOUR_BLOCKS = 2 * FIRST_COLOURED_BLOCKS

_URL = re.compile(r"^(?:https?://|mailto:)\S+$", re.IGNORECASE)
# A picture on its own: the body always shows it as a block (a figure with its caption).
_PICTURE_ONLY = re.compile(r"!\[(?:[^\]\\]|\\.)*\]\([^)\s]+\)")

# Block states of the highlighter: prose, inside a fenced code block, inside front matter
# (a first line "---" up to the next "---"; only spell checking treats it differently).
_NORMAL, _IN_FENCE, _IN_FRONT_MATTER = 0, 1, 2


def _picture_files(source: QMimeData) -> list[Path]:
    """The local picture files among what was pasted or dropped."""
    from newsdesk.images.model import is_image_path

    if not source.hasUrls():
        return []
    paths = [Path(u.toLocalFile()) for u in source.urls() if u.isLocalFile()]
    return [p for p in paths if is_image_path(p)]


class MarkdownHighlighter(QSyntaxHighlighter):
    """Colours the Markdown a reporter writes: headings, emphasis, links, images, quotes, lists.

    Colours come from the widget's palette roles, so light and dark themes both read well.
    """

    def __init__(self, document: QTextDocument, palette: QPalette) -> None:
        super().__init__(document)
        self._rules: list[tuple[QRegularExpression, QTextCharFormat, int]] = []
        # Spell checking (newsdesk.ui.spell.BlockSpelling) underlines prose blocks after
        # the Markdown colours are set, so both show; None until a checker is attached.
        self.spelling: Any = None
        # True while colours are redrawn without an edit: Qt reports that as a text change
        # (textChanged), which must not count as one (no save, no preview update).
        self.restyling = False
        # While a new body is set: blocks from this number on get their state only, and
        # are coloured afterwards (ColourBackfill), so opening a long story is quick.
        self.colour_below: int | None = None
        # Colours every block again a little at a time (the editor's ColourBackfill); None:
        # all at once. A long body recoloured at once (a new spelling language, a new palette)
        # held the window: 90,000 lines took seconds, four times over while a story opened.
        self.recolour_later: Callable[[], None] | None = None
        self.set_palette(palette)

    def rehighlight(self) -> None:
        document = self.document()
        long = document is not None and document.blockCount() > LONG_RECOLOUR_BLOCKS
        if long and self.recolour_later is not None:
            self.recolour_later()
            return
        self.restyling = True
        try:
            super().rehighlight()
        finally:
            self.restyling = False

    def rehighlightBlock(self, block) -> None:  # noqa: N802 (Qt name)
        self.restyling = True
        try:
            super().rehighlightBlock(block)
        finally:
            self.restyling = False

    def set_palette(self, palette: QPalette) -> None:
        def fmt(
            *,
            role: QPalette.ColorRole | None = None,
            bold: bool = False,
            italic: bool = False,
            fixed: bool = False,
        ) -> QTextCharFormat:
            f = QTextCharFormat()
            if role is not None:
                f.setForeground(palette.color(role))
            if bold:
                f.setFontWeight(QFont.Weight.Bold)
            if italic:
                f.setFontItalic(True)
            if fixed:
                f.setFontFamilies([QFontDatabase.systemFont(QFontDatabase.FixedFont).family()])
            return f

        muted = QPalette.ColorRole.PlaceholderText
        link = QPalette.ColorRole.Link
        self.heading_format = fmt(bold=True, role=link)
        self.quote_format = fmt(role=muted, italic=True)
        self.code_format = fmt(role=muted, fixed=True)
        self.fence_format = self.code_format
        R = QRegularExpression
        # (pattern, format, capture group to colour; 0 = the whole match)
        self._rules = [
            (R(r"^\s{0,3}#{1,6}\s.*$"), self.heading_format, 0),
            (R(r"^\s{0,3}>.*$"), self.quote_format, 0),
            (R(r"^\s*(?:[*+-]|\d+[.)])(?=\s)"), fmt(role=link, bold=True), 0),
            (R(r"^\s{0,3}(?:[-*_]\s*){3,}$"), fmt(role=muted, bold=True), 0),
            (R(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), fmt(bold=True), 0),
            (R(r"(?<![*\w])\*(?=[^\s*])([^*]+?)(?<=\S)\*(?!\*)"), fmt(italic=True), 0),
            (R(r"(?<![_\w])_(?=[^\s_])([^_]+?)(?<=\S)_(?![_\w])"), fmt(italic=True), 0),
            (R(r"!\[[^\]]*\]\([^)]*\)"), fmt(role=link, italic=True), 0),
            (R(r"(?<!!)\[[^\]]+\](?=\()"), fmt(role=link), 0),
            (R(r"(?<=\])\([^)\s]*(?:\s+\"[^\"]*\")?\)"), fmt(role=muted), 0),
            (R(r"<https?://[^>\s]+>"), fmt(role=link), 0),
            (R(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$"), fmt(role=muted), 0),
            (R(r"`[^`]+`"), self.code_format, 0),
        ]
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt override)
        fence = text.lstrip().startswith(("```", "~~~"))
        if self.previousBlockState() == _IN_FENCE:
            self.setFormat(0, len(text), self.fence_format)
            self.setCurrentBlockState(_NORMAL if fence else _IN_FENCE)
            return
        if fence:
            self.setFormat(0, len(text), self.fence_format)
            self.setCurrentBlockState(_IN_FENCE)
            return
        previous = self.previousBlockState()
        if previous == _IN_FRONT_MATTER:
            ends = text.strip() in ("---", "...")
            self.setCurrentBlockState(_NORMAL if ends else _IN_FRONT_MATTER)
        elif text.strip() == "---" and self.currentBlock().blockNumber() == 0:
            self.setCurrentBlockState(_IN_FRONT_MATTER)
        else:
            self.setCurrentBlockState(_NORMAL)
        if self.colour_below is not None and self.currentBlock().blockNumber() >= self.colour_below:
            return
        for pattern, char_format, group in self._rules:
            it = pattern.globalMatch(text)
            while it.hasNext():
                m = it.next()
                self.setFormat(m.capturedStart(group), m.capturedLength(group), char_format)
        if (
            self.spelling is not None
            and self.currentBlockState() == _NORMAL
            and previous != (_IN_FRONT_MATTER)
        ):
            self.spelling.underline(text)


class MarkdownEditor(QPlainTextEdit):
    """The article body: plain Markdown text with highlighting and writer's conveniences."""

    sig_line_changed = Signal(int)
    """The cursor moved to another 0-based source line, or to another row of a wrapped one."""
    sig_pictures_pasted = Signal(object, object)
    """Pictures were pasted or dropped into the body: (file paths, QImage or None) to import."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A keystroke repaints the block it changed, and reading the text costs the edit,
        # not the document (see editor_text): the window does both on every key.
        document = QTextDocument(self)
        layout = BlockRepaintLayout(document)
        document.setDocumentLayout(layout)
        self.setDocument(document)
        self._mirror = TextMirror(document)
        self.setObjectName("body-editor")
        self.setAccessibleName("Article body (Markdown)")
        self.setPlaceholderText("Write the story in Markdown…")
        self._apply_font()
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setTabChangesFocus(False)
        self.document().setDocumentMargin(12)
        self.highlighter = MarkdownHighlighter(self.document(), self.palette())
        self.backfill = ColourBackfill(self, self.highlighter, layout)
        self.highlighter.recolour_later = self._recolour_progressively
        self._last_place = (0, 0)  # the cursor's source line and row on screen within it
        self.cursorPositionChanged.connect(self._on_cursor_moved)

    def _apply_font(self) -> None:
        # Prose reads best in the system's proportional font, a little larger than UI text.
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
        font.setPointSizeF(max(font.pointSizeF(), 10.0) + 1.5)
        self.setFont(font)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.highlighter.set_palette(self.palette())

    # ---- text -----------------------------------------------------------
    def toPlainText(self) -> str:  # noqa: N802 (Qt name)
        """The body, as QPlainTextEdit.toPlainText() gives it, kept current edit by edit."""
        return self._mirror.text()

    def set_text(self, text: str) -> None:
        """Load a new body: resets undo history (a different article).

        The first screen's blocks are coloured now, the rest just after (ColourBackfill).
        """
        self.backfill.stop()
        self.highlighter.colour_below = FIRST_COLOURED_BLOCKS
        try:
            self.setPlainText(text)
        finally:
            self.highlighter.colour_below = None
        self.backfill.start(FIRST_COLOURED_BLOCKS)
        self._last_place = (0, 0)

    def replace_all_text(self, text: str) -> None:
        """Replace the whole body as one undoable step (restoring a revision, loading theirs)."""
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        cursor.endEditBlock()

    def insert_markdown(self, text: str) -> None:
        """Insert text at the cursor, undoably; a lone picture goes on a paragraph of its own."""
        if _PICTURE_ONLY.fullmatch(text.strip()):
            self.insert_block(text.strip())
            return
        self.textCursor().insertText(text)
        self.ensureCursorVisible()

    def insert_block(self, markdown: str) -> None:
        """Insert a block (a picture) after the paragraph the cursor is in, blank lines around it.

        Inside a paragraph a picture would render inline, without its caption;
        so it goes after the paragraph's last line, or on the blank line the
        cursor is on.
        """
        text = self.toPlainText()
        cursor = self.textCursor()
        pos = max(cursor.position(), cursor.anchor())
        line_start = text.rfind("\n", 0, pos) + 1
        line_end = text.find("\n", pos)
        line_end = len(text) if line_end == -1 else line_end
        if text[line_start:line_end].strip():
            # Forward to the end of the paragraph: the line before the next blank line.
            at = line_end
            while at < len(text):
                nxt = text.find("\n", at + 1)
                nxt = len(text) if nxt == -1 else nxt
                if not text[at + 1 : nxt].strip():
                    break
                at = nxt
            point = at
        else:
            point = line_start
        before, after = text[:point], text[point:]
        if not before or before.endswith("\n\n"):
            prefix = ""
        else:
            prefix = "\n" if before.endswith("\n") else "\n\n"
        if not after.strip():
            suffix = "\n" if not after else ""
        elif after.startswith("\n\n"):
            suffix = ""
        else:
            suffix = "\n" if after.startswith("\n") else "\n\n"
        c = QTextCursor(self.document())
        c.setPosition(point)
        c.insertText(prefix + markdown + suffix)
        c.setPosition(point + len(prefix) + len(markdown))
        self.setTextCursor(c)
        self.ensureCursorVisible()

    def set_line_wrap(self, on: bool) -> None:
        self.setLineWrapMode(
            QPlainTextEdit.LineWrapMode.WidgetWidth if on else QPlainTextEdit.LineWrapMode.NoWrap
        )

    # ---- lines (for scroll sync) ------------------------------------------
    def current_line(self) -> int:
        return self.textCursor().blockNumber()

    def caret_place(self) -> tuple[int, float]:
        """The cursor's source line, and how far along that line it stands (0 to 1): in a
        paragraph typed as one long line, the preview shows the part being written."""
        cursor = self.textCursor()
        length = cursor.block().length() - 1  # without the block's end
        return cursor.blockNumber(), (cursor.positionInBlock() / length if length > 0 else 0.0)

    def first_visible_line(self) -> int:
        return self.firstVisibleBlock().blockNumber()

    def go_to_line(self, line: int) -> None:
        block = self.document().findBlockByNumber(max(0, line))
        if not block.isValid():
            block = self.document().lastBlock()
        cursor = QTextCursor(block)
        self.setTextCursor(cursor)
        self.centerCursor()

    def _on_cursor_moved(self) -> None:
        cursor = self.textCursor()
        line, layout = cursor.blockNumber(), cursor.block().layout()
        row = layout.lineForTextPosition(cursor.positionInBlock()).lineNumber() if layout else 0
        if (line, row) != self._last_place:
            self._last_place = (line, row)
            self.sig_line_changed.emit(line)

    # ---- formatting helpers (Insert menu) ------------------------------------
    def wrap_selection(self, before: str, after: str | None = None, placeholder: str = "") -> None:
        after = before if after is None else after
        cursor = self.textCursor()
        selected = cursor.selectedText() or placeholder
        cursor.beginEditBlock()
        cursor.insertText(f"{before}{selected}{after}")
        cursor.endEditBlock()
        if not cursor.hasSelection() and selected == placeholder and placeholder:
            # Select the placeholder so typing replaces it.
            end = cursor.position() - len(after)
            cursor.setPosition(end - len(placeholder))
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            self.setTextCursor(cursor)

    def insert_link(self, url: str = "https://") -> None:
        cursor = self.textCursor()
        text = cursor.selectedText() or "link text"
        cursor.insertText(f"[{text}]({url})")

    def prefix_lines(self, prefix: str) -> None:
        """Put a prefix (heading marks, quote, list bullet) at the start of the selected lines."""
        cursor = self.textCursor()
        start, end = sorted((cursor.position(), cursor.anchor()))
        doc = self.document()
        first = doc.findBlock(start).blockNumber()
        last = doc.findBlock(end).blockNumber()
        cursor.beginEditBlock()
        for n in range(first, last + 1):
            block = doc.findBlockByNumber(n)
            c = QTextCursor(block)
            stripped = re.sub(r"^(#{1,6}\s|>\s?|[-*+]\s)", "", block.text())
            c.movePosition(QTextCursor.MoveOperation.StartOfBlock)
            c.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
            c.insertText(prefix + stripped)
        cursor.endEditBlock()

    # ---- smart paste ------------------------------------------------------
    def canInsertFromMimeData(self, source: QMimeData) -> bool:  # noqa: N802 (Qt override)
        return source.hasImage() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802 (Qt override)
        # A picture (a file, or pixels from a screenshot) is imported into the
        # library and placed here, as the image panel imports it.
        pictures = _picture_files(source)
        if pictures or (source.hasImage() and not source.hasText()):
            image = None if pictures else QImage(source.imageData())
            if pictures or (image is not None and not image.isNull()):
                self.sig_pictures_pasted.emit(pictures, image)
                return
        text = source.text().strip() if source.hasText() else ""
        cursor = self.textCursor()
        if cursor.hasSelection() and _URL.match(text):
            label = cursor.selectedText()
            if "\u2029" not in label:  # a paragraph separator: not a link label
                cursor.insertText(f"[{label}]({text})")
                return
        # Always paste plain text: rich text from a browser has no place in Markdown.
        if source.hasText():
            pasted = source.text()
            if pasted.count("\n") > FIRST_COLOURED_BLOCKS:
                self._insert_uncoloured(cursor, pasted)
            else:
                cursor.insertText(pasted)
            return
        super().insertFromMimeData(source)

    def _recolour_progressively(self) -> None:
        """Every block coloured again: those in view now, the rest from the top a few
        milliseconds at a time (ColourBackfill), as when a long story opens."""
        document = self.document()
        first = self.firstVisibleBlock().blockNumber()
        bottom = self.cursorForPosition(QPoint(0, max(0, self.viewport().height() - 1)))
        for number in range(max(0, first), bottom.blockNumber() + 1):
            self.highlighter.rehighlightBlock(document.findBlockByNumber(number))
        self.backfill.start(0)

    def _insert_uncoloured(self, cursor: QTextCursor, text: str) -> None:
        """A long paste lands now and is coloured a few milliseconds at a time after it, in-view
        lines first (ColourBackfill), as a long story is when it opens: colouring 90,000 pasted
        lines at once held the window for seconds."""
        first = cursor.blockNumber()
        if self.backfill.running:  # still colouring what was opened: go on from there
            first = min(first, self.backfill.reached)
        self.backfill.stop()
        self.highlighter.colour_below = first
        try:
            cursor.insertText(text)
        finally:
            self.highlighter.colour_below = None
        self.backfill.start(first)
        self.ensureCursorVisible()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        self.backfill.typed()
        # Shift+Tab leaves the body for the form, so the keyboard path works both ways.
        if event.key() == Qt.Key.Key_Backtab:
            # QPlainTextEdit refuses focus moves while Tab types a tab; QWidget's own does not.
            QWidget.focusNextPrevChild(self, False)
            return
        super().keyPressEvent(event)
