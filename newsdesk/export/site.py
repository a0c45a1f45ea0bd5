"""Exporting articles as a static site: pages, listings, feeds, sitemaps, renditions, atomically."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from newsdesk.concurrency import CancelFlag
from newsdesk.export import render as page_render
from newsdesk.export import story as story_reading
from newsdesk.export.assets import (
    IMG_DIR,
    SiteImage,
    site_url,
)
from newsdesk.export.feed_text import FEED_CACHE, FeedTexts
from newsdesk.export.fingerprint import (
    _IMAGE_REF,
    EXPORT_FORMAT,
    _base_url,
    _images_of,
    _when,
)
from newsdesk.export.listing_row import resolve_row, row_parts
from newsdesk.export.listings import (
    NEWS_SITEMAP_LIMIT,
    NO_BASE_URL_WARNING,
    ROWS_FORMAT,
    SITEMAP_LIMIT,
    to_us,
)
from newsdesk.export.report import ArticleOutcome, ExportReport
from newsdesk.export.row_store import Inputs, PagesPart, Pairs, RowStore
from newsdesk.export.site_listings import SiteListings
from newsdesk.export.site_renditions import RENDITION_INDEX, SiteRenditions
from newsdesk.export.state import ExportState
from newsdesk.export.story import StoryChecks, _Candidate, preflight_messages
from newsdesk.export.story_store import Chosen, StoryStore
from newsdesk.export.writer import ROWS_SCRATCH, ExportCancelled, ExportError, SiteWriter
from newsdesk.library import Library
from newsdesk.library.models import Article, Image, utcnow
from newsdesk.paths import resource
from newsdesk.render import dates, i18n
from newsdesk.rules import section_segment

# Below this many pages, starting worker processes costs more than it saves.
POOL_MIN_PAGES = 40
_LIST_PAGE = 1000  # stories of the library's list read at a time (for the report's left-out)

Progress = Callable[[int, int], None]


# --------------------------------------------------------------------------- entry points
def export_site(
    library: Library,
    out_dir: str | Path,
    *,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
    workers: int | None = None,
) -> ExportReport:
    """Export every public article that passes preflight, with index, sections, feed and sitemaps.

    Raises ExportError (nothing changed at out_dir) when the target cannot be
    written, and ExportCancelled when cancel is set before the swap.
    """
    return _Export(library, out_dir, progress=progress, cancel=cancel, workers=workers).run(None)


def export_articles(
    library: Library,
    slugs: Sequence[str],
    out_dir: str | Path,
    *,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
    workers: int | None = None,
) -> ExportReport:
    """Add or update these articles in the site at out_dir (a new site when there is none).

    Articles already in that site stay (updated from the library, or dropped
    when no longer public); a requested slug that is missing, not published
    or under embargo is a failure.
    """
    return _Export(library, out_dir, progress=progress, cancel=cancel, workers=workers).run(
        list(slugs)
    )


# --------------------------------------------------------------------------- the work
class _Export(StoryChecks, SiteRenditions, SiteListings, FeedTexts):
    """One export: the stories checked, their pictures and pages made, listings, feeds, state."""

    def __init__(self, library, out_dir, *, progress, cancel, workers) -> None:
        self.library = library
        self.out_dir = Path(out_dir)
        self.progress = progress
        self.cancel = cancel
        self.workers = workers
        self.now = utcnow()
        self.publication = library.publication()
        self.base_url = _base_url(self.publication.base_url)
        self.logo = self._logo()
        self.templates_override = library.templates_dir if library.templates_dir.is_dir() else None
        self.report = ExportReport(out_dir=Path(out_dir).expanduser().absolute())
        self._done = 0
        self._total = 1
        self._section_names: list[str] = []  # the navigation every page carries
        self._fps: dict[str, str] = {}  # uid -> fingerprint of each story in the site
        self._feed_images: dict[str, SiteImage] = {}
        self._extra: dict[str, Image] = {}
        self._late_refusals: dict[str, str] = {}  # uid -> why, for stories changed mid-export
        # uid -> {"fp", "reasons"}: every story held back, for the record (the "failed" part),
        # so a later incremental export still names it. fp is the fingerprint a preflight
        # verdict holds for (reused while the story is unchanged); None for a reason worth
        # checking again (a page or picture that could not be made).
        self._failures: dict[str, Any] = {}
        self._names_now: dict[str, str] = {}  # the section names the listings were written with
        # Feed texts the page workers make beside the pages (see _feed_requests)
        self._feed_files: dict[str, tuple[tuple[str, str], ...]] = {}

    # ---- helpers -------------------------------------------------------------
    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ExportCancelled("The export was cancelled; the previous site was left as it was.")

    def _refuse(self, uid: str, outcome: ArticleOutcome, fp: str | None = None) -> None:
        """The story is held back from the site: reported, and recorded (see _failures)."""
        self.report.failed.append(outcome)
        self._failures[uid] = {"fp": fp, "reasons": list(outcome.reasons)}

    def _step(self, n: int = 1) -> None:
        self._done += n
        if self.progress is not None:
            self.progress(min(self._done, self._total), self._total)

    # ---- main ----------------------------------------------------------------
    def run(self, requested: list[str] | None) -> ExportReport:
        started = time.perf_counter()
        writer = SiteWriter(self.out_dir)
        self.report.out_dir = writer.out
        try:
            self._run(writer, requested)
        except BaseException:
            writer.abort()
            raise
        self.report.changed_files.extend(writer.changed_rels())  # sorted by path
        self.report.reused_files = writer.reused_count
        self.report.warnings += writer.warnings
        self.report.warnings += [
            f"{rel} was in the export folder without being written by newsdesk; "
            "the export replaced it with its own file."
            for rel in writer.foreign_replaced
        ]
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _run(self, writer: SiteWriter, requested: list[str] | None) -> None:
        # Read before the articles: a change made while this export runs is
        # seen by the next one.
        self._change_id = self.library.last_change_id()
        previous: dict[str, Any] = writer.previous.get("articles", {})
        wanted = self._wanted(requested, previous)
        self._check_cancel()
        self._env_digest = self._environment_digest()
        self._failures = {}
        # What the steps keep of each story is in the scratch file (export/row_store.py,
        # export/story_store.py), read back a chunk at a time: never every story at once.
        store = self._row_store(writer)
        try:
            chosen = StoryStore(store.conn)
            self._inputs = Inputs(store)  # each listing file's signature, for the record
            self._fps = _Fingerprints(chosen)
            site_images, extra_images = self._choose(writer, chosen, requested, wanted, previous)
            self._feed_images, self._extra = site_images, extra_images
            names = chosen.section_names()
            self._section_names = [names[seg] for seg in sorted(names)]
            # Each story's listing row, its pictures resolved now that their renditions are made.
            store.add(resolve_row(s.listing_row(), site_images) for s in chosen.stories())
            self._feed_files = self._feed_requests(store)
            failed = self._pages(writer, chosen, site_images, extra_images, previous)
            store.remove(failed)
            self._listings(writer, store)
            self._static(writer)
            self._check_cancel()
            # Written into the record a chunk at a time as it is made (not a dict of every story).
            articles_manifest = Pairs(
                lambda: (
                    (s.uid, {"fp": s.fp, "page": s.folder, "pfp": self._page_fp(s, in_site)})
                    for chunk, in_site in self._with_links(chosen, chosen.chunks())
                    for s in chunk
                )
            )
            renditions_manifest = {key: img.entries() for key, img in self._rendition_keys.items()}
            token = secrets.token_hex(8) if requested is None else ""
            writer.commit(
                {
                    "articles": articles_manifest,
                    "failed": self._failures,
                    "inputs": self._inputs,
                    "renditions": renditions_manifest,
                    "state_token": token,
                    "listing_pages": PagesPart(store),
                }
            )
            self._record_state(writer, token, store)
            self.report.written.extend(
                ArticleOutcome(slug, headline, path=f"{folder}/index.html")
                for slug, headline, folder in chosen.by_folder()
            )
        finally:
            store.close()
        self._step(0)

    def _choose(self, writer, chosen: StoryStore, requested, wanted, previous):
        """Check every story a batch at a time, keep those for the site in chosen, and make
        the renditions their pages show; returns (rendition sets by key, body-only pictures)."""
        extra_images: dict[str, Image] = {}
        sets: dict[str, Any] = {}  # the rendition sets the pages show, each once
        heroes: set[str] = set()
        held_images: dict[int, Any] = {}  # each picture the stories show, read once
        refused: list[ArticleOutcome] = []  # reported after the stories that could not be checked
        previous_failures: dict[str, Any] = writer.previous.get("failed", {})
        for batch in self._batches(wanted, held_images):
            self._check_cancel()
            # Library images a body shows: each story's own references, so a batch's suffice.
            extra_images.update(self._extra_images(batch))
            kept: list[Chosen] = []
            for article in batch:
                if article.status != "published" or article.deleted_at is not None:
                    continue  # changed since the ids were read: as if read a moment later
                cand = self._check(article, requested, extra_images, self._env_digest)
                if cand is None:
                    continue
                if self._preflight(cand, previous, previous_failures, refused):
                    self._want(article, extra_images, sets, heroes)
                    kept.append(_chosen(cand, extra_images))
            if kept:
                chosen.add(kept)
            del batch, kept
        self.report.failed += refused
        self._check_cancel()

        site_images, image_failures = self._make_renditions(writer, sets, heroes, len(chosen))
        if image_failures:
            gone = []
            for s in chosen.stories():
                reasons = [
                    image_failures[sha] for sha in json.loads(s.pictures) if sha in image_failures
                ]
                if reasons:
                    self._refuse(s.uid, ArticleOutcome(s.slug, s.headline, reasons))
                    gone.append(s.uid)
            chosen.leave_out(gone)
        return site_images, extra_images

    def _row_store(self, writer: SiteWriter) -> RowStore:
        """A new scratch store of listing rows in the export folder (see export/row_store.py)."""
        return RowStore(writer.scratch_path(ROWS_SCRATCH), self.publication.timezone or "UTC")

    def _record_state(self, writer: SiteWriter, token: str, store: RowStore) -> None:
        """Remember, with the library, what this site was made from (see export/incremental.py)."""
        if getattr(self.library, "read_only", False):
            return  # nothing can be kept with a library opened read-only: the next export checks all
        state = ExportState(
            self.library.engine, str(writer.out), self.publication.timezone or "UTC"
        )
        if not token:
            # A site of chosen stories is not the whole library: the next
            # incremental export of this folder starts with a full check.
            state.forget()
            return
        state.replace_all(self.state_meta(token), store.rows())

    def state_meta(self, token: str) -> dict[str, Any]:
        return {
            "format": EXPORT_FORMAT,
            "env": self._env_digest,
            "token": token,
            "change_id": self._change_id,
            "checked_us": to_us(self.now),
            "feeds": bool(self.base_url),
            "rows": ROWS_FORMAT,
            "names": self._names_now,  # seg -> name: the navigation every page carries
            "listings": 1,  # listing membership is recorded (export_listing)
            # A sitemap in parts: each part's size and newest change (export/sitemap_parts.py).
            "sitemap": getattr(self, "_sitemap_summary", None),
        }

    def _wanted(self, requested: list[str] | None, previous: dict[str, Any]) -> set[str] | None:
        if requested is None:
            # A whole-site export also lists what is deliberately left out.
            # (a page of the list at a time, newest first as the list shows them)
            after = None
            while True:
                page = self.library.list_articles(limit=_LIST_PAGE, after=after)
                for summary in page:
                    if summary.status != "published":
                        self.report.skipped.append(
                            ArticleOutcome(
                                summary.slug, summary.headline, [f"status is {summary.status}"]
                            )
                        )
                if len(page) < _LIST_PAGE:
                    return None
                after = (page[-1].updated_at, page[-1].id)
        wanted = set(previous)
        for slug in requested:
            article = self.library.find_article(slug)
            if article is None:
                self.report.failed.append(
                    ArticleOutcome(slug, "", [f"there is no article with the slug {slug!r}"])
                )
            elif article.status != "published":
                self.report.failed.append(
                    ArticleOutcome(
                        article.slug,
                        article.headline,
                        [f"its status is {article.status}; only published articles are exported"],
                    )
                )
            else:
                wanted.add(article.uid)
        return wanted

    def _extra_images(self, articles: Iterable[Article]) -> dict[str, Image]:
        """Library images a body shows with ![alt](image:UID) without a figure for them."""
        refs: set[str] = set()
        for a in articles:
            if "image:" in a.body:
                placed = {f.image.uid for f in a.figures}
                refs.update(uid for uid in _IMAGE_REF.findall(a.body) if uid not in placed)
        if not refs:
            return {}
        # A readable reference (harbour-dawn-3f2a9c1e) is kept under its own text too.
        found: dict[str, Image] = {}
        for ref in refs:
            image = self.library.find_image_by_ref(ref)
            if image is not None:
                found[image.uid] = image
                found[ref] = image
        return found

    def _logo(self) -> Image | None:
        """The publication's logo, when one is set and its file is still in the library."""
        from newsdesk.library import NotFound

        logo_id = self.publication.logo_image_id
        if logo_id is None:
            return None
        try:
            image = self.library.get_image(logo_id)
        except NotFound:
            return None
        return image if (self.library.media_dir / image.filename).is_file() else None

    def _logo_site_path(self) -> str:
        assert self.logo is not None
        return f"{IMG_DIR}/logo-{self.logo.sha256[:16]}{self.logo.ext}"

    def _publisher_logo(self) -> page_render.PublisherLogo | None:
        """The logo as JSON-LD names it: an absolute URL, so only when there is a base URL."""
        if self.logo is None or not self.base_url:
            return None
        return page_render.PublisherLogo(
            site_url(self.base_url, self._logo_site_path()), self.logo.width, self.logo.height
        )

    def _environment_digest(self) -> str:
        """Templates (bundled and the publication's own) and the publication's settings."""
        h = hashlib.sha256(f"export-{EXPORT_FORMAT}".encode())
        folders = [resource("templates")]
        if self.templates_override is not None:
            folders.append(self.templates_override)
        for folder in folders:
            for path in sorted(folder.glob("*")):
                if path.is_file():
                    h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        pub = self.publication
        logo = self.logo.sha256 if self.logo is not None else None
        size = self._page_size()
        h.update(
            json.dumps([pub.name, pub.base_url, pub.language, pub.timezone, logo, size]).encode()
        )
        return h.hexdigest()

    # ---- article pages --------------------------------------------------------
    def _page_fp(self, story: Chosen, in_site: dict[str, str]) -> str:
        """What a page is made from: its story, the stories it links to that are in the site
        (in_site: uid -> folder, holding at least those), and the navigation."""
        linked = sorted(u for u in story.related_uids() if u is not None and u in in_site)
        sections = "\x1f".join(self._section_names)  # the navigation every page carries
        return hashlib.sha256(f"{story.fp}|{','.join(linked)}|{sections}".encode()).hexdigest()

    @staticmethod
    def _with_links(chosen: StoryStore, chunks: Iterable[list[Chosen]]):
        """Each chunk of stories with the folders of the stories it links to that are in the
        site (one query a chunk, not a map of every page)."""
        for chunk in chunks:
            yield chunk, chosen.folders(u for s in chunk for u in s.related_uids())

    def _pages(self, writer, chosen: StoryStore, site_images, extra, previous) -> list[str]:
        """Write every article page; returns the uids of the stories whose page could not be made.

        A story whose page raises is left out with its reason; the pages that
        link to it are made again without that link, so no page of the site
        points at a page that is not there.
        """
        chosen.mark_todo([])
        count = 0
        for chunk, in_site in self._with_links(chosen, chosen.chunks(story_reading.BATCH)):
            todo = []
            for s in chunk:
                rel = f"{s.folder}/index.html"
                prev = previous.get(s.uid)
                if (
                    prev
                    and prev.get("pfp") == self._page_fp(s, in_site)
                    and prev.get("page") == s.folder
                    and writer.can_reuse(rel)
                ):
                    writer.reuse(rel)
                    self._step()
                else:
                    todo.append(s.uid)
            chosen.mark_todo(todo, more=True)  # noted in the scratch file, a chunk at a time
            count += len(todo)
        all_failed: list[str] = []
        while count:
            failed = self._render_chosen(writer, chosen, count, site_images, extra)
            if not failed:
                break
            chosen.leave_out(failed)
            for s in chosen.by_uids(failed):
                self._refuse(s.uid, ArticleOutcome(s.slug, s.headline, [failed[s.uid]]))
            all_failed += failed
            again = [s.uid for s in chosen.linking_to(set(failed))]
            chosen.mark_todo(again)
            count = len(again)
        return all_failed

    def _render_chosen(self, writer, chosen: StoryStore, count, site_images, extra):
        """Render and stage the pages of the stories marked to do (count of them), a batch
        read at a time; returns {uid: reason} for those that could not be made."""
        context = self._render_context(site_images, {}, extra)
        failed: dict[str, str] = {}

        def items():
            for chunk, in_site in self._with_links(
                chosen, chosen.chunks(story_reading.BATCH, todo=True)
            ):
                for article in self._read_again(chunk, failed):
                    links = {
                        lk.target.uid: in_site[lk.target.uid]
                        for lk in article.related
                        if lk.target is not None and lk.target.uid in in_site
                    }
                    yield article, links

        workers = 1 if count < POOL_MIN_PAGES else self.workers
        for uid, html, reason in page_render.render_pages(
            context, items(), workers=workers, cancel=self.cancel, count=count
        ):
            self._check_cancel()
            if html is None:
                failed[uid] = reason or "its page could not be rendered"
            else:
                writer.write(f"{chosen.folder_of(uid)}/index.html", html.encode("utf-8"))
            self._step()
        self._check_cancel()
        chosen.mark_todo([])
        return failed

    def _render_context(self, site_images, pages, extra) -> page_render.RenderContext:
        return page_render.RenderContext(
            library_root=self.library.root,
            publication=self.publication,
            images=site_images,
            pages=dict(pages),
            extra_images=extra,
            templates_override=self.templates_override,
            publisher_logo=self._publisher_logo(),
            sections=self._section_names,
            feed_files=self._feed_files,
        )

    def _render_pages(self, writer, to_render, pages, site_images, extra) -> dict[str, str]:
        """Render and stage these pages; returns {uid: reason} for those that could not be made."""
        context = self._render_context(site_images, pages, extra)
        folders = {c.article.uid: c.folder for c in to_render}
        workers = 1 if len(to_render) < POOL_MIN_PAGES else self.workers
        failed: dict[str, str] = {}
        for uid, html, reason in page_render.render_pages(
            context,
            self._loaded(to_render),
            workers=workers,
            cancel=self.cancel,
            count=len(to_render),
        ):
            self._check_cancel()
            if html is None:
                failed[uid] = reason or "its page could not be rendered"
            else:
                writer.write(f"{folders.pop(uid)}/index.html", html.encode("utf-8"))
            self._step()
        self._check_cancel()
        for uid in folders.keys() - failed.keys():
            failed[uid] = self._late_refusals.pop(uid, "it was deleted while the export ran")
        return failed

    def _probe_dates(self, article: Article) -> None:
        """Raise now, for this story alone, if its dates cannot be shown where listings show them."""
        tz = self.publication.timezone or "UTC"
        when = _when(article)
        for moment in (when, max(article.updated_at, when)):
            dates.iso(moment, tz)
            dates.iso(moment, "UTC")
        i18n.human_date(when, language=self.publication.language, tz_name=tz)
        if article.embargo_until is not None:
            dates.iso(article.embargo_until, tz)

    def _describe_failure(self, exc: BaseException) -> str:
        return page_render.describe_render_failure(exc, self.publication.timezone or "UTC")


