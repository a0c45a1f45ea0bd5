"""Work that waits until the newest keystroke is on screen in the preview (one frame, at most).

A keystroke's way to the preview's frame crosses the GUI thread, the preview's
worker and Chromium; work started by the same key on other threads (checking the
paragraph's spelling, counting words, saving) competed with it for the interpreter
and the two processor cores, and its results painted the window again in the same
frame. Such work goes through `FrameGate.defer`: at once when nothing is on its
way to the preview, else when the page reports the frame that draws the newest
text (PreviewPane.sig_settled), or after MAX_WAIT_MS whatever happens.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

MAX_WAIT_MS = 120  # a hidden or stalled page never holds the work back longer than this


class FrameGate(QObject):
    """Holds deferred work while a keystroke's preview update is in flight."""

    def __init__(self, parent: QObject | None = None, max_wait_ms: int = MAX_WAIT_MS) -> None:
        super().__init__(parent)
        self._in_flight: Callable[[], bool] = lambda: False
        self._waiting: dict[Callable[[], None], None] = {}  # in order, each once
        self._deadline = QTimer(self, singleShot=True, interval=max_wait_ms)
        self._deadline.timeout.connect(self.release)

    def watch(self, pane) -> None:
        """Follow this preview pane (its in_flight and sig_settled)."""
        self._in_flight = lambda: pane.in_flight
        pane.sig_settled.connect(self.release)

    def defer(self, work: Callable[[], None]) -> None:
        """Run work now, or once the newest keystroke's frame is drawn (the same work
        deferred twice meanwhile runs once)."""
        if not self._in_flight():
            work()
            return
        self._waiting[work] = None
        if not self._deadline.isActive():
            self._deadline.start()

    @property
    def holding(self) -> int:
        """How many pieces of work are waiting."""
        return len(self._waiting)

    def release(self) -> None:
        """Run everything waiting (the frame is drawn, or the wait is over)."""
        self._deadline.stop()
        waiting, self._waiting = list(self._waiting), {}
        for work in waiting:
            work()
