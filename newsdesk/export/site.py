"""Exporting articles as a static site: pages, listings, feeds, sitemaps, renditions, atomically."""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from newsdesk.export import pages as site_pages
from newsdesk.export import render as page_render
from newsdesk.export.assets import (
    FAVICON,
    IMG_DIR,
    RENDITION_FORMATS,
    RENDITION_WIDTHS,
    STYLESHEET,
    ExportAssets,
    SiteImage,
    article_dir,
    site_url,
)
from newsdesk.export.writer import ExportCancelled, ExportError, SiteWriter, check_segment
from newsdesk.library import Library
from newsdesk.library.models import Article, Image, utcnow
from newsdesk.library.preflight import preflight
from newsdesk.paths import resource
from newsdesk.render import dates, i18n
from newsdesk.render.markdown import BlockRenderer
from newsdesk.render.page import (
    breadcrumbs,
    environment,
    figure_view,
    is_public,
    json_for_script,
    make_image_resolver,
    split_byline,
    tag_segment,
)
from newsdesk.render.page import section_segment as _section_segment

# Bump when the exporter's output changes for the same library, so pages of
# an older export are rendered again instead of being carried over.
EXPORT_FORMAT = 2
FEED_ITEMS = 50
SECTION_FEED_ITEMS = 20  # each section's own feed: its newest stories, in full
NEWS_SITEMAP_WINDOW = timedelta(days=2)
# The protocols' limits per file: Google News reads at most 1,000 URLs from a
# news sitemap, sitemaps.org allows 50,000. Beyond them the URLs are split
# into numbered parts listed by a sitemap index under the usual name.
NEWS_SITEMAP_LIMIT = 1_000
SITEMAP_LIMIT = 50_000
NO_BASE_URL_WARNING = (
    "The publication has no base URL, so the pages have no canonical links and the site has "
    "no sitemaps or robots.txt; set one in Preferences or with: newsdesk publication --base-url URL"
)
# Which rendition files an export made for each image and credits, kept beside
# the images package's own cache so an export to a new folder finds them.
RENDITION_INDEX = "export-index.json"
# Below this many pages, starting worker processes costs more than it saves.
POOL_MIN_PAGES = 40

Progress = Callable[[int, int], None]
# An empty site's feed still needs a fixed <updated>, or every export would rewrite it.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# Slugifying a section name is pure; a site asks for the same few thousands of times.
section_segment = lru_cache(maxsize=1024)(_section_segment)
_IMAGE_REF = re.compile(r"\]\(\s*image:([0-9A-Za-z-]+)")


class CancelFlag(Protocol):
    """Anything with is_set(), such as threading.Event."""

    def is_set(self) -> bool: ...


@dataclass
class ArticleOutcome:
    """One article in the report: where it was written, or every reason it was not."""

    slug: str
    headline: str
    reasons: list[str] = field(default_factory=list)
    path: str = ""  # the page below the site root, for written articles


@dataclass
class ExportReport:
    """What an export did. `ok` is False when an article that should be published was not."""

    out_dir: Path
    written: list[ArticleOutcome] = field(default_factory=list)
    skipped: list[ArticleOutcome] = field(default_factory=list)
    failed: list[ArticleOutcome] = field(default_factory=list)
    changed_files: list[str] = field(default_factory=list)
    reused_files: int = 0
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        """Totals for a terminal or a dialog; the failures are in problem_lines()."""
        lines = [
            f"Exported {len(self.written)} article(s) to {self.out_dir} in {self.seconds:.2f} s "
            f"({len(self.changed_files)} file(s) written, {self.reused_files} unchanged)."
        ]
        if self.skipped:
            lines.append(f"Left out {len(self.skipped)} article(s) that are not public.")
        if self.failed:
            lines.append(f"{len(self.failed)} article(s) were NOT exported because of problems.")
        return "\n".join(lines)

    def problem_lines(self) -> list[str]:
        """Each article that was not exported, with every reason, then any warnings."""
        lines: list[str] = []
        for f in self.failed:
            lines.append(f"{f.slug}: not exported")
            lines += [f"  - {r}" for r in f.reasons]
        lines += [f"warning: {w}" for w in self.warnings]
        return lines


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
@dataclass
class _Candidate:
    article: Article
    folder: str
    fingerprint: str


