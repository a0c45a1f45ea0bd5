"""Where a keystroke's time goes on its way to the preview's painted frame, hop by hop.

The same window and key events as bench_preview.py; the hops are timed with
hooks this script installs in its own process only (the product is unchanged):

  deliver  the key sent -> it reaches the editor (on --x11: the X server, Qt's xcb
           reader thread, the GUI thread's queue; offscreen QTest: next to nothing)
  key      the key event itself (editor, highlighting, textChanged, update_body, the
           panels' handlers), to the next pass of the event loop
  queue    key handled -> the worker starts rendering (thread pool hand-over, GIL)
  render   the worker: blocks re-rendered, diffed, the patch script built
  back     worker done -> the GUI thread takes the result (queued signal)
  ipc      runJavaScript called -> the page starts applying the patch
  apply    the page applies the patch (DOM only; style and layout come later)
  to_frame patch applied -> the animation frame that draws it begins
  to_paint that frame -> the preview widget's paint event in Qt
  applied_to_paint  the patch applied -> that paint (to_frame + to_paint: comparable
           across Chromium flags, which change what a frame's start time means)

Also: the page's own frame interval (requestAnimationFrame in a loop), the
forced style+layout cost of one patch (--layout), the editor's own repaint
(forced whole, and the height it actually repaints per key), the GUI thread's
processor time in the key event, and the floor: a trivial page (one short
paragraph) in the same harness.

Measured on 2026-11-30 (2 cores, load average 11-19 from other work: latencies scatter
widely, processor time per key much less; "before" is the tree at the session's start):
- 1,500 words was slower than 20,000 because the paragraph typed into was three times
  taller (460 px against 144 px): the patch replaced the whole block, and Chromium's
  display compositor (VizCompositorThread, software) spent 9.0 ms per key on it
  against 3.6. Making the block over in place (bridge.js morph) cut it to 2.8-3.2 ms;
  the process's processor time per key went from 37.6-39.7 ms to 26.1-27.9 ms.
- A full garbage-collector pass with a long story open: 20 ms of processor time, seen
  at 293 ms wall time mid-keystroke on the loaded machine; now run when typing pauses.
- On --x11 (Xvfb, Mesa llvmpipe) the window is drawn through OpenGL in software: about
  3 whole-window composites per key, llvmpipe's threads 45-74 ms of processor time per
  key, the largest cost by far (Chromium's --disable-gpu changes nothing: the cost is
  Qt's composite). Process CPU per key before/after: 81-93/71-73 ms (floor), 101-102/
  82-93 (1,500), 98-117/87-96 (20,000).

Run: `python benchmarks/trace_preview.py [--strokes 40] [--sizes 20000] [--x11|--both]`
(--x11: a private Xvfb with keys by XTest, as bench_preview.py).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEvent, QObject, QSettings  # noqa: E402

from benchmarks import bench_preview as bp  # noqa: E402  (its import sets the Qt environment)
from benchmarks.generate import generate_library  # noqa: E402
from newsdesk.ui.preview import jobs  # noqa: E402
from newsdesk.ui.preview import pane as pane_module  # noqa: E402

HOPS = (
    "deliver",
    "key",
    "queue",
    "render",
    "back",
    "ipc",
    "apply",
    "to_frame",
    "to_paint",
    "total",
)

_marks: dict[int, dict[str, float]] = {}


def _now() -> float:
    return time.time() * 1000


def install_hooks(layout: bool) -> None:
    """Record when each version's render starts and ends, and when its patch is sent."""
    original_render = jobs.render_body

    def traced_render(*args, **kwargs):
        version = kwargs.get("version")
        started = _now()
        result = original_render(*args, **kwargs)
        if version is not None:
            _marks.setdefault(version, {}).update(w0=started, w1=_now())
        return result

    jobs.render_body = traced_render
    original_done = pane_module.PreviewPane._on_body_rendered

    def traced_done(self, outcome):
        _marks.setdefault(outcome[1], {})["g"] = _now()
        return original_done(self, outcome)

    pane_module.PreviewPane._on_body_rendered = traced_done


PAGE_HOOK = """(function () {
  if (window.__ndt) return true;
  var o = newsdesk.patch; window.__ndt = {};
  newsdesk.patch = function (p) {
    var a = performance.timeOrigin + performance.now();
    var r = o(p);
    var b = performance.timeOrigin + performance.now();
    var c = b;
    if (LAYOUT) { document.body.offsetHeight; c = performance.timeOrigin + performance.now(); }
    if (p.v !== undefined) window.__ndt[p.v] = [a, b, c];
    return r;
  };
  return true;
})()"""

FRAME_LOOP = """(function () {
  var t = []; window.__frames = t;
  function f(ts) { t.push(ts); if (t.length < 61) requestAnimationFrame(f); }
  requestAnimationFrame(f); return true;
})()"""


