"""Rendering article pages for the site, on every core when there are many."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.concurrency import die_with_parent, process_pool_context
from newsdesk.export.assets import ExportAssets, SiteImage
from newsdesk.export.page_input import article_input, picture, publication_input
from newsdesk.render.markdown import BlockRenderer
from newsdesk.render.page import (
    PublisherLogo,
    build_page,
    environment,
    figure_view,
    make_image_resolver,
    render_page,
)
from newsdesk.render.page_input import ArticleInput
from newsdesk.render.templates import read_templates_once

# The process pool (and multiprocessing with it) loads only when a site is big enough to
# render on several processes: republishing one story never starts one.
# The library's records appear only in annotations: a render worker renders from plain
# data and never loads the database layer.
if TYPE_CHECKING:
    import multiprocessing.context
    from concurrent.futures import ProcessPoolExecutor

    from newsdesk.library.models import Article, Image, Publication

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
    sections: list[str] | None = None  # every section's name, for the navigation
    # Feed texts to make alongside a story's page, from the Markdown it already converted:
    # uid -> ((root of the feed's addresses, cache file to write), ...).
    feed_files: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The renderer takes plain data: records become page inputs once, here.
        self.publication = publication_input(self.publication)  # type: ignore[assignment]
        self.extra_images = {k: picture(v) for k, v in self.extra_images.items()}  # type: ignore[misc]


def render_article(
    context: RenderContext, article: Article, pages: dict[str, str] | None = None
) -> str:
    """One article page, exactly as the preview builds it but with the site's assets.

    pages: the folders of the stories this one links to that are in the site
    (a full export sends each page its own; otherwise context.pages has all).

    The feed texts context.feed_files asks of this story are made too, reusing
    the page's converted blocks (only those that place a picture, whose
    addresses differ, are converted again), and left in their cache files.
    """
    assets = ExportAssets(
        context.library_root,
        images=context.images,
        pages=context.pages if pages is None else pages,
        root="../../",
    )
    renderer = BlockRenderer()
    view = build_page(
        article_input(article),
        context.publication,  # type: ignore[arg-type]  # a PublicationInput since __post_init__
        assets,
        renderer=renderer,
        templates_override=context.templates_override,
        images_by_uid=context.extra_images,
        publisher_logo=context.publisher_logo,
        sections=context.sections,
    )
    view.archive_href = f"{assets.root}archive/index.html"
    html = render_page(view, templates_override=context.templates_override)
    for root, path in context.feed_files.get(article.uid, ()):
        renderer.forget_pictures()
        text = feed_content(
            article,
            ExportAssets(context.library_root, images=context.images, pages={}, root=root),
            templates_override=context.templates_override,
            extra_images=context.extra_images,
            default_lang=context.publication.language,
            renderer=renderer,
        )
        write_cache_text(Path(path), text)
    return html


def write_cache_text(path: Path, text: str) -> None:
    """Best effort (it is only a cache), and atomic so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):  # its folder may not even be one
            tmp.unlink(missing_ok=True)


def feed_content(
    article: Article,
    assets: ExportAssets,
    *,
    templates_override: Path | None,
    extra_images: dict[str, Image],
    default_lang: str,
    renderer: BlockRenderer | None = None,
) -> str:
    """The story as a feed reader shows it: its hero figure, then its body, as safe HTML.

    `renderer` may hold the story's blocks converted for another root, with its
    pictures forgotten (BlockRenderer.forget_pictures).
    """
    article = article_input(article)  # type: ignore[assignment]
    extra_images = {k: picture(v) for k, v in extra_images.items()}  # type: ignore[misc]
    lang = article.language or default_lang or "en"
    env = environment(templates_override, lang)
    if renderer is None:
        renderer = BlockRenderer()
    renderer.resolve_image = make_image_resolver(
        article,  # type: ignore[arg-type]
        assets,
        env,
        images_by_uid=extra_images,  # type: ignore[arg-type]
        lang=lang,
    )
    parts = []
    hero = article.hero
    if hero is not None:
        view = figure_view(hero, hero.image, assets, role="hero", lang=lang)  # type: ignore[arg-type]
        parts.append(env.get_template("figure.html").render(figure=view))
    parts.append(renderer.render(article.body).html)
    return "\n".join(parts)


# (article uid, page HTML or None, why there is no page or None)
Rendered = tuple[str, str | None, str | None]


def describe_render_failure(exc: BaseException, timezone: str = "") -> str:
    """Why one story's page could not be made, as words for the export report."""
    if isinstance(exc, RecursionError):
        return (
            "its page could not be rendered because its text is nested too deeply "
            "(lists or quotes inside one another); simplify the deepest part"
        )
    if isinstance(exc, OverflowError):
        where = f" in the publication's time zone ({timezone})" if timezone else ""
        return (
            f"one of its dates is too far in the past or future to be shown{where}; "
            "correct its published or updated date"
        )
    if isinstance(exc, MemoryError):
        return "its page is too large to render; shorten it or split it into several stories"
    if type(exc).__module__.startswith("jinja2"):
        return f"the publication's page template failed on it ({exc})"
    detail = str(exc).strip() or "an unexpected error"
    return f"its page could not be rendered ({detail})"