class _Export:
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

    # ---- helpers -------------------------------------------------------------
    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ExportCancelled("The export was cancelled; the previous site was left as it was.")

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
        self.report.changed_files = sorted(writer.changed)
        self.report.reused_files = len(writer.reused)
        self.report.warnings += [
            f"{rel} was in the export folder without being written by newsdesk; "
            "the export replaced it with its own file."
            for rel in writer.foreign_replaced
        ]
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _run(self, writer: SiteWriter, requested: list[str] | None) -> None:
        previous: dict[str, Any] = writer.previous.get("articles", {})
        wanted = self._wanted(requested, previous)
        published = self.library.all_articles(status="published")
        self._check_cancel()
        extra_images = self._extra = self._extra_images(published)
        env_digest = self._env_digest = self._environment_digest()
        self._inputs: dict[str, str] = {}

        candidates: list[_Candidate] = []
        for article in published:
            if wanted is not None and article.uid not in wanted:
                continue
            outcome = ArticleOutcome(article.slug, article.headline)
            if not is_public(article, now=self.now):
                until = article.embargo_until
                outcome.reasons.append(
                    f"under embargo until {_iso_or_raw(until, self.publication.timezone)}"
                    if until
                    else "not published"
                )
                target = self.report.failed if requested and article.slug in requested else None
                (target if target is not None else self.report.skipped).append(outcome)
                continue
            try:
                folder = f"{check_segment(section_segment(article.section))}/{check_segment(article.slug)}"
            except ValueError as exc:
                outcome.reasons.append(f"its slug or section cannot be a folder name ({exc})")
                self.report.failed.append(outcome)
                continue
            try:
                self._probe_dates(article)
                fp = _fingerprint(article, extra_images, self.now, env_digest)
            except Exception as exc:  # one story never stops the whole site
                outcome.reasons.append(self._describe_failure(exc))
                self.report.failed.append(outcome)
                continue
            candidates.append(_Candidate(article, folder, fp))

        # Preflight. The fingerprint covers everything it checks (the article, its
        # figures and images, its related stories' status), so an article that did
        # not change since the last export keeps that export's verdict.
        selected: list[_Candidate] = []
        previous_failures: dict[str, Any] = writer.previous.get("failed", {})
        self._failures: dict[str, Any] = {}
        for cand in candidates:
            uid = cand.article.uid
            prev = previous.get(uid)
            if prev and prev.get("fp") == cand.fingerprint:
                selected.append(cand)
                continue
            known = previous_failures.get(uid)
            if known and known.get("fp") == cand.fingerprint:
                problems = list(known["reasons"])
            else:
                try:
                    problems = preflight_messages(self.library, cand.article, now=self.now)
                except Exception as exc:  # checked again next time: not remembered
                    self.report.failed.append(
                        ArticleOutcome(
                            cand.article.slug,
                            cand.article.headline,
                            [f"it could not be checked: {self._describe_failure(exc)}"],
                        )
                    )
                    continue
            if problems:
                self._failures[uid] = {"fp": cand.fingerprint, "reasons": problems}
                self.report.failed.append(
                    ArticleOutcome(cand.article.slug, cand.article.headline, problems)
                )
            else:
                selected.append(cand)
        self._check_cancel()

        site_images, image_failures = self._renditions(writer, selected, extra_images)
        if image_failures:
            kept = []
            for cand in selected:
                reasons = [
                    image_failures[img.sha256]
                    for img in _images_of(cand.article, extra_images)
                    if img.sha256 in image_failures
                ]
                if reasons:
                    self.report.failed.append(
                        ArticleOutcome(cand.article.slug, cand.article.headline, reasons)
                    )
                else:
                    kept.append(cand)
            selected = kept

        pages = {c.article.uid: c.folder for c in selected}
        self._fingerprints = {c.article.uid: c.fingerprint for c in selected}
        names: dict[str, str] = {}
        for cand in sorted(selected, key=lambda c: (_when(c.article), c.article.id), reverse=True):
            names.setdefault(section_segment(cand.article.section), cand.article.section or "News")
        self._section_names = [names[seg] for seg in sorted(names)]
        selected = self._pages(writer, selected, pages, site_images, extra_images, previous)
        self._listings(writer, selected, pages, site_images)
        self._static(writer)
        self._check_cancel()
        articles_manifest = {
            c.article.uid: {"fp": c.fingerprint, "page": c.folder, "pfp": self._page_fp(c, pages)}
            for c in selected
        }
        renditions_manifest = {
            key: [list(f) for f in img.files] for key, img in self._rendition_keys.items()
        }
        writer.commit(
            {
                "articles": articles_manifest,
                "failed": self._failures,
                "inputs": self._inputs,
                "renditions": renditions_manifest,
            }
        )
        self.report.written = [
            ArticleOutcome(c.article.slug, c.article.headline, path=f"{c.folder}/index.html")
            for c in sorted(selected, key=lambda c: c.folder)
        ]
        self._step(0)

    def _wanted(self, requested: list[str] | None, previous: dict[str, Any]) -> set[str] | None:
        if requested is None:
            # A whole-site export also lists what is deliberately left out.
            for summary in self.library.list_articles():
                if summary.status != "published":
                    self.report.skipped.append(
                        ArticleOutcome(
                            summary.slug, summary.headline, [f"status is {summary.status}"]
                        )
                    )
            return None
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
        return {img.uid: img for img in self.library.list_images() if img.uid in refs}

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
        h.update(json.dumps([pub.name, pub.base_url, pub.language, pub.timezone, logo]).encode())
        return h.hexdigest()

    # ---- renditions -----------------------------------------------------------
    def _renditions(
        self, writer: SiteWriter, selected: list[_Candidate], extra: dict[str, Image]
    ) -> tuple[dict[str, SiteImage], dict[str, str]]:
        from newsdesk.images import Credits, RenditionJob, make_renditions_many

        images: dict[str, Image] = {}
        for cand in selected:
            for img in _images_of(cand.article, extra):
                images.setdefault(img.sha256, img)
        previous: dict[str, list] = writer.previous.get("renditions", {})
        cache_dir = self.library.renditions_dir
        cache_index = _read_json(cache_dir / RENDITION_INDEX)
        site_images: dict[str, SiteImage] = {}
        self._rendition_keys: dict[str, SiteImage] = {}
        jobs: list[tuple[str, str, RenditionJob]] = []
        for sha, img in images.items():
            credits = Credits(
                caption=img.caption, credit=img.credit, creator=img.creator, copyright=img.copyright
            )
            key = _rendition_key(sha, asdict(credits))
            files = previous.get(key)
            if files and all(writer.can_reuse(f"{IMG_DIR}/{f[0]}") for f in files):
                site_image = SiteImage(tuple(tuple(f) for f in files))
                for f in site_image.files:
                    writer.reuse(f"{IMG_DIR}/{f[0]}")
                site_images[sha] = self._rendition_keys[key] = site_image
                continue
            files = cache_index.get(key)
            if files and all((cache_dir / f[0]).is_file() for f in files):
                # Made by an earlier export to another folder: no need to even
                # start the image workers to find that out.
                site_image = SiteImage(tuple(tuple(f) for f in files))
                for f in site_image.files:
                    path = cache_dir / f[0]
                    writer.link_in(f"{IMG_DIR}/{f[0]}", path, path.stem)
                site_images[sha] = self._rendition_keys[key] = site_image
                continue
            job = RenditionJob(
                src=self.library.media_path(img),
                out_dir=self.library.renditions_dir,
                credits=credits,
                widths=RENDITION_WIDTHS,
                formats=RENDITION_FORMATS,
                sha256=sha,
            )
            jobs.append((sha, key, job))

        self._total = len(jobs) + len(selected) + 4
        failures: dict[str, str] = {}
        if jobs:
            results = make_renditions_many(
                [j for _s, _k, j in jobs],
                workers=self.workers,
                progress=lambda done, total: self._step(1),
                cancel=self.cancel,
            )
            self._check_cancel()
            for (sha, key, _job), result in zip(jobs, results, strict=True):
                if not isinstance(result, list):
                    failures[sha] = (
                        f"image {images[sha].original_name or sha[:12]}: {result.message}"
                    )
                    continue
                ordered = sorted(result, key=lambda r: (r.width, r.format))
                site_image = SiteImage(
                    tuple((r.path.name, r.width, r.height, r.format) for r in ordered)
                )
                for r in ordered:
                    # The file name carries its content's key, so it stands for its hash.
                    writer.link_in(f"{IMG_DIR}/{r.path.name}", r.path, r.path.stem)
                site_images[sha] = self._rendition_keys[key] = site_image
                cache_index[key] = [list(f) for f in site_image.files]
            _write_json(cache_dir / RENDITION_INDEX, cache_index)
        return site_images, failures

    # ---- article pages --------------------------------------------------------
    def _page_fp(self, cand: _Candidate, pages: dict[str, str]) -> str:
        linked = sorted(
            link.target.uid
            for link in cand.article.related
            if link.target is not None and link.target.uid in pages
        )
        sections = "\x1f".join(self._section_names)  # the navigation every page carries
        return hashlib.sha256(
            f"{cand.fingerprint}|{','.join(linked)}|{sections}".encode()
        ).hexdigest()

    def _pages(self, writer, selected, pages, site_images, extra, previous) -> list[_Candidate]:
        """Write every article page; returns the articles whose page could be made.

        A story whose page raises is left out with its reason (and removed from
        `pages`); the pages that link to it are made again without that link,
        so no page of the site points at a page that is not there.
        """
        to_render: list[_Candidate] = []
        for cand in selected:
            rel = f"{cand.folder}/index.html"
            prev = previous.get(cand.article.uid)
            if (
                prev
                and prev.get("pfp") == self._page_fp(cand, pages)
                and prev.get("page") == cand.folder
                and writer.can_reuse(rel)
            ):
                writer.reuse(rel)
                self._step()
            else:
                to_render.append(cand)
        by_uid = {c.article.uid: c for c in selected}
        while to_render:
            failed = self._render_pages(writer, to_render, pages, site_images, extra)
            if not failed:
                break
            for uid, reason in failed.items():
                del pages[uid]
                cand = by_uid.pop(uid)
                self.report.failed.append(
                    ArticleOutcome(cand.article.slug, cand.article.headline, [reason])
                )
            to_render = [
                c
                for c in by_uid.values()
                if any(
                    link.target is not None and link.target.uid in failed
                    for link in c.article.related
                )
            ]
        return [c for c in selected if c.article.uid in by_uid]

    def _render_pages(self, writer, to_render, pages, site_images, extra) -> dict[str, str]:
        """Render and stage these pages; returns {uid: reason} for those that could not be made."""
        context = page_render.RenderContext(
            library_root=self.library.root,
            publication=self.publication,
            images=site_images,
            pages=dict(pages),
            extra_images=extra,
            templates_override=self.templates_override,
            publisher_logo=self._publisher_logo(),
            sections=self._section_names,
        )
        articles = [c.article for c in to_render]
        folders = {c.article.uid: c.folder for c in to_render}
        workers = 1 if len(articles) < POOL_MIN_PAGES else self.workers
        failed: dict[str, str] = {}
        for uid, html, reason in page_render.render_pages(
            context, articles, workers=workers, cancel=self.cancel
        ):
            self._check_cancel()
            if html is None:
                failed[uid] = reason or "its page could not be rendered"
            else:
                writer.write(f"{folders[uid]}/index.html", html.encode("utf-8"))
            self._step()
        self._check_cancel()
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

    # ---- listings, feed, sitemaps ---------------------------------------------
    def _listings(self, writer, selected, pages, site_images) -> None:
        """The front page, sections, tags and the archive (each paginated), the 404 page, feeds
        and sitemaps."""
        pub = self.publication
        tz = pub.timezone or "UTC"
        lang = pub.language or "en"
        env = environment(self.templates_override, lang)
        size = site_pages.page_size(self.library.get_setting(site_pages.PAGE_SIZE_SETTING))
        articles = sorted(
            (c.article for c in selected), key=lambda a: (_when(a), a.id), reverse=True
        )
        by_section: dict[str, list[Article]] = {}
        by_tag: dict[str, list[Article]] = {}
        tag_names: dict[str, str] = {}
        by_month: dict[tuple[int, int], list[Article]] = {}
        for a in articles:
            by_section.setdefault(section_segment(a.section), []).append(a)
            for tag in dict.fromkeys(a.tags):
                seg = tag_segment(tag)
                tag_names.setdefault(seg, tag)
                by_tag.setdefault(seg, []).append(a)
            month = dates.local(_when(a), tz)
            by_month.setdefault((month.year, month.month), []).append(a)
        section_names = {
            seg: (items[0].section or "News") for seg, items in sorted(by_section.items())
        }
        gettext = i18n.translations(lang).gettext
        self._listing_urls: list[tuple[str, datetime]] = []

        def shell(folder: str, current: str | None) -> dict[str, Any]:
            """What every page of the site carries besides its own content."""
            root = site_pages.root_prefix(folder)
            assets = ExportAssets(self.library.root, images=site_images, pages=pages, root=root)
            return {
                "assets": assets,
                "lang": lang,
                "publication_name": pub.name,
                "canonical_url": site_url(self.base_url, folder) if self.base_url else "",
                "stylesheet_href": assets.stylesheet_href,
                "favicon_href": assets.favicon_href,
                "home_href": assets.home_href,
                "feed_href": assets.feed_href,
                "archive_href": f"{root}{site_pages.ARCHIVE_DIR}/index.html",
                "sections": [
                    (name, assets.section_href(name), seg == current)
                    for seg, name in section_names.items()
                ],
                "og_locale": i18n.og_locale(lang),
                "logo_url": self._publisher_logo().url if self._publisher_logo() else "",
            }

        def listing(
            listing_dir: str,
            heading: str,
            items: list[Article],
            current: str | None,
            *,
            kind: str,
            crumbs: list[tuple[str, str]],
            feed: str = "",
        ) -> None:
            chunks = site_pages.split(items, size)
            for number, chunk in enumerate(chunks, start=1):
                folder = site_pages.page_dir(listing_dir, number)
                common = shell(folder, current)
                assets = common.pop("assets")
                pager = site_pages.pager(listing_dir, number, len(chunks), lang)
                title = heading if heading != pub.name else ""
                if number > 1:
                    where = gettext("Page %(num)s of %(total)s") % {
                        "num": pager.number_text,
                        "total": pager.total_text,
                    }
                    title = f"{title} – {where}" if title else where
                view = ListingView(
                    title=f"{title} | {pub.name}" if title else pub.name,
                    description=gettext("The latest stories from %(name)s.") % {"name": pub.name},
                    heading=heading,
                    heading_is_name=kind == "home",
                    items=_first_picture_eager([self._item(a, assets, tz) for a in chunk]),
                    pages=pager,
                    **common,
                )
                if feed:
                    view.section_feed = (heading, site_pages.root_prefix(folder) + feed)
                view.json_ld = json_for_script(
                    self._listing_ld(view, kind, crumbs, chunk, number, gettext)
                )
                self._render(writer, env, f"{folder}index.html", _TEMPLATES[kind], page=view)
                if items:
                    newest = max(max(a.updated_at, _when(a)) for a in chunk)
                    self._listing_urls.append((folder, newest))
                else:
                    self._listing_urls.append((folder, EPOCH))

        home = gettext("Home")
        listing("", pub.name, articles, None, kind="home", crumbs=[])
        self._step()
        for seg, items in sorted(by_section.items()):
            name = section_names[seg]
            listing(
                f"{seg}/",
                name,
                items,
                seg,
                kind="section",
                crumbs=[(home, ""), (name, f"{seg}/")],
                feed=f"{site_pages.FEEDS_DIR}/{seg}.xml",
            )
        for seg, items in sorted(by_tag.items()):
            heading = gettext("Topic: %(tag)s") % {"tag": tag_names[seg]}
            listing(
                f"{site_pages.TAG_DIR}/{seg}/",
                heading,
                items,
                None,
                kind="tag",
                crumbs=[(home, ""), (heading, f"{site_pages.TAG_DIR}/{seg}/")],
            )
        months = []
        for (year, month), items in sorted(by_month.items(), reverse=True):
            folder = f"{site_pages.ARCHIVE_DIR}/{year:04d}/{month:02d}/"
            label = i18n.month_name(year, month, lang)
            heading = gettext("Stories from %(month)s") % {"month": label}
            listing(
                folder, heading, items, None, kind="month", crumbs=[(home, ""), (heading, folder)]
            )
            months.append((label, folder, i18n.number(len(items), lang)))
        common = shell(f"{site_pages.ARCHIVE_DIR}/", None)
        common.pop("assets")
        archive_title = gettext("Archive")
        archive = ListingView(
            title=f"{archive_title} | {pub.name}",
            description=gettext("The latest stories from %(name)s.") % {"name": pub.name},
            heading=archive_title,
            items=[],
            months=[
                (label, f"{folder.split('/', 1)[1]}index.html", n) for label, folder, n in months
            ],
            **common,
        )
        archive.json_ld = json_for_script(
            self._listing_ld(
                archive, "archive", [(home, ""), (archive_title, "archive/")], [], 1, gettext
            )
        )
        self._render(
            writer, env, f"{site_pages.ARCHIVE_DIR}/index.html", "archive.html", page=archive
        )
        self._not_found(writer, env, shell, gettext)
        self._step()
        self._feed(writer, env, articles, tz, lang, site_images, pages)
        for seg, items in sorted(by_section.items()):
            self._feed(
                writer,
                env,
                items,
                tz,
                lang,
                site_images,
                pages,
                rel=f"{site_pages.FEEDS_DIR}/{seg}.xml",
                title=f"{pub.name}: {section_names[seg]}",
                home=f"{seg}/",
            )
        if not self.base_url:
            # Sitemaps, robots.txt and canonical links must be absolute: without a
            # base URL there is nothing true to write, so the site goes without.
            self.report.warnings.append(NO_BASE_URL_WARNING)
        else:
            self._sitemaps(writer, env, articles, lang)
        self._step()

    def _not_found(self, writer, env, shell, gettext) -> None:
        """404.html at the root; its links are absolute from the site's root when there is a base
        URL (a server shows it at any depth), else relative to the root."""
        common = shell("", None)
        common.pop("assets")
        common["canonical_url"] = ""
        # Not the section links: from a file:// copy their root-based addresses lead nowhere,
        # and the one way on that always works is the front page.
        common["sections"] = []
        if self.base_url:
            root = urlsplit(self.base_url).path or "/"
            for key in (
                "stylesheet_href",
                "favicon_href",
                "home_href",
                "feed_href",
                "archive_href",
            ):
                common[key] = root + common[key]
        title = gettext("Page not found")
        view = ListingView(
            title=f"{title} | {pub_name}" if (pub_name := self.publication.name) else title,
            description="",
            heading=title,
            items=[],
            **common,
        )
        view.json_ld = ""
        self._render(writer, env, "404.html", "not_found.html", page=view)

    def _listing_ld(self, view, kind, crumbs, items, number, gettext) -> list[dict[str, Any]]:
        """JSON-LD for a listing page: WebSite and Organization on the front page, a
        CollectionPage for every listing, and a BreadcrumbList below the front page."""
        pub = self.publication
        base = self.base_url
        out: list[dict[str, Any]] = []
        org: dict[str, Any] = {"@type": "Organization", "name": pub.name}
        if base:
            org["url"] = base
        logo = self._publisher_logo()
        if logo is not None:
            org["logo"] = {
                "@type": "ImageObject",
                "url": logo.url,
                "width": logo.width,
                "height": logo.height,
            }
        if kind == "home" and number == 1:
            site: dict[str, Any] = {
                "@context": "https://schema.org",
                "@type": "WebSite",
                "name": pub.name,
                "inLanguage": view.lang,
                "publisher": org,
            }
            if base:
                site["url"] = base
            out.append(site)
            out.append({"@context": "https://schema.org", **org})
        page: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "CollectionPage",
            "name": view.heading,
            "inLanguage": view.lang,
            "isPartOf": {"@type": "WebSite", "name": pub.name, **({"url": base} if base else {})},
        }
        if view.canonical_url:
            page["url"] = view.canonical_url
        if items:
            page["mainEntity"] = {
                "@type": "ItemList",
                "itemListElement": [
                    {
                        "@type": "ListItem",
                        "position": i,
                        "url": self._article_url(a),
                        "name": a.headline,
                    }
                    for i, a in enumerate(items, start=1)
                ],
            }
        out.append(page)
        if crumbs:
            out.append(breadcrumbs(crumbs, base))
        return out

    def _render(self, writer: SiteWriter, env, rel: str, template: str, **context: Any) -> None:
        """Render a listing, feed or sitemap, unless its inputs are those of the previous export.

        The views are plain dataclasses, so their repr is a complete account of
        what the template is given; with the template digest it decides
        whether the file the previous export wrote can be carried over.
        """
        key = hashlib.sha256(f"{self._env_digest}|{template}|{context!r}".encode()).hexdigest()
        self._inputs[rel] = key
        if writer.previous.get("inputs", {}).get(rel) == key and writer.can_reuse(rel):
            writer.reuse(rel)
            return
        writer.write(rel, env.get_template(template).render(**context).encode("utf-8"))

    def _item(self, a: Article, assets: ExportAssets, tz: str) -> ListingItem:
        when = _when(a)
        hero = a.hero
        thumb = assets.image_ref(hero.image, alt=hero.alt_text, purpose="listing") if hero else None
        return ListingItem(
            href=assets.article_href(a) or "",
            headline=a.headline,
            dek=a.dek,
            lang=a.language or "",
            date_iso=dates.iso(when, tz),
            date_text=i18n.human_date(when, language=self.publication.language, tz_name=tz),
            thumb=thumb,
        )

    def _article_url(self, a: Article) -> str:
        """An article's address for the feed and sitemaps: absolute, or relative to the site root."""
        if self.base_url:
            return site_url(self.base_url, article_dir(a) + "/")
        return quote(article_dir(a) + "/index.html", safe="/")

    def _feed(
        self,
        writer,
        env,
        articles,
        tz,
        lang,
        site_images,
        pages,
        *,
        rel: str = "feed.xml",
        title: str = "",
        home: str = "",
    ) -> None:
        """An Atom feed with each story's full text and hero picture (the site's, or a section's).

        Its links are absolute when there is a base URL, else relative to the feed file.
        """
        base = self.base_url
        pub = self.publication
        newest_first = articles[: FEED_ITEMS if rel == "feed.xml" else SECTION_FEED_ITEMS]
        root = base or site_pages.root_prefix(rel)
        assets = ExportAssets(self.library.root, images=site_images, pages=pages, root=root)
        entries = [
            FeedEntry(
                id=f"urn:uuid:{a.uid}",
                title=a.headline,
                url=self._article_url(a) if base else root + self._article_url(a),
                published=dates.iso(_when(a), tz),
                updated=dates.iso(max(a.updated_at, _when(a)), tz),
                authors=split_byline(a.byline),
                summary=a.dek or a.seo_description,
                section=a.section,
                lang=a.language or "",
            )
            for a in newest_first
        ]
        newest = max((max(a.updated_at, _when(a)) for a in newest_first), default=EPOCH)
        feed = FeedView(
            id=site_url(base, rel) if base else f"urn:uuid:{pub.uid}:{rel}",
            title=title or pub.name,
            lang=lang,
            home_url=site_url(base, home) if base else f"{root}{home}index.html",
            self_url=site_url(base, rel) if base else rel.rsplit("/", 1)[-1],
            updated=dates.iso(newest, tz),
            author=pub.name,
            entries=entries,
        )
        # The stories' full text is costly to render (Markdown), so the feed is keyed by
        # what decides it (the entries and each story's fingerprint) before it is rendered.
        fps = [self._fingerprints.get(a.uid, "") for a in newest_first]
        key = hashlib.sha256(f"{self._env_digest}|feed|{feed!r}|{fps}".encode()).hexdigest()
        self._inputs[rel] = key
        if writer.previous.get("inputs", {}).get(rel) == key and writer.can_reuse(rel):
            writer.reuse(rel)
            return
        for entry, a in zip(entries, newest_first, strict=True):
            entry.content = self._feed_content(a, assets, root)
        writer.write(rel, env.get_template("feed.xml").render(feed=feed).encode("utf-8"))

    def _feed_content(self, article: Article, assets: ExportAssets, root: str) -> str:
        """The story as a feed reader shows it: hero figure, then the body, as safe HTML.

        Rendered once per story and address root (the site feed and its section's
        share it when both are absolute).
        """
        key = (article.uid, root)
        cache = self.__dict__.setdefault("_feed_bodies", {})
        if key not in cache:
            lang = article.language or self.publication.language or "en"
            env = environment(self.templates_override, lang)
            renderer = BlockRenderer()
            renderer.resolve_image = make_image_resolver(
                article, assets, env, images_by_uid=self._extra, lang=lang
            )
            parts = []
            hero = article.hero
            if hero is not None:
                view = figure_view(hero, hero.image, assets, role="hero", lang=lang)
                parts.append(env.get_template("figure.html").render(figure=view))
            parts.append(renderer.render(article.body).html)
            cache[key] = "\n".join(parts)
        return cache[key]

    def _sitemaps(self, writer, env, articles, lang) -> None:
        """sitemap.xml and news-sitemap.xml (split when long), and robots.txt naming them."""
        base = self.base_url
        pub = self.publication
        urls = [
            SitemapUrl(site_url(base, folder), dates.iso(newest, "UTC"))
            for folder, newest in self._listing_urls
        ]
        urls += [
            SitemapUrl(self._article_url(a), dates.iso(max(a.updated_at, _when(a)), "UTC"))
            for a in articles
        ]
        listed = self._sitemap_files(
            writer, env, "sitemap", "sitemap.xml", SITEMAP_LIMIT, urls, key="urls"
        )

        recent = [a for a in articles if self.now - _when(a) <= NEWS_SITEMAP_WINDOW]
        news = [
            NewsItem(
                url=self._article_url(a),
                title=a.headline,
                published=dates.iso(_when(a), "UTC"),
                language=_news_language(a.language or lang),
            )
            for a in recent
        ]
        listed += self._sitemap_files(
            writer,
            env,
            "news-sitemap",
            "news_sitemap.xml",
            NEWS_SITEMAP_LIMIT,
            news,
            key="items",
            publication_name=pub.name,
        )
        self._render(
            writer, env, "robots.txt", "robots.txt", sitemaps=[site_url(base, f) for f in listed]
        )

    def _sitemap_files(
        self,
        writer,
        env,
        name: str,
        template: str,
        limit: int,
        entries: list,
        *,
        key: str,
        **context: Any,
    ) -> list[str]:
        """Write `name`.xml, or numbered parts and an index under that name; the file to list.

        An empty urlset is invalid, so no entries means no file at all (and
        nothing for robots.txt to name).
        """
        if not entries:
            return []
        parts = [entries[i : i + limit] for i in range(0, len(entries), limit)]
        if len(parts) == 1:
            self._render(writer, env, f"{name}.xml", template, **{key: entries}, **context)
            return [f"{name}.xml"]
        index = []
        for number, part in enumerate(parts, start=1):
            rel = f"{name}-{number}.xml"
            self._render(writer, env, rel, template, **{key: part}, **context)
            index.append(SitemapUrl(site_url(self.base_url, rel), _newest_lastmod(part)))
        self._render(writer, env, f"{name}.xml", "sitemap_index.xml", sitemaps=index)
        return [f"{name}.xml"]

    def _static(self, writer: SiteWriter) -> None:
        if self._publisher_logo() is not None:
            assert self.logo is not None
            media = self.library.media_dir / self.logo.filename
            # Named by its content like the renditions, so a new logo is a new address.
            writer.link_in(self._logo_site_path(), media, self.logo.sha256)
        for rel, name in ((STYLESHEET, "site.css"), (FAVICON, "favicon.svg")):
            own = self.library.templates_dir / name
            source = own if own.is_file() else resource(name)
            try:
                data = source.read_bytes()
            except OSError as exc:
                raise ExportError(f"Could not read {source}: {exc.strerror or exc}.") from exc
            writer.write(rel, data)
        self._step()


