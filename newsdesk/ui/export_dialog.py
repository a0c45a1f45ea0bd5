"""File > Export… and Export Selected…: the whole site, the open article or the stories chosen in the
list, exported in the background with progress and cancel."""

from __future__ import annotations

import glob
import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from newsdesk import settings as user_settings
from newsdesk.library import Library, LibraryError
from newsdesk.ui.workers import run_task


class ExportDialog(QDialog):
    """Choose what and where, then watch the export run; the report stays on screen at the end."""

    sig_finished = Signal(object)
    """The export ended: an ExportReport, or the exception that stopped it."""

    def __init__(
        self,
        library: Library,
        article_slug: str | None,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
        selected_ids: Sequence[int] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.library = library
        self.article_slug = article_slug
        self.selected_ids = list(selected_ids)
        self.settings = settings if settings is not None else QSettings()
        self._cancel = threading.Event()
        self.running = False
        self.report = None
        self._exported_alone: str | None = None  # the slug of the story the last export was

        self.whole_site = QRadioButton(
            "The whole site (every published article, listings, feed, sitemaps)"
        )
        self.this_article = QRadioButton("Only the open article (added to the site in that folder)")
        self.whole_site.setChecked(True)
        self.this_article.setEnabled(article_slug is not None)
        n = len(self.selected_ids)
        chosen = "The story" if n == 1 else f"The {n:,} stories"
        self.selected = QRadioButton(
            f"{chosen} selected in the list (added to the site in that folder)"
        )
        self.selected.setVisible(n > 0)
        if n:  # Export Selected…: what was chosen is what goes
            self.selected.setChecked(True)

        self.folder = QLineEdit(user_settings.read(self.settings, user_settings.EXPORT_LAST_FOLDER))
        self.folder.setPlaceholderText("Folder to write the site into")
        self.folder.setAccessibleName("Export folder")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self.choose_folder)
        folder_label = QLabel("&Folder:")
        folder_label.setBuddy(self.folder)
        row = QHBoxLayout()
        row.addWidget(folder_label)
        row.addWidget(self.folder, 1)
        row.addWidget(browse)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setAccessibleName("Export progress")
        self.progress.hide()  # shown once an export starts: an idle "0%" reads as stuck
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setPlaceholderText("Problems found during the export are listed here.")
        self.details.setVisible(False)

        self.buttons = QDialogButtonBox()
        self.start_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel_or_close)
        # Once the pages are written: look at them in the browser, or at the folder.
        self.open_button = self.buttons.addButton(
            "&Open the Site", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.open_button.clicked.connect(self.open_site)
        self.folder_button = self.buttons.addButton(
            "&Show in Folder", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.folder_button.clicked.connect(self.show_folder)
        self.open_button.hide()
        self.folder_button.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self.whole_site)
        layout.addWidget(self.this_article)
        layout.addWidget(self.selected)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.buttons)
        self.resize(560, 220)

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Export into folder", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def start(self) -> None:
        """Run the export on a worker; the dialog only draws progress."""
        from newsdesk.export import export_articles, export_site

        target = self.folder.text().strip()
        if not target:
            self.status.setText("Choose a folder to export into.")
            self.folder.setFocus()
            return
        out = Path(target).expanduser()
        user_settings.write(self.settings, user_settings.EXPORT_LAST_FOLDER, str(out))
        self._cancel.clear()
        self.running = True
        self.report = None
        self.open_button.hide()
        self.folder_button.hide()
        self.start_button.setEnabled(False)
        self.cancel_button.setText("Cancel")
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText(f"Exporting to {out}…")
        library, cancel = self.library, self._cancel
        only = self.article_slug if self.this_article.isChecked() else None
        self._exported_alone = only  # what Open shows, whatever is ticked by the time it is done
        chosen = list(self.selected_ids) if self.selected.isChecked() else []

        def work(report_progress):
            def progress(done: int, total: int) -> None:
                report_progress((done, total))

            slugs = [only] if only else []
            # Their slugs are read here, on the worker (a story renamed meanwhile goes by its new one).
            for i in range(0, len(chosen), 10_000):  # all of a large library, in one read each
                slugs += [s.slug for s in library.list_articles(ids=chosen[i : i + 10_000])]
            if slugs:
                return export_articles(library, slugs, out, progress=progress, cancel=cancel)
            if chosen:
                raise LibraryError("The selected stories are no longer in the library.")
            return export_site(library, out, progress=progress, cancel=cancel)

        run_task(work, self._on_done, self._on_error, self._on_progress)

    def _on_progress(self, value) -> None:
        done, total = value
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    def _finish(self) -> None:
        self.running = False
        self.start_button.setEnabled(True)
        self.cancel_button.setText("Close")
        self.progress.setRange(0, 1)

    def _on_done(self, report) -> None:
        self._finish()
        self.report = report
        self.progress.setValue(1)
        self.status.setText(report.summary())
        problems = report.problem_lines()
        self.details.setPlainText("\n".join(problems))
        self.details.setVisible(bool(problems))
        page = self.page_to_open()
        if page is not None:
            one = page.name == "index.html" and page.parent != Path(report.out_dir)
            self.open_button.setText("&Open the Page" if one else "&Open the Site")
        self.open_button.setVisible(page is not None)
        self.folder_button.setVisible(Path(report.out_dir).is_dir())
        (self.open_button if page is not None else self.cancel_button).setFocus()
        self.sig_finished.emit(report)

    def page_to_open(self) -> Path | None:
        """What Open shows: the one story exported alone, else the site's front page."""
        report = self.report
        if report is None:
            return None
        out = Path(report.out_dir)
        slug = self._exported_alone
        if slug:
            # Written now, or unchanged since the last export (then not in the report).
            written = [o.path for o in report.written if o.slug == slug and o.path]
            pages = [out / p for p in written] or sorted(
                out.glob(f"*/{glob.escape(slug)}/index.html")
            )
            if pages and pages[0].is_file():
                return pages[0]
        front = out / "index.html"
        if front.is_file():
            return front
        for outcome in report.written:  # no front page: the first story written
            if outcome.path and (out / outcome.path).is_file():
                return out / outcome.path
        return None

    def open_site(self) -> None:
        page = self.page_to_open()
        if page is not None and not QDesktopServices.openUrl(QUrl.fromLocalFile(str(page))):
            self.status.setText(f"No web browser could be started; open {page} in one.")

    def show_folder(self) -> None:
        out = Path(self.report.out_dir) if self.report is not None else None
        if out is not None and not QDesktopServices.openUrl(QUrl.fromLocalFile(str(out))):
            self.status.setText(f"No file manager could be started; the site is in {out}.")

    def _on_error(self, exc: BaseException) -> None:
        self._finish()
        self.progress.setValue(0)
        from newsdesk.export import ExportCancelled

        if isinstance(exc, ExportCancelled):
            self.status.setText("Export cancelled; the folder was left as it was.")
        else:
            self.status.setText(f"The export failed: {exc}")
        self.sig_finished.emit(exc)

    def cancel_or_close(self) -> None:
        if self.running:
            self._cancel.set()
            self.status.setText("Cancelling…")
        else:
            self.reject()

    def reject(self) -> None:
        if self.running:  # Escape while running cancels instead of hiding a live export
            self.cancel_or_close()
            return
        super().reject()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.running:
            self.cancel_or_close()
            event.ignore()
            return
        super().closeEvent(event)


def show_export(window, selected_ids: Sequence[int] = ()) -> ExportDialog:
    """Open the export dialog over the main window for its open article (and the stories
    selected in the list, for Export Selected…)."""
    article = getattr(window, "article", None)
    dialog = ExportDialog(
        window.library,
        article.slug if article is not None else None,
        window,
        selected_ids=selected_ids,
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