class _Fingerprints:
    """uid -> fingerprint of each story of the site, read from the scratch file when asked
    (the feeds ask for a few dozen; export/feed_text.py)."""

    def __init__(self, chosen: StoryStore) -> None:
        self.chosen = chosen

    def get(self, uid: str, default: str = "") -> str:
        return self.chosen.fp_of(uid) or default


def _chosen(cand: _Candidate, extra: dict[str, Image]) -> Chosen:
    """What the later steps need of a story that passed its checks (export/story_store.py)."""
    a = cand.article
    shown = _images_of(a, extra)
    row = row_parts(a, cand.folder, section_segment(a.section), shown)
    return Chosen(
        article_id=a.id,
        uid=a.uid,
        folder=cand.folder,
        fp=cand.fingerprint,
        slug=a.slug,
        headline=a.headline,
        seg=row.seg,
        section=a.section,
        when_us=row.when_us,
        lastmod_us=row.lastmod_us,
        row=row.data(),
        related=json.dumps([lk.target.uid if lk.target is not None else None for lk in a.related]),
        pictures=json.dumps([img.sha256 for img in shown]),
    )


# --------------------------------------------------------------------------- helpers
__all__ = [
    "EXPORT_FORMAT",
    "FEED_CACHE",
    "RENDITION_INDEX",
    "NEWS_SITEMAP_LIMIT",
    "NO_BASE_URL_WARNING",
    "SITEMAP_LIMIT",
    "ArticleOutcome",
    "ExportCancelled",
    "ExportError",
    "ExportReport",
    "export_articles",
    "export_site",
    "preflight_messages",
]
