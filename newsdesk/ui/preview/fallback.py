"""The simple preview for systems without QtWebEngine: the same page HTML in a QTextBrowser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QTextBrowser, QWidget

from newsdesk.paths import resource


class TextSurface(QTextBrowser):
    """Shows the rendered page as well as Qt's rich text can; no scripts, so no patching."""

    incremental = False  # every update replaces the whole document
    sig_loaded = Signal(bool)
    """A page was set (always ok)."""
    sig_block_clicked = Signal(str)
    """Never emitted: rich text cannot tell which block was clicked."""
    sig_frame = Signal(str, float)
    """Never emitted: there are no animation frames to report."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)  # a click in the preview never navigates
        self.setOpenExternalLinks(False)
        # Rich text ignores <link rel=stylesheet>; give it the site's CSS directly
        # (it applies the subset it understands).
        try:
            self.document().setDefaultStyleSheet(resource("site.css").read_text(encoding="utf-8"))
        except OSError:
            pass

    def load_page(self, html: str, base_dir: Path, spill_file: Path) -> None:
        self.document().setBaseUrl(QUrl.fromLocalFile(str(base_dir) + "/"))
        # Keep the reader's place: replacing the document would jump to the top.
        bar = self.verticalScrollBar()
        position = bar.value()
        self.setHtml(html)
        bar.setValue(position)
        self.sig_loaded.emit(True)

    def run_js(self, script: str, callback: Callable[[Any], None] | None = None) -> None:
        if callback is not None:
            callback(None)  # there is no script engine here

    def reveal(self, block_id: str | None) -> None:
        if block_id:
            self.scrollToAnchor(block_id)
