"""Related stories at scale: suggestion time and search-as-you-type, rare and common terms.

Run: `.venv/bin/python benchmarks/bench_related.py [--sizes 10000 100000] [--runs 60]
[--first-call-runs 12]`. Generated libraries are the ones every benchmark shares
(benchmarks/generate.py, under NEWSDESK_BENCH_CACHE), so only the first run pays
for writing and indexing them. Processor time is printed beside wall time.

Suggestion figures: `suggest_first_call` is the first suggestion in a fresh
process, after loading the article as `newsdesk related SLUG` does (one
process per sample; `related_command` adds that load, not the start-up or the
open); `suggest_cold` drops the counts kept in memory before each call,
as a fresh process starts, but reuses this process's SQLite page cache;
`suggest_warm` keeps them. All three use the library's persisted snapshot of
common words' counts, which is retaken (and timed) before measuring.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import generate  # noqa: E402
from newsdesk.library import Library  # noqa: E402
from newsdesk.library.related import (  # noqa: E402
    forget_statistics,
    refresh_term_stats,
    suggest_related,
    tokens,
)

SEARCH_P95_BUDGET_MS = 50.0
SUGGEST_P50_BUDGET_MS = 30.0


def cached_library(n: int) -> Library:
    """The generated library of n articles, made once and shared by every benchmark."""
    return Library.open(generate.cached_library(n))


# Processor time of each sample, beside the wall-clock time timed() returns: on
# a shared machine the wall clock mostly measures the other processes.
_cpu: list[float] = []


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - started) * 1000.0)
        _cpu.append((time.process_time() - cpu) * 1000.0)
    return out


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    """Median, p95 and max wall time; and the processor time's median and p95 when it was taken."""
    out = {
        "p50_ms": round(statistics.median(values), 2),
        "p95_ms": round(p(values, 0.95), 2),
        "max_ms": round(max(values), 2),
    }
    if len(_cpu) >= len(values):
        cpu = _cpu[-len(values) :]
        out |= {
            "cpu_p50_ms": round(statistics.median(cpu), 2),
            "cpu_p95_ms": round(p(cpu, 0.95), 2),
        }
    _cpu.clear()
    return out


