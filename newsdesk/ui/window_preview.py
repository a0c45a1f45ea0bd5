"""The main window's live preview: created after the first paint, placed beside or below the
editor, kept on the open article, and scrolled with the editor."""

from __future__ import annotations

import sys
import time
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QPaintEvent
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from newsdesk.library import Article, Library
from newsdesk.ui.article_form import ArticleForm
from newsdesk.ui.autosave import Autosaver
from newsdesk.ui.display import display_without_gl
from newsdesk.ui.editor import MarkdownEditor
from newsdesk.ui.frame_gate import FrameGate
from newsdesk.ui.preview_place import PROSE, PreviewPlacer


class PreviewHost:
    """The main window's side of the preview (a mixin for MainWindow, which holds what is declared here)."""

    library: Library
    article: Article | None
    form: ArticleForm
    editor: MarkdownEditor
    frame_gate: FrameGate
    autosave: Autosaver
    preview_note: QLabel
    preview_action: QAction
    place_actions: dict[str, QAction]
    preview_place: PreviewPlacer
    sig_first_paint: Signal
    sig_preview_ready: Signal

    def _build_preview_holder(self) -> QWidget:
        """Where the preview will go, with a placeholder until QtWebEngine has started."""
        self.preview: Any = None
        self.preview_ready = False
        self.first_paint_at: float | None = None
        self._painted = False
        self.preview_holder = QWidget()
        self.preview_holder.setObjectName("preview-holder")
        self._preview_layout = QVBoxLayout(self.preview_holder)
        self._preview_layout.setContentsMargins(0, 0, 0, 0)
        self._preview_placeholder = QLabel("Preview starting…")
        self._preview_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._preview_placeholder.setForegroundRole(self.palette().ColorRole.PlaceholderText)
        self._preview_layout.addWidget(self._preview_placeholder)
        self.surface_keeper = prepare_preview_surface(self.preview_holder)
        return self.preview_holder

    def _follow_the_editor(self) -> None:
        """The preview scrolls with the editor's cursor and scroll bar, a moment behind."""
        self._sync_from_cursor = False
        self._ignore_cursor_sync = False
        self._sync_timer = QTimer(self, singleShot=True, interval=30)
        self._sync_timer.timeout.connect(self._sync_preview_scroll)
        self.editor.sig_line_changed.connect(self._on_cursor_line)
        self.editor.verticalScrollBar().valueChanged.connect(self._on_editor_scrolled)

    # ---- first paint, then the preview -----------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_paint_at = time.perf_counter()
            self.sig_first_paint.emit()
            # QtWebEngine takes a while to start: only once the window is on screen.
            QTimer.singleShot(0, self, self.create_preview)  # dropped if the window goes first

    def create_preview(self) -> None:
        """Build the live preview (QtWebEngine starts here, after the first paint)."""
        if self.preview is not None:
            return
        try:
            from newsdesk.ui.preview import PreviewPane

            preview = PreviewPane(self.library, self.preview_holder)
        except Exception as exc:  # a broken preview must never take the editor down with it
            self._preview_placeholder.setText(f"The preview could not start:\n{exc}")
            self._preview_placeholder.setWordWrap(True)
            self.preview_note.setText("No preview: it failed to start (see the preview pane).")
            return
        self.preview = preview
        self._preview_layout.removeWidget(self._preview_placeholder)
        self._preview_placeholder.deleteLater()
        self._preview_layout.addWidget(preview)
        preview.sig_ready.connect(self._on_preview_ready)
        self.frame_gate.watch(preview)
        preview.sig_block_clicked.connect(self._on_preview_clicked)
        # Says so when QtWebEngine is missing and a simpler preview is shown.
        self.preview_note.setText(getattr(preview, "status_message", ""))
        if self.article is not None:
            self._show_in_preview()

    def _on_preview_ready(self) -> None:
        self.preview_ready = True
        self.preview_note.setText(getattr(self.preview, "status_message", ""))
        self.sig_preview_ready.emit()

    def _show_in_preview(self) -> None:
        """Full render of the open article as the editor has it now (saved or not)."""
        if self.preview is None or self.article is None:
            return
        self.preview.show_article(self.article)
        if self.autosave.dirty:
            self.preview.update_fields(**self.form.preview_fields())
            self.preview.update_body(self.editor.toPlainText())

    def toggle_preview(self, on: bool | None = None) -> None:
        """Ctrl+Shift+P: hide the preview, or bring it back where it was (beside or below)."""
        visible = self.preview_holder.isHidden() if on is None else bool(on)
        self.preview_place.show_preview(visible)
        self._show_preview_place()

    def set_preview_place(self, place: str) -> None:
        """View > Preview place: beside the editor, below it, or hidden."""
        self.preview_place.set_place(place)
        self._show_preview_place()

    def _show_preview_place(self) -> None:
        place = self.preview_place.place
        self.preview_action.setChecked(place != "hidden")
        self.place_actions[place].setChecked(True)

    def _editor_readable_width(self, editor_pane: QWidget) -> int:
        """The narrowest the editor pane may be with the preview beside it: its fields fit and
        the body keeps a readable measure too."""
        body = self.editor.fontMetrics().horizontalAdvance(PROSE[:45]) + 40
        return max(editor_pane.minimumSizeHint().width(), body)

    # ---- scroll sync -------------------------------------------------------------------
    def _on_cursor_line(self, _line: int) -> None:
        if self._ignore_cursor_sync:
            return
        self._sync_from_cursor = True
        self._sync_timer.start()

    def _on_editor_scrolled(self, _value: int) -> None:
        if not self._sync_timer.isActive():
            self._sync_from_cursor = False
        self._sync_timer.start()

    def _sync_preview_scroll(self) -> None:
        if self.preview is None or self.article is None:
            return
        if self._sync_from_cursor:
            self.preview.scroll_to_line(*self.editor.caret_place())
        else:
            self.preview.scroll_to_line(self.editor.first_visible_line())

    def _on_preview_clicked(self, line: int) -> None:
        self._ignore_cursor_sync = True
        try:
            self.editor.go_to_line(line)
        finally:
            self._ignore_cursor_sync = False
        self.editor.setFocus(Qt.FocusReason.MouseFocusReason)


def prepare_preview_surface(holder: QWidget) -> QWidget | None:
    """Make the window's first frame the kind of surface the web preview will need.

    QtWebEngine draws through the GPU (Qt's RHI). Added to a window that was
    first shown as a plain raster window, it makes Qt destroy the top-level window
    and create it again: it flickers, loses the keyboard focus and its place, and
    keys typed meanwhile are lost. A hidden RHI widget present before the first
    show makes Qt create the window GPU-backed from the start, so the preview,
    arriving later, fits the window it finds. Only on a real display: offscreen
    (tests, screenshots) has no GPU surface and never re-creates windows.
    """
    app = QApplication.instance()
    platform = app.platformName() if isinstance(app, QApplication) else ""
    if (
        platform in ("offscreen", "minimal", "vnc", "")
        or "PySide6.QtWebEngineWidgets" not in sys.modules
        or display_without_gl(platform)  # no GPU surface to be had: the simple preview
    ):
        return None
    try:
        from PySide6.QtWidgets import QRhiWidget
    except ImportError:  # Qt before 6.7: the window is re-created once, as before
        return None
    keeper = QRhiWidget(holder)
    keeper.setObjectName("preview-surface")
    keeper.setFixedSize(1, 1)
    keeper.hide()
    return keeper
