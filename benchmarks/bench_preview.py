"""Benchmark of keystroke to live preview updated, against a naive full re-render of the page.

For each article length, the same running QWebEngineView preview is fed one
keystroke at a time (a character typed into a paragraph in the middle of the
body) and timed from `PreviewPane.update_body` to `sig_updated` (the DOM patch
has run in the page). In the same run, a naive preview renders the whole body
with `render_markdown`, fills the page template and `setHtml`s it, timed until
`loadFinished`. Budget (DESIGN.md): 16 ms median at 1,500 and 20,000 words.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --disable-logging")
os.environ.setdefault("QT_LOGGING_RULES", "qt.webenginecontext.debug=false;qt.qpa.*=false")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: E402, F401  (before QApplication)
from PySide6.QtWidgets import QApplication  # noqa: E402

from newsdesk.library import Library  # noqa: E402
from newsdesk.render.markdown import Block, RenderedBody, render_markdown  # noqa: E402
from newsdesk.render.page import Assets, build_page, render_page  # noqa: E402
from newsdesk.text import reading_time, word_count  # noqa: E402
from newsdesk.ui.preview import PreviewPane  # noqa: E402
from newsdesk.ui.preview.web import WebSurface  # noqa: E402

BUDGET_MS = 16.0
SIZES = (1_500, 20_000, 100_000)

_WORDS = [
    "the",
    "council",
    "said",
    "on",
    "tuesday",
    "that",
    "its",
    "budget",
    "for",
    "schools",
    "would",
    "be",
    "agreed",
    "after",
    "months",
    "of",
    "talks",
    "with",
    "unions",
    "and",
    "parents",
    "who",
    "had",
    "asked",
    "for",
    "more",
    "teachers",
    "smaller",
    "classes",
    "safer",
    "roads",
    "near",
    "the",
    "city",
    "centre",
    "while",
    "ministers",
    "in",
    "the",
    "capital",
    "warned",
    "that",
    "money",
    "was",
    "tight",
    "and",
    "the",
    "police",
    "report",
    "showed",
    "fewer",
    "accidents",
    "last",
    "year",
    "than",
    "in",
    "any",
    "year",
    "since",
    "records",
    "began",
]


def article_markdown(words: int, seed: int = 7) -> str:
    """A news story of about this many words: paragraphs, subheads, lists, quotes, links."""
    rng = random.Random(seed)

    def sentence() -> str:
        picked = [rng.choice(_WORDS) for _ in range(rng.randint(9, 24))]
        if rng.random() < 0.15:
            i = rng.randrange(len(picked))
            picked[i] = f"*{picked[i]}*"
        if rng.random() < 0.05:
            i = rng.randrange(len(picked))
            picked[i] = f"[{picked[i]}](https://example.org/{picked[i]})"
        return " ".join(picked).capitalize() + "."

    blocks: list[str] = []
    total = 0
    while total < words:
        roll = rng.random()
        if roll < 0.07:
            block = (
                "## " + " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 7))).capitalize()
            )
        elif roll < 0.13:
            block = "\n".join("- " + sentence() for _ in range(rng.randint(2, 5)))
        elif roll < 0.18:
            block = "> " + sentence() + " " + sentence()
        else:
            block = " ".join(sentence() for _ in range(rng.randint(2, 6)))
        blocks.append(block)
        total += word_count(block)
    return "\n\n".join(blocks) + "\n"


def wait_for(signal, timeout_ms: int = 60_000) -> float:
    """Run the event loop until the signal fires; seconds waited."""
    loop = QEventLoop()
    fired: list[bool] = []

    def done(*_args) -> None:
        fired.append(True)
        loop.quit()

    signal.connect(done)
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(timeout_ms)
    started = time.perf_counter()
    loop.exec()
    elapsed = time.perf_counter() - started
    signal.disconnect(done)
    if not fired:
        raise TimeoutError(f"no {signal} within {timeout_ms} ms")
    return elapsed


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def keystrokes(body: str, count: int) -> list[str]:
    """The body after each of `count` characters typed at the end of a paragraph mid-article."""
    middle = body.find(".\n\n", len(body) // 2)
    at = middle + 1 if middle > 0 else len(body)
    typed = " and the mayor said more would follow"
    texts = []
    for n in range(1, count + 1):
        chunk = (typed * (n // len(typed) + 1))[:n]
        texts.append(body[:at] + chunk + body[at:])
    return texts


def bench_size(library: Library, words: int, strokes: int, naive_runs: int) -> dict[str, float]:
    body = article_markdown(words)
    created = library.create_article(
        headline=f"A {words}-word story", dek="Benchmark", byline="By A Reporter", body=body
    )
    article = library.get_article(created.id)

    pane = PreviewPane(library)
    pane.resize(1000, 800)
    pane.show()
    load_started = time.perf_counter()
    pane.show_article(article)
    wait_for(pane.sig_ready)
    first_load_ms = (time.perf_counter() - load_started) * 1000

    # How long the GUI thread goes without running its event loop while the preview
    # updates: what a reporter would feel as the keyboard stalling.
    ticks: list[float] = []
    ticker = QTimer()
    ticker.setInterval(1)
    ticker.timeout.connect(lambda: ticks.append(time.perf_counter()))
    ticker.start()
    latencies: list[float] = []
    worker_ms: list[float] = []
    for text in keystrokes(body, strokes):
        started = time.perf_counter()
        pane.update_body(text)
        wait_for(pane.sig_updated)
        latencies.append((time.perf_counter() - started) * 1000)
        worker_ms.append(pane.last_render_ms)
        assert pane.renderer is not None and pane.renderer.rendered_last == 1
    ticker.stop()
    gaps = [(b - a) * 1000 for a, b in zip(ticks, ticks[1:], strict=False)]
    pane.close()
    pane.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    # The naive preview: whole body, whole template, whole page loaded again.
    host = QWebEngineView()  # only a parent for the surface, like the pane
    host.resize(1000, 800)
    naive = WebSurface(host)
    naive.resize(1000, 800)
    host.show()
    view = build_page(
        article,
        library.publication(),
        Assets(library.root),
        templates_override=library.templates_dir,
    )
    spill = library.cache_dir / "preview" / "naive.html"
    naive_ms: list[float] = []
    for text in keystrokes(body, naive_runs):
        started = time.perf_counter()
        whole = render_markdown(text)
        page = render_page(
            dataclasses.replace(
                view,
                body=RenderedBody([Block("body", 0, 0, whole)]),
                reading_time=reading_time(word_count(text)),
            ),
            templates_override=library.templates_dir,
        )
        naive.load_page(page, library.root, spill)
        wait_for(naive.sig_loaded)
        naive_ms.append((time.perf_counter() - started) * 1000)
    host.close()
    host.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    median = statistics.median(latencies)
    naive_median = statistics.median(naive_ms)
    print(
        f"preview_keystroke_{words}w_median_ms {median:.1f} p95 {p95(latencies):.1f} "
        f"naive_median_ms {naive_median:.1f} speedup {naive_median / median:.0f}x "
        f"(worker render median {statistics.median(worker_ms):.1f} p95 {p95(worker_ms):.1f} ms, "
        f"longest GUI stall {max(gaps, default=0):.1f} ms, "
        f"first load {first_load_ms:.0f} ms, {len(latencies)} keystrokes, "
        f"{len(naive_ms)} naive loads, {len(body) // 1024} KiB Markdown)",
        flush=True,
    )
    return {"median": median, "p95": p95(latencies), "naive": naive_median}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=60, help="keystrokes per article size")
    parser.add_argument("--naive", type=int, default=8, help="naive full loads per size")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    args = parser.parse_args()

    QApplication.instance() or QApplication(sys.argv[:1])
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        library = Library.open(Path(tmp) / "library")
        try:
            for words in args.sizes:
                naive_runs = args.naive if words < 50_000 else max(3, args.naive // 2)
                figures = bench_size(library, words, args.strokes, naive_runs)
                if words <= 20_000 and figures["median"] > BUDGET_MS:
                    print(
                        f"OVER BUDGET: {words} words, median {figures['median']:.1f} ms > {BUDGET_MS} ms"
                    )
                    failed = True
        finally:
            library.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