_TEMPLATES = {
    "home": "index.html",
    "section": "section.html",
    "tag": "section.html",
    "month": "section.html",
}


# --------------------------------------------------------------------------- views
@dataclass
class ListingItem:
    href: str
    headline: str
    dek: str
    lang: str
    date_iso: str
    date_text: str
    thumb: Any
    lazy: bool = True  # the first picture of a listing is in view at once: not lazy


@dataclass
class ListingView:
    """What the listing pages, the archive and 404.html show; carries every field base.html reads."""

    lang: str
    title: str
    description: str
    heading: str
    publication_name: str
    canonical_url: str
    stylesheet_href: str
    favicon_href: str
    home_href: str
    feed_href: str
    sections: list[tuple[str, str, bool]]  # (name, href, is this page)
    items: list[ListingItem]
    archive_href: str = ""
    og_locale: str = "en_US"
    logo_url: str = ""
    heading_is_name: bool = False  # the front page: its heading is "Latest stories"
    pages: site_pages.Pager | None = None
    months: list[tuple[str, str, str]] = field(default_factory=list)  # archive: label, href, count
    json_ld: str = ""
    section_feed: tuple[str, str] | None = None  # (section name, its own Atom feed)
    extra_head: str = ""


@dataclass
class FeedEntry:
    id: str
    title: str
    url: str
    published: str
    updated: str
    authors: list[str]
    summary: str
    section: str
    lang: str
    content: str = ""  # the story's safe HTML, with its hero picture


