"""Run by test_window_on_x: the real window on an X server, reporting its X window ids.

Prints "SHOWN <id>" right after show (the test types from then on), then, once
the preview is ready and three more seconds have passed, one JSON line: every
X window id the top-level had, how much of the screen is lit, the preview's kind
and surface, and the body text.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from newsdesk import app as appmod


def lit_share() -> float:
    """The share of the screen that is not black, as the X server holds it (a sample of pixels)."""
    from PySide6.QtGui import QGuiApplication

    image = QGuiApplication.primaryScreen().grabWindow(0).toImage()
    points = [(x, y) for x in range(0, image.width(), 16) for y in range(0, image.height(), 16)]
    lit = sum(1 for x, y in points if image.pixelColor(x, y).value() > 16)
    return lit / max(len(points), 1)


def main(library_dir: str, settings_file: str) -> int:
    appmod.prepare_environment()
    app = appmod.make_application([])
    from PySide6.QtCore import QEvent, QObject, QSettings, QTimer

    library = appmod.open_library(Path(library_dir), interactive=False)
    settings = QSettings(settings_file, QSettings.Format.IniFormat)
    window = appmod.build_window(library, settings=settings)
    ids: list[int] = []

    class Watch(QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
            if obj is window and event.type() == QEvent.Type.WinIdChange:
                sample()
            return False

    def sample() -> None:
        wid = int(window.winId()) if window.windowHandle() is not None else 0
        if ids and wid != ids[-1]:
            ids.append(wid)

    watch = Watch()
    window.installEventFilter(watch)
    window.show()
    ids.append(int(window.winId()))
    app.processEvents()
    print(f"SHOWN {int(window.winId())}", flush=True)

    timer = QTimer(interval=50)
    timer.timeout.connect(sample)
    timer.start()
    started = time.monotonic()

    lit: list[float] = []

    def finish() -> None:
        lit.append(lit_share())  # while the window is up and the event loop runs
        app.quit()

    def finish_when_settled() -> None:
        if window.preview_ready or time.monotonic() - started > 40:
            QTimer.singleShot(3000, finish)
        else:
            QTimer.singleShot(100, finish_when_settled)

    finish_when_settled()
    app.exec()
    result = {
        "ids": ids,
        "lit": lit[0] if lit else 0.0,
        "preview": type(window.preview).__name__,
        "surface": type(getattr(window.preview, "_surface", None)).__name__,
        "preview_ready": window.preview_ready,
        "body": window.editor.toPlainText(),
    }
    window.removeEventFilter(watch)
    window.close()
    appmod.dispose(window)
    library.close()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
