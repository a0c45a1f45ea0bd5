"""The About dialog: name, version and licence from the package metadata, and what it runs on."""

from __future__ import annotations

import html
import platform
from dataclasses import dataclass
from importlib import metadata

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

import newsdesk
from newsdesk.library import Library
from newsdesk.paths import APP_NAME, resource

DEFAULT_SUMMARY = "A desktop newsroom editor."
DEFAULT_LICENCE = "MIT"


@dataclass(frozen=True, slots=True)
class AboutFacts:
    """What the About dialog states, gathered once (also what "Copy details" copies)."""

    name: str
    version: str
    summary: str
    licence: str
    python: str
    qt: str
    pyside: str
    library: str

    def as_text(self) -> str:
        return "\n".join(
            [
                f"{self.name} {self.version}",
                f"Licence: {self.licence}",
                f"Python {self.python}, Qt {self.qt}, PySide6 {self.pyside}",
                f"Library: {self.library}",
            ]
        )


def about_facts(library: Library | None) -> AboutFacts:
    """The facts from the installed package's metadata, with the source tree's defaults."""
    try:
        meta = metadata.metadata(APP_NAME)
        summary = meta.get("Summary") or DEFAULT_SUMMARY
        licence = meta.get("License-Expression") or meta.get("License") or DEFAULT_LICENCE
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        summary, licence = DEFAULT_SUMMARY, DEFAULT_LICENCE
    return AboutFacts(
        name=APP_NAME,
        version=newsdesk.__version__,
        summary=summary,
        licence=licence,
        python=platform.python_version(),
        qt=qVersion(),
        pyside=PySide6.__version__,
        library=str(library.root) if library is not None else "(none open)",
    )


class AboutDialog(QDialog):
    """Help > About newsdesk."""

    def __init__(self, library: Library | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        self.setObjectName("about")
        self.facts = about_facts(library)
        f = self.facts

        icon = QLabel()
        icon.setPixmap(QPixmap(str(resource("icons", "newsdesk-128.png"))))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.title_label = QLabel(
            f"<h2 style='margin:0'>{html.escape(f.name)}</h2>"
            f"<p style='margin-top:2px'>Version {html.escape(f.version)}</p>"
        )
        self.title_label.setObjectName("about-title")
        self.summary_label = QLabel(html.escape(f.summary))
        self.summary_label.setWordWrap(True)
        self.details_label = QLabel(
            f"Licence: {html.escape(f.licence)}<br>"
            f"Python {html.escape(f.python)} · Qt {html.escape(f.qt)} · "
            f"PySide6 {html.escape(f.pyside)}<br>"
            f"Library: <code>{html.escape(f.library)}</code>"
        )
        self.details_label.setObjectName("about-details")
        self.details_label.setWordWrap(True)
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        text = QVBoxLayout()
        text.addWidget(self.title_label)
        text.addWidget(self.summary_label)
        text.addSpacing(8)
        text.addWidget(self.details_label)
        text.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addSpacing(12)
        top.addLayout(text, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)

    def copy_details(self) -> None:
        """Put the version and platform on the clipboard, for a bug report."""
        QGuiApplication.clipboard().setText(self.facts.as_text())
