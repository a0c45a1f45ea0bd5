"""Benchmark of a keystroke to the next painted frame of the live preview, in the real window.

What a reporter feels: a key pressed in the body editor of the main window
(real key events through the window, the image and related-story panels and
spell checking installed and working), until the preview widget paints the
first frame that shows the change. The page reports, from the animation frame
after the patch, its wall-clock time; the benchmark then waits for the first
paint of the preview's Qt widget (the QQuickWidget QtWebEngine draws into)
after that moment. The naive baseline (the whole page re-rendered and loaded
again for every keystroke, no delay) is timed from the same key event to the
same point: the first painted frame of the new page.

Keys are typed at the end of a paragraph in the middle of the article, with
the editor's cursor there (so the preview scrolls to show it), at a reporter's
pace: a short random pause after each frame. Budget (DESIGN.md): median under
16 ms at 1,500 and 20,000 words; issue 17 adds p95 under 33 ms at 20,000.

The floor is measured first in the same window: a story of one short paragraph,
where our own work per key is next to nothing, so what remains is QtWebEngine's
(a 60 Hz frame clock on the offscreen platform, the compositor frame handed to
Qt's QQuickWidget and painted); each size prints its median over that floor.
benchmarks/trace_preview.py splits the time into its hops.

Platforms: by default Qt's offscreen platform with QTest key events (no display
needed). `--x11` runs the same window on a private Xvfb at 1366x768 (the
platform a reporter's desktop uses, Chromium flags as the product sets them) and
presses keys through the X server with XTest, so each key takes a typed key's
path (server -> Qt's xcb reader thread -> the GUI thread); its time starts when
the key is sent to the server. `--both` runs each platform in its own process.

Run: `python benchmarks/bench_preview.py [--strokes 80] [--sizes 1500 20000 100000] [--x11|--both]`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

if "--x11" in sys.argv:  # before PySide6 is imported: Qt reads the platform once
    from benchmarks.x11_keys import use_x_server

    use_x_server()
if "--disable-gpu" in sys.argv:  # an experiment: Chromium composites in software
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = "--disable-gpu"
if "--quick-software" in sys.argv:  # an experiment: Qt Quick (and so the web view) drawn
    os.environ["QT_QUICK_BACKEND"] = "software"  # in software, the window not through OpenGL
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
if os.environ["QT_QPA_PLATFORM"] == "offscreen":
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --disable-logging")
X11 = os.environ["QT_QPA_PLATFORM"] == "xcb"
os.environ.setdefault("QT_LOGGING_RULES", "qt.webenginecontext.debug=false;qt.qpa.*=false")

import shiboken6  # noqa: E402
from PySide6.QtCore import (  # noqa: E402
    QCoreApplication,
    QEvent,
    QEventLoop,
    QObject,
    QSettings,
    Qt,
    QThreadPool,
    QTimer,
)
from PySide6.QtQuickWidgets import QQuickWidget  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: E402, F401  (before QApplication)
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from benchmarks.generate import generate_library  # noqa: E402
from newsdesk.text import word_count  # noqa: E402

BUDGET_MEDIAN_MS = 16.0
BUDGET_P95_MS = 33.0
SIZES = (1_500, 20_000, 100_000)
TYPED = " and the mayor said more would follow"

_WORDS = str.split(
    "the council said on tuesday that its budget for schools would be agreed after months "
    "of talks with unions and parents who had asked for more teachers smaller classes safer "
    "roads near the city centre while ministers in the capital warned that money was tight "
    "and the police report showed fewer accidents last year than in any year since records began"
)


def article_markdown(words: int, seed: int = 7) -> str:
    """A news story of about this many words: paragraphs, subheads, lists, quotes, links."""
    rng = random.Random(seed)

    def sentence() -> str:
        picked = [rng.choice(_WORDS) for _ in range(rng.randint(9, 24))]
        if rng.random() < 0.15:
            i = rng.randrange(len(picked))
            picked[i] = f"*{picked[i]}*"
        if rng.random() < 0.05:
            i = rng.randrange(len(picked))
            picked[i] = f"[{picked[i]}](https://example.org/{picked[i]})"
        return " ".join(picked).capitalize() + "."

    blocks: list[str] = []
    total = 0
    while total < words:
        roll = rng.random()
        if roll < 0.07:
            block = "## " + " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 7)))
        elif roll < 0.13:
            block = "\n".join("- " + sentence() for _ in range(rng.randint(2, 5)))
        elif roll < 0.18:
            block = "> " + sentence() + " " + sentence()
        else:
            block = " ".join(sentence() for _ in range(rng.randint(2, 6)))
        blocks.append(block)
        total += word_count(block)
    return "\n\n".join(blocks) + "\n"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def spin(ms: float) -> None:
    """Run the event loop for this long (the window's own timers and workers keep going)."""
    loop = QEventLoop()
    QTimer.singleShot(max(0, int(ms)), loop.quit)
    loop.exec()


def spin_until(done, timeout_ms: int = 20_000) -> bool:
    deadline = time.perf_counter() + timeout_ms / 1000
    while not done():
        if time.perf_counter() > deadline:
            return False
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 5)
    return True


