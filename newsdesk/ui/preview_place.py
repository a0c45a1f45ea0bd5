"""Where the preview sits — beside the editor, below it, or hidden — and keeping it readable.

Beside the editor the preview must keep a readable measure (about 45
characters of the page's body font) and so must the editor. When the window is
too narrow for both side by side, the preview is stacked under the editor
instead of being squeezed to four words a line; it goes back beside the editor
when there is room again. The user's choice is kept in the settings.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QSplitter, QWidget

from newsdesk import settings as user_settings

PLACES = ("beside", "below", "hidden")
READABLE_CHARACTERS = 45  # the shortest line a reader follows comfortably
# The published page's body text (resources/site.css): Georgia at 1.125rem (18 px)
# inside main's padding of 1.25rem a side.
BODY_FAMILIES = ["Georgia", "Times New Roman", "DejaVu Serif", "serif"]
BODY_PIXELS = 18
PAGE_PADDING = 2 * 20
SCROLLBAR = 16
# A line of ordinary prose: characters are counted as a typesetter does, spaces included.
PROSE = "Crews practised boarding in the dark as the council confirmed the timetable"


def body_font() -> QFont:
    font = QFont()
    font.setFamilies(BODY_FAMILIES)
    font.setPixelSize(BODY_PIXELS)
    return font


def characters_fitting(width: float, font: QFont | None = None) -> float:
    """How many characters of prose in the page's body font a preview this wide shows a line."""
    metrics = QFontMetricsF(font or body_font())
    per_char = metrics.horizontalAdvance(PROSE) / len(PROSE)
    return max(0.0, width - PAGE_PADDING - SCROLLBAR) / per_char


def readable_width(font: QFont | None = None, characters: int = READABLE_CHARACTERS) -> int:
    """The narrowest preview (pixels) that still shows `characters` of body text a line."""
    metrics = QFontMetricsF(font or body_font())
    per_char = metrics.horizontalAdvance(PROSE) / len(PROSE)
    return math.ceil(per_char * characters + PAGE_PADDING + SCROLLBAR)


class PreviewPlacer(QObject):
    """Arranges the editor | preview splitter for the chosen place and the width there is."""

    sig_place_changed = Signal(str)
    """The user's choice changed: beside, below or hidden."""

    def __init__(
        self,
        splitter: QSplitter,
        editor_pane: QWidget,
        preview: QWidget,
        *,
        editor_width,
        parent: QObject | None = None,
    ) -> None:
        """editor_width: a function giving the narrowest the editor pane may be beside it."""
        super().__init__(parent)
        self.splitter = splitter
        self.editor_pane = editor_pane
        self.preview = preview
        self.editor_width = editor_width
        self.place = "beside"
        self.shown_place = "beside"  # where the preview comes back to when shown again
        self.preview_width = readable_width()
        self._arranging = False
        splitter.installEventFilter(self)
        splitter.splitterMoved.connect(self._on_moved)

    # ---- the user's choice ------------------------------------------------------------
    def set_place(self, place: str) -> None:
        if place not in PLACES:
            place = "beside"
        changed = place != self.place
        self.place = place
        if place != "hidden":
            self.shown_place = place
        self.arrange()
        if changed:
            self.sig_place_changed.emit(place)

    def show_preview(self, shown: bool) -> None:
        """Hide the preview, or bring it back where it was."""
        self.set_place(self.shown_place if shown else "hidden")

    def restore(self, settings: QSettings, *, shown: bool = True) -> None:
        """The place saved last time (shown: whether the preview was showing then)."""
        place = user_settings.read(settings, user_settings.PREVIEW_PLACE)
        self.shown_place = place if place in ("beside", "below") else "beside"
        self.set_place(self.shown_place if shown and place != "hidden" else "hidden")

    def save(self, settings: QSettings) -> None:
        user_settings.write(settings, user_settings.PREVIEW_PLACE, self.shown_place)

    # ---- what it looks like now ----------------------------------------------------------
    @property
    def stacked(self) -> bool:
        """The preview is shown under the editor (chosen, or for want of width)."""
        return not self.preview.isHidden() and (
            self.splitter.orientation() == Qt.Orientation.Vertical
        )

    def fits_beside(self, width: int | None = None) -> bool:
        """Whether editor and preview both keep a readable measure side by side."""
        width = self.splitter.width() if width is None else width
        return width >= self.editor_width() + self.splitter.handleWidth() + self.preview_width

    def arrange(self) -> None:
        """Lay the splitter out for the chosen place and the splitter's present width."""
        if self._arranging:
            return
        self._arranging = True
        try:
            if self.place == "hidden":
                self.preview.setVisible(False)
                return
            self.preview.setVisible(True)
            beside = self.place == "beside" and self.fits_beside()
            wanted = Qt.Orientation.Horizontal if beside else Qt.Orientation.Vertical
            if self.splitter.orientation() != wanted:
                self.splitter.setOrientation(wanted)
                total = self.splitter.width() if beside else self.splitter.height()
                # Stacked, the editor (under its fields) keeps the larger share.
                first = total - self.preview_width if beside else total * 3 // 5
                self.splitter.setSizes([first, total - first])
            if beside:
                self._keep_preview_readable()
        finally:
            self._arranging = False

    def _keep_preview_readable(self) -> None:
        sizes = self.splitter.sizes()
        if len(sizes) == 2 and 0 < sizes[1] < self.preview_width:
            total = sum(sizes)
            self.splitter.setSizes([total - self.preview_width, self.preview_width])

    # ---- reacting to the width -------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.splitter and event.type() == QEvent.Type.Resize:
            self.arrange()
        return False

    def _on_moved(self, _pos: int, _index: int) -> None:
        if self.place == "beside" and not self._arranging:
            self._arranging = True
            try:
                if self.splitter.orientation() == Qt.Orientation.Horizontal:
                    self._keep_preview_readable()  # the handle stops at a readable measure
            finally:
                self._arranging = False
