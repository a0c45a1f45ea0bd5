"""Sync measured: a sync with nothing to do, and pushing then pulling N changed articles.

Run: PYTHONPATH=. python benchmarks/bench_sync.py [N]   (default 10,000)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from newsdesk.library import Library
from newsdesk.sync import sync

BODY = "A paragraph of a story.\n\nAnother paragraph, somewhat longer than the first one.\n"


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        Library.open(root / "server").close()
        with Library.open(root / "a") as a:
            with a._session() as s, s.begin():  # many stories quickly, still logged
                from newsdesk.library.models import Article

                s.add_all(
                    Article(headline=f"Story {i}", slug=f"story-{i}", body=BODY) for i in range(n)
                )
            t = time.perf_counter()
            report = sync(a, str(root / "server"))
            push = time.perf_counter() - t
            print(f"push {report.pushed} articles: {push:.1f} s ({report.pushed / push:.0f}/s)")
            t = time.perf_counter()
            sync(a)
            print(f"sync with nothing to do: {(time.perf_counter() - t) * 1000:.0f} ms")
        with Library.open(root / "b") as b:
            t = time.perf_counter()
            report = sync(b, str(root / "server"))
            pull = time.perf_counter() - t
            print(f"pull {report.pulled} articles: {pull:.1f} s ({report.pulled / pull:.0f}/s)")
            t = time.perf_counter()
            sync(b)
            print(f"sync with nothing to do: {(time.perf_counter() - t) * 1000:.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