class FrameWatch(QObject):
    """Wall-clock times (ms) of the preview widget's paints, and of the page's frame reports."""

    def __init__(self, pane) -> None:
        super().__init__()
        self.paints: list[float] = []
        self.frames: dict[int, float] = {}  # text version -> page's frame time
        self.widget = None
        self.offset = 0.0  # see calibrate
        pane.sig_frame.connect(self._on_frame)
        self.pane = pane

    def attach(self) -> bool:
        """Find the QQuickWidget QtWebEngine paints into; watch its paint events."""
        surface = self.pane._surface
        if surface is None:
            return False
        for child in surface.findChildren(QWidget):
            if child.metaObject().className() == "QQuickWidget":
                quick = shiboken6.wrapInstance(shiboken6.getCppPointer(child)[0], QQuickWidget)
                if quick is not self.widget:
                    self.widget = quick
                    quick.installEventFilter(self)
                return True
        return False

    def calibrate(self, rounds: int = 60) -> float:
        """The page's wall clock minus ours (ms), from the quickest of several round trips.

        The page's clock (performance.timeOrigin + now) and Python's may disagree by a
        few milliseconds; frame times are corrected by this offset before they are
        matched to paints. Stops at a round trip under 2 ms; on a machine so loaded
        that none is under 10 ms the estimate is worth less than none, and the offset
        is taken as 0 (both clocks are the system's wall clock). Returns the round trip.
        """
        best = (float("inf"), 0.0)
        for _ in range(rounds):
            box: list[float] = []
            sent = time.time() * 1000
            self.pane.run_js("performance.timeOrigin + performance.now()", box.append)
            spin_until(lambda box=box: bool(box), 5_000)
            received = time.time() * 1000
            if box and box[0] is not None:
                rtt = received - sent
                if rtt < best[0]:
                    best = (rtt, box[0] - (sent + received) / 2)
                if best[0] < 2:
                    break
        self.offset = best[1] if best[0] < 10 else 0.0
        return best[0]

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.paints.append(time.time() * 1000)
        return False

    def _on_frame(self, version: int, at_ms: float) -> None:
        self.frames[version] = at_ms - self.offset

    def frame_for(self, version: int) -> float | None:
        """Page frame time of the first report at or after this text version."""
        times = [at for v, at in self.frames.items() if v >= version]
        return min(times) if times else None

    def paint_after(self, at_ms: float) -> float | None:
        for painted in self.paints:
            if painted >= at_ms:
                return painted
        return None


