"""The Qt binding in use does not corrupt Python's singletons (PySide6 6.12.0 did, on Python 3.11)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
widget = QWidget()
class Emitter(QObject):
    sig_tick = Signal(int)
emitter = Emitter()
none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
for i in range(20000):
    widget.setEnabled(True)
    emitter.sig_tick.emit(i)
print(sys.getrefcount(None) - none_before, sys.getrefcount(True) - true_before)
"""


def test_many_binding_calls_leave_none_and_true_alone():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    none_delta, true_delta = map(int, out.stdout.split())
    assert abs(none_delta) < 100 and abs(true_delta) < 100
