"""Progress with Cancel for a list command over many stories (Move to Trash, Set Section, Undo).

The change itself runs on the window's one writer (ui/ops.py) as ONE
transaction; the library reports after each batch of stories
(library/bulk.py). Here that report reaches the GUI thread as a queued
signal and moves a progress dialog; Cancel sets a flag the next report
reads, and the writer then raises `Cancelled`, which rolls the whole
transaction back: nothing changed. Over a few hundred stories or fewer the
change is too quick to watch and no dialog is shown.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from newsdesk.library.errors import Cancelled

SHOWN_FROM = 300  # stories: a change to more of them shows its progress and may be cancelled


class _Relay(QObject):
    sig_progress = Signal(int, int)
    """done, total: emitted on the writer thread, delivered on the GUI thread."""


class BulkProgress(QObject):
    """One list command's progress dialog, and the report the library calls on the writer."""

    sig_progress = Signal(int, int)
    """done, total: on the GUI thread, as the dialog moves."""

    def __init__(self, parent: QWidget, label: str, count: int) -> None:
        super().__init__(parent)
        self.setObjectName("bulk-progress-run")
        self.cancelled = threading.Event()
        self.dialog: QProgressDialog | None = None
        self._relay = _Relay()
        if count <= SHOWN_FROM:
            return
        dialog = QProgressDialog(label, "Cancel", 0, count, parent)
        dialog.setObjectName("bulk-progress")
        dialog.setWindowTitle("Newsdesk")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(0)
        dialog.canceled.disconnect()  # Cancel must not hide it: the writer has yet to stop
        dialog.canceled.connect(self.cancel)
        self._relay.sig_progress.connect(self._show)
        self.dialog = dialog
        dialog.setValue(0)
        dialog.show()

    def report(self, done: int, total: int) -> None:
        """The library's progress callback (the writer thread): raises Cancelled once asked."""
        if self.cancelled.is_set():
            raise Cancelled()
        self._relay.sig_progress.emit(done, total)

    def cancel(self) -> None:
        """Stop at the next batch; the transaction then rolls back."""
        self.cancelled.set()
        if self.dialog is not None:
            self.dialog.setLabelText("Cancelling… nothing will be changed.")

    def _show(self, done: int, total: int) -> None:
        if self.dialog is not None:
            self.sig_progress.emit(done, total)
            # A window-modal progress dialog handles pending events inside setValue (the
            # window stays responsive), so the next report may be shown inside this one.
            self.dialog.setMaximum(max(total, 1))
            self.dialog.setValue(done)

    def finish(self) -> None:
        """The writer is done (committed, failed or cancelled): the dialog goes."""
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self.deleteLater()
