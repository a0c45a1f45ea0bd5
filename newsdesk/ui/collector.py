"""The garbage collector's full passes, moved to moments when nobody is typing.

Python runs a full pass over every object it tracks whenever enough have survived
its younger passes, and that can fall in the middle of a keystroke's way to the
screen: with a long story open a full pass took 20 ms of processor time, and on a
loaded machine 60-290 ms of wall time, all of it with the interpreter locked (the
GUI thread and the preview's worker both wait). `IdleCollector` keeps what was
loaded at start-up out of the passes (gc.freeze), never lets Python start a full
pass on its own, and runs the due ones itself once typing has paused. The young
passes (a few hundred objects, well under a millisecond) run as before.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer

# A full pass waits for a pause in typing this long...
IDLE_MS = 1500
# ...and is due after this many passes of the middle generation (Python's own default).
MIDDLE_PASSES_PER_FULL = 10
# Python starts a full pass itself only after this many middle passes: never, in practice.
_NEVER = 1_000_000_000

_installed: IdleCollector | None = None


class IdleCollector(QObject):
    """Runs the garbage collector's full passes when the window has been idle for a while."""

    def __init__(self, parent: QObject | None = None, idle_ms: int = IDLE_MS) -> None:
        super().__init__(parent)
        self.idle_ms = idle_ms
        self.full_passes = 0  # run by this collector (for tests and benchmarks)
        self._last_activity = time.monotonic()
        self._saved_threshold = gc.get_threshold()
        young, middle, _full = self._saved_threshold
        # Everything loaded so far lives as long as the app: out of every pass.
        gc.freeze()
        gc.set_threshold(young, middle, _NEVER)
        self._timer = QTimer(self)
        self._timer.setInterval(max(50, idle_ms // 3))
        self._timer.timeout.connect(self._collect_if_due)
        self._timer.start()

    def activity(self) -> None:
        """A key was typed (or the like): no full pass for the next idle_ms."""
        self._last_activity = time.monotonic()

    def due(self) -> bool:
        """Whether enough objects have been left by younger passes to warrant a full one."""
        return gc.get_count()[2] >= MIDDLE_PASSES_PER_FULL

    def _collect_if_due(self) -> None:
        idle = (time.monotonic() - self._last_activity) * 1000 >= self.idle_ms
        if idle and self.due():
            gc.collect(2)
            self.full_passes += 1

    def uninstall(self) -> None:
        """Python's own scheduling of full passes again (what was frozen stays frozen)."""
        self._timer.stop()
        gc.set_threshold(*self._saved_threshold)


def install(parent: QObject | None = None, idle_ms: int = IDLE_MS) -> IdleCollector:
    """Take over the full passes for this process (once the window is up); the collector."""
    global _installed
    if _installed is not None:
        _installed.uninstall()
    _installed = IdleCollector(parent, idle_ms)
    return _installed


def uninstall() -> None:
    global _installed
    if _installed is not None:
        _installed.uninstall()
        _installed = None


def activity() -> None:
    """Tell the installed collector the user is typing (nothing when none is installed)."""
    if _installed is not None:
        _installed.activity()