class GcPauses:
    """The garbage collector's passes while keys are typed: (generation, ms) each.

    A pass holds the interpreter lock, so whichever thread runs it, the GUI thread waits."""

    def __init__(self) -> None:
        self.passes: list[tuple[int, float]] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.passes.append((info["generation"], (time.perf_counter() - self._started) * 1000))

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *_exc) -> None:
        gc.callbacks.remove(self)

    def summary(self) -> str:
        parts = []
        for generation in (0, 1, 2):
            times = [ms for g, ms in self.passes if g == generation]
            if times:
                parts.append(
                    f"gen{generation} {len(times)}x total {sum(times):.1f} max {max(times):.1f} ms"
                )
        return "; ".join(parts) or "none"


def _descendants(root: int) -> list[int]:
    """This process's children, their children and so on (QtWebEngine's zygote and renderer)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def thread_cpu() -> dict[str, float]:
    """Processor ms so far of each thread of this process and of the processes it started
    (QtWebEngine's renderer: "child:" names), summed by thread name."""
    tick = 1000 / os.sysconf("SC_CLK_TCK")
    found: dict[str, float] = {}
    for pid in [os.getpid(), *_descendants(os.getpid())]:
        owner = "" if pid == os.getpid() else "child:"
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                stat = (task / "stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()
            ms = (int(fields[11]) + int(fields[12])) * tick
            key = owner + name.rstrip("0123456789")
            found[key] = found.get(key, 0.0) + ms
    return found


def cpu_by_thread(before: dict[str, float], after: dict[str, float], keys: int) -> str:
    """The threads that took the most processor time per key between two thread_cpu()."""
    spent = {k: after[k] - before.get(k, 0.0) for k in after}
    top = sorted(spent.items(), key=lambda kv: -kv[1])[:8]
    return ", ".join(f"{name} {ms / max(keys, 1):.1f}" for name, ms in top if ms > 0)


class WindowSyncs(QObject):
    """How often the window's widgets are painted and put on screen (the top-level's
    UpdateRequest events): on an X display through OpenGL each is a whole-window composite."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, _watched, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.UpdateRequest:
            self.count += 1
        return False


class PaintedHeights(QObject):
    """The height of each region a widget paints (the editor's viewport, per key)."""

    def __init__(self) -> None:
        super().__init__()
        self.heights: list[int] = []

    def eventFilter(self, _watched, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Paint:
            self.heights.append(event.region().boundingRect().height())
        return False


def page_eval(pane, script: str, timeout_ms: int = 5000):
    box: list = []
    pane.run_js(script, box.append)
    bp.spin_until(lambda: bool(box), timeout_ms)
    return box[0] if box else None


def frame_interval(pane) -> tuple[float, float]:
    """The page's animation-frame interval while it animates (median, max ms)."""
    page_eval(pane, FRAME_LOOP)
    bp.spin(1300)
    times = json.loads(page_eval(pane, "JSON.stringify(window.__frames)") or "[]")
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    return (statistics.median(gaps), max(gaps)) if gaps else (float("nan"), float("nan"))


def trace_size(library, words: int, strokes: int, layout: bool) -> dict[str, list[float]]:
    body = bp.article_markdown(words) if words > 50 else "One short paragraph.\n\nAnother.\n"
    created = library.create_article(headline=f"A {words}-word story", body=body)
    settings = QSettings(str(Path(library.root) / f"trace-{words}.ini"), QSettings.IniFormat)
    window = bp.open_window(library, created.id, settings)
    pane = window.preview
    watch = bp.FrameWatch(pane)
    assert watch.attach()
    watch.calibrate()
    syncs: list[float] = []
    quick_window = watch.widget.quickWindow()
    quick_window.beforeSynchronizing.connect(lambda: syncs.append(_now()), bp.Qt.DirectConnection)
    page_eval(pane, PAGE_HOOK.replace("LAYOUT", "true" if layout else "false"))
    interval = frame_interval(pane)
    editor_paint = []
    for _ in range(10):
        started = time.perf_counter()
        window.editor.viewport().repaint()
        editor_paint.append((time.perf_counter() - started) * 1000)
    rng = random.Random(words)
    keyboard = bp.Keyboard(window)
    painted = PaintedHeights()
    window.editor.viewport().installEventFilter(painted)
    editor_px: list[int] = []
    key_cpu: list[float] = []
    rows = []
    syncs_seen = WindowSyncs()
    window.installEventFilter(syncs_seen)  # posted to the widget or to its QWindow,
    window.windowHandle().installEventFilter(syncs_seen)  # depending on the Qt version
    pauses = GcPauses().__enter__()
    typing_cpu = time.process_time()
    gui_cpu = time.thread_time()
    threads_before = thread_cpu()
    for n in range(strokes):
        char = bp.TYPED[n % len(bp.TYPED)]
        painted.heights.clear()
        typed = keyboard.type(char)
        if typed is None:
            continue
        k0, version = typed
        timer = keyboard.timer
        key_cpu.append(timer.cpu[0])
        _marks.setdefault(version, {}).update(k0=k0, ka=timer.arrived[0], k1=timer.handled[0])
        ok = bp.spin_until(
            lambda v=version: (
                (f := watch.frame_for(v)) is not None and watch.paint_after(f) is not None
            ),
            2000,
        )
        if ok:
            f = watch.frame_for(version)
            paint = watch.paint_after(f)
            sync = next((t for t in reversed(syncs) if t <= paint), paint)
            _marks[version].update(f=f, paint=paint, sync=sync)
            rows.append(version)
            editor_px.append(max(painted.heights, default=0))
        bp.spin(rng.uniform(40, 120))
    pauses.__exit__()
    window.removeEventFilter(syncs_seen)
    window.windowHandle().removeEventFilter(syncs_seen)
    typing_cpu = time.process_time() - typing_cpu
    gui_cpu = time.thread_time() - gui_cpu
    threads = cpu_by_thread(threads_before, thread_cpu(), strokes)
    keyboard.close()
    window_height = window.editor.viewport().height()
    page = page_eval(pane, "JSON.stringify(window.__ndt)") or "{}"
    page_marks = {int(k): v for k, v in json.loads(page).items()}
    bp.close_window(window)

    hops: dict[str, list[float]] = {h: [] for h in HOPS}
    hops["layout"] = []
    hops["to_sync"] = []
    hops["sync_paint"] = []
    hops["applied_to_paint"] = []  # the page's patch applied -> Qt paints it (whatever the frame)
    for v in rows:
        m = _marks[v]
        if "w0" not in m or v not in page_marks:
            continue  # coalesced into a later version's render
        a, b, c = (x - watch.offset for x in page_marks[v])
        hops["deliver"].append(m["ka"] - m["k0"])
        hops["key"].append(m["k1"] - m["ka"])
        hops["queue"].append(m["w0"] - m["k1"])
        hops["render"].append(m["w1"] - m["w0"])
        hops["back"].append(m["g"] - m["w1"])
        hops["ipc"].append(a - m["g"])
        hops["apply"].append(b - a)
        hops["layout"].append(c - b)
        hops["to_frame"].append(m["f"] - c)
        hops["to_sync"].append(m["sync"] - m["f"])
        hops["sync_paint"].append(m["paint"] - m["sync"])
        hops["to_paint"].append(m["paint"] - m["f"])
        hops["applied_to_paint"].append(m["paint"] - c)
        hops["total"].append(m["paint"] - m["k0"])
    n = len(hops["total"])
    print(
        f"\n{words} words: {n} keys traced; page frame interval median {interval[0]:.1f} ms "
        f"(max {interval[1]:.1f}); editor viewport repaint median "
        f"{statistics.median(editor_paint):.2f} ms; per key: editor repainted median "
        f"{statistics.median(editor_px or [0])} px (max {max(editor_px, default=0)} of "
        f"{window_height} px), GUI thread CPU in the key event median "
        f"{statistics.median(key_cpu):.2f} ms p95 {bp.p95(key_cpu):.2f}; GUI thread CPU per key "
        f"{gui_cpu * 1000 / max(strokes, 1):.1f} ms and process CPU per key "
        f"{typing_cpu * 1000 / max(strokes, 1):.1f} ms (everything while typing, pauses included)"
        f"\n  window paints put on screen per key {syncs_seen.count / max(strokes, 1):.1f}"
        f"\n  garbage collector while typing: {pauses.summary()}"
        f"\n  processor ms per key by thread (10 ms ticks): {threads}"
    )
    print(f"  {'hop':<9} {'median':>7} {'p95':>7} {'max':>7}  (ms)")
    for hop, values in hops.items():
        if values and (hop != "layout" or layout):
            print(
                f"  {hop:<9} {statistics.median(values):7.2f} {bp.p95(values):7.2f} "
                f"{max(values):7.2f}"
            )
    return hops


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=40)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 20_000])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--layout", action="store_true", help="force layout after each patch")
    parser.add_argument("--switch-ms", type=float, default=0, help="sys.setswitchinterval, ms")
    parser.add_argument("--x11", action="store_true", help="on a private Xvfb, keys by XTest")
    parser.add_argument("--both", action="store_true", help="offscreen, then --x11 (two runs)")
    parser.add_argument(
        "--gc", choices=("idle", "freeze", "python"), default="idle", help="see bench_preview"
    )
    parser.add_argument("--quick-software", action="store_true", help="see bench_preview")
    parser.add_argument("--disable-gpu", action="store_true", help="see bench_preview")
    args = parser.parse_args()
    if args.both:
        return bp.run_both(__file__)
    bp.GC_MODE = args.gc
    if args.switch_ms:
        sys.setswitchinterval(args.switch_ms / 1000)
    from newsdesk.app import make_application

    make_application(sys.argv[:1])
    install_hooks(args.layout)
    print(
        f"load average {os.getloadavg()[0]:.1f}; platform {os.environ.get('QT_QPA_PLATFORM')}",
        flush=True,
    )
    cpu = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        library = generate_library(Path(tmp) / "library", args.articles)
        try:
            for words in args.sizes:
                trace_size(library, words, args.strokes, args.layout)
        finally:
            library.close()
    print(f"process CPU {time.process_time() - cpu:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
