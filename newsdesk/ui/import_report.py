"""The image panel's import report: what a batch import did, shown whole above the grids.

`ReportBar` is the strip (a scrolling label and a close button); `report_html`
and `report_text` put an ImportReport into words for it and its tooltip.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QToolButton, QWidget

from newsdesk.images.library_import import ImportReport

REPORT_LIMIT = 12  # failures listed in the panel; the tooltip holds them all
REPORT_MAX_HEIGHT = 200  # a longer import report scrolls instead of pushing the grids away


class ReportArea(QScrollArea):
    """The import report: a wrapped label shown whole, scrolling only past REPORT_MAX_HEIGHT.

    A word-wrapped label in a row of a splitter pane gets its one-line-wide size
    hint, not the height its wrapped text needs, and the last lines were cut
    off; this area asks the label how tall it is at the width it has.
    """

    def __init__(self, label: QLabel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        # Height the panel found room for (see ImagesPanel._make_room_for_report):
        # the report keeps at least this much while the rest keeps its minimum.
        self.granted = 0
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(label)

    def fit(self) -> None:
        """Ask for the height the label's text needs at this width (up to the cap).

        The minimum stays at a few lines: when the pane is short of room the
        report scrolls rather than being clipped by its row.
        """
        needed = self.label.heightForWidth(self.viewport().width())
        if needed < 0:
            needed = self.label.sizeHint().height()
        wanted = min(needed, REPORT_MAX_HEIGHT)
        floor = min(wanted, max(self.fontMetrics().lineSpacing() * 3, self.granted))
        if (self.minimumHeight(), self.maximumHeight()) != (floor, wanted):
            self.setMinimumHeight(floor)
            self.setMaximumHeight(wanted)
            self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(super().sizeHint().width(), self.maximumHeight())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.fit()


class ReportBar(QWidget):
    """The strip that shows the last import's report (or one sentence), with a button to dismiss it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("")
        self.label.setObjectName("import-report")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QToolButton()
        self.close_button.setText("\u2715")
        self.close_button.setAccessibleName("Dismiss the import report")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        self.area = ReportArea(self.label)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.area, 1)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def say(self, html_text: str, *, tooltip: str = "") -> None:
        """Show this (rich text); the tooltip and a screen reader get the plain words."""
        self.area.granted = 0
        self.label.setText(html_text)
        self.label.setToolTip(tooltip)
        self.label.setAccessibleName(tooltip or html_text)
        self.show()
        self.area.fit()


def report_text(report: ImportReport) -> str:
    if report.error:
        return report.error
    lines = [report.summary]
    lines += [f"{f.path.name}: {f.message}" for f in report.failed if f.message != "cancelled"]
    return "\n".join(lines)


def report_html(report: ImportReport) -> str:
    if report.error:  # the whole batch was refused: one reason, not one line per file
        return f"<b>{esc(report.error)}</b>"
    n = len(report.imported)
    cancelled = [f for f in report.failed if f.message == "cancelled"]
    failed = [f for f in report.failed if f.message != "cancelled"]
    parts = [f"<b>Imported {n} picture{'s' if n != 1 else ''}.</b>"]
    if cancelled:
        parts.append(f"Cancelled: {len(cancelled)} not imported.")
    if failed:
        items = "".join(
            f"<li>{esc(f.message if f.path.name in f.message else f'{f.path.name}: {f.message}')}</li>"
            for f in failed[:REPORT_LIMIT]
        )
        more = len(failed) - REPORT_LIMIT
        tail = f"<li>…and {more} more (hover for all)</li>" if more > 0 else ""
        parts.append(
            f"<b>{len(failed)} could not be imported:</b>"
            f"<ul style='margin-left:12px; -qt-list-indent:0'>{items}{tail}</ul>"
        )
    return " ".join(parts)


def esc(text: str) -> str:
    return html.escape(text, quote=False)
