"""Progress with Cancel for a list command over many stories (Move to Trash, Set Section, Undo).

The change itself runs on the window's one writer (ui/ops.py) as ONE
transaction; the library reports after each batch of stories and then of
their change-log rows (library/bulk.py), so the bar is full when the work is.
Here that report reaches the GUI thread as a queued signal and moves a
progress dialog; Cancel sets a flag the next report reads, and the writer
then raises `Cancelled`, which rolls the whole transaction back: nothing
changed. The last report (done == total) is the writer's last chance to stop;
after it only the commit is left, so Cancel is disabled and says
"Finishing…", and a click that arrives too late is not taken as a cancel.
Over a few hundred stories or fewer the change is too quick to watch and no
dialog is shown.

What the dialog holds while it runs (why it is not window-modal): the window
it belongs to and the windows above it (the main window, for the trash
window's commands) stop taking input, as a window-modal dialog would make
them, so nobody edits, trashes or moves a story that is being changed. But a
window-modal dialog also blocks every other window of that window (Qt blocks
a modal dialog's parent's whole family): Manage Authors, Preferences, the
trash window would all freeze for a minute of someone else's bulk change,
though nothing they do touches the stories being changed (their writes wait
their turn on the one writer). So the dialog is not modal; instead its
windows' own widgets are disabled and their shortcuts and Close held
(`_Hold`) until it ends. Another library's window was never affected.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QProgressDialog,
    QPushButton,
    QStatusBar,
    QWidget,
)

from newsdesk.library.errors import Cancelled
from newsdesk.ui.workers import object_gone

SHOWN_FROM = 300  # stories: a change to more of them shows its progress and may be cancelled
FINISHING = "Finishing…"


class _Relay(QObject):
    sig_progress = Signal(int, int)
    """done, total: emitted on the writer thread, delivered on the GUI thread."""


class _ProgressDialog(QProgressDialog):
    """A progress dialog that Escape and its title bar's close button cannot hide: both ask to
    cancel, as the button does (the dialog goes when the writer has stopped)."""

    def reject(self) -> None:
        self.canceled.emit()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.property("finished"):
            event.accept()
            return
        event.ignore()
        self.canceled.emit()


_ACTIVE: list[_Hold] = []  # the holds in force (two commands may hold one window at once)


def _release_widget(widget: QWidget, do) -> None:
    try:
        do(widget)
    except RuntimeError as exc:  # deleted meanwhile: nothing to give back
        if not object_gone(exc):
            raise


class _Hold(QObject):
    """The windows a bulk change belongs to, kept from input while it runs (see the module).

    Their widgets (not their child windows; of the status bar, which says what happened,
    only its buttons, such as Undo) are disabled; their shortcuts, keys and Close are held
    by an event filter. Only what was enabled is enabled again, and the focus goes back
    where it was; while another command still holds a window, what it needs held passes to
    that command's hold instead.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__()
        self.windows: list[QWidget] = []
        while window is not None:
            self.windows.append(window)
            parent = window.parentWidget()
            window = parent.window() if parent is not None else None
        focus = QApplication.focusWidget()
        self.focus = focus if focus is not None and focus.window() in self.windows else None
        self.disabled: list[QWidget] = []
        for held in self.windows:
            for child in held.findChildren(
                QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
            ):
                if isinstance(child, QStatusBar):
                    for button in child.findChildren(QAbstractButton):
                        self._disable(button, held)
                elif not child.isWindow():
                    self._disable(child, held)
            held.installEventFilter(self)
        _ACTIVE.append(self)

    def _disable(self, widget: QWidget, held: QWidget) -> None:
        if widget.isEnabledTo(held):
            widget.setEnabled(False)
            self.disabled.append(widget)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # taken here, so no shortcut of the held window fires
            return True
        if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return True
        if kind == QEvent.Type.Close:
            event.ignore()  # the window closes once its change is done
            return True
        return False

    def release(self) -> None:
        if self in _ACTIVE:
            _ACTIVE.remove(self)
        for held in self.windows:
            _release_widget(held, lambda w: w.removeEventFilter(self))
        for widget in self.disabled:
            heir = self._heir(widget)
            if heir is not None:
                heir.disabled.append(widget)  # still held by another command
            else:
                _release_widget(widget, lambda w: w.setEnabled(True))
        if self.focus is not None and self._heir(self.focus) is None:
            _release_widget(self.focus, lambda w: w.setFocus())
        self.windows, self.disabled, self.focus = [], [], None

    @staticmethod
    def _heir(widget: QWidget) -> _Hold | None:
        """Another hold in force over widget's window, if any."""
        try:
            window = widget.window()
        except RuntimeError as exc:
            if object_gone(exc):
                return None
            raise
        return next((hold for hold in _ACTIVE if window in hold.windows), None)


