"""Operations: the one serial writer for the library, and the one signal that says what changed.

Every change the UI makes is an operation: `ops.run_op(fn, ...)` runs
`fn(library)` on a single background thread (so writes never overlap and
never block the GUI thread), then delivers its result or failure on the GUI
thread. After an operation commits, `sig_library_changed(changes, initiator)`
says which records changed; views redraw from it. Other processes' and other
Library instances' commits arrive through the same signal with initiator
None, noticed by a watcher thread (see `start_watching`).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from newsdesk.library import Library, LibraryError
from newsdesk.library.changes import Changes
from newsdesk.ui.workers import object_gone

WATCH_INTERVAL_S = 0.5
WATCH_STOP_SHARED_S = 0.3  # closing waits this long for a shared library's watcher
UNEXPECTED = "Something went wrong while changing the library; nothing more was changed."


def failure_message(exc: BaseException) -> str:
    """One sentence for the user: the library's own words, never an exception's class name."""
    if isinstance(exc, LibraryError):
        return str(exc)
    return UNEXPECTED


@dataclass(slots=True)
class _Outcome:
    result: Any = None
    error: BaseException | None = None
    changes: Changes = Changes()


class _Relay(QObject):
    """Carries outcomes from the writer and the watcher thread to the GUI thread (queued)."""

    sig_outcome = Signal(object, object, object, object, object)
    """outcome, on_success, on_failure, initiator, the operation's key."""
    sig_external = Signal(object)
    """Another writer's Changes."""


class _Job(QRunnable):
    def __init__(self, work: Callable[[], None]) -> None:
        super().__init__()
        self.work = work
        self.setAutoDelete(True)

    def run(self) -> None:  # the writer thread
        self.work()


def _close_quietly(watcher) -> None:
    try:
        watcher.close()
    except Exception:  # noqa: BLE001 - its connection is broken already: nothing to give back
        pass


