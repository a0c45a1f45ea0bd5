"""Body render times: the sample articles, a 20,000-word article and a 40 KB pathological body.

Run from the repository root: `python benchmarks/bench_render.py`. The
pathological body is nested emphasis and brackets, the input Python-Markdown
rescans quadratically; it must render (as notices plus the rest) well under 1 s. So
must nested and dense emphasis (measured by render/limits.py before rendering).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import TextMaker  # noqa: E402
from newsdesk.paths import resource  # noqa: E402
from newsdesk.render.markdown import render_blocks  # noqa: E402


def pathological_body() -> str:
    patterns = ["[" * 20 + "*a _b", "![x](" * 5, "<a " * 10, "[a](" * 8]
    body = "\n\n".join(patterns[i % 4] * 40 for i in range(40))
    return body + "\n\nA normal closing paragraph."


def timed(label: str, source: str, runs: int) -> None:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        render_blocks(source)  # a fresh renderer each time: no cache
        times.append(time.perf_counter() - started)
    print(
        f"{label}: {len(source):,} chars, median {statistics.median(times) * 1000:.1f} ms over {runs}"
    )


def main() -> None:
    for path in sorted(resource("sample").glob("*.md")):
        timed(f"sample {path.name}", path.read_text(encoding="utf-8").split("---", 2)[-1], 9)
    timed("20,000-word article", TextMaker(seed=3).body(20_000), 5)
    timed("40 KB pathological body", pathological_body(), 3 if "--quick" not in sys.argv else 1)
    # Emphasis: 1,200 levels deep (a RecursionError that failed the page, before the limits
    # measured it) and 48 KB paragraphs of `*a* ` (15-20 s each before; 84 s for four).
    timed("nested emphasis, 1,200 levels", "*a " * 1200 + "x" + " a*" * 1200, 3)
    timed("4 x 48 KB paragraphs of dense emphasis", "\n\n".join(["*a* " * 12_000] * 4), 3)


if __name__ == "__main__":
    main()
