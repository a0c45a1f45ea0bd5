"""Experiment: a DOM patch to the painted frame, for two ways of hosting the web preview.

  widget  QWebEngineView, as the product has it: Chromium's frames go through a
          QQuickWidget, which waits a hard-coded 5 ms (its "exhaust delay") before it
          renders an update into the widget.
  quick   QtWebEngineQuick's WebEngineView in a QQuickView, put into the widget
          window with QWidget.createWindowContainer: no QQuickWidget, so no 5 ms wait;
          the QQuickWindow's own update request waits QT_QPA_UPDATE_IDLE_TIME ms
          (Qt's default 5; --idle 0 lets it render on the next pass of the event loop).

One process per run (QtWebEngineQuick must be initialised before the application),
a 1366x768 window with an editor beside the preview and a generated story of
--words words. Each "keystroke" appends a letter to the first paragraph by
runJavaScript; the page reports, from the next animation frame, that frame's start
time; the run waits for the first paint of the preview (the QQuickWidget's paint
event, or the QQuickView's frameSwapped) after that frame. Prints median/p95/max
of runJavaScript -> paint, and the process's CPU time.

Run each mode in turn, several times, on the platform to compare (a display: prefix
with `xvfb-run -a -s "-screen 0 1366x768x24"` and set QT_QPA_PLATFORM=xcb):
  python benchmarks/preview_hosting.py widget --words 20000
  python benchmarks/preview_hosting.py quick --idle 0 --software

Measured on 2026-11-29 (2 cores, loaded: load average 9-14 from other work, so
figures scatter; each line one run of 60 patches, js->paint median / p95 ms):
  offscreen: widget 15.0-25.3 / 19-72 (idle 5 or 0 alike); quick --software --idle 0
  9.2-11.8 / 17-37 (5 runs), with about half the process CPU (0.34-0.46 s vs 0.59-0.74 s);
  quick --software --idle 5 13.6-17.0 / 39-53, the same as widget.
  xcb (Xvfb, Mesa llvmpipe): widget 13.5-19.8 / 21-62; quick (OpenGL) 43-48 / 91-98,
  19-28 / 51-57 with vblank_mode=0 and --idle 0; quick --software 15.2 / 207.
So the container wins only offscreen; on a display it loses, and it would need the
Quick WebEngineView's own API for every preview feature. The product keeps the widget.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QML = b"""
import QtQuick
import QtWebEngine
WebEngineView {
  id: view
  signal consoleLine(string msg)
  onJavaScriptConsoleMessage: function(level, message, line, source) { view.consoleLine(message) }
  function run(script) { view.runJavaScript(script) }
}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["widget", "quick"])
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--strokes", type=int, default=60)
    parser.add_argument("--idle", type=int, default=None, help="QT_QPA_UPDATE_IDLE_TIME, ms")
    parser.add_argument("--software", action="store_true", help="Qt Quick's software renderer")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --disable-logging")
    if args.idle is not None:
        os.environ["QT_QPA_UPDATE_IDLE_TIME"] = str(args.idle)

    import markdown
    from PySide6.QtCore import (
        Q_ARG,
        SIGNAL,
        QCoreApplication,
        QEvent,
        QEventLoop,
        QMetaObject,
        QObject,
        Qt,
        QTimer,
        QUrl,
    )

    if args.mode == "quick":
        from PySide6.QtWebEngineQuick import QtWebEngineQuick

        QtWebEngineQuick.initialize()
    else:
        import PySide6.QtWebEngineWidgets  # noqa: F401  (before the application)
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    from PySide6.QtWidgets import QApplication, QHBoxLayout, QPlainTextEdit, QWidget

    app = QApplication(sys.argv[:1])
    sys.setswitchinterval(0.001)  # as newsdesk.app sets it
    if args.software:
        from PySide6.QtQuick import QQuickWindow, QSGRendererInterface

        QQuickWindow.setGraphicsApi(QSGRendererInterface.GraphicsApi.Software)

    from benchmarks.bench_preview import article_markdown, p95

    body = markdown.markdown(article_markdown(args.words)) if args.words > 50 else "<p>One.</p>"
    css = (ROOT / "resources" / "site.css").read_text(encoding="utf-8")
    html = f"<!doctype html><style>{css}</style><article><p id=target>Typed:</p>{body}</article>"
    frames: dict[str, float] = {}
    paints: list[float] = []
    replies: list[float] = []

    def now() -> float:
        return time.time() * 1000

    def on_console(message: str) -> None:
        if message.startswith("f:"):
            _, key, at = message.split(":")
            frames[key] = float(at)
        elif message.startswith("r:"):
            replies.append(float(message[2:]))

    def spin(ms: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(ms), loop.quit)
        loop.exec()

    def spin_until(done, timeout_ms: int = 5000) -> bool:
        deadline = time.perf_counter() + timeout_ms / 1000
        while not done():
            if time.perf_counter() > deadline:
                return False
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 5)
        return True

    class Paints(QObject):
        def eventFilter(self, _watched, event) -> bool:  # noqa: N802 (Qt override)
            if event.type() == QEvent.Type.Paint:
                paints.append(now())
            return False

    top = QWidget()
    top.resize(1366, 768)
    layout = QHBoxLayout(top)
    layout.addWidget(QPlainTextEdit("The editor."), 1)
    base = QUrl.fromLocalFile(str(ROOT) + "/")
    if args.mode == "quick":
        import tempfile

        from PySide6.QtQuick import QQuickView

        qml_file = Path(tempfile.mkdtemp()) / "view.qml"
        qml_file.write_bytes(QML)
        view = QQuickView()
        view.setResizeMode(QQuickView.ResizeMode.SizeRootObjectToView)
        view.setSource(QUrl.fromLocalFile(str(qml_file)))
        root = view.rootObject()
        container = QWidget.createWindowContainer(view, top)
        container.setMinimumSize(600, 600)
        layout.addWidget(container, 1)
        QObject.connect(root, SIGNAL("consoleLine(QString)"), on_console)
        view.frameSwapped.connect(lambda: paints.append(now()), Qt.ConnectionType.DirectConnection)

        def run_js(script: str) -> None:
            QMetaObject.invokeMethod(root, "run", Q_ARG("QVariant", script))

        QMetaObject.invokeMethod(root, "loadHtml", Q_ARG("QString", html), Q_ARG("QUrl", base))
    else:
        from PySide6.QtWebEngineCore import QWebEnginePage
        from PySide6.QtWebEngineWidgets import QWebEngineView

        class Page(QWebEnginePage):
            def javaScriptConsoleMessage(self, level, message, line, source) -> None:  # noqa: N802
                on_console(message)

        view = QWebEngineView()
        page = Page(view)
        view.setPage(page)
        layout.addWidget(view, 1)

        def run_js(script: str) -> None:
            page.runJavaScript(script, 0)

        view.setHtml(html, base)
    top.show()
    spin(3000)
    if args.mode == "widget":
        watcher = Paints()
        for child in view.findChildren(QWidget):
            if child.metaObject().className() == "QQuickWidget":
                child.installEventFilter(watcher)
    # The page's clock against ours, from the quickest of several round trips.
    best = (float("inf"), 0.0)
    for _ in range(15):
        replies.clear()
        sent = now()
        run_js("console.log('r:' + (performance.timeOrigin + performance.now()))")
        spin_until(lambda: bool(replies))
        back = now()
        if replies and back - sent < best[0]:
            best = (back - sent, replies[0] - (sent + back) / 2)
    offset = best[1]

    rng = random.Random(1)
    latency: list[float] = []
    cpu = time.process_time()
    for n in range(args.strokes):
        key = str(n)
        sent = now()
        run_js(
            "document.getElementById('target').textContent += 'x';"
            f"requestAnimationFrame(function (t) {{ console.log('f:{key}:' + "
            "(performance.timeOrigin + t)); });"
        )
        if spin_until(
            lambda key=key: key in frames and any(p >= frames[key] - offset for p in paints), 2000
        ):
            frame = frames[key] - offset
            latency.append(next(p for p in paints if p >= frame) - sent)
        spin(rng.uniform(40, 120))
    cpu = time.process_time() - cpu
    if not latency:
        print(f"{args.mode}: no frame was seen (is the preview drawn on this platform?)")
        return 1
    print(
        f"{args.mode} {os.environ['QT_QPA_PLATFORM']} idle={args.idle} software={args.software} "
        f"{args.words}w: js->paint median {statistics.median(latency):.1f} p95 "
        f"{p95(latency):.1f} max {max(latency):.1f} ms ({len(latency)} of {args.strokes}); "
        f"process CPU {cpu:.2f} s; load {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
