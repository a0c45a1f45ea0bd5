"""Sync measured: a sync with nothing to do, and pushing then pulling N changed articles.

Run: PYTHONPATH=. python benchmarks/bench_sync.py [N] [--pg]   (default 10,000)

With --pg the shared library is a throwaway PostgreSQL cluster (as the
tests start one); without it, another library folder. Prints throughput
each way and the load average (figures are "loaded" above 2).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsdesk.library import Library  # noqa: E402
from newsdesk.sync import sync  # noqa: E402

BODY = (
    "A paragraph of a story about the council and the harbour, long enough to be a lead.\n\n"
    "Another paragraph, somewhat longer than the first one, with quotes and figures.\n\n"
) * 6


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
        t = time.perf_counter()
        report = sync(a, target)
        push = time.perf_counter() - t
        print(f"push {report.pushed} articles: {push:.1f} s ({report.pushed / push:.0f}/s)")
        t = time.perf_counter()
        sync(a)
        print(f"sync with nothing to do: {(time.perf_counter() - t) * 1000:.0f} ms")
    with Library.open(root / "b") as b:
        t = time.perf_counter()
        report = sync(b, target)
        pull = time.perf_counter() - t
        print(f"pull {report.pulled} articles: {pull:.1f} s ({report.pulled / pull:.0f}/s)")
        t = time.perf_counter()
        sync(b)
        print(f"sync with nothing to do: {(time.perf_counter() - t) * 1000:.0f} ms")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--pg"]
    main(int(args[0]) if args else 10_000, pg="--pg" in sys.argv)
