"""Ranked search at 10,000 and 100,000 articles: p50/p95 for rare, common and type-ahead queries."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import cached_library  # noqa: E402
from newsdesk.library import Library  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def measure(lib: Library, query: str, *, prefix: bool, runs: int = 40) -> tuple[float, float, int]:
    lib.search(query, prefix=prefix)  # warm the page cache
    times = []
    n = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        n = len(lib.search(query, prefix=prefix, limit=50))
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), percentile(times, 95), n


def main(sizes=(10_000, 100_000)) -> None:
    for n in sizes:
        t0 = time.perf_counter()
        path = cached_library(n)
        lib = Library.open(path)
        print(
            f"# library of {lib.count_articles():,} articles ready in {time.perf_counter() - t0:.1f} s ({path})"
        )
        with lib.engine.connect() as conn:
            vocab = conn.exec_driver_sql(
                "SELECT body FROM articles_fts WHERE rowid = (SELECT max(rowid) FROM articles_fts)"
            ).scalar()
        words = vocab.split()
        rare = max(set(w.strip(".,").lower() for w in words if len(w) > 9), key=len)
        cases = [
            ("common", "the council", False),
            ("very_common", "the", False),
            ("rare", rare, False),
            ("typeahead_common", "gover", True),
            ("typeahead_two_words", "city co", True),
        ]
        for label, query, prefix in cases:
            p50, p95, hits = measure(lib, query, prefix=prefix)
            print(
                f"search_{n}_{label} p50_ms {p50:.1f} p95_ms {p95:.1f} hits {hits} query {query!r} (budget p95 50)"
            )
        lib.close()


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or (10_000, 100_000))
