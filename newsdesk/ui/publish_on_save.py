"""File > Publish on save: after each save, the same incremental export as `export --all --watch`, on a worker."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QWidget

from newsdesk import settings as user_settings
from newsdesk.library import Library
from newsdesk.text import counted
from newsdesk.ui.workers import run_task

# Saves come in bursts (autosave, a figure added, a tag): publish once after them.
SETTLE_MS = 150


class PublishOnSave(QObject):
    """Republishes the site to a remembered folder after every change to the library."""

    sig_status = Signal(str)  # one line for the status bar
    sig_published = Signal(object)  # the ExportReport

    def __init__(self, library: Library, ops, settings: QSettings, parent: QWidget) -> None:
        super().__init__(parent)
        self.library = library
        self.settings = settings
        self._window = parent
        self._running = False
        self._again = False
        self._timer = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._timer.timeout.connect(self.publish_now)
        self.action = QAction("&Publish on save", parent, checkable=True)
        self.action.setChecked(
            user_settings.read(settings, user_settings.PUBLISH_ON_SAVE) and bool(self.folder())
        )
        self.action.toggled.connect(self._toggled)
        ops.sig_library_changed.connect(lambda _changes, _initiator: self.schedule())

    def folder(self) -> str:
        return user_settings.read(self.settings, user_settings.PUBLISH_FOLDER)

    def _toggled(self, on: bool) -> None:
        if on and not self.folder():
            chosen = QFileDialog.getExistingDirectory(self._window, "Publish the site into")
            if not chosen:
                self.action.setChecked(False)
                return
            user_settings.write(self.settings, user_settings.PUBLISH_FOLDER, chosen)
        user_settings.write(self.settings, user_settings.PUBLISH_ON_SAVE, on)
        if on:
            self.schedule()

    def schedule(self) -> None:
        if self.action.isChecked():
            self._timer.start()

    def publish_now(self) -> None:
        if self._running:
            self._again = True  # a save arrived while publishing: publish once more after
            return
        from newsdesk.export.incremental import publish

        self._running = True
        library, out = self.library, Path(self.folder())
        run_task(lambda: publish(library, out), self._done, self._failed)

    def _done(self, report) -> None:
        self._running = False
        self.sig_published.emit(report)
        said = f"Published to {self.folder()} in {report.seconds:.2f} s."
        if report.held_back:
            # Not a clean "Published": name what the site is missing (File > Export… lists why).
            names = ", ".join(f.slug for f in islice(report.failed, 3))
            more = report.held_back - min(3, len(report.failed))
            said += (
                f" {counted(report.held_back, 'story', 'stories')} NOT on the site because of "
                f"problems: {names}{f' and {more:,} more' if more > 0 else ''} "
                "(File > Export… says why)."
            )
        self.sig_status.emit(said)
        self._next()

    def _failed(self, exc: BaseException) -> None:
        from newsdesk.ui.ops import failure_message

        self._running = False
        self.sig_status.emit(f"Not published: {failure_message(exc)}")
        self._next()

    def _next(self) -> None:
        if self._again:
            self._again = False
            self.schedule()