@dataclass
class FeedView:
    id: str
    title: str
    lang: str
    home_url: str
    self_url: str
    updated: str
    author: str
    entries: list[FeedEntry]


@dataclass
class SitemapUrl:
    loc: str
    lastmod: str


@dataclass
class NewsItem:
    url: str
    title: str
    published: str
    language: str


# --------------------------------------------------------------------------- helpers
def preflight_messages(
    library: Library, article: Article, *, now: datetime | None = None
) -> list[str]:
    """Every reason the article may not be published, as sentences (warnings do not stop it)."""
    return [p.message for p in preflight(library, article, now=now) if p.is_error]


def _images_of(article: Article, extra: dict[str, Image]) -> list[Image]:
    """Every image the article's page and its listings show."""
    out = [f.image for f in article.figures]
    if "image:" in article.body:
        out += [extra[uid] for uid in _IMAGE_REF.findall(article.body) if uid in extra]
    return out


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Best effort (it is only a cache), and atomic so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def _iso_or_raw(moment: datetime, tz: str) -> str:
    """A date for the report, even one the time zone cannot hold (the story is reported, not lost)."""
    try:
        return dates.iso(moment, tz)
    except (OverflowError, ValueError):
        return moment.isoformat()


def _when(article: Article) -> datetime:
    return article.published_at or article.updated_at


