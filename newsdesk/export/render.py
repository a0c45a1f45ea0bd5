"""Rendering article pages for the site, on every core when there are many."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsdesk.export.assets import ExportAssets, SiteImage
from newsdesk.library.models import Article, Image, Publication
from newsdesk.render.page import PublisherLogo, build_page, render_page

# Articles per task: big enough to amortise pickling, small enough that a
# cancel is noticed within a fraction of a second.
CHUNK = 25


@dataclass
class RenderContext:
    """What every article page needs besides the article; sent once to each worker task."""

    library_root: Path
    publication: Publication
    images: dict[str, SiteImage]
    pages: dict[str, str]
    extra_images: dict[str, Image]
    templates_override: Path | None
    publisher_logo: PublisherLogo | None = None


def render_article(context: RenderContext, article: Article) -> str:
    """One article page, exactly as the preview builds it but with the site's assets."""
    assets = ExportAssets(
        context.library_root, images=context.images, pages=context.pages, root="../../"
    )
    view = build_page(
        article,
        context.publication,
        assets,
        templates_override=context.templates_override,
        images_by_uid=context.extra_images,
        publisher_logo=context.publisher_logo,
    )
    return render_page(view, templates_override=context.templates_override)


def _render_chunk(context: RenderContext, articles: list[Article]) -> list[tuple[str, str]]:
    return [(a.uid, render_article(context, a)) for a in articles]


def _context() -> multiprocessing.context.BaseContext:
    # Not fork: the GUI exports from a worker thread of a Qt process, and
    # forking a multi-threaded process can deadlock the child. forkserver
    # preloads the renderer once; spawn is the portable fallback.
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])
        return ctx
    return multiprocessing.get_context("spawn")


def render_pages(
    context: RenderContext,
    articles: Sequence[Article],
    *,
    workers: int | None = None,
    cancel: Any = None,
) -> Iterator[tuple[str, str]]:
    """Yield (article uid, page HTML) for every article, in no particular order.

    Markdown conversion dominates (about 10 ms for an 800-word story), so a
    large site is rendered in chunks on a process pool; a handful of pages is
    rendered here, where starting processes would cost more than it saves.
    """
    n = max(1, min(workers or os.cpu_count() or 1, -(-len(articles) // CHUNK)))
    if n == 1:
        for a in articles:
            if cancel is not None and cancel.is_set():
                return
            yield a.uid, render_article(context, a)
        return
    chunks = [list(articles[i : i + CHUNK]) for i in range(0, len(articles), CHUNK)]
    with ProcessPoolExecutor(max_workers=n, mp_context=_context()) as pool:
        pending: set[Future[list[tuple[str, str]]]] = set()
        next_chunk = 0
        try:
            while next_chunk < len(chunks) or pending:
                while next_chunk < len(chunks) and len(pending) < 2 * n:
                    pending.add(pool.submit(_render_chunk, context, chunks[next_chunk]))
                    next_chunk += 1
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    yield from fut.result()
                if cancel is not None and cancel.is_set():
                    return
        finally:
            for fut in pending:
                fut.cancel()
