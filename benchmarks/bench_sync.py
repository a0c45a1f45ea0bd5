"""Sync measured: a sync with nothing to do, pushing then pulling N changed articles, a save meanwhile.

Run: PYTHONPATH=. python benchmarks/bench_sync.py [N] [--pg]   (default 10,000)

With --pg the shared library is a throwaway PostgreSQL cluster (as the
tests start one); without it, another library folder. Prints throughput
each way (wall and processor time), a sync with nothing to do (median of
ten, after a first one that follows the bulk sync), how long a save waits
when the window issues it during the pull (the window's one writer is
modelled by a one-thread executor, as ui/ops.py runs it), and the load
average (figures are "loaded" above 2).
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


def main(n: int, *, pg: bool) -> None:
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


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--pg"]
    main(int(args[0]) if args else 10_000, pg="--pg" in sys.argv)