class BulkProgress(QObject):
    """One list command's progress dialog, and the report the library calls on the writer."""

    sig_progress = Signal(int, int)
    """done, total: on the GUI thread, as the dialog moves."""

    def __init__(self, parent: QWidget, label: str, count: int) -> None:
        super().__init__(parent)
        self.setObjectName("bulk-progress-run")
        self.cancelled = threading.Event()
        # Whether the writer is past its last report (only the commit left): decided with
        # the cancel flag under one lock, so a cancel is either honoured or refused, never lost.
        self.finishing = False
        self._lock = threading.Lock()
        self.dialog: QProgressDialog | None = None
        self.cancel_button: QPushButton | None = None
        self._hold: _Hold | None = None
        self._relay = _Relay()
        if count <= SHOWN_FROM:
            return
        dialog = _ProgressDialog(label, "Cancel", 0, count, parent)
        dialog.setObjectName("bulk-progress")
        dialog.setWindowTitle("Newsdesk")
        # Not modal: _Hold keeps the command's own windows from input (see the module).
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("bulk-progress-cancel")
        dialog.setCancelButton(self.cancel_button)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(0)
        dialog.canceled.disconnect()  # Cancel must not hide it: the writer has yet to stop
        dialog.canceled.connect(self.cancel)
        self._relay.sig_progress.connect(self._show)
        self.dialog = dialog
        self._hold = _Hold(parent.window())
        dialog.setValue(0)
        dialog.show()

    def report(self, done: int, total: int) -> None:
        """The library's progress callback (the writer thread): raises Cancelled once asked.

        The report with done == total is the last: after it the writer only commits, so
        from then on a cancel is refused (Cancel says "Finishing…").
        """
        with self._lock:
            if self.cancelled.is_set():
                raise Cancelled()
            if done >= total:
                self.finishing = True
        self._relay.sig_progress.emit(done, total)

    def cancel(self) -> None:
        """Stop at the next report; the transaction then rolls back. Too late once finishing."""
        with self._lock:
            late = self.finishing
            if not late:
                self.cancelled.set()
        if late:
            self._show_finishing()
            return
        if self.dialog is not None:
            self.dialog.setLabelText("Cancelling… nothing will be changed.")
        if self.cancel_button is not None:
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText("Cancelling…")

    def _show(self, done: int, total: int) -> None:
        if self.dialog is not None:
            self.sig_progress.emit(done, total)
            self.dialog.setMaximum(max(total, 1))
            self.dialog.setValue(max(done, 0) if total else 1)
            if done >= total and not self.cancelled.is_set():
                self._show_finishing()

    def _show_finishing(self) -> None:
        if self.cancel_button is not None:
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText(FINISHING)

    def finish(self) -> None:
        """The writer is done (committed, failed or cancelled): the dialog goes, the windows
        take input again."""
        if self._hold is not None:
            self._hold.release()
            self._hold = None
        if self.dialog is not None:
            self.dialog.setProperty("finished", True)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
            self.cancel_button = None
        self.deleteLater()