class KeyTimer(QObject):
    """When each key press reaches the editor, and the GUI thread's time until it is handled.

    The end of a key's handling is the next pass of the event loop after it (a
    zero timer posted from the press): the editor, highlighting, textChanged and
    every handler connected to it have run by then.
    """

    def __init__(self, editor) -> None:
        super().__init__()
        self.arrived: list[float] = []  # wall ms, as FrameWatch's
        self.handled: list[float] = []
        self.cpu: list[float] = []  # the GUI thread's processor ms in the key's handling
        editor.installEventFilter(self)

    def eventFilter(self, _watched, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.KeyPress:
            self.arrived.append(time.time() * 1000)
            started = time.thread_time()
            QTimer.singleShot(0, lambda started=started: self._done(started))
        return False

    def _done(self, started: float) -> None:
        self.handled.append(time.time() * 1000)
        self.cpu.append((time.thread_time() - started) * 1000)

    def clear(self) -> None:
        self.arrived.clear()
        self.handled.clear()
        self.cpu.clear()


class Keyboard:
    """Types into the window: QTest key events offscreen, XTest through the X server on --x11."""

    def __init__(self, window) -> None:
        self.window = window
        self.timer = KeyTimer(window.editor)
        self.xkeys = None
        if X11:
            from benchmarks.x11_keys import XKeys

            self.xkeys = XKeys()
            # No window manager: X gives the focus to the window under the pointer.
            centre = window.editor.mapToGlobal(window.editor.rect().center())
            self.xkeys.move_pointer(centre.x(), centre.y())
            for _ in range(10):  # the X server takes the focus request once the window is mapped
                window.activateWindow()
                if spin_until(lambda: QApplication.focusWindow() is window.windowHandle(), 500):
                    break
            window.editor.setFocus(Qt.FocusReason.OtherFocusReason)
            spin(200)
            if QApplication.focusWindow() is not window.windowHandle():
                raise SystemExit("the window on the X server never got the keyboard focus")

    def type(self, char: str) -> tuple[float, int] | None:
        """Press a key; (wall ms it was sent, the preview's text version that first holds it).

        None when the key did not reach the body within two seconds."""
        pane = self.window.preview
        before = pane.text_version
        self.timer.clear()
        sent = time.time() * 1000
        if self.xkeys is not None:
            self.xkeys.press(char)
        else:
            QTest.keyClick(self.window.windowHandle(), char)  # through the window, like a key
        if not spin_until(lambda: pane.text_version > before and self.timer.handled, 2_000):
            return None
        return sent, before + 1

    def close(self) -> None:
        self.window.editor.removeEventFilter(self.timer)
        if self.xkeys is not None:
            self.xkeys.close()


def type_keys(
    window, watch: FrameWatch, strokes: int, rng: random.Random, timeout_ms: int = 2_000
) -> dict[str, list]:
    """Type into the body; per key: ms to the painted frame, and ms the key event itself took.

    A key whose frame is not painted within timeout_ms is counted as unseen."""
    pane = window.preview
    keyboard = Keyboard(window)
    latencies: list[float] = []
    key_ms: list[float] = []  # the key's arrival in the editor -> handled
    deliver_ms: list[float] = []  # sent -> arrival in the editor (the X server and Qt's xcb)
    key_cpu: list[float] = []  # the GUI thread's own CPU time in the key's handling
    worker_cpu: list[float] = []  # the preview worker's CPU time for the key's render
    misses = 0
    for n in range(strokes):
        char = TYPED[n % len(TYPED)]
        typed = keyboard.type(char)
        if typed is None:
            misses += 1
            continue
        started_wall, version = typed
        timer = keyboard.timer
        key_ms.append(timer.handled[0] - timer.arrived[0])
        deliver_ms.append(timer.arrived[0] - started_wall)
        key_cpu.append(timer.cpu[0])
        ok = spin_until(
            lambda v=version: (
                (f := watch.frame_for(v)) is not None and watch.paint_after(f) is not None
            ),
            timeout_ms=timeout_ms,
        )
        if not ok:
            misses += 1
            continue
        painted = watch.paint_after(watch.frame_for(version))
        latencies.append(painted - started_wall)
        worker_cpu.append(pane.last_render_cpu_ms)
        spin(rng.uniform(40, 120))  # a reporter's pace; panels and spell check run meanwhile
    keyboard.close()
    return {
        "latency": latencies,
        "key": key_ms,
        "deliver": deliver_ms,
        "key_cpu": key_cpu,
        "worker_cpu": worker_cpu,
        "misses": [misses],
    }


# How the garbage collector runs, as app.run sets it once the window shows: "idle" (the
# product: start-up frozen, full passes when typing pauses), "freeze" (start-up frozen,
# full passes when Python likes), "python" (Python's defaults).
GC_MODE = "idle"


def set_up_collector() -> None:
    if GC_MODE == "idle":
        from newsdesk.ui import collector

        collector.install()
    elif GC_MODE == "freeze":
        gc.freeze()


def open_window(library, article_id: int, settings: QSettings):
    from newsdesk.ui.main_window import MainWindow

    window = MainWindow(library, settings=settings)
    if X11:  # the whole screen, as a reporter's maximised window (no window manager here)
        window.setGeometry(QApplication.primaryScreen().geometry())
    else:
        window.resize(1600, 1000)
    window.show()
    set_up_collector()
    window.install_standard_panels()
    window.open_article(article_id)  # read on a worker
    spin_until(lambda: window.article is not None and window.article.id == article_id, 20_000)
    window.activateWindow()
    spin_until(lambda: window.preview_ready, 60_000)
    # The cursor at the end of a paragraph mid-article, where the keys go.
    body = window.editor.toPlainText()
    middle = body.find(".\n\n", len(body) // 2)
    at = middle + 1 if middle > 0 else len(body)
    cursor = window.editor.textCursor()
    cursor.setPosition(at)
    window.editor.setTextCursor(cursor)
    window.editor.centerCursor()
    window.editor.setFocus(Qt.FocusReason.OtherFocusReason)
    spin(800)  # the preview scrolls to the cursor's block; panels load
    # The preview shows a block from its top; the keys go at its end, which a short pane
    # (1366x768 puts the preview under the editor, 287 px) may not show. A change out of
    # view draws no frame, so the end of the block is brought into view.
    pane = window.preview
    block_id = pane._block_id_for_line(window.editor.current_line())
    done: list = []
    pane.run_js(
        f"(function (el) {{ if (el) el.scrollIntoView({{block: 'end'}}); return true; }})"
        f"(document.getElementById({json.dumps(block_id)}))",
        done.append,
    )
    spin_until(lambda: bool(done), 5_000)
    spin(200)
    return window


def close_window(window) -> None:
    window.autosave.flush()
    window.close()
    QThreadPool.globalInstance().waitForDone(10_000)
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def floor_story() -> str:
    """The floor: a story of one short paragraph, so our own work per key is next to nothing."""
    return "A short story of one paragraph.\n"


def bench_size(
    library, words: int, strokes: int, naive_strokes: int, floor: float | None = None
) -> dict[str, float]:
    body = article_markdown(words) if words else floor_story()
    created = library.create_article(
        headline=f"A {words}-word story", dek="Benchmark", byline="By A Reporter", body=body
    )
    rng = random.Random(words)
    settings = QSettings(str(Path(library.root) / f"settings-{words}.ini"), QSettings.IniFormat)

    window = open_window(library, created.id, settings)
    focus = QApplication.focusWidget()
    assert focus is window.editor, f"the keys would go to {focus!r}, not the body editor"
    watch = FrameWatch(window.preview)
    assert watch.attach(), "no QQuickWidget in the preview: cannot see its frames"
    rtt = watch.calibrate()
    print(f"page clock offset {watch.offset:+.2f} ms (round trip {rtt:.1f} ms)", flush=True)
    ticks: list[float] = []
    ticker = QTimer()
    ticker.setInterval(1)
    ticker.timeout.connect(lambda: ticks.append(time.perf_counter()))
    ticker.start()
    patched = type_keys(window, watch, strokes, rng)
    ticker.stop()
    gaps = [(b - a) * 1000 for a, b in zip(ticks, ticks[1:], strict=False)]

    # The naive preview in the same window: the whole page, loaded again for every key.
    naive: dict[str, list] = {"latency": []}
    if naive_strokes:
        window.preview.reload_every_update = True
        # A whole page loaded again takes seconds at 100,000 words on a loaded machine:
        # wait for it rather than count it unseen (which would flatter the baseline).
        naive = type_keys(window, watch, naive_strokes, rng, timeout_ms=20_000)
        window.preview.reload_every_update = False
    close_window(window)

    lat, key = patched["latency"], patched["key"]
    median = statistics.median(lat)
    if not words:
        print(
            f"key_to_frame_floor (one short paragraph: Chromium's frame clock, Qt's paint) "
            f"median_ms {median:.1f} p95 {p95(lat):.1f} max {max(lat):.1f} ({len(lat)} keys)",
            flush=True,
        )
        return {"median": median, "p95": p95(lat), "naive": float("nan")}
    naive_median = statistics.median(naive["latency"]) if naive["latency"] else float("nan")
    over_floor = f" | over the floor median {median - floor:+.1f} ms" if floor is not None else ""
    print(
        f"key_to_frame_{words}w median_ms {median:.1f} p95 {p95(lat):.1f} max {max(lat):.1f}"
        f"{over_floor} "
        f"| naive reload median {naive_median:.1f} p95 "
        f"{p95(naive['latency']) if naive['latency'] else float('nan'):.1f} "
        f"max {max(naive['latency'], default=float('nan')):.1f} "
        f"speedup {naive_median / median:.1f}x "
        f"| key sent -> editor median {statistics.median(patched['deliver']):.2f} "
        f"p95 {p95(patched['deliver']):.2f} ms "
        f"| key event itself median {statistics.median(key):.2f} p95 {p95(key):.2f} ms "
        f"(GUI thread CPU median {statistics.median(patched['key_cpu']):.2f} "
        f"p95 {p95(patched['key_cpu']):.2f} ms; worker CPU per render median "
        f"{statistics.median(patched['worker_cpu']):.2f} p95 {p95(patched['worker_cpu']):.2f} ms), "
        f"longest GUI stall {max(gaps, default=0):.1f} ms "
        f"({len(lat)} keys, {patched['misses'][0]} unseen, {len(naive['latency'])} naive, "
        f"{len(body) // 1024} KiB Markdown)",
        flush=True,
    )
    return {"median": median, "p95": p95(lat), "naive": naive_median}


def bench_open(library, words: int, runs: int) -> dict[str, float]:
    """Opening a long article in the window: ms from open_article to the preview's first
    painted frame of the new page, and to the frame with the whole body in it."""
    big = library.create_article(
        headline=f"A {words}-word story to open",
        dek="Benchmark",
        byline="By A Reporter",
        body=article_markdown(words, seed=11),
    )
    small = library.create_article(headline="A short story", body="One paragraph.\n")
    settings = QSettings(
        str(Path(library.root) / f"settings-open-{words}.ini"), QSettings.IniFormat
    )
    window = open_window(library, small.id, settings)
    watch = FrameWatch(window.preview)
    watch.attach()
    watch.calibrate()
    raw: list[tuple[str, float]] = []
    window.preview._surface.sig_frame.connect(
        lambda version, at: raw.append((version, at - watch.offset))
    )
    first, whole = [], []
    for _ in range(runs):
        window.open_article(small.id)
        spin_until(lambda: window.article is not None and window.article.id == small.id, 20_000)
        spin_until(lambda: window.preview._loaded, 20_000)
        spin(300)
        raw.clear()
        started = time.time() * 1000
        window.open_article(big.id)

        def loaded() -> float | None:
            return next((at for v, at in raw if v == "load"), None)

        def rest() -> float | None:
            return next((at for v, at in raw if v != "load"), None)

        spin_until(lambda: loaded() is not None and watch.paint_after(loaded()) is not None)
        first.append(watch.paint_after(loaded()) - started)
        # The whole body is in when a patch's frame follows the load (or at once, unsplit).
        done = spin_until(
            lambda: rest() is not None and watch.paint_after(rest()) is not None, 30_000
        )
        end = watch.paint_after(rest()) if done else watch.paint_after(loaded())
        whole.append(end - started)
        spin(300)
    close_window(window)
    print(
        f"open_{words}w first_paint_median_ms {statistics.median(first):.0f} "
        f"(runs {', '.join(f'{x:.0f}' for x in first)}) "
        f"whole_body_painted_median_ms {statistics.median(whole):.0f}",
        flush=True,
    )
    return {"first": statistics.median(first), "whole": statistics.median(whole)}


def run_both(script: str) -> int:
    """Run this script once per platform, each in its own process (Qt picks one per process)."""
    argv = [a for a in sys.argv[1:] if a not in ("--both", "--x11")]
    status = 0
    for extra in ([], ["--x11"]):
        print(f"== {'x11' if extra else 'offscreen'} ==", flush=True)
        status |= subprocess.run([sys.executable, script, *argv, *extra]).returncode
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=80, help="keystrokes per article size")
    parser.add_argument("--naive", type=int, default=12, help="naive keystrokes per size")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--articles", type=int, default=1000, help="other stories in the library")
    parser.add_argument("--opens", type=int, default=5, help="times a long article is opened")
    parser.add_argument("--open-words", type=int, default=20_000)
    parser.add_argument(
        "--floor",
        type=int,
        default=1,
        help="1: first time a one-paragraph story, the floor the others are compared with",
    )
    parser.add_argument("--x11", action="store_true", help="on a private Xvfb, keys by XTest")
    parser.add_argument("--both", action="store_true", help="offscreen, then --x11 (two runs)")
    parser.add_argument("--gc", choices=("idle", "freeze", "python"), default="idle")
    parser.add_argument("--quick-software", action="store_true", help="QT_QUICK_BACKEND=software")
    parser.add_argument("--disable-gpu", action="store_true", help="Chromium flag, with --x11")
    args = parser.parse_args()
    if args.both:
        return run_both(__file__)
    global GC_MODE
    GC_MODE = args.gc

    from newsdesk.app import make_application

    make_application(sys.argv[:1])  # as the product starts it
    print(
        f"platform {'xcb (Xvfb ' + os.environ['DISPLAY'] + ', XTest keys)' if X11 else 'offscreen'}"
        f"; load average {os.getloadavg()[0]:.1f} (over 2 on this 2-core machine: loaded)",
        flush=True,
    )
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        library = generate_library(Path(tmp) / "library", args.articles)
        try:
            if args.opens:
                bench_open(library, args.open_words, args.opens)
            floor = None
            if args.floor:
                floor = bench_size(library, 0, args.strokes, 0)["median"]
            for words in args.sizes:
                figures = bench_size(library, words, args.strokes, args.naive, floor)
                if words <= 20_000 and (
                    figures["median"] > BUDGET_MEDIAN_MS
                    or (words >= 20_000 and figures["p95"] > BUDGET_P95_MS)
                ):
                    print(
                        f"OVER BUDGET: {words} words, median {figures['median']:.1f} ms "
                        f"(budget {BUDGET_MEDIAN_MS}), p95 {figures['p95']:.1f} ms "
                        f"(budget {BUDGET_P95_MS})"
                    )
                    failed = True
        finally:
            library.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
