"""One helper to run slow work on the thread pool and hear back on the GUI thread."""

from __future__ import annotations

import itertools
import queue
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal


class _Relay(QObject):
    """Carries a worker's outcome back to the thread that started it (queued signals)."""

    sig_done = Signal(object)
    """The function returned this value."""
    sig_error = Signal(object)
    """The function raised this exception."""
    sig_progress = Signal(object)
    """The function reported progress (any value it chose)."""


class _Task(QRunnable):
    def __init__(self, fn: Callable[..., Any], relay: _Relay, with_progress: bool) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay
        self.with_progress = with_progress
        self.setAutoDelete(True)

    def run(self) -> None:  # runs on a pool thread: never touch a widget here
        try:
            if self.with_progress:
                result = self.fn(self.relay.sig_progress.emit)
            else:
                result = self.fn()
        except BaseException as exc:  # report everything; a dead worker must not hang the UI
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            self._deliver(self.relay.sig_error, exc)
        else:
            self._deliver(self.relay.sig_done, result)

    @staticmethod
    def _deliver(signal, value: Any) -> None:
        try:
            signal.emit(value)
        except RuntimeError:
            pass  # the application is closing and the relay went with it: no one to tell


# Relays are kept alive here until their outcome has been delivered on the GUI
# thread; dropping one earlier would delete it with its queued signal unsent.
# Keyed by a number so the connections below hold no reference to the relay itself.
_live: dict[int, _Relay] = {}
_next_key = itertools.count()


def _release(key: int) -> None:
    # Deferred, so the relay is not destroyed while it is still emitting.
    QTimer.singleShot(0, lambda: _live.pop(key, None))


def run_task(
    fn: Callable[..., Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[Any], None] | None = None,
    *,
    pool: QThreadPool | DaemonLine | None = None,
) -> None:
    """Run fn on the global thread pool (or `pool`); the callbacks run on the calling (GUI) thread.

    With on_progress, fn is called with one argument: a function it may call
    with any value to report progress. The callbacks must not assume the
    widget that started the task still exists; check before drawing.
    """
    relay = _Relay()
    if on_done is not None:
        relay.sig_done.connect(_unless_gone(on_done))
    if on_error is not None:
        relay.sig_error.connect(_unless_gone(on_error))
    else:
        relay.sig_error.connect(_print_error)
    if on_progress is not None:
        relay.sig_progress.connect(_unless_gone(on_progress))
    key = next(_next_key)
    relay.sig_done.connect(lambda _result: _release(key))
    relay.sig_error.connect(lambda _exc: _release(key))
    _live[key] = relay
    (pool or QThreadPool.globalInstance()).start(_Task(fn, relay, on_progress is not None))


class NewestRead:
    """Reads of one thing run side by side on the pool; only the newest one's answer is shown.

    A read begun before a change can answer after a read begun after it, and
    would put back what was there before the change.
    """

    def __init__(self) -> None:
        self._count = 0

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        self._count += 1
        mine = self._count

        def deliver(value: Any) -> None:
            if mine == self._count:
                on_done(value)

        run_task(fn, on_done=deliver)


def _unless_gone(callback: Callable[[Any], None]) -> Callable[[Any], None]:
    """The callback, quietly skipped when the widget it draws on was deleted meanwhile.

    An answer can arrive after its window closed (a search finishing as the
    user quits); that is not an error, but any other failure still is.
    """

    def deliver(value: Any) -> None:
        try:
            callback(value)
        except RuntimeError as exc:
            if not object_gone(exc):
                raise

    return deliver


def object_gone(exc: RuntimeError) -> bool:
    """Whether exc says a Qt object was deleted under the Python code using it.

    Shiboken words it two ways: "Internal C++ object (X) already deleted." for a
    method call, and "Signal source has been deleted" for a signal emitted on it.
    """
    text = str(exc)
    return "already deleted" in text or "Signal source has been deleted" in text


def _print_error(exc: BaseException) -> None:
    from newsdesk.library import LibraryError

    if isinstance(exc, LibraryError):
        # A library failure is the user's to read (the app's hook shows it as one sentence).
        sys.excepthook(type(exc), exc, None)
        return
    text = getattr(exc, "__traceback_text__", "") or repr(exc)
    print(f"newsdesk: background task failed:\n{text}")


class DaemonLine:
    """One daemon thread that runs tasks in the order given, and that nothing waits for at exit.

    For calls that may hang on the network (a server that stopped answering in
    the middle of a query has no timeout): a QThreadPool waits for its tasks
    when it is deleted, and Qt waits for the global one when the application
    ends, so a window closing would wait as long as the call. A daemon thread
    is left behind instead; `wait_idle` waits for it, but only as long as asked.
    Give it to run_task as `pool=`.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._tasks: queue.SimpleQueue[QRunnable | None] = queue.SimpleQueue()
        self._pending = 0
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None

    def start(self, task: QRunnable) -> None:
        with self._idle:
            self._pending += 1
        self._tasks.put(task)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def finish(self) -> None:
        """The thread ends once the tasks given so far are done (or never, if one hangs)."""
        if self._thread is not None:
            self._tasks.put(None)

    def wait_idle(self, seconds: float) -> bool:
        """Wait at most `seconds` for every task given so far to finish; whether they did."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=seconds)

    def _run(self) -> None:
        while True:
            task = self._tasks.get()
            if task is None:
                return
            try:
                task.run()  # a _Task reports its own outcome, errors included
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()
