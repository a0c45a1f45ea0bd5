"""File > Link to Shared Library… and Unlink: a laptop library joins the newsroom's, or leaves it.

The dialog asks for the address and the login, tests the connection on a
worker, then runs the first sync on a worker that takes the window's one
writer for one short turn per batch (a save waits for a batch, not the sync),
with progress and a Cancel that stops between batches (what was synced stays
synced; the next sync goes on from there). A password typed here is handed
to libpq for this session only (PGPASSWORD in this process) and is never
written anywhere; ~/.pgpass or PGPASSFILE are the lasting places for it.
"""

from __future__ import annotations

import getpass
import os
import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from newsdesk.sync import SyncError, SyncReport, sync
from newsdesk.sync.link import check_link, login_in, unlink, with_login
from newsdesk.ui.guarded import guard_against_typing
from newsdesk.ui.ops import Operations, failure_message
from newsdesk.ui.workers import run_task

BATCH = 200  # stories per step of the first sync: Cancel takes effect between steps


class LinkCancelled(Exception):
    """The user pressed Cancel: the first sync stops after the step it is in."""


class _Progress(QObject):
    """Carries the writer thread's progress to the dialog (a queued signal)."""

    sig_step = Signal(int, int)


class LinkDialog(QDialog):
    """Address, login, an optional password for this session, Test, then Link (the first sync)."""

    sig_linked = Signal(object)
    """The first sync finished: its SyncReport (None: stopped by Cancel, linked all the same)."""

    _gave_password = False  # PGPASSWORD was set from this dialog (not by the user's shell)

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.library = ops.library
        self.batch = BATCH
        self.running = False
        self._cancel = threading.Event()
        self._progress = _Progress(self)
        self._progress.sig_step.connect(self._step)
        self.setObjectName("link-dialog")
        self.setWindowTitle("Link to Shared Library")
        outer = QVBoxLayout(self)
        intro = QLabel(
            "Link this library to your newsroom's shared library: your stories go there and "
            "everyone else's come here. You keep working offline; sync catches up when the "
            "server answers."
        )
        intro.setWordWrap(True)
        outer.addWidget(intro)
        form = QFormLayout()
        self.url = QLineEdit()
        self.url.setObjectName("link-url")
        self.url.setPlaceholderText("postgresql+psycopg://db.example.org/newsroom")
        self.url.setAccessibleName("Shared library address")
        form.addRow("&Address:", self.url)
        self.login = QLineEdit()
        self.login.setObjectName("link-login")
        self.login.setPlaceholderText(_os_user() or "your PostgreSQL login")
        self.login.setAccessibleName("Your login on the shared library")
        form.addRow("Your &login:", self.login)
        self.password = QLineEdit()
        self.password.setObjectName("link-password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password, for this session only")
        self.password.setPlaceholderText("leave empty to use ~/.pgpass")
        form.addRow("&Password:", self.password)
        outer.addLayout(form)
        hint = QLabel(
            "A password typed here is used until newsdesk closes and is never saved; to keep "
            "it, put it in ~/.pgpass (or the file PGPASSFILE names)."
        )
        hint.setWordWrap(True)
        outer.addWidget(hint)
        self.note = QLabel("")
        self.note.setObjectName("link-note")
        self.note.setWordWrap(True)
        outer.addWidget(self.note)
        self.bar = QProgressBar()
        self.bar.setAccessibleName("First sync")
        self.bar.hide()
        outer.addWidget(self.bar)
        buttons = QDialogButtonBox()
        self.test_button = QPushButton("&Test Connection")
        self.link_button = QPushButton("&Link and Sync")
        self.link_button.setDefault(True)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.link_button, QDialogButtonBox.ButtonRole.AcceptRole)
        row = QHBoxLayout()  # Test first, apart: it is what one does before linking
        row.addWidget(self.test_button)
        row.addStretch(1)
        row.addWidget(buttons)
        outer.addLayout(row)
        self.url.textEdited.connect(self._login_from_url)
        self.test_button.clicked.connect(self.test_connection)
        self.link_button.clicked.connect(self.link)
        self.cancel_button.clicked.connect(self.cancel)
        self.resize(560, self.sizeHint().height())

    # ---- the address --------------------------------------------------------
    def target(self) -> str:
        """The address as it will be remembered: the login in it, never a password."""
        return with_login(self.url.text(), self.login.text())

    def _login_from_url(self, text: str) -> None:
        """An address that names its login fills the login field (which then wins if edited)."""
        named = login_in(text)
        if named:
            self.login.setText(named)

    def _use_password(self) -> None:
        # libpq's own convention for a password given for one session; never written down.
        if self.password.text():
            os.environ["PGPASSWORD"] = self.password.text()
            LinkDialog._gave_password = True
        elif LinkDialog._gave_password:  # emptied again: back to ~/.pgpass
            os.environ.pop("PGPASSWORD", None)
            LinkDialog._gave_password = False

    def _busy(self, on: bool, message: str = "") -> None:
        for widget in (self.url, self.login, self.password, self.test_button, self.link_button):
            widget.setEnabled(not on)
        if message:
            self.note.setText(message)

    # ---- testing ------------------------------------------------------------------
    def test_connection(self) -> None:
        self._use_password()
        target, root = self.target(), self.library.root
        self._busy(True, "Asking the shared library…")
        run_task(lambda: check_link(target, root), on_done=self._tested, on_error=self._failed)

    def _tested(self, sentence: str) -> None:
        self._busy(False, sentence)

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.bar.hide()
        self._busy(False, str(exc) if isinstance(exc, SyncError) else failure_message(exc))

    # ---- linking: the first sync ---------------------------------------------------
    def link(self) -> None:
        if self.running:
            return
        self._use_password()
        target, batch = self.target(), self.batch
        self._cancel.clear()
        self.running = True
        self._busy(True, "Linking: the first sync sends your stories and fetches the newsroom's…")
        self.bar.setRange(0, 0)  # busy until the first step reports
        self.bar.show()
        cancel, step = self._cancel, self._progress.sig_step

        def progress(done: int, total: int) -> None:
            step.emit(done, total)
            if cancel.is_set():
                raise LinkCancelled  # between steps: everything so far is committed

        library, ops = self.library, self.ops

        def on_writer(turn):
            # Each batch takes one short turn on the window's writer, so a save made while
            # the first (longest) sync runs waits for one batch, not for the whole sync.
            return ops.call(lambda _library: turn())

        run_task(
            lambda: sync(library, target, batch=batch, progress=progress, writer=on_writer),
            on_done=self._linked,
            on_error=self._stopped,
        )

    def _step(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.note.setText(f"Syncing stories: {done} of {total}…")

    def _linked(self, report: SyncReport) -> None:
        self.running = False
        self.bar.hide()
        self._busy(False, report.summary())
        self.sig_linked.emit(report)
        self.accept()

    def _stopped(self, exc: BaseException) -> None:
        if isinstance(exc, LinkCancelled):
            self.running = False
            self.bar.hide()
            self._busy(
                False,
                "Stopped. The library is linked and what was synced is kept; the next sync "
                "goes on from there.",
            )
            self.sig_linked.emit(None)
            return
        self._failed(exc)

    def cancel(self) -> None:
        """Cancel: stop the first sync after its current step, or close the dialog."""
        if self.running:
            self._cancel.set()
            self.note.setText("Stopping after this step…")
            return
        self.reject()


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def confirm_unlink(parent: QWidget, server: str, waiting: int, conflicts: int) -> bool:
    """Ask before unlinking, saying what stays behind; never answered by a stray key."""
    lost = []
    if waiting:
        lost.append(
            f"{waiting} change{'' if waiting == 1 else 's'} not yet sent will stay here only"
        )
    if conflicts:
        lost.append(
            f"{conflicts} open conflict{'' if conflicts == 1 else 's'} will be dropped "
            "(this laptop keeps its own values)"
        )
    text = f"Unlink this library from {server}? Every story stays on this laptop."
    if lost:
        text += " " + "; ".join(lost).capitalize() + "."
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Unlink from Shared Library",
        text,
        QMessageBox.StandardButton.Cancel,
        parent,
    )
    unlink_button = box.addButton("Unlink", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    guard_against_typing(box)
    box.exec()
    return box.clickedButton() is unlink_button


def unlink_op(library) -> str:
    """The writer's side of Unlink."""
    return unlink(library)
