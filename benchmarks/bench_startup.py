"""Start-up: launch to first paint, to the library list shown, to preview ready; memory of all processes.

Each run is a fresh process (`python bench_startup.py --child ...`) on a
generated library; the parent reports the median over the runs. Memory is
summed over the app and its QtWebEngine helper processes, read from /proc:
RSS (counts shared pages once per process, so it overstates) and PSS (shares
them out, so it adds up to what the processes really cost).

    python benchmarks/bench_startup.py [--articles 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SETTLE_MS = 1500  # after the preview is ready, let the list page and the page paint land


# ---------------------------------------------------------------- memory (/proc)
def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may hold spaces; the fields after its closing parenthesis do not.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def process_tree(root: int) -> list[int]:
    kids = _children_map()
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


def _kib(path: str, field: str) -> int:
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_of_tree(root: int) -> tuple[int, int, int]:
    """(RSS KiB, PSS KiB, process count) over a process and all its descendants."""
    pids = process_tree(root)
    rss = sum(_kib(f"/proc/{p}/status", "VmRSS") for p in pids)
    pss = sum(_kib(f"/proc/{p}/smaps_rollup", "Pss") for p in pids)
    return rss, pss, len(pids)


# ---------------------------------------------------------------- the child
def child(library_dir: Path, launched_at: float) -> int:
    import tempfile

    from newsdesk.app import build_window, dispose, make_application, prepare_environment

    prepare_environment()
    app = make_application([])
    from PySide6.QtCore import QSettings, QTimer

    from newsdesk.library import Library

    library = Library.open(library_dir)
    tmp = tempfile.TemporaryDirectory()
    settings = QSettings(str(Path(tmp.name) / "s.ini"), QSettings.Format.IniFormat)
    window = build_window(library, settings=settings)  # as `newsdesk` builds it, panels included

    def mark(name: str) -> None:
        print(f"{name} {time.time() - launched_at:.4f}", flush=True)

    def measure() -> None:
        rss, pss, n = memory_of_tree(os.getpid())
        print(f"MEM {rss} {pss} {n} {window.browser.model.rowCount()}", flush=True)
        window.close()
        app.quit()

    window.sig_first_paint.connect(lambda: mark("PAINT"))
    window.browser.model.sig_reset_done.connect(lambda: mark("LIST"))
    window.sig_preview_ready.connect(lambda: (mark("READY"), QTimer.singleShot(SETTLE_MS, measure)))
    QTimer.singleShot(60_000, app.quit)  # never hang a benchmark run
    window.show()
    rc = app.exec()
    dispose(window)
    library.close()
    tmp.cleanup()
    return rc


# ---------------------------------------------------------------- the parent
def one_run(library_dir: Path) -> dict[str, float]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    env.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --disable-logging")
    launched = time.time()
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(library_dir), repr(launched)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    ).stdout
    figures: dict[str, float] = {}
    for line in out.splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] in ("PAINT", "LIST", "READY"):
            figures.setdefault(parts[0], float(parts[1]))
        elif parts[0] == "MEM":
            figures.update(
                rss=int(parts[1]) / 1024,
                pss=int(parts[2]) / 1024,
                procs=int(parts[3]),
                rows=int(parts[4]),
            )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs=2, metavar=("LIBRARY", "LAUNCHED_AT"))
    args = parser.parse_args()
    if args.child:
        return child(Path(args.child[0]), float(args.child[1]))

    from benchmarks.generate import cached_library

    t0 = time.perf_counter()
    library_dir = cached_library(args.articles)
    print(f"# library of {args.articles:,} articles ready in {time.perf_counter() - t0:.1f} s")
    runs = [one_run(library_dir) for _ in range(args.runs)]
    for i, r in enumerate(runs, 1):
        print(
            f"run {i}: first paint {r.get('PAINT', float('nan')) * 1000:.0f} ms, "
            f"list shown {r.get('LIST', float('nan')) * 1000:.0f} ms, "
            f"preview ready {r.get('READY', float('nan')) * 1000:.0f} ms, "
            f"RSS {r.get('rss', 0):.0f} MiB / PSS {r.get('pss', 0):.0f} MiB "
            f"in {r.get('procs', 0)} processes"
        )

    def med(key: str) -> float:
        values = [r[key] for r in runs if key in r]
        return statistics.median(values) if values else float("nan")

    print(f"startup ({args.articles:,} articles, median of {len(runs)} runs, process launch to):")
    print(f"  first paint        {med('PAINT') * 1000:7.0f} ms")
    print(f"  library list shown {med('LIST') * 1000:7.0f} ms")
    print(f"  preview ready      {med('READY') * 1000:7.0f} ms")
    print(
        f"memory, all processes: RSS {med('rss'):.0f} MiB, PSS {med('pss'):.0f} MiB "
        f"(budget 400 MiB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
