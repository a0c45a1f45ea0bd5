"""The article list and type-ahead search at 100,000 articles, through what the browser's workers run.

Figures, each a median and p95 in ms, measured from the worker's start to its answer:
- a page of the list for each filter (status, section, tag, none), first and deep (page 50);
- the filter choices (sections and tags) the browser loads at start-up;
- type-ahead search for common words, the query growing a letter at a time as typed,
  including the snippets of every hit;
- the library's size per 1,000 articles, and how much of it the full-text index takes.
Budgets: page and choices under 20 ms; type-ahead p95 under 50 ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import cached_library  # noqa: E402
from newsdesk.library import Library  # noqa: E402
from newsdesk.library.related.picker import SearchRequest, run_search  # noqa: E402
from newsdesk.ui.article_list_model import PAGE_SIZE, Filters, load_page, search_rows  # noqa: E402

MIB = 1024 * 1024
TYPED = ["the council", "government", "people said", "city co", "police report"]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def timed(fn, runs: int) -> tuple[float, float, object]:
    fn()  # warm the page cache
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), percentile(times, 95), result


def deep_cursor(lib: Library, filters: Filters, pages: int):
    after = None
    for _ in range(pages):
        rows = load_page(lib, filters, after)
        if len(rows) < PAGE_SIZE:
            return after
        after = (rows[-1].updated_at, rows[-1].id)
    return after


def bench_pages(lib: Library, n: int) -> None:
    tags = lib.tag_counts()
    common_tag, rare_tag = tags[0][0], tags[-1][0]
    cases = {
        "all": Filters(),
        "status_draft": Filters(status="draft"),
        "status_published": Filters(status="published"),
        "section": Filters(section="Science"),
        "status_and_section": Filters(status="ready", section="Culture"),
        f"tag_common({tags[0][1]})": Filters(tag=common_tag),
        f"tag_rare({tags[-1][1]})": Filters(tag=rare_tag),
    }
    for label, filters in cases.items():
        for depth in (0, 50):
            after = deep_cursor(lib, filters, depth) if depth else None
            p50, p95, rows = timed(lambda f=filters, a=after: load_page(lib, f, a), 30)
            print(
                f"list_{n}_{label}_page{depth + 1} p50_ms {p50:.1f} p95_ms {p95:.1f} "
                f"rows {len(rows)} (budget 20)"
            )


def bench_choices(lib: Library, n: int) -> None:
    p50, p95, (sections, tags) = timed(lambda: (lib.sections(), lib.tags()), 30)
    print(
        f"choices_{n} p50_ms {p50:.1f} p95_ms {p95:.1f} "
        f"sections {len(sections)} tags {len(tags)} (budget 20)"
    )


def bench_typeahead(lib: Library, n: int) -> None:
    """Every prefix of each phrase from its third letter, as the debounced type-ahead sends it.

    Both searching workers: the library browser's list and the related-story
    picker's (which shows snippets). CPU time is printed beside wall time, since
    on a shared machine the wall clock mostly measures the other processes.
    """
    paths = {
        "browser": lambda q: search_rows(lib, Filters(query=q)),
        "picker": lambda q: run_search(lib, SearchRequest(q, "", "", None, None, None)),
    }
    for label, fn in paths.items():
        wall, cpu = [], []
        for phrase in TYPED:
            for end in range(3, len(phrase) + 1):
                query = phrase[:end]
                if query.endswith(" "):
                    continue
                fn(query)  # warm
                for _ in range(5):
                    t0, c0 = time.perf_counter(), time.thread_time()
                    fn(query)
                    cpu.append((time.thread_time() - c0) * 1000)
                    wall.append((time.perf_counter() - t0) * 1000)
        print(
            f"typeahead_{n}_common_{label} p50_ms {statistics.median(wall):.1f} "
            f"p95_ms {percentile(wall, 95):.1f} cpu_p50_ms {statistics.median(cpu):.1f} "
            f"cpu_p95_ms {percentile(cpu, 95):.1f} queries {len(wall)} (budget p95 50)"
        )


def bench_size(lib: Library, n: int) -> None:
    lib.checkpoint()
    size = os.path.getsize(lib.db_path)
    with lib.engine.connect() as conn:
        try:
            parts = dict(
                conn.exec_driver_sql(
                    "SELECT CASE WHEN name LIKE 'articles_fts%' THEN 'index' "
                    "WHEN name = 'articles' THEN 'articles' ELSE 'other' END, sum(pgsize) "
                    "FROM dbstat GROUP BY 1"
                ).all()
            )
        except Exception:  # SQLite built without dbstat
            parts = {}
        free = conn.exec_driver_sql("PRAGMA freelist_count").scalar()
        page = conn.exec_driver_sql("PRAGMA page_size").scalar()
        copy = conn.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name = 'articles_fts_content'"
        ).scalar()
    split = " ".join(f"{k}_mib {v / MIB:.0f}" for k, v in sorted(parts.items()))
    print(
        f"size_{n} mib {size / MIB:.0f} mib_per_1000 {size / MIB / n * 1000:.2f} {split} "
        f"free_mib {free * page / MIB:.0f} body_stored {'twice' if copy else 'once'}"
    )


def main(n: int = 100_000) -> None:
    path = cached_library(n)
    t0 = time.perf_counter()
    lib = Library.open(path)
    opened = time.perf_counter() - t0
    note = f", upgraded first (backup {lib.migration_backup})" if lib.migration_backup else ""
    print(f"# library of {lib.count_articles():,} articles opened in {opened:.1f} s{note}")
    bench_pages(lib, n)
    bench_choices(lib, n)
    bench_typeahead(lib, n)
    bench_size(lib, n)
    lib.close()


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
