"""A render worker's own cost: processor time per story page, its profile, and a hash of its pages.

The export sends each worker the site's RenderContext and chunks of page
inputs; this benchmark captures exactly those from a real export of a copy
of a cached library (once, into a pickle), then renders them in this one
process as a worker would: the median processor time of a page, an
optional cProfile of the whole run, and a digest of every page rendered,
so two versions of the renderer can be compared byte for byte.

    python benchmarks/bench_worker.py [--stories 1000] [--library lib-10000-img60-s1]
        [--profile] [--hashes FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import os
import pickle
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import BENCH_CACHE  # noqa: E402


def capture(library_name: str, stories: int, into: Path) -> None:
    """Export a copy of the library, keeping the first `stories` page inputs the workers get."""
    from benchmarks.bench_export import make_publishable
    from newsdesk.export import export_site
    from newsdesk.export import render as page_render
    from newsdesk.library import Library

    work = Path(tempfile.mkdtemp(prefix="bench-worker-"))
    try:
        lib_dir = work / "library"
        shutil.copytree(BENCH_CACHE / library_name, lib_dir)
        library = Library.open(lib_dir)
        if "-img0-" not in library_name:  # a library with no pictures keeps its stories as they are
            make_publishable(library)
        original = page_render.render_pages
        kept: dict[str, object] = {}

        def keeping(context, articles, **kw):
            # A full export sends (story, the folders of the stories it links to) pairs.
            inputs = [
                (page_render.article_input(a[0]), a[1])
                if isinstance(a, tuple)
                else page_render.article_input(a)
                for a in articles
            ]
            if "context" not in kept:
                kept["context"] = context
                kept["articles"] = inputs[:stories]
            kw["count"] = len(inputs)
            return original(context, inputs, **kw)

        page_render.render_pages = keeping
        try:
            export_site(library, work / "site")
        finally:
            page_render.render_pages = original
        context = kept["context"]
        # The feed texts a worker writes go to a folder of our own, not into the copy.
        feeds = into.with_suffix(".feeds")
        context.feed_files = {
            uid: tuple((root, str(feeds / Path(path).name)) for root, path in pairs)
            for uid, pairs in context.feed_files.items()
        }
        context.library_root = Path("/nonexistent-library")  # a page never reads it
        with into.open("wb") as fh:
            pickle.dump(kept, fh)
        library.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(captured: Path, profile: bool, hashes: Path | None, top: int) -> None:
    from newsdesk.export import render as page_render

    with captured.open("rb") as fh:
        kept = pickle.load(fh)
    context, articles = kept["context"], kept["articles"]
    # The feed texts the pages make are compared too: written afresh by this run.
    for pairs in context.feed_files.values():
        for _root, path in pairs:
            Path(path).unlink(missing_ok=True)
    page_render._start_worker(os.getpid(), context)
    # A worker's first page compiles the templates and builds the converters: timed apart.
    t0 = time.process_time()
    page_render._render_chunk(articles[:1])
    first = time.process_time() - t0
    times: list[float] = []
    digests: list[str] = []
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    for a in articles:
        t = time.process_time()
        ((uid, html, reason),) = page_render._render_chunk([a])
        times.append(time.process_time() - t)
        digests.append(f"{uid} {hashlib.sha256((html or reason or '').encode()).hexdigest()}")
    if profiler is not None:
        profiler.disable()
    for a in articles:
        uid = (a[0] if isinstance(a, tuple) else a).uid
        for _root, path in context.feed_files.get(uid, ()):
            text = Path(path).read_bytes() if Path(path).exists() else b"(none)"
            digests.append(f"{uid} feed {hashlib.sha256(text).hexdigest()}")
    load = os.getloadavg()[0]
    print(
        f"{len(articles)} pages: median {statistics.median(times) * 1e3:.2f} ms, mean "
        f"{statistics.fmean(times) * 1e3:.2f} ms, total {sum(times):.2f} s processor; first page "
        f"{first * 1e3:.0f} ms; load {load:.1f}{' (loaded)' if load > 2 else ''}"
    )
    print("pages digest", hashlib.sha256("\n".join(digests).encode()).hexdigest())
    if hashes is not None:
        hashes.write_text("\n".join(digests) + "\n")
    if profiler is not None:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--library", default="lib-10000-img60-s1")
    parser.add_argument("--capture", type=Path, default=None, help="pickle to keep the inputs in")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--hashes", type=Path, default=None)
    args = parser.parse_args(argv)
    captured = args.capture or Path(tempfile.gettempdir()) / (
        f"bench-worker-{args.library}-{args.stories}.pickle"
    )
    if not captured.exists():
        capture(args.library, args.stories, captured)
    run(captured, args.profile, args.hashes, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