def _first_picture_eager(items: list[ListingItem]) -> list[ListingItem]:
    """The listing's first picture loads at once (it is the page's largest paint); the rest lazily."""
    for item in items:
        if item.thumb is not None:
            item.lazy = False
            break
    return items


def _newest_lastmod(entries: list) -> str:
    """The newest date among a sitemap part's entries (ISO strings in UTC sort as times)."""
    return max(getattr(e, "lastmod", "") or getattr(e, "published", "") for e in entries)


def _rendition_key(sha: str, credits: dict[str, str]) -> str:
    from newsdesk.images import renditions

    # The images package's own settings too: when its pipeline changes, so do the files.
    settings = [renditions.PIPELINE_VERSION, renditions.JPEG_QUALITY, renditions.WEBP_QUALITY]
    spec = json.dumps([sha, credits, RENDITION_WIDTHS, RENDITION_FORMATS, settings], sort_keys=True)
    return hashlib.sha256(spec.encode()).hexdigest()[:32]


def _image_fp(img: Image) -> list[Any]:
    return [
        img.sha256,
        img.uid,
        img.updated_at.isoformat(),
        img.alt_text,
        img.caption,
        img.credit,
        img.creator,
        img.copyright,
        img.width,
        img.height,
    ]


def _fingerprint(article: Article, extra: dict[str, Image], now: datetime, env: str) -> str:
    """Everything the article's page shows, hashed: equal fingerprints give equal pages."""
    related = []
    for link in article.related:
        t = link.target
        if t is None:
            related.append([link.target_uid, None])
            continue
        hero = t.hero
        related.append(
            [
                t.uid,
                t.slug,
                t.section,
                t.headline,
                t.status,
                is_public(t, now=now),
                t.updated_at.isoformat(),
                (t.published_at or t.updated_at).isoformat(),
                [hero.alt_text, _image_fp(hero.image)] if hero else None,
            ]
        )
    figures = [
        [f.role, f.position, f.caption, f.alt_text, _image_fp(f.image)] for f in article.figures
    ]
    extras = [_image_fp(img) for img in _images_of(article, extra)[len(article.figures) :]]
    data = [
        env,
        article.uid,
        article.version,
        article.updated_at.isoformat(),
        article.published_at.isoformat() if article.published_at else None,
        article.slug,
        article.section,
        article.language,
        article.tags,
        figures,
        extras,
        related,
    ]
    return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()


def _base_url(url: str) -> str:
    url = (url or "").strip()
    if url and not url.endswith("/"):
        url += "/"
    return url


def _news_language(lang: str) -> str:
    """Google News wants ISO 639 codes, with zh-cn and zh-tw as the only regional ones."""
    lang = (lang or "en").lower()
    if lang.startswith("zh"):
        return "zh-tw" if lang in ("zh-tw", "zh-hant", "zh-hk") else "zh-cn"
    return lang.split("-")[0]


__all__ = [
    "ArticleOutcome",
    "ExportCancelled",
    "ExportError",
    "ExportReport",
    "export_articles",
    "export_site",
    "preflight_messages",
]
