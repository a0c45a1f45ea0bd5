"""Export Originals…: the image panel's dialog that hands on full-size originals with the library's metadata."""

from __future__ import annotations

import html
from pathlib import Path

import shiboken6
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from newsdesk.images.originals import OriginalsReport, export_originals
from newsdesk.ui.workers import run_task


class ExportOriginalsDialog(QDialog):
    """Which pictures (the selected one, or all the grid shows), where, and embedded or as sidecars."""

    def __init__(self, *, current_name: str | None, shown: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export Originals")
        self.one = QRadioButton(
            f"&The selected picture ({current_name})" if current_name else "&The selected picture"
        )
        self.shown = QRadioButton(f"&All {shown} pictures the library list shows")
        self.one.setEnabled(current_name is not None)
        self.shown.setEnabled(shown > 0)
        (self.one if current_name is not None else self.shown).setChecked(True)
        self.sidecars = QCheckBox(
            "Leave the originals untouched and write &XMP sidecars beside them"
        )
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("Folder to write the pictures into")
        self.folder.setAccessibleName("Destination folder")
        browse = QPushButton("&Choose…")
        browse.clicked.connect(self._browse)
        note = QLabel(
            "Each copy carries the library's caption, creator, credit, copyright, alt text and "
            "usage terms in EXIF, IPTC and XMP alike. The library's own files are not changed."
        )
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.folder.textChanged.connect(self._update)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        lay = QVBoxLayout(self)
        for w in (self.one, self.shown, self.sidecars):
            lay.addWidget(w)
        lay.addLayout(row)
        lay.addWidget(note)
        lay.addWidget(self.buttons)
        self._update()

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Export Originals To")
        if chosen:
            self.folder.setText(chosen)

    def _update(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.folder.text().strip()))


def report_html(report: OriginalsReport, folder: Path) -> str:
    """The panel's report line after an export."""
    n = len(report.written)
    parts = [f"<b>Exported {n} original{'s' if n != 1 else ''}</b> to {html.escape(str(folder))}."]
    parts += [html.escape(item.note) for item in report.written if item.note]
    parts += [html.escape(p) for p in report.problems]
    return "<br>".join(parts)


def export_from_panel(panel, dialog: ExportOriginalsDialog, on_done=None) -> None:
    """Run the export the dialog describes off the GUI thread; the panel shows the outcome."""
    folder = Path(dialog.folder.text().strip()).expanduser()
    library, sidecars = panel.library, dialog.sidecars.isChecked()
    if dialog.one.isChecked() and panel.current is not None:
        ids = [panel.current.id]
    else:
        ids = [row.image.id for row in panel.library_model.rows]

    def work() -> tuple[OriginalsReport, Path]:
        if not folder.is_absolute():
            raise ValueError("Choose a full folder path to export the originals into.")
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"{folder} is a file; choose a folder for the originals.")
        images = [library.get_image(i) for i in ids]
        return export_originals(library, images, folder, sidecars=sidecars), folder

    def done(result) -> None:
        if shiboken6.isValid(panel):
            panel._show_report(report_html(*result))
        if on_done is not None:
            on_done(result[0])

    def failed(exc: BaseException) -> None:
        if isinstance(exc, OSError):
            text = f"{exc.strerror or exc} ({exc.filename or folder})."
        elif isinstance(exc, ValueError):
            text = str(exc)
        else:
            text = "something went wrong inside newsdesk; nothing more was written."
        if shiboken6.isValid(panel):
            panel._show_report(f"<b>Originals not exported:</b> {html.escape(text)}")
        if on_done is not None:
            on_done(None)

    run_task(work, on_done=done, on_error=failed)
