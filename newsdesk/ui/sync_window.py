"""The window's side of sync: the status bar's sync state, background sync, Sync Now, conflicts.

Sync runs on a worker, never on the GUI thread, and hands the window's one
writer (ops.py) only its short turns — each batch's merge and local write —
so a save made during a long pull waits for one batch, not the whole sync.
Whether the server answers is asked first, so an unreachable server costs
the writer nothing and shows as "Offline", quietly.
Pulled changes arrive through `sig_library_changed` like any other change
from elsewhere; the open article takes them in place when they do not touch
what the user is typing (see `SyncActions.merge_into_editor`).
"""

from __future__ import annotations

import time
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton

from newsdesk.library import Article
from newsdesk.library.changes import Changes
from newsdesk.sync import SignInRefused, SyncError, SyncReport, Unreachable, linked_server, sync
from newsdesk.sync.held import HeldServer
from newsdesk.sync.merge import merge_records
from newsdesk.sync.server import sign_in_key
from newsdesk.sync.status import SyncStatus, sync_status
from newsdesk.ui import link_dialog
from newsdesk.ui.editor_merge import EDITED_FIELDS, apply_text, edited_fields, show_fields
from newsdesk.ui.link_dialog import LinkDialog
from newsdesk.ui.ops import Operations, failure_message
from newsdesk.ui.sync_conflicts import ConflictDialog
from newsdesk.ui.workers import run_task

EVERY_MS = 5 * 60 * 1000  # background sync while linked and reachable
AFTER_SAVE_MS = 20_000  # a sync this long after the last save (restarted by each save)
STATUS_MS = 300  # the waiting count follows saves at most this late
RECENT_S = 5.0  # changes noticed this soon after a sync came with it
SIGN_IN_REFUSED = "Sign-in refused"  # the state shown; the tooltip holds the sentence


def can_sync(library) -> bool:
    """A laptop's library folder syncs; a shared library (or a read-only copy) does not."""
    return getattr(library, "dialect", "sqlite") == "sqlite" and not getattr(
        library, "read_only", False
    )