def search_terms(library: Library, rng: random.Random) -> dict[str, list[str]]:
    """Words typed into the search field: very common ones and rare ones, from the index.

    Finding the rare ones walks the whole vocabulary (seconds at 100,000
    articles), so the choice is kept beside the cached library.
    """
    from sqlalchemy import text

    chosen = library.root / ".bench-words.json"
    if chosen.exists():
        return json.loads(chosen.read_text())
    with library.engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
        rows = conn.execute(
            text("SELECT term, doc FROM articles_fts_vocab WHERE length(term) > 5")
        ).all()
    rows.sort(key=lambda r: (-r[1], r[0]))
    common = [term for term, _ in rows[:8]]
    # Rare: in at most one story in a thousand (at least 3, so a search finds something).
    rare_pool = [term for term, doc in rows if 3 <= doc <= max(10, total // 1000)]
    if len(rare_pool) < 20:
        rare_pool = [term for term, doc in rows[-200:] if doc >= 1]
    words = {"common": common, "rare": rng.sample(rare_pool, min(20, len(rare_pool)))}
    chosen.write_text(json.dumps(words))
    return words


def typing_prefixes(word: str) -> list[str]:
    """What the field holds as the word is typed: three letters, half of it, all of it."""
    return list(dict.fromkeys([word[:3], word[: len(word) // 2 + 1], word]))


def bench_search(
    library: Library, words: list[str], runs: int, *, status: str | None
) -> dict[str, float]:
    queries = [q for w in words for q in typing_prefixes(w)]
    if not queries:
        raise SystemExit("No words to search for; is the library's search index empty?")
    samples: list[float] = []
    while len(samples) < runs:
        for q in queries[: runs - len(samples)]:
            samples += timed(lambda q=q: library.search(q, status=status, limit=50), 1)
    return summary(samples) | {"queries": len(samples)}


def bench_picker_search(library: Library, words: list[str], runs: int) -> dict[str, float]:
    """What the picker runs per settled keystroke: ranked search, published only, with cards."""
    from newsdesk.library.related.picker import SearchRequest, run_search

    queries = [q for w in words for q in typing_prefixes(w)]
    samples: list[float] = []
    while len(samples) < runs:
        for q in queries[: runs - len(samples)]:
            request = SearchRequest(q, "published", "", None, None, None)
            samples += timed(lambda r=request: run_search(library, r), 1)
    return summary(samples) | {"queries": len(samples)}


def bench_suggest(library: Library, ids: list[int], *, warm: bool) -> dict[str, float]:
    samples = []
    for aid in ids:
        if not warm:
            forget_statistics(library)
        samples += timed(lambda aid=aid: suggest_related(library, aid), 1)
    return summary(samples) | {"articles": len(ids)}


def first_call(root: Path, article_id: int) -> None:
    """In a fresh process, as `newsdesk related SLUG` runs: open, load the article, suggest.

    Prints the milliseconds spent loading the article and on the first suggestion.
    """
    with Library.open(root) as library:
        started = time.perf_counter()
        article = library.get_article(article_id)
        loaded = time.perf_counter()
        suggest_related(library, article.id)
        done = time.perf_counter()
    print(json.dumps([(loaded - started) * 1000.0, (done - loaded) * 1000.0]))


def bench_first_call(
    library: Library, ids: list[int], runs: int
) -> tuple[dict[str, float], dict[str, float]]:
    """One fresh process per sample: the first suggestion, and the command's load plus suggestion."""
    suggest, command = [], []
    for aid in ids[:runs]:
        out = subprocess.run(
            [sys.executable, __file__, "--first-call", str(library.root), str(aid)],
            check=True,
            capture_output=True,
            text=True,
        )
        load_ms, suggest_ms = json.loads(out.stdout.strip().splitlines()[-1])
        suggest.append(suggest_ms)
        command.append(load_ms + suggest_ms)
    n = {"processes": len(suggest)}
    return summary(suggest) | n, summary(command) | n


def refresh_snapshot(library: Library) -> dict[str, float]:
    """Retake the snapshot of common words' counts, as a stale one is retaken in the background."""
    started = time.perf_counter()
    terms = refresh_term_stats(library)
    return {"ms": round((time.perf_counter() - started) * 1000.0, 1), "terms": terms}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument(
        "--first-call-runs",
        type=int,
        default=12,
        help="fresh processes timed for the first suggestion (each opens the library)",
    )
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--first-call", nargs=2, metavar=("LIBRARY", "ID"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.first_call:
        first_call(Path(args.first_call[0]), int(args.first_call[1]))
        return
    rng = random.Random(5)
    results: dict[str, dict] = {}
    for n in args.sizes:
        library = cached_library(n)
        try:
            published = [a.id for a in library.list_articles(status="published", limit=n)]
            ids = rng.sample(published, min(args.runs, len(published)))
            words = search_terms(library, rng)
            snapshot = refresh_snapshot(library)
            print(f"  {n:,} snapshot_refresh: {snapshot}", file=sys.stderr, flush=True)
            # One untimed pass each, so the page cache holds the index as it would
            # after the first minute of use.
            for aid in ids[:5]:
                suggest_related(library, aid)
            library.search(words["common"][0])
            row: dict = {"snapshot_refresh": snapshot}
            row["suggest_first_call_stats"], row["related_command_stats"] = bench_first_call(
                library, ids, args.first_call_runs
            )
            for key in ("suggest_first_call_stats", "related_command_stats"):
                print(f"  {n:,} {key}: {row[key]}", file=sys.stderr, flush=True)
            jobs = {
                "suggest_cold_stats": partial(bench_suggest, library, ids, warm=False),
                "suggest_warm_stats": partial(bench_suggest, library, ids, warm=True),
            }
            for kind in ("common", "rare"):
                for label, status in (("published", "published"), ("any", None)):
                    jobs[f"search_{kind}_{label}"] = partial(
                        bench_search, library, words[kind], args.runs, status=status
                    )
                jobs[f"picker_search_{kind}"] = partial(
                    bench_picker_search, library, words[kind], args.runs
                )
            for key, job in jobs.items():
                row[key] = job()
                print(f"  {n:,} {key}: {row[key]}", file=sys.stderr, flush=True)
            row["common_words"] = words["common"]
            example = suggest_related(library, ids[0], limit=3)
            row["example"] = [
                {"headline": s.headline, "score": s.score, "reasons": s.reasons} for s in example
            ]
            row["example_terms_of"] = " ".join(tokens(library.get_article(ids[0]).headline))
            results[f"{n}"] = row
        finally:
            library.close()
    load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    if args.json:
        print(json.dumps(results | {"load": load}, indent=1, default=str))
        return
    print(f"\n# {load} (wall figures 'loaded' above 2; processor time is disturbed far less)")
    for n, row in results.items():
        snap = row["snapshot_refresh"]
        print(
            f"\n{int(n):,} articles (snapshot of {snap['terms']:,} common words: {snap['ms']} ms)"
        )
        for key in (
            "suggest_first_call_stats",
            "related_command_stats",
            "suggest_cold_stats",
            "suggest_warm_stats",
            "search_common_published",
            "search_rare_published",
            "search_common_any",
            "search_rare_any",
            "picker_search_common",
            "picker_search_rare",
        ):
            r = row[key]
            if key == "related_command_stats":
                budget = "(article load + suggestion)"
            elif key.startswith("suggest"):
                budget = f"(budget p50 < {SUGGEST_P50_BUDGET_MS:.0f} ms)"
            else:
                budget = f"(budget p95 < {SEARCH_P95_BUDGET_MS:.0f} ms)"
            cpu = (
                f"  cpu p50 {r['cpu_p50_ms']:6.2f} p95 {r['cpu_p95_ms']:6.2f}"
                if "cpu_p50_ms" in r
                else ""
            )
            print(
                f"  {key:25} p50 {r['p50_ms']:7.2f} ms  p95 {r['p95_ms']:7.2f} ms  "
                f"max {r['max_ms']:7.2f} ms{cpu}  {budget}"
            )
        print(f"  common words typed: {', '.join(row['common_words'])}")
        for s in row["example"]:
            print(f"  e.g. {s['score']:6.2f}  {s['headline'][:50]}  — {'; '.join(s['reasons'])}")


if __name__ == "__main__":
    main()
