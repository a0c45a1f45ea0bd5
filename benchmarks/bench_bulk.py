"""Bulk work at archive scale: Set Section, Move to Trash and the Undo of each, over every story.

Run: PYTHONPATH=. python benchmarks/bench_bulk.py [N] [--count K] [--repeat R]

N picks the cached library (benchmarks/generate.py cached_library: 10,000 by
default; 100,000 takes a while to copy). It is copied into a temporary folder
first (the cache is never written to). Each round, over K of its stories
(all of them by default), in the order the window runs them:

  set section   Library.sections_of (for Undo) then Library.set_section
  undo section  Library.set_sections(before): each story back in its own section
  trash         Library.trash_articles
  undo trash    Library.restore_articles

Prints the median wall and processor time of R rounds (processor time:
this process's, which includes SQLite's work), and the load average before
and after (figures are "loaded" above 2).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import cached_library  # noqa: E402
from newsdesk.library import Library  # noqa: E402

STEPS = ("set section", "undo section", "trash", "undo trash")


def timed(fn):
    """fn()'s result, wall seconds and this process's processor seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def copy_library(source: Path, dest: Path) -> Path:
    """A writable copy of a cached library (reflinked where the file system can)."""
    subprocess.run(["cp", "-r", "--reflink=auto", str(source), str(dest)], check=True)
    return dest


def one_round(lib: Library, ids: list[int]) -> dict[str, tuple[float, float]]:
    times: dict[str, tuple[float, float]] = {}

    def set_section():
        before = lib.sections_of(ids)
        return lib.set_section(ids, "Bulk desk"), before

    (moved, before), wall, cpu = timed(set_section)
    assert moved == len(ids), (moved, len(ids))
    times["set section"] = (wall, cpu)
    back, wall, cpu = timed(lambda: lib.set_sections(before))
    assert back == len(ids)
    times["undo section"] = (wall, cpu)
    trashed, wall, cpu = timed(lambda: lib.trash_articles(ids))
    assert trashed == len(ids)
    times["trash"] = (wall, cpu)
    restored, wall, cpu = timed(lambda: lib.restore_articles(ids))
    assert restored == len(ids)
    times["undo trash"] = (wall, cpu)
    return times


def main(n: int, count: int | None, repeat: int) -> None:
    print(f"# load average {os.getloadavg()[0]:.1f}")
    source = cached_library(n)
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-bulk-") as tmp:
        root = copy_library(source, Path(tmp) / "library")
        with Library.open(root) as lib:
            ids = lib.article_ids()[: count or None]
            print(f"# {len(ids):,} of {n:,} stories, {repeat} round(s)")
            rounds = [one_round(lib, ids) for _ in range(repeat)]
            lib.check_search_index()  # the index followed every change
        shutil.rmtree(root, ignore_errors=True)
    print(f"{'step':<14}{'wall s (median)':>18}{'cpu s (median)':>18}")
    for step in STEPS:
        wall = statistics.median(r[step][0] for r in rounds)
        cpu = statistics.median(r[step][1] for r in rounds)
        print(f"{step:<14}{wall:>18.2f}{cpu:>18.2f}")
    print(f"# load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000, help="stories in the library")
    parser.add_argument("--count", type=int, help="stories acted on (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (the median is printed)")
    args = parser.parse_args()
    main(args.n, args.count, args.repeat)