class SyncController(QObject):
    """Runs sync in the background and keeps the status bar's sync state up to date."""

    sig_status = Signal(object)
    """A fresh SyncStatus."""
    sig_synced = Signal(object)
    """A sync finished: its SyncReport."""
    sig_message = Signal(str)
    """Something to say once in the status bar (a manual sync's outcome)."""

    def __init__(self, ops: Operations, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.library = ops.library
        self.enabled = can_sync(self.library)
        self.status = SyncStatus(linked=False)
        self.offline = False
        self.running = False
        self.problem = ""  # why the last sync did not finish (or what it could not send)
        self.failed = False  # the last sync stopped for a reason other than being offline
        self.refused = False  # the server answered but would not let this login in
        self.not_accepted = 0  # changes the last sync could not make on the server (kept here)
        self.finished_at = float("-inf")  # time.monotonic() when the last sync ended
        self._again = False
        self._manual = False
        self._stopped = False  # the window is closing: a running sync takes no more turns
        # The shared library stays open between background syncs; presence borrows it.
        self.held = HeldServer()
        self._refused_key: tuple | None = None  # what the refused sign-in was tried with
        self._trying_key: tuple | None = None  # what the sync running now signs in with
        self._status_asked = 0  # refresh_status calls so far; only the newest answer is shown
        self._first_pending = False  # a first refresh (catch up soon) is among those asked
        self.label = QLabel("")
        self.label.setObjectName("sync-state")
        self.label.setAccessibleName("Sync state")
        self.label.hide()
        self.conflicts_button = QPushButton("")
        self.conflicts_button.setObjectName("sync-conflicts")
        self.conflicts_button.setFlat(True)
        self.conflicts_button.setToolTip("Choose what to keep where both sides changed a story")
        self.conflicts_button.setStyleSheet("color: palette(link); text-decoration: underline;")
        self.conflicts_button.hide()
        self.every = QTimer(self, interval=EVERY_MS)
        self.every.timeout.connect(lambda: self.sync_now(manual=False))
        self.after_save = QTimer(self, singleShot=True, interval=AFTER_SAVE_MS)
        self.after_save.timeout.connect(lambda: self.sync_now(manual=False))
        self._status_timer = QTimer(self, singleShot=True, interval=STATUS_MS)
        self._status_timer.timeout.connect(self.refresh_status)
        if self.enabled:
            ops.sig_library_changed.connect(self._on_library_changed)

    def start(self) -> None:
        """Show the state and, when linked, sync once soon and then every few minutes."""
        if not self.enabled:
            return
        self.refresh_status(first=True)

    def stop(self) -> None:
        self._stopped = True
        if self.running:  # a sync waiting on a silent server would hold the window: not so
            self.held.abandon()
        else:
            self.held.close()
        for timer in (self.every, self.after_save, self._status_timer):
            timer.stop()

    def unlinked(self) -> None:
        """The library was just unlinked: no more background syncs until it is linked again.

        Not stop(): the window goes on, and a link made later syncs as usual.
        """
        self.every.stop()
        self.after_save.stop()
        if not self.running:
            self.held.close()
        self.problem = ""
        self.not_accepted = 0
        self.offline = self.failed = self.refused = False
        self.refresh_status()

    # ---- the state ----------------------------------------------------------------
    def refresh_status(self, *, first: bool = False) -> None:
        if not self.enabled or self._stopped:
            return
        # Reads run on the thread pool and may finish out of order: only the newest is
        # shown, so a state read before a link, an unlink or a sync never replaces it.
        self._status_asked += 1
        asked, library = self._status_asked, self.library
        self._first_pending = self._first_pending or first

        def arrived(status: SyncStatus) -> None:
            if asked != self._status_asked:
                return
            first, self._first_pending = self._first_pending, False
            self._show(status, first)

        run_task(lambda: sync_status(library), on_done=arrived)

    def _show(self, status: SyncStatus, first: bool = False) -> None:
        self.status = status
        self.label.setVisible(status.linked)
        if self.refused and not self.running:
            self.label.setText(SIGN_IN_REFUSED)  # not "Offline": the password needs a look
        elif self.failed and not self.running:
            self.label.setText("Not synced")
        else:
            text = status.text(offline=self.offline, syncing=self.running)
            if self.not_accepted and not (self.running or self.offline):
                text += f" · {self.not_accepted} not accepted"  # the tooltip says why
            self.label.setText(text)
        tip = [f"Shared library: {status.server}"] if status.server else []
        if status.synced_at is not None:
            tip.append(f"Last synced {status.synced_at.astimezone():%Y-%m-%d %H:%M}")
        if self.problem:
            tip.append(self.problem)
        if self.refused:
            tip.append(
                "newsdesk tries again when the password in ~/.pgpass (or PGPASSFILE) changes, "
                "or at File > Sync Now."
            )
        self.label.setToolTip("\n".join(tip))
        self.conflicts_button.setText(status.conflicts_text)
        self.conflicts_button.setAccessibleName(f"{status.conflicts_text}: open the dialog")
        self.conflicts_button.setVisible(status.conflicts > 0)
        if status.linked and not self.every.isActive():
            self.every.start()
            if first:
                self.after_save.start(1000)  # catch up shortly after the window opens
        self.sig_status.emit(status)

    def _on_library_changed(self, changes: Changes, initiator: object) -> None:
        if not changes:
            return
        if initiator is not None and self.status.linked:
            self.after_save.start(AFTER_SAVE_MS)  # the window saved: sync when typing pauses
        self._status_timer.start()

    # ---- syncing ------------------------------------------------------------------
    def sync_now(self, *, manual: bool = True) -> None:
        """Sync in the background (File > Sync Now; the timers); Offline when it cannot."""
        if not self.enabled:
            if manual:
                self.sig_message.emit(
                    "This library is read-only here, so it cannot sync."
                    if getattr(self.library, "read_only", False)
                    else "This window is on the shared library itself; laptops sync with it."
                )
            return
        if self.running:
            self._again = True
            self._manual = self._manual or manual
            return
        key = sign_in_key(self.status.server)
        if not manual and self.refused and self._refused_key == key:
            # The server turned this login away: asking again with the same password
            # would only be turned away again (a connection each time, and a locked
            # account on some servers). Sync Now, or a changed login, tries again.
            return
        self._trying_key = key
        self.running = True
        self._manual = manual
        self.after_save.stop()
        self._show(self.status)
        library = self.library

        def linked_then_sync() -> SyncReport | None:
            # An unreachable server costs the writer nothing: sync asks it beside the writer.
            if not linked_server(library):
                return None
            return sync(library, writer=self._on_writer, held=self.held)

        run_task(linked_then_sync, on_done=self._done, on_error=self._failed)

    def _not_linked(self) -> None:
        self.running = False
        if self._manual:
            self.sig_message.emit(
                "This library is not linked to a shared library yet; link it with "
                "File > Link to Shared Library…"
            )
        self._show(self.status)

    def _on_writer(self, turn):
        """On the sync's worker: run one of its turns on the window's writer, and wait for it.

        initiator None: the views take what sync wrote as changes arriving from elsewhere.
        """
        if self._stopped:
            raise SyncError("The window closed while it synced; sync again to finish.")
        return self.ops.call(lambda _library: turn())

    def _gone(self) -> bool:
        """The window was deleted while its sync ran: nothing left to show it in."""
        if shiboken6.isValid(self):
            return False
        self.held.close()
        return True

    def _done(self, report: SyncReport | None) -> None:
        if self._gone():
            return
        if report is None:
            self._not_linked()
            return
        self.running = False
        self.offline = self.failed = self.refused = False
        problem, self.problem = self.problem, " ".join(report.problems)
        self.not_accepted = len(report.problems)
        if self._manual:
            self.sig_message.emit(
                report.summary() + (f" {report.problems[0]}" if report.problems else "")
            )
        elif self.problem and self.problem != problem:
            # Said once when it is new (a reporter's publishing the server refused, say),
            # not at every background sync; the tooltip keeps it.
            self.sig_message.emit(report.problems[0])
        self.sig_synced.emit(report)
        self._finish()

    def _failed(self, exc: BaseException) -> None:
        if self._gone():
            return
        self.running = False
        self.refused = isinstance(exc, SignInRefused)
        self._refused_key = self._trying_key if self.refused else None
        if isinstance(exc, Unreachable):
            self.offline, self.problem = True, str(exc)
        elif isinstance(exc, SyncError):
            self.offline, self.problem = False, str(exc)
        else:
            self.offline, self.problem = False, failure_message(exc)
        self.failed = not self.offline
        if self._manual and not self.offline:
            self.sig_message.emit(self.problem)
        elif self._manual:
            self.sig_message.emit(f"Offline: {exc}")
        self._finish()

    def _finish(self) -> None:
        if self._stopped:
            self.held.close()
        self.finished_at = time.monotonic()
        self.refresh_status()
        if self._again:
            manual, self._again, self._manual = self._manual, False, False
            self.sync_now(manual=manual)


class SyncActions:
    """Mixed into MainWindow: File > Sync Now and Sync Conflicts, and pulled changes in the editor."""

    def _build_sync(self, file_menu) -> None:
        a = self._action  # type: ignore[attr-defined]
        self.sync = SyncController(self.ops, self)  # type: ignore[attr-defined, arg-type]
        self.conflict_dialog: ConflictDialog | None = None
        quit_action = self.actions_by_name["quit"]  # type: ignore[attr-defined]
        for action in (
            a(file_menu, "S&ync Now", self.sync_now, "F5", name="sync_now"),
            a(file_menu, "Sync &Conflicts…", self.show_sync_conflicts, name="sync_conflicts"),
            a(file_menu, "Open S&hared Library…", self.ask_shared_library, name="open_shared"),
            a(file_menu, "&Link to Shared Library…", self.show_link_dialog, name="link_shared"),
            a(file_menu, "Unlin&k from Shared Library…", self.unlink_shared, name="unlink_shared"),
        ):
            file_menu.insertAction(quit_action, action)
        file_menu.insertSeparator(quit_action)
        self.link_dialog: LinkDialog | None = None
        self._show_link_actions(self.sync.status)
        bar = self.statusBar()  # type: ignore[attr-defined]
        if not self.sync.enabled and getattr(self.library, "dialect", "sqlite") != "sqlite":  # type: ignore[attr-defined]
            # The window is on the shared library itself: what only a laptop has is off, saying why.
            why = "This window is on the shared library itself; laptops sync with it."
            for name in ("sync_now", "sync_conflicts"):
                action = self.actions_by_name[name]  # type: ignore[attr-defined]
                action.setEnabled(False)
                action.setStatusTip(why)
                action.setToolTip(why)
            self.sync.label.setText(f"Shared library {self.library.location}")  # type: ignore[attr-defined]
            self.sync.label.setToolTip(
                "Every save goes straight to the newsroom's database; the server decides "
                "who may publish."
            )
            self.sync.label.show()
        bar.addPermanentWidget(self.sync.label)
        bar.addPermanentWidget(self.sync.conflicts_button)
        self.sync.conflicts_button.clicked.connect(self.show_sync_conflicts)
        self.sync.sig_message.connect(lambda text: bar.showMessage(text, 8000))
        self.sync.sig_status.connect(self._sync_status_shown)
        self._build_presence()  # type: ignore[attr-defined]  # ui/presence.py: who else is here
        self.refusal_box: QMessageBox | None = None
        self.autosave.sig_refused.connect(self._on_save_refused)  # type: ignore[attr-defined]

    def sync_now(self) -> None:
        self.sync.sync_now(manual=True)

    def ask_shared_library(self) -> None:
        """File > Open Shared Library…: a window of its own on the newsroom's shared library."""
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        url, ok = QInputDialog.getText(
            self,  # type: ignore[arg-type]
            "Open Shared Library",
            "The shared library's address (no password: it comes from ~/.pgpass):",
            QLineEdit.EchoMode.Normal,
            "postgresql+psycopg://",
        )
        if ok:
            self.open_shared_library(url)

    def open_shared_library(self, url: str) -> bool:
        """Open the shared library in a new window (a process of its own); False after saying why."""
        from PySide6.QtCore import QProcess

        try:
            command = shared_library_command(url)
        except SyncError as exc:
            self.statusBar().showMessage(str(exc), 8000)  # type: ignore[attr-defined]
            return False
        started = QProcess.startDetached(command[0], command[1:])
        started = started[0] if isinstance(started, tuple) else started
        if not started:
            self.statusBar().showMessage("The shared library's window could not be started.", 8000)  # type: ignore[attr-defined]
            return False
        self.statusBar().showMessage(f"Opening the shared library {url.strip()}…", 5000)  # type: ignore[attr-defined]
        return True

    @property
    def _pulled_by_sync(self) -> bool:
        """Whether changes arriving now most likely came with a sync (said so to the user)."""
        return self.sync.running or time.monotonic() - self.sync.finished_at < RECENT_S

    def _sync_status_shown(self, status: SyncStatus) -> None:
        self.browser.model.set_conflicted(status.conflicted_articles)  # type: ignore[attr-defined]
        self._show_link_actions(status)

    def _show_link_actions(self, status: SyncStatus) -> None:
        """Link only a laptop library that syncs with nothing yet; Unlink only a linked one."""
        linking = self.link_dialog is not None and self.link_dialog.running
        link = self.actions_by_name["link_shared"]  # type: ignore[attr-defined]
        link.setEnabled(self.sync.enabled and not status.linked and not linking)
        self.actions_by_name["unlink_shared"].setEnabled(self.sync.enabled and status.linked)  # type: ignore[attr-defined]
        if not self.sync.enabled:
            why = (
                "This library is read-only here."
                if getattr(self.library, "read_only", False)  # type: ignore[attr-defined]
                else "This window is on the shared library itself; laptops link to it."
            )
            for name in ("link_shared", "unlink_shared"):
                self.actions_by_name[name].setToolTip(why)  # type: ignore[attr-defined]
                self.actions_by_name[name].setStatusTip(why)  # type: ignore[attr-defined]

    def _on_save_refused(self, article_id: int, sentence: str) -> None:
        """The server refused a save to this login's role: say why, keep the rest of the edit.

        On a shared library a reporter may not publish (nor take a story down):
        the status goes back to what the library holds and the other changes are
        saved; nothing typed is lost.
        """
        article = self.article  # type: ignore[attr-defined]
        if article is None or article.id != article_id:
            return
        shown = self.form.status.currentText()  # type: ignore[attr-defined]
        text = sentence
        if shown != article.status:
            self._show_status(article.status)  # type: ignore[attr-defined]
            text += f" The story stays {article.status}; your other changes are saved."
            self.autosave.mark_dirty()  # type: ignore[attr-defined]
            self.autosave.save_soon_now()  # type: ignore[attr-defined]
        self.show_refusal(text)

    def show_refusal(self, text: str) -> None:
        """Say why the shared library's server refused something: the status bar and a box."""
        self.statusBar().showMessage(text, 10_000)  # type: ignore[attr-defined]
        if self.refusal_box is not None:
            self.refusal_box.close()
        box = QMessageBox(QMessageBox.Icon.Warning, "Refused by the shared library", text)
        box.setParent(self, box.windowFlags())  # type: ignore[arg-type]
        box.finished.connect(lambda _r: setattr(self, "refusal_box", None))
        self.refusal_box = box
        box.open()

    def show_link_dialog(self) -> LinkDialog:
        """File > Link to Shared Library…: address, login, test, then the first sync."""
        if self.link_dialog is None:
            self.link_dialog = LinkDialog(self.ops, self)  # type: ignore[attr-defined, arg-type]
            self.link_dialog.sig_linked.connect(self._linked)
        self.link_dialog.show()
        self.link_dialog.raise_()
        return self.link_dialog

    def _linked(self, report: SyncReport | None) -> None:
        if report is not None:
            self.statusBar().showMessage(report.summary(), 8000)  # type: ignore[attr-defined]
        self.sync.offline = self.sync.failed = self.sync.refused = False
        self.sync.refresh_status(first=report is None)  # stopped part way: sync again soon
        self.presence.relink()  # type: ignore[attr-defined]

    def unlink_shared(self) -> None:
        """File > Unlink from Shared Library…: asked first; every story stays on this laptop."""
        status = self.sync.status
        if not status.linked or self.sync.running:
            if self.sync.running:
                self.statusBar().showMessage(
                    "A sync is running; unlink when it has finished.", 5000
                )  # type: ignore[attr-defined]
            return
        if not link_dialog.confirm_unlink(
            self, status.server or "", status.waiting, status.conflicts
        ):  # type: ignore[arg-type]
            return
        self.presence.unlink()  # type: ignore[attr-defined]

        def done(sentence: str) -> None:
            self.sync.unlinked()
            self.statusBar().showMessage(sentence, 8000)  # type: ignore[attr-defined]

        self.ops.run_op(link_dialog.unlink_op, on_success=done)

    def show_sync_conflicts(self) -> ConflictDialog:
        """The conflict dialog, opened on the open story's first conflict if it has one."""
        if self.conflict_dialog is None:
            self.conflict_dialog = ConflictDialog(self.ops, self)  # type: ignore[attr-defined, arg-type]
            self.conflict_dialog.sig_resolved.connect(lambda _s: self.sync.refresh_status())
        article = self.article  # type: ignore[attr-defined]
        self.conflict_dialog.reload(select_slug=article.slug if article is not None else None)
        self.conflict_dialog.show()
        self.conflict_dialog.raise_()
        return self.conflict_dialog

    # ---- pulled changes and unsaved edits ------------------------------------------------
    def merge_into_editor(self, theirs: Article, *, base: dict[str, Any] | None = None) -> bool:
        """Take the library's newer copy of the open article into the form and editor in place.

        What the user typed and has not saved yet stays: the merge is three-way
        against the copy the editor started from (or `base`: what the editor
        showed when the user chose to load theirs), the same merge sync uses.
        False when both changed the same field (or paragraph): that is a
        conflict for the user to settle; nothing is overwritten.
        """
        base_article: Article | None = self.article  # type: ignore[attr-defined]
        if base_article is None or theirs.id != base_article.id:
            return False
        base = base if base is not None else edited_fields(base_article)
        mine = dict(self._snapshot())  # type: ignore[attr-defined]
        mine = {k: mine.get(k, base[k]) for k in EDITED_FIELDS}
        merged = merge_records(base, mine, edited_fields(theirs))
        if merged.clashes:
            return False
        result = merged.local
        self._loading = True  # type: ignore[attr-defined]
        try:
            # Only the fields that arrived change: the one being typed in keeps its cursor.
            show_fields(self.form, {k: result[k] for k in EDITED_FIELDS if result[k] != mine[k]})  # type: ignore[attr-defined]
            apply_text(self.editor, result["body"])  # type: ignore[attr-defined]
        finally:
            self._loading = False  # type: ignore[attr-defined]
        self.article = theirs  # type: ignore[attr-defined]
        self.autosave.adopt(theirs)  # type: ignore[attr-defined]
        if {k: result[k] for k in EDITED_FIELDS} != edited_fields(theirs):
            self.autosave.mark_dirty()  # type: ignore[attr-defined]  # the user's edits still go
        self.browser.model.patch(theirs.id, headline=result["headline"], status=result["status"])  # type: ignore[attr-defined]
        self._update_title()  # type: ignore[attr-defined]
        self._update_stats()  # type: ignore[attr-defined]
        if self.preview is not None:  # type: ignore[attr-defined]
            self.preview.update_fields(  # type: ignore[attr-defined]
                **{k: result[k] for k in ("headline", "dek", "byline", "section", "tags")}
            )
            self.preview.update_body(result["body"])  # type: ignore[attr-defined]
        return True


def shared_library_command(url: str) -> list[str]:
    """The command that opens a window on this shared library; SyncError names a bad address."""
    import sys

    from newsdesk.paths import is_shared_url
    from newsdesk.sync.server import normalise

    url = url.strip()
    if not is_shared_url(url):
        raise SyncError(
            "A shared library's address starts postgresql+psycopg:// (or postgresql://), "
            "e.g. postgresql+psycopg://ana@db.example.org/newsroom."
        )
    url = normalise(url)  # refuses an address that carries a password
    if getattr(sys, "frozen", False):  # the packaged app is its own interpreter
        return [sys.executable, "--library", url]
    return [sys.executable, "-m", "newsdesk", "--library", url]
