"""Sync measured: a sync with nothing to do, pushing then pulling N changed articles, a save meanwhile.

Run: PYTHONPATH=. python benchmarks/bench_sync.py [N] [--pg]   (default 10,000)
     PYTHONPATH=. python benchmarks/bench_sync.py --pictures 500 [--picture-mb 5] [--pg] [--window]

With --pg the shared library is a throwaway PostgreSQL cluster (as the
tests start one); without it, another library folder. Prints throughput
each way (wall and processor time), a sync with nothing to do (median of
ten, after a first one that follows the bulk sync), how long a save waits
when the window issues it during the pull (the window's one writer is
modelled by a one-thread executor, as ui/ops.py runs it), and the load
average (figures are "loaded" above 2).

With --pictures, N pictures of --picture-mb each (real JPEGs, made distinct
by trailing bytes) are pushed by one laptop and pulled by another: MB/s each
way, every picture checked by its SHA-256 on arrival, a second push sending
nothing (a picture travels once; an interrupted sync resumes from the ones
not yet sent) — and with --window the pull runs as the real window's
background sync, timing the GUI thread's longest stall meanwhile.
"""

from __future__ import annotations

import inspect
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsdesk.library import Library  # noqa: E402
from newsdesk.sync import sync  # noqa: E402

BODY = (
    "A paragraph of a story about the council and the harbour, long enough to be a lead.\n\n"
    "Another paragraph, somewhat longer than the first one, with quotes and figures.\n\n"
) * 6
IDLE_RUNS = 10
SAVE_EVERY_S = 0.5


