"""Ranked search (p50, p95) and related suggestions (median, p95) on a shared PostgreSQL library.

    python benchmarks/bench_pg.py [N ...]      # default 10,000; budgets as SQLite's
    python benchmarks/bench_pg.py --fresh N    # fill the database again
    python benchmarks/bench_pg.py --copies=10 10000   # 100,000: 10,000 generated, copied 10 times

A PostgreSQL cluster of its own is kept under the benchmark cache
(NEWSDESK_BENCH_CACHE, /tmp/newsdesk-bench/pg), started for the run and
stopped after it. Each size's database is made once with `server init` and
filled by COPY from the generated SQLite library of N articles
(benchmarks/fill_pg.py), then reused by later runs at the same schema.
Measured through the same Library facade the command line uses.
"""

from __future__ import annotations

import os
import pwd
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_search import measure, percentile  # noqa: E402
from benchmarks.fill_pg import fill  # noqa: E402
from benchmarks.generate import BENCH_CACHE  # noqa: E402
from newsdesk.library import Library  # noqa: E402
from newsdesk.library.database import SCHEMA_HEAD  # noqa: E402
from newsdesk.library.pg import init_server  # noqa: E402
from newsdesk.library.related import forget_statistics, suggest_related  # noqa: E402
from tests.pg import PG_BIN, PgServer, _as_postgres, _start  # noqa: E402

CLUSTER = BENCH_CACHE / "pg"
_FILLED = "newsdesk benchmark corpus, complete"


def start_cluster() -> PgServer:
    """The benchmark's own cluster: made the first time, started again afterwards."""
    if not (CLUSTER / "data" / "PG_VERSION").exists():
        CLUSTER.mkdir(parents=True, exist_ok=True)
        return _start(CLUSTER)
    as_root = os.geteuid() == 0
    if as_root:
        pw = pwd.getpwnam("postgres")
        os.chown(CLUSTER, pw.pw_uid, pw.pw_gid)
    options = f"-k {CLUSTER} -h '' -F -c full_page_writes=off -c max_connections=60"
    subprocess.run(
        _as_postgres(
            [str(PG_BIN / "pg_ctl"), "-D", str(CLUSTER / "data"), "-l", str(CLUSTER / "log"),
             "-w", "-t", "120", "-o", options, "start"],
            as_root,
        ),
        capture_output=True, text=True, timeout=180, check=True,
    )  # fmt: skip
    return PgServer(CLUSTER)


def stop_cluster() -> None:
    subprocess.run(
        _as_postgres(
            [str(PG_BIN / "pg_ctl"), "-D", str(CLUSTER / "data"), "-m", "fast", "-w", "stop"],
            os.geteuid() == 0,
        ),
        capture_output=True, timeout=120,
    )  # fmt: skip


def corpus(server: PgServer, n: int, *, fresh: bool = False, copies: int = 1) -> str:
    """The URL of a shared library of n x copies articles at this schema, filled once."""
    name = f"bench_{n}_s{SCHEMA_HEAD}" + (f"_x{copies}" if copies > 1 else "")
    with server.connect("postgres", autocommit=True) as con:
        row = con.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (name,),
        ).fetchone()
        if row is not None and (fresh or row[0] != _FILLED):
            con.execute(f'DROP DATABASE "{name}"')
            row = None
    url = server.url(name)
    if row is None:
        server.create_database(name)
        init_server(url)
        t0 = time.perf_counter()
        counts = fill(n, url, copies=copies)
        with server.connect("postgres", autocommit=True) as con:
            con.execute(f"COMMENT ON DATABASE \"{name}\" IS '{_FILLED}'")
        print(
            f"# PostgreSQL library of {counts['articles']:,} articles filled in "
            f"{time.perf_counter() - t0:.1f} s"
        )
    return url


def bench(server: PgServer, n: int, *, fresh: bool = False, copies: int = 1) -> None:
    lib = Library.open(corpus(server, n, fresh=fresh, copies=copies))
    n *= copies
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
            f"pg_search_{n}_{label} p50_ms {p50:.1f} p95_ms {p95:.1f} hits {hits} "
            f"query {query!r} (budget p95 50)"
        )
    bench_typeahead(lib, n)
    ids = [a.id for a in lib.list_articles(status="published", limit=5000)]
    rng = random.Random(7)
    sample = rng.sample(ids, min(60, len(ids)))
    t = time.perf_counter()
    suggest_related(lib, sample[0])  # a fresh process: nothing cached yet
    first = (time.perf_counter() - t) * 1000
    times, cpu, server = [], [], []
    for aid in sample[1:]:
        s = server_cpu_ms()
        t, c = time.perf_counter(), time.process_time()
        suggest_related(lib, aid)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        server.append(server_cpu_ms() - s)
    cold = []
    for aid in sample[1:21]:
        forget_statistics(lib)  # as a fresh process: no word counts in memory
        t = time.perf_counter()
        suggest_related(lib, aid)
        cold.append((time.perf_counter() - t) * 1000)
    print(
        f"pg_related_{n} p50_ms {statistics.median(times):.1f} "
        f"p95_ms {percentile(times, 95):.1f} first_ms {first:.1f} "
        f"uncached_p50_ms {statistics.median(cold):.1f} "
        f"client_cpu_p50_ms {statistics.median(cpu):.1f} "
        f"server_cpu_p50_ms {statistics.median(server):.1f} p95 {percentile(server, 95):.1f} "
        "(budget p50 30)"
    )
    lib.close()


def server_cpu_ms() -> float:
    """Processor time the benchmark's server processes have used so far (Linux: /proc).

    On a loaded machine a suggestion's wall time mostly measures the other
    processes; the server's own processor time (with the client's) is what
    a change to the queries moves.
    """
    try:
        postmaster = int((CLUSTER / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if postmaster in (parent, int(entry.name)):
                total += int((entry / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or not ours to read
    return total / 1e6


def bench_typeahead(lib: Library, n: int) -> None:
    """The picker's search as it is typed (bench_lists.TYPED), from its worker's start: p50, p95."""
    from benchmarks.bench_lists import TYPED
    from newsdesk.library.related.picker import SearchRequest, run_search

    wall, cpu = [], []
    for phrase in TYPED:
        for end in range(3, len(phrase) + 1):
            query = phrase[:end]
            if query.endswith(" "):
                continue
            request = SearchRequest(query, "", "", None, None, None)
            run_search(lib, request)  # warm
            for _ in range(3):
                t, c = time.perf_counter(), time.process_time()
                run_search(lib, request)
                wall.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
    print(
        f"pg_typeahead_{n}_picker p50_ms {statistics.median(wall):.1f} "
        f"p95_ms {percentile(wall, 95):.1f} client_cpu_p95_ms {percentile(cpu, 95):.1f} "
        f"queries {len(wall)} (budget p95 50)"
    )


def main(argv: list[str]) -> None:
    fresh = "--fresh" in argv
    copies = next((int(a.split("=")[1]) for a in argv if a.startswith("--copies=")), 1)
    sizes = tuple(int(a) for a in argv if not a.startswith("--")) or (10_000,)
    print(f"# load average {os.getloadavg()[0]:.1f} (figures 'loaded' above 2)")
    server = start_cluster()
    try:
        for n in sizes:
            bench(server, n, fresh=fresh, copies=copies)
    finally:
        stop_cluster()
    print(f"# load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
