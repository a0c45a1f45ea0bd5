"""Ranked search (p95, common and rare words) and related suggestions (median) on a shared PostgreSQL library.

    python benchmarks/bench_pg.py [N ...]      # default 10,000; budgets as SQLite's

Starts a throwaway PostgreSQL cluster (as tests/pg.py does), makes a
database with `server init`, fills it by COPY from the generated SQLite
library of N articles (benchmarks/fill_pg.py), and measures through the
same Library facade the command line uses.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_search import measure  # noqa: E402
from benchmarks.fill_pg import fill  # noqa: E402
from newsdesk.library import Library  # noqa: E402
from newsdesk.library.pg import init_server  # noqa: E402
from newsdesk.library.related import suggest_related  # noqa: E402
from tests.pg import _start, _stop  # noqa: E402


def bench(server, n: int) -> None:
    name = server.create_database(f"bench_{n}")
    url = server.url(name)
    init_server(url)
    t0 = time.perf_counter()
    counts = fill(n, url)
    print(
        f"# PostgreSQL library of {counts['articles']:,} articles filled in {time.perf_counter() - t0:.1f} s"
    )
    lib = Library.open(url)
    with lib.engine.connect() as conn:
        body = conn.exec_driver_sql("SELECT body FROM articles ORDER BY id DESC LIMIT 1").scalar()
    rare = max({w.strip(".,").lower() for w in body.split() if len(w) > 9}, key=len)
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
            f"pg_search_{n}_{label} p50_ms {p50:.1f} p95_ms {p95:.1f} hits {hits} query {query!r} (budget p95 50)"
        )
    ids = [a.id for a in lib.list_articles(status="published", limit=5000)]
    rng = random.Random(7)
    sample = rng.sample(ids, min(60, len(ids)))
    suggest_related(lib, sample[0])  # warm
    times = []
    for aid in sample[1:]:
        t = time.perf_counter()
        suggest_related(lib, aid)
        times.append((time.perf_counter() - t) * 1000)
    print(
        f"pg_related_{n} p50_ms {statistics.median(times):.1f} max_ms {max(times):.1f} (budget p50 30)"
    )
    lib.close()


def main(sizes=(10_000,)) -> None:
    base = Path(tempfile.mkdtemp(prefix="newsdesk-bench-pg-"))
    server = _start(base)
    try:
        for n in sizes:
            bench(server, n)
    finally:
        _stop(base)


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or (10_000,))
