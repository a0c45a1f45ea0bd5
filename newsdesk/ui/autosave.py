"""Autosave: every edit reaches the library within two seconds, off the GUI thread.

Saves carry the article's version, so a save over a copy another window saved
meanwhile is refused (StaleArticleError) and the user chooses what to keep.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from newsdesk.library import (
    Article,
    Library,
    NotFound,
    Revision,
    SlugTaken,
    StaleArticleError,
)
from newsdesk.ui.ops import Operations, failure_message

DEBOUNCE_MS = 1000  # save after a one-second pause in typing...
CAP_MS = 1500  # ...and, during non-stop typing, at least this often
REVISION_INTERVAL_S = 300  # a revision every five minutes of editing


@dataclass(frozen=True, slots=True)
class SaveResult:
    article_id: int
    generation: int
    article: Article | None  # None when there was nothing left to write
    revision: Revision | None


def refused_by_server(exc: BaseException) -> bool:
    """Whether the shared library's server refused a write to this login's role (SQLSTATE 42501)."""
    return getattr(exc.__cause__, "sqlstate", None) == "42501"


class Autosaver(QObject):
    """Saves one open article: debounced in the background, or at once when asked.

    `snapshot` is called on the GUI thread and returns the fields to save (as
    `Library.update_article` takes them, with `tags` and `body`); the write
    itself is an operation on the library's serial writer (`ops`), even when
    the GUI thread waits for it (closing, switching articles). One lock
    guards the version, so a save on close never races a save in flight.
    """

    sig_state = Signal(str)
    """'saved', 'saving', 'unsaved', 'conflict' or 'error' — for the status bar."""
    sig_saved = Signal(object)
    """The article as the library now holds it, after a save."""
    sig_revision = Signal(object)
    """A revision was recorded (by Ctrl+S or the five-minute timer)."""
    sig_conflict = Signal(int)
    """This article was saved elsewhere since it was loaded; autosave stopped for it."""
    sig_error = Signal(str)
    """A save failed for another reason; it will be retried."""
    sig_refused = Signal(int, str)
    """The shared library's server refused this save to the login's role (publishing, as a
    reporter): the article id and the sentence saying why. Not retried as it is."""

    def __init__(
        self,
        library: Library,
        snapshot: Callable[[], dict[str, Any]],
        parent: QObject | None = None,
        *,
        ops: Operations | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.ops = ops if ops is not None else Operations(library, self)
        self.snapshot = snapshot
        self.revision_interval_s: float = REVISION_INTERVAL_S
        self.article_id: int | None = None
        self.conflicted = False
        self.last_error = ""
        self._lock = threading.Lock()
        self._version = 0  # guarded by _lock
        self._saved_gen = 0  # guarded by _lock
        self._edit_gen = 0
        self._in_flight = False
        self._again = False
        self._again_revision = False
        self._last_revision_at = time.monotonic()
        self._edited_since_revision = False
        # How a timed save starts: at once, or (the main window's FrameGate.defer) once
        # the key that is typed is on screen in the preview.
        self.defer: Callable[[Callable[[], None]], None] = lambda work: work()
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(lambda: self.defer(self.save_soon_now))
        self._cap = QTimer(self, singleShot=True, interval=CAP_MS)
        self._cap.timeout.connect(lambda: self.defer(self.save_soon_now))

    # ---- which article ------------------------------------------------------
    def attach(self, article: Article | None) -> None:
        """Start looking after this article; the caller has flushed the previous one."""
        self._debounce.stop()
        self._cap.stop()
        with self._lock:
            self.article_id = article.id if article else None
            self._version = article.version if article else 0
            self._saved_gen = 0
        self._edit_gen = 0
        self._again = self._again_revision = False
        self.conflicted = False
        self._last_revision_at = time.monotonic()
        self._edited_since_revision = False
        self.sig_state.emit("saved")

    # Plain reads of ints written under the lock: atomic in Python, and they must
    # never make the GUI thread wait for a save in flight.
    @property
    def version(self) -> int:
        return self._version

    @property
    def dirty(self) -> bool:
        return self._edit_gen > self._saved_gen

    @property
    def busy(self) -> bool:
        return self._in_flight

    # ---- edits --------------------------------------------------------------
    def mark_dirty(self) -> None:
        """Called on every edit; never blocks."""
        if self.article_id is None:
            return
        self._edit_gen += 1
        self._edited_since_revision = True
        if self.conflicted:
            return  # the user is choosing what to keep; the edit is saved once they have
        self._debounce.start()  # restarted by each keystroke
        if not self._cap.isActive():
            self._cap.start()  # not restarted: bounds the wait during non-stop typing
        self.sig_state.emit("unsaved")

    def save_soon_now(self, *, revision: bool = False, reason: str = "save") -> None:
        """Write in the background now (Ctrl+S passes revision=True)."""
        self._debounce.stop()
        self._cap.stop()
        if self.article_id is None or self.conflicted:
            return
        if self._in_flight:
            self._again = True
            self._again_revision = self._again_revision or revision
            return
        want_revision = revision or self._revision_due()
        if not self.dirty and not want_revision:
            return
        if want_revision:
            self._last_revision_at = time.monotonic()
            self._edited_since_revision = False
        fields = self.snapshot()
        gen, article_id = self._edit_gen, self.article_id
        reason = reason if revision else ("timed" if want_revision else reason)
        self._in_flight = True
        self.sig_state.emit("saving")
        self.ops.run_op(
            lambda _library: self._write(article_id, gen, fields, want_revision, reason),
            on_success=self._on_done,
            on_failure=lambda exc: self._on_error(article_id, exc),
            initiator=self,
        )

    def _revision_due(self) -> bool:
        return (
            self._edited_since_revision
            and time.monotonic() - self._last_revision_at >= self.revision_interval_s
        )

    # ---- writing (any thread) --------------------------------------------------
    def _write(
        self, article_id: int, gen: int, fields: dict[str, Any], revision: bool, reason: str
    ) -> SaveResult:
        with self._lock:
            if article_id != self.article_id:
                return SaveResult(article_id, gen, None, None)  # switched away meanwhile
            article = None
            if gen > self._saved_gen:
                fields = dict(fields)
                try:
                    article = self.library.update_article(
                        article_id, expected_version=self._version, **fields
                    )
                except SlugTaken:
                    # Taken between the form's check and this save: keep the old slug for now.
                    fields.pop("slug", None)
                    article = self.library.update_article(
                        article_id, expected_version=self._version, **fields
                    )
                self._version = article.version
                self._saved_gen = gen
            rev = self.library.add_revision(article_id, reason=reason) if revision else None
            return SaveResult(article_id, gen, article, rev)

    def _on_done(self, result: SaveResult) -> None:
        self._in_flight = False
        if result.article_id != self.article_id:
            return
        self.last_error = ""
        if result.article is not None:
            self.sig_saved.emit(result.article)
        if result.revision is not None:
            self.sig_revision.emit(result.revision)
        if self._again:
            revision, self._again, self._again_revision = self._again_revision, False, False
            self.save_soon_now(revision=revision)
            return
        self.sig_state.emit("unsaved" if self.dirty else "saved")

    def _on_error(self, article_id: int, exc: BaseException) -> None:
        self._in_flight = False
        self._failed(article_id, exc)

    def _failed(self, article_id: int, exc: BaseException) -> None:
        """A save failed: enter the conflict, or say so and try again shortly."""
        if article_id != self.article_id:
            return
        if isinstance(exc, StaleArticleError):
            self._enter_conflict()
            return
        self.last_error = failure_message(exc)
        self.sig_state.emit("error")
        if refused_by_server(exc):
            # The same save would be refused again: the window takes back what the
            # role may not do (ui/sync_window.py) and saves the rest.
            self.sig_refused.emit(article_id, self.last_error)
            return
        self.sig_error.emit(self.last_error)
        self._debounce.start()  # try again shortly; the words are still in the editor

    def _enter_conflict(self) -> None:
        self.conflicted = True
        self._debounce.stop()
        self._cap.stop()
        self.sig_state.emit("conflict")
        if self.article_id is not None:
            self.sig_conflict.emit(self.article_id)

    # ---- at once (GUI thread; closing, switching, Ctrl+S before History) -----------
    def flush(self, *, revision: bool = False, reason: str = "save") -> bool:
        """Save now and wait for it; True when the library holds what the editor shows."""
        self._debounce.stop()
        self._cap.stop()
        if self.article_id is None:
            return True
        if self.conflicted:
            return False
        if not self.dirty and not revision:
            return True
        fields = self.snapshot()
        article_id, gen = self.article_id, self._edit_gen
        try:
            result = self.ops.call(
                lambda _library: self._write(article_id, gen, fields, revision, reason),
                initiator=self,
            )
        except StaleArticleError:
            self._enter_conflict()
            return False
        if result.article is not None:
            self.sig_saved.emit(result.article)
        if result.revision is not None:
            self._last_revision_at = time.monotonic()
            self._edited_since_revision = False
            self.sig_revision.emit(result.revision)
        self.sig_state.emit("saved")
        return True

    def save_then(self, then: Callable[[], None], failed: Callable[[BaseException], None]) -> None:
        """Save now without waiting (switching stories); then() once the library holds what the
        editor shows — at once when nothing is unsaved — or failed(exc) if it could not be saved.

        The GUI thread never waits on the server: a server that stopped answering
        makes this fail within moments (library/pg_silence.py), the words stay in
        the editor, and autosave tries again as after any failed save. A story
        saved elsewhere meanwhile enters the conflict (failed gets the
        StaleArticleError).
        """
        self._debounce.stop()
        self._cap.stop()
        if self.article_id is None or (not self.dirty and not self.conflicted):
            then()
            return
        if self.conflicted:
            failed(StaleArticleError("Choose what to keep for this article first."))
            return
        fields = self.snapshot()
        article_id, gen = self.article_id, self._edit_gen
        self.sig_state.emit("saving")

        def done(result: SaveResult) -> None:
            if result.article_id != self.article_id:
                return  # another story was put in the editor meanwhile
            if result.article is not None:
                self.sig_saved.emit(result.article)
            self.last_error = ""
            self.sig_state.emit("unsaved" if self.dirty else "saved")
            then()

        def error(exc: BaseException) -> None:
            if not isinstance(exc, NotFound):  # deleted elsewhere: nothing to save it into
                self._failed(article_id, exc)  # the conflict, or the retry, as for any save
            if article_id == self.article_id:
                failed(exc)

        self.ops.run_op(
            lambda _library: self._write(article_id, gen, fields, False, "save"),
            on_success=done,
            on_failure=error,
            initiator=self,
        )

    # ---- after a conflict --------------------------------------------------------
    def keep_mine(self) -> bool:
        """Overwrite the other window's save with this one's text."""
        if self.article_id is None:
            return False
        article_id = self.article_id
        # Read on the writer, after the writes queued before it (the flush below waits there too).
        current = self.ops.call(lambda library: library.get_article(article_id))
        with self._lock:
            self._version = current.version
            self._saved_gen = min(self._saved_gen, self._edit_gen - 1)
        self.conflicted = False
        return self.flush()

    def adopt(self, article: Article) -> None:
        """The editor now shows this copy from the library (theirs, or a restored revision)."""
        with self._lock:
            self._version = article.version
            self._saved_gen = self._edit_gen
        self.conflicted = False
        self.sig_state.emit("saved")