def main(
    n: int, *, pg: bool, pictures: int = 0, picture_mb: float = 5, window: bool = False
) -> None:
    print(f"# load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cluster = None
        if pg:
            from newsdesk.library.pg import init_server
            from tests.pg import _start

            cluster = Path(tempfile.mkdtemp(prefix="newsdesk-bench-sync-"))
            server = _start(cluster)
            server.create_database("shared")
            target = server.url("shared")
            init_server(target)
        else:
            target = str(root / "server")
            Library.open(root / "server").close()
        try:
            if pictures:
                run_pictures(root, target, pictures, picture_mb, window=window)
            else:
                run(root, target, n)
        finally:
            if cluster is not None:
                from tests.pg import _stop

                _stop(cluster)
    print(f"# load average {os.getloadavg()[0]:.1f}")


def timed(fn):
    """fn()'s result, wall seconds and processor seconds (all threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def idle(library) -> None:
    """A sync right after a bulk one, then the median of IDLE_RUNS syncs with nothing to do."""
    _r, wall, cpu = timed(lambda: sync(library))
    print(f"  first sync after it: {wall * 1000:.0f} ms (processor {cpu * 1000:.0f} ms)")
    walls, cpus = [], []
    for _ in range(IDLE_RUNS):
        _r, wall, cpu = timed(lambda: sync(library))
        walls.append(wall)
        cpus.append(cpu)
    print(
        f"  sync with nothing to do, median of {IDLE_RUNS}: "
        f"{statistics.median(walls) * 1000:.0f} ms (processor {statistics.median(cpus) * 1000:.0f} "
        f"ms; range {min(walls) * 1000:.0f}–{max(walls) * 1000:.0f} ms); "
        f"load {os.getloadavg()[0]:.1f}"
    )


def pull_while_saving(library, target: str):
    """Pull on a background sync while a save is issued every SAVE_EVERY_S; (report, save waits)."""
    story = library.create_article(headline="Written during the pull", slug="during-the-pull")
    writer = ThreadPoolExecutor(1, thread_name_prefix="writer")
    done = threading.Event()
    box: list = []

    def on_writer(fn):
        return writer.submit(fn).result()

    if "writer" in inspect.signature(sync).parameters:
        # The sync runs beside the writer and hands it only its short local writes.
        def background() -> None:
            try:
                box.append(sync(library, target, writer=on_writer))
            finally:
                done.set()

        threading.Thread(target=background, daemon=True).start()
    else:  # the whole sync is one operation on the writer
        future = writer.submit(sync, library, target)
        future.add_done_callback(lambda f: (box.append(f.result()), done.set()))
    waits: list[float] = []
    k = 0
    while not done.wait(SAVE_EVERY_S):
        k += 1
        t = time.perf_counter()
        on_writer(lambda k=k: library.update_article(story.id, body=f"Draft {k}."))
        waits.append(time.perf_counter() - t)
    writer.shutdown()
    return box[0], waits


def run(root: Path, target: str, n: int) -> None:
    with Library.open(root / "a") as a:
        with a._session() as s, s.begin():  # many stories quickly, still logged
            from newsdesk.library.models import Article

            s.add_all(
                Article(
                    headline=f"Story {i} on the harbour", slug=f"story-{i}", body=f"{i}. {BODY}"
                )
                for i in range(n)
            )
        report, wall, cpu = timed(lambda: sync(a, target))
        print(
            f"push {report.pushed} articles: {wall:.1f} s ({report.pushed / wall:.0f}/s; "
            f"processor {cpu:.1f} s); load {os.getloadavg()[0]:.1f}"
        )
        idle(a)
    with Library.open(root / "b") as b:
        (report, waits), wall, cpu = timed(lambda: pull_while_saving(b, target))
        print(
            f"pull {report.pulled} articles: {wall:.1f} s ({report.pulled / wall:.0f}/s; "
            f"processor {cpu:.1f} s); load {os.getloadavg()[0]:.1f}"
        )
        if waits:
            print(
                f"  a save issued during the pull waited: longest {max(waits) * 1000:.0f} ms, "
                f"median {statistics.median(waits) * 1000:.0f} ms ({len(waits)} saves)"
            )
        b.check_search_index()
        idle(b)


def make_pictures(library, n: int, mb: float) -> int:
    """n distinct JPEGs of about mb MB each in the library's media folder, recorded; total bytes."""
    import hashlib

    from benchmarks.generate import sample_photo

    base_path = Path(tempfile.gettempdir()) / "newsdesk-bench" / "sync-base-photo.jpg"
    if not base_path.exists():
        base_path.parent.mkdir(parents=True, exist_ok=True)
        sample_photo(base_path, 1600, 1067, seed=7)
    base = base_path.read_bytes()
    size = max(len(base) + 64, int(mb * 1_000_000))
    records, total = [], 0
    for i in range(n):
        # Bytes after the JPEG's end are ignored by every decoder: a real picture, its own SHA-256.
        data = base + os.urandom(size - len(base))
        sha = hashlib.sha256(data).hexdigest()
        (library.media_dir / f"{sha}.jpg").write_bytes(data)
        total += len(data)
        records.append(
            dict(
                sha256=sha,
                ext=".jpg",
                original_name=f"harbour-{i}.jpg",
                format="JPEG",
                mime="image/jpeg",
                width=1600,
                height=1067,
                size_bytes=len(data),
            )
        )
    library.media_dir.mkdir(parents=True, exist_ok=True)
    library.add_images(records)
    return total


def run_pictures(root: Path, target: str, n: int, mb: float, *, window: bool) -> None:
    with Library.open(root / "b") as b:
        sync(b, target)  # linked before the pictures exist, so its next sync pulls them
        if window:
            # The window opens (and its catch-up sync finds nothing) before the pictures are
            # sent, so the sync measured is a background sync of an open, settled window.
            _pull_in_window(b, root, before=lambda: _push_pictures(root, target, n, mb))
            return
    total = _push_pictures(root, target, n, mb)
    with Library.open(root / "b") as b:
        report, wall, cpu = timed(lambda: sync(b))
        _say_pulled(b, n, total, report, wall, cpu)


def _say_pulled(b, n: int, total: int, report, wall: float, cpu: float) -> None:
    arrived = list(b.media_dir.glob("*.jpg"))
    print(
        f"pull {len(arrived)} pictures: {wall:.1f} s ({total / 1e6 / wall:.1f} MB/s; processor "
        f"{cpu:.1f} s); {len(report.problems)} problem(s); load {os.getloadavg()[0]:.1f}"
    )
    assert len(arrived) == n and not report.problems, report.problems


def _push_pictures(root: Path, target: str, n: int, mb: float) -> int:
    """Laptop a makes the pictures and pushes them; their total size in bytes."""
    with Library.open(root / "a") as a:
        a.media_dir.mkdir(parents=True, exist_ok=True)
        total = make_pictures(a, n, mb)
        print(f"# {n} pictures, {total / 1e6:.0f} MB in all; load {os.getloadavg()[0]:.1f}")
        report, wall, cpu = timed(lambda: sync(a, target))
        print(
            f"push {n} pictures: {wall:.1f} s ({total / 1e6 / wall:.1f} MB/s; processor {cpu:.1f} s)"
            f"; {len(report.problems)} problem(s); load {os.getloadavg()[0]:.1f}"
        )
        sent, wall, _cpu = timed(lambda: _sent_again(a))
        print(f"  a second sync sends {sent} picture(s) ({wall * 1000:.0f} ms)")
    return total


def _sent_again(library) -> int:
    """How many pictures a second sync sends (none: each travelled once)."""
    from newsdesk.sync import media

    calls = []
    real = media.push_picture

    def counting(laptop, server, sha256, ext):
        if not (hasattr(server, "has_media_blob") and server.has_media_blob(sha256)):
            calls.append(sha256)
        return real(laptop, server, sha256, ext)

    media.push_picture = counting
    try:
        sync(library)
    finally:
        media.push_picture = real
    return len(calls)


def _pull_in_window(library, root: Path, before) -> None:
    """The pull as the real window's background sync, the window already up and settled.

    before() runs once the window's own first sync is over (it sends the pictures).
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --disable-logging")
    from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, Qt, QThreadPool

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    import PySide6.QtWebEngineWidgets  # noqa: F401  (before the QApplication)
    from PySide6.QtWidgets import QApplication

    from benchmarks.bench_import_ui import GapMeter
    from newsdesk.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    settings = QSettings(str(root / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(library, settings=settings)
    window.open_initial()
    window.show()

    def spin_until(done, timeout_s: float = 1800.0) -> None:
        end = time.perf_counter() + timeout_s
        while not done() and time.perf_counter() < end:
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)

    spin_until(lambda: window.preview_ready and window.sync.status.linked, 60)
    settle = time.perf_counter() + 3.0  # the catch-up sync the window starts by itself
    spin_until(lambda: time.perf_counter() > settle and not window.sync.running, 120)
    total = before()
    reports: list = []
    window.sync.sig_synced.connect(reports.append)
    meter = GapMeter()
    meter.start()
    wall, cpu = time.perf_counter(), time.process_time()
    window.sync.sync_now(manual=False)
    spin_until(lambda: bool(reports) or (not window.sync.running and window.sync.failed))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    settle = time.perf_counter() + 1.0
    spin_until(lambda: time.perf_counter() > settle)
    meter.stop()
    if not reports:
        raise SystemExit(f"the window's sync failed: {window.sync.problem}")
    n = len(list(library.media_dir.glob("*.jpg")))
    _say_pulled(library, n, total, reports[0], wall, cpu)
    print(
        f"  the window's GUI thread: longest stall {meter.worst():.0f} ms during the background "
        f"sync ({sum(g > 100 for g in meter.gaps)} stalls over 100 ms)"
    )
    window.close()
    QThreadPool.globalInstance().waitForDone(10_000)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000)
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--pictures", type=int, default=0)
    parser.add_argument("--picture-mb", type=float, default=5.0)
    parser.add_argument("--window", action="store_true")
    a = parser.parse_args()
    main(a.n, pg=a.pg, pictures=a.pictures, picture_mb=a.picture_mb, window=a.window)