class Operations(QObject):
    """The library's single writer for the UI, and the source of `sig_library_changed`.

    Example — a view saving a caption and redrawing when the library says so::

        ops.run_op(
            lambda lib: lib.update_figure(figure_id, caption=text),
            on_success=lambda figure: self.show_saved(figure),
            on_failure=lambda exc: self.say(failure_message(exc)),  # optional
            initiator=self,
        )
        ops.sig_library_changed.connect(self.on_library_changed)

        def on_library_changed(self, changes, initiator):
            if initiator is not self and self.article_id in changes.figures_of:
                self.reload()

    `fn` runs on the writer thread: it must not touch widgets. Its result goes
    to `on_success`, an exception to `on_failure` (the exception itself; use
    `failure_message` for the words) — without `on_failure`, `sig_failed`
    carries one clear sentence, which the main window shows in its status bar.
    Callbacks are skipped quietly if their widget was deleted meanwhile.
    """

    sig_library_changed = Signal(object, object)
    """These Changes were committed; by this initiator (None: another process or library)."""
    sig_failed = Signal(str)
    """An operation without on_failure failed; one sentence to show the user."""

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one writer: operations run in the order given
        self._pool.setExpiryTimeout(-1)  # keep the one thread; its connection stays warm
        self._relay = _Relay()
        self._relay.sig_outcome.connect(self._deliver)
        self._relay.sig_external.connect(self._external)
        self._writer = threading.local()
        self._live: dict[int, tuple] = {}  # callbacks kept alive until delivered
        self._next = 0
        self._watch_stop: threading.Event | None = None
        self._watch_thread: threading.Thread | None = None

    # ---- operations -------------------------------------------------------------
    def run_op(
        self,
        fn: Callable[[Library], Any],
        *,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        initiator: object | None = None,
    ) -> None:
        """Queue fn(library) on the writer; callbacks and the change signal come on the GUI thread."""
        self._next += 1
        key = self._next
        self._live[key] = (on_success, on_failure, initiator)

        def work() -> None:
            outcome = self._run(fn)
            self._relay.sig_outcome.emit(outcome, on_success, on_failure, initiator, key)

        self._pool.start(_Job(work))

    def call(self, fn: Callable[[Library], Any], *, initiator: object | None = None) -> Any:
        """Run fn(library) on the writer and wait for it (closing, switching articles).

        For the few moments the user must wait anyway: the write still happens
        on the writer thread, after the operations queued before it. Raises
        what fn raised.
        """
        if getattr(self._writer, "active", False):
            outcome = self._run(fn)  # already on the writer: waiting would deadlock
        else:
            done = threading.Event()
            box: list[_Outcome] = []

            def work() -> None:
                box.append(self._run(fn))
                done.set()

            self._pool.start(_Job(work))
            done.wait()
            outcome = box[0]
        if outcome.changes:
            self.sig_library_changed.emit(outcome.changes, initiator)
        if outcome.error is not None:
            raise outcome.error
        return outcome.result

    def _run(self, fn: Callable[[Library], Any]) -> _Outcome:
        outcome = _Outcome()
        self._writer.active = True
        try:
            with self.library.recording() as recorder:
                try:
                    outcome.result = fn(self.library)
                except BaseException as exc:  # delivered on the GUI thread, never lost
                    exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
                    outcome.error = exc
            # Commits made before a failure are still changes the views must show.
            outcome.changes = recorder.changes
        finally:
            self._writer.active = False
        return outcome

    def _deliver(self, outcome: _Outcome, on_success, on_failure, initiator, key) -> None:
        self._live.pop(key, None)
        if outcome.changes:
            self.sig_library_changed.emit(outcome.changes, initiator)
        try:
            if outcome.error is None:
                if on_success is not None:
                    on_success(outcome.result)
            elif on_failure is not None:
                on_failure(outcome.error)
            else:
                if not isinstance(outcome.error, LibraryError):
                    print(f"newsdesk: operation failed:\n{outcome.error.__traceback_text__}")  # type: ignore[attr-defined]
                self.sig_failed.emit(failure_message(outcome.error))
        except RuntimeError as exc:  # the widget that asked has gone meanwhile
            if not object_gone(exc):
                raise

    def wait(self, msecs: int = 30_000) -> bool:
        """Wait for the queued operations to finish (their callbacks come later, on the GUI thread)."""
        return self._pool.waitForDone(msecs)

    # ---- other writers ------------------------------------------------------------
    def start_watching(self, interval_s: float = WATCH_INTERVAL_S) -> None:
        """Notice commits by other processes and Library instances, on a thread of its own."""
        if self._watch_thread is not None:
            return
        stop = threading.Event()
        library, relay = self.library, self._relay
        start_id = library.last_change_id()

        def watch() -> None:
            watcher = None
            last_id = start_id
            try:
                while not stop.wait(interval_s):
                    try:
                        if watcher is not None and watcher.engine is not library.engine:
                            watcher.close()  # the library moved: watch its new file
                            watcher = None
                            last_id = library.last_change_id()
                        if watcher is None:
                            watcher = library.watch_changes(last_id)
                        changes = watcher.poll()
                        last_id = watcher.last_id
                    except Exception as exc:  # a busy or vanished file: try again next time
                        print(f"newsdesk: could not check the library for changes: {exc}")
                        # Anew next time: a shared library's connection that its server's
                        # silence broke stays broken (its transaction half-done) if kept.
                        if watcher is not None:
                            _close_quietly(watcher)
                            watcher = None
                        continue
                    if changes:
                        relay.sig_external.emit(changes)
            finally:
                if watcher is not None:
                    watcher.close()

        self.destroyed.connect(lambda *_: stop.set())  # never outlive the window
        self._watch_stop = stop
        self._watch_thread = threading.Thread(target=watch, name="library-watch", daemon=True)
        self._watch_thread.start()

    def stop_watching(self) -> None:
        if self._watch_thread is None or self._watch_stop is None:
            return
        self._watch_stop.set()
        # A library file answers at once. A shared library's server may be silent: its
        # watcher (a daemon thread) is then left to give up by itself (the window's
        # patience, pg_silence.WINDOW) rather than holding the window while it closes.
        shared = getattr(self.library, "dialect", "sqlite") == "postgresql"
        self._watch_thread.join(WATCH_STOP_SHARED_S if shared else 5)
        self._watch_thread = None

    def _external(self, changes: Changes) -> None:
        self.sig_library_changed.emit(changes, None)

    def shutdown(self) -> None:
        """Stop watching and let queued writes finish (the window is closing)."""
        self.stop_watching()
        self.wait()