# A story to render, with the folders of the stories it links to (None: context.pages has them)
Item = tuple[ArticleInput, "dict[str, str] | None"]


def render_one(
    context: RenderContext, article: Article, pages: dict[str, str] | None = None
) -> Rendered:
    """One page, or the reason there is none: one story never stops the whole site."""
    try:
        return article.uid, render_article(context, article, pages), None
    except Exception as exc:  # anything: RecursionError, OverflowError, a template's error
        return article.uid, None, describe_render_failure(exc, context.publication.timezone)


# The context a worker process renders with, sent once when it starts (not with every chunk:
# at 100,000 stories its page and picture tables are megabytes).
_WORKER_CONTEXT: RenderContext | None = None


def _start_worker(main_pid: int, context: RenderContext) -> None:
    global _WORKER_CONTEXT
    die_with_parent(main_pid)
    read_templates_once()  # a worker lives for one export: no file checks on every page
    _WORKER_CONTEXT = context


def _render_chunk(items: list[Item | ArticleInput]) -> list[Rendered]:
    assert _WORKER_CONTEXT is not None, "a render worker is started with its context"
    # (a story alone renders with the context's pages)
    pairs = (i if isinstance(i, tuple) else (i, None) for i in items)
    return [render_one(_WORKER_CONTEXT, a, pages) for a, pages in pairs]


def _context() -> multiprocessing.context.BaseContext:
    # Workers start with the renderer already imported.
    return process_pool_context([__name__])


def _pool(workers: int, context: RenderContext) -> ProcessPoolExecutor:
    """A pool rendering with context, whose workers die with the process that started it
    (even one killed with -9)."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_context(),
        initializer=_start_worker,
        initargs=(os.getpid(), context),
    )


def render_pages(
    context: RenderContext,
    articles: Iterable[Article],
    *,
    workers: int | None = None,
    cancel: Any = None,
    count: int | None = None,
) -> Iterator[Rendered]:
    """Yield (article uid, page HTML, None) or (uid, None, reason) for every article, in no order.

    Markdown conversion dominates (about 10 ms for an 800-word story), so a
    large site is rendered in chunks on a process pool; a handful of pages is
    rendered here, where starting processes would cost more than it saves.
    A story that raises is yielded with its reason; a chunk whose worker
    died (a crash takes the whole pool with it) is rendered again one story
    at a time, so only the story that kills a worker is left out.

    `articles` is read as the pages go (a generator may load them batch by
    batch: only the chunks in flight are held); `count` is how many it yields.
    Each may come as (article, pages): the folders of the stories it links to,
    sent with it instead of every page of the site in the context.
    """
    if count is None:
        articles = list(articles)
        count = len(articles)
    # Page inputs, not records: plain data is what the renderer takes, and it
    # travels to the worker processes lighter than the records would.
    inputs = (
        (article_input(a[0]), a[1]) if isinstance(a, tuple) else (article_input(a), None)
        for a in articles
    )
    n = max(1, min(workers or os.cpu_count() or 1, -(-count // CHUNK)))
    if n == 1:
        for a, pages in inputs:
            if cancel is not None and cancel.is_set():
                return
            yield render_one(context, a, pages)
        return
    chunks = _chunked(inputs, CHUNK)
    suspects: list[Item] = []
    with _pool(n, context) as pool:
        pending: dict[Future[list[Rendered]], list[Item]] = {}
        try:
            while True:
                while len(pending) < 2 * n and not suspects:
                    chunk = next(chunks, None)
                    if chunk is None:
                        break
                    pending[pool.submit(_render_chunk, chunk)] = chunk
                if not pending:
                    break
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    chunk = pending.pop(fut)
                    try:
                        results = fut.result()
                    except Exception:  # the worker died, or the chunk could not be sent
                        suspects += chunk
                        continue
                    yield from results
                if cancel is not None and cancel.is_set():
                    return
        finally:
            for fut in pending:
                fut.cancel()
    suspects += [a for chunk in chunks for a in chunk]
    if suspects:
        yield from _one_at_a_time(context, suspects, cancel)


def _chunked(items: Iterator[Item], size: int) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _one_at_a_time(context: RenderContext, articles: list[Item], cancel: Any) -> Iterator[Rendered]:
    """Render each story alone in a one-process pool, so a crash names the story that caused it."""
    from concurrent.futures.process import BrokenProcessPool

    pool: ProcessPoolExecutor | None = None
    try:
        for item in articles:
            a = item[0]
            if cancel is not None and cancel.is_set():
                return
            if pool is None:
                pool = _pool(1, context)
            try:
                yield from pool.submit(_render_chunk, [item]).result()
            except BrokenProcessPool:
                pool.shutdown(wait=True, cancel_futures=True)
                pool = None
                yield (
                    a.uid,
                    None,
                    "rendering its page stopped the worker process; it may be too large "
                    "or too deeply nested",
                )
            except Exception as exc:
                yield a.uid, None, describe_render_failure(exc, context.publication.timezone)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
