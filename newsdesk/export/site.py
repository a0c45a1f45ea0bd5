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
from pathlib import Path
from typing import Any
from urllib.parse import quote

from newsdesk.concurrency import CancelFlag
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
    author_dir,
    authors_with_stories,
    site_key,
    site_url,
)
from newsdesk.export.writer import ExportCancelled, ExportError, SiteWriter, check_segment
from newsdesk.library import Library
from newsdesk.library.models import Article, Image, utcnow
from newsdesk.paths import resource
from newsdesk.preflight import preflight
from newsdesk.render import dates
from newsdesk.render.page import environment, split_byline
from newsdesk.rules import is_public, section_segment

# Bump when the exporter's output changes for the same library, so pages of
# an older export are rendered again instead of being carried over.
EXPORT_FORMAT = 2
INDEX_ITEMS = 40  # the front page lists the newest stories; section pages list all
FEED_ITEMS = 50
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
_IMAGE_REF = re.compile(r"\]\(\s*image:([0-9A-Za-z-]+)")


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
        extra_images = self._extra_images(published)
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
        selected = self._pages(writer, selected, pages, site_images, extra_images, previous)
        self._listings(writer, selected, pages, site_images)
        self._static(writer)
        self._check_cancel()
        articles_manifest = {
            c.article.uid: {"fp": c.fingerprint, "page": c.folder, "pfp": self._page_fp(c, pages)}
            for c in selected
        }
        renditions_manifest = {key: img.entries() for key, img in self._rendition_keys.items()}
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
        h.update(json.dumps([pub.name, pub.base_url, pub.language, pub.timezone, logo]).encode())
        return h.hexdigest()

    # ---- renditions -----------------------------------------------------------
    def _renditions(
        self, writer: SiteWriter, selected: list[_Candidate], extra: dict[str, Image]
    ) -> tuple[dict[str, SiteImage], dict[str, str]]:
        """Every rendition set the pages need, made once and reused across exports.

        A set is one picture with the words embedded in its files: the
        picture's own, or a story's where its figure has its own caption or
        alt text (assets.site_key). A set that shows some story's hero also
        gets the 16:9, 4:3, 1:1 and social-card crops.
        """
        from newsdesk.crops import ALL_RATIOS, crop_for
        from newsdesk.images import Credits, RenditionJob, make_renditions_many

        wanted: dict[str, tuple[Image, Credits]] = {}
        heroes: set[str] = set()
        for cand in selected:
            article = cand.article
            hero = article.hero
            for fig in article.figures:
                img = fig.image
                words = (fig.caption or "", fig.alt_text or "")
                key = site_key(img, words)
                wanted.setdefault(key, (img, _credits(Credits, img, *words)))
                if fig is hero:
                    heroes.add(key)
            for img in _images_of(article, extra)[len(article.figures) :]:
                wanted.setdefault(img.sha256, (img, _credits(Credits, img)))
        previous: dict[str, list] = writer.previous.get("renditions", {})
        cache_dir = self.library.renditions_dir
        cache_index = _read_json(cache_dir / RENDITION_INDEX)
        site_images: dict[str, SiteImage] = {}
        self._rendition_keys: dict[str, SiteImage] = {}
        jobs: list[tuple[str, str, RenditionJob]] = []
        for skey, (img, credits) in wanted.items():
            sha = img.sha256
            boxes = {n: crop_for(img, n) for n in ALL_RATIOS} if skey in heroes else {}
            key = _rendition_key(sha, asdict(credits), {n: b.as_list() for n, b in boxes.items()})
            files = previous.get(key)
            if files and all(writer.can_reuse(f"{IMG_DIR}/{f[0]}") for f in files):
                site_image = SiteImage.from_entries(files)
                for f in files:
                    writer.reuse(f"{IMG_DIR}/{f[0]}")
                site_images[skey] = self._rendition_keys[key] = site_image
                continue
            files = cache_index.get(key)
            if files and all((cache_dir / f[0]).is_file() for f in files):
                # Made by an earlier export to another folder: no need to even
                # start the image workers to find that out.
                site_image = SiteImage.from_entries(files)
                for f in files:
                    path = cache_dir / f[0]
                    writer.link_in(f"{IMG_DIR}/{f[0]}", path, path.stem)
                site_images[skey] = self._rendition_keys[key] = site_image
                continue
            job = RenditionJob(
                src=self.library.media_path(img),
                out_dir=self.library.renditions_dir,
                credits=credits,
                widths=RENDITION_WIDTHS,
                formats=RENDITION_FORMATS,
                sha256=sha,
                crops=boxes,
            )
            jobs.append((skey, key, job))

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
            for (skey, key, _job), result in zip(jobs, results, strict=True):
                img = wanted[skey][0]
                if not isinstance(result, list):
                    failures[img.sha256] = (
                        f"image {img.original_name or img.sha256[:12]}: {result.message}"
                    )
                    continue
                whole = sorted(
                    (r for r in result if not r.ratio), key=lambda r: (r.width, r.format)
                )
                cut = [r for r in result if r.ratio]
                site_image = SiteImage(
                    tuple((r.path.name, r.width, r.height, r.format) for r in whole),
                    tuple((r.path.name, r.width, r.height, r.format, r.ratio) for r in cut),
                )
                for r in [*whole, *cut]:
                    # The file name carries its content's key, so it stands for its hash.
                    writer.link_in(f"{IMG_DIR}/{r.path.name}", r.path, r.path.stem)
                site_images[skey] = self._rendition_keys[key] = site_image
                cache_index[key] = site_image.entries()
            _write_json(cache_dir / RENDITION_INDEX, cache_index)
        return site_images, failures

    # ---- article pages --------------------------------------------------------
    def _page_fp(self, cand: _Candidate, pages: dict[str, str]) -> str:
        linked = sorted(
            link.target.uid
            for link in cand.article.related
            if link.target is not None and link.target.uid in pages
        )
        return hashlib.sha256(f"{cand.fingerprint}|{','.join(linked)}".encode()).hexdigest()

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
        dates.human_date(when, language=self.publication.language, tz_name=tz)
        if article.embargo_until is not None:
            dates.iso(article.embargo_until, tz)

    def _describe_failure(self, exc: BaseException) -> str:
        return page_render.describe_render_failure(exc, self.publication.timezone or "UTC")

    # ---- listings, feed, sitemaps ---------------------------------------------
    def _listings(self, writer, selected, pages, site_images) -> None:
        env = environment(self.templates_override)
        pub = self.publication
        tz = pub.timezone or "UTC"
        lang = pub.language or "en"
        articles = sorted(
            (c.article for c in selected), key=lambda a: (_when(a), a.id), reverse=True
        )
        by_section: dict[str, list[Article]] = {}
        for a in articles:
            by_section.setdefault(section_segment(a.section), []).append(a)
        section_names = {
            seg: (items[0].section or "News") for seg, items in sorted(by_section.items())
        }

        def listing(root: str, heading: str, items: list[Article], current: str | None):
            assets = ExportAssets(self.library.root, images=site_images, pages=pages, root=root)
            return ListingView(
                lang=lang,
                title=f"{heading} | {pub.name}" if heading != pub.name else pub.name,
                description=f"The latest stories from {pub.name}.",
                heading=heading,
                publication_name=pub.name,
                canonical_url=(
                    site_url(self.base_url, f"{current}/" if current else "")
                    if self.base_url
                    else ""
                ),
                stylesheet_href=assets.stylesheet_href,
                favicon_href=assets.favicon_href,
                home_href=assets.home_href,
                feed_href=assets.feed_href,
                sections=[
                    (name, assets.section_href(name), seg == current)
                    for seg, name in section_names.items()
                ],
                items=_first_picture_eager([self._item(a, assets, tz) for a in items]),
            )

        index = listing("", pub.name, articles[:INDEX_ITEMS], None)
        self._render(writer, env, "index.html", "index.html", page=index)
        self._step()
        for seg, items in sorted(by_section.items()):
            view = listing("../", section_names[seg], items, seg)
            self._render(writer, env, f"{seg}/index.html", "section.html", page=view)
        self._step()
        self._feed(writer, env, articles, tz, lang)
        # One page per author, listing their stories: authors/<slug>/.
        for author, items in authors_with_stories(articles):
            view = listing("../../", author.name, items, None)
            view.intro, view.intro_url = author.bio, author.url
            if self.base_url:
                view.canonical_url = site_url(self.base_url, f"{author_dir(author)}/")
            view.description = f"Stories by {author.name} in {pub.name}."
            self._render(writer, env, f"{author_dir(author)}/index.html", "author.html", page=view)
        if not self.base_url:
            # Sitemaps, robots.txt and canonical links must be absolute: without a
            # base URL there is nothing true to write, so the site goes without.
            self.report.warnings.append(NO_BASE_URL_WARNING)
        else:
            self._sitemaps(writer, env, articles, sorted(by_section), lang)
        self._step()

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
        thumb = None
        if hero is not None:
            words = (hero.caption or "", hero.alt_text or "")
            thumb = assets.image_ref(hero.image, alt=hero.alt_text, purpose="listing", words=words)
        return ListingItem(
            href=assets.article_href(a) or "",
            headline=a.headline,
            dek=a.dek,
            lang=a.language or "",
            date_iso=dates.iso(when, tz),
            date_text=dates.human_date(when, language=self.publication.language, tz_name=tz),
            thumb=thumb,
        )

    def _article_url(self, a: Article) -> str:
        """An article's address for the feed and sitemaps: absolute, or relative to the site root."""
        if self.base_url:
            return site_url(self.base_url, article_dir(a) + "/")
        return quote(article_dir(a) + "/index.html", safe="/")

    def _feed(self, writer, env, articles, tz, lang) -> None:
        """The Atom feed; its links are relative to feed.xml when there is no base URL."""
        base = self.base_url
        pub = self.publication
        entries = [
            FeedEntry(
                id=f"urn:uuid:{a.uid}",
                title=a.headline,
                url=self._article_url(a),
                published=dates.iso(_when(a), tz),
                updated=dates.iso(max(a.updated_at, _when(a)), tz),
                authors=split_byline(a.byline),
                summary=a.dek or a.seo_description,
                section=a.section,
                lang=a.language or "",
            )
            for a in articles[:FEED_ITEMS]
        ]
        newest = max((max(a.updated_at, _when(a)) for a in articles[:FEED_ITEMS]), default=EPOCH)
        feed = FeedView(
            id=base or f"urn:uuid:{pub.uid}",
            title=pub.name,
            lang=lang,
            home_url=base or "index.html",
            self_url=site_url(base, "feed.xml") if base else "feed.xml",
            updated=dates.iso(newest, tz),
            author=pub.name,
            entries=entries,
        )
        self._render(writer, env, "feed.xml", "feed.xml", feed=feed)

    def _sitemaps(self, writer, env, articles, sections, lang) -> None:
        """sitemap.xml and news-sitemap.xml (split when long), and robots.txt naming them."""
        base = self.base_url
        pub = self.publication
        last_mod = max((max(a.updated_at, _when(a)) for a in articles), default=EPOCH)
        urls = [SitemapUrl(base, dates.iso(last_mod, "UTC"))]
        for seg in sections:
            newest = max(
                max(a.updated_at, _when(a)) for a in articles if section_segment(a.section) == seg
            )
            urls.append(SitemapUrl(site_url(base, f"{seg}/"), dates.iso(newest, "UTC")))
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
    """What index.html and section.html show; carries every field base.html reads."""

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
    extra_head: str = ""
    intro: str = ""  # an author page's short bio
    intro_url: str = ""  # and the author's own site


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
        seen = {img.uid for img in out}
        for ref in _IMAGE_REF.findall(article.body):
            img = extra.get(ref)
            if img is not None and img.uid not in seen:
                seen.add(img.uid)
                out.append(img)
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


def _credits(credits_type, img: Image, caption: str | None = None, alt_text: str | None = None):
    """What a rendition set embeds: the photograph's credits and these words (default: its own)."""
    return credits_type(
        caption=img.caption if caption is None else caption,
        credit=img.credit,
        creator=img.creator,
        copyright=img.copyright,
        alt_text=img.alt_text if alt_text is None else alt_text,
    )


def _rendition_key(sha: str, credits: dict[str, str], boxes: dict[str, list[int]]) -> str:
    from newsdesk.images import cropped, renditions

    # The images package's own settings too: when its pipeline changes, so do the files.
    settings = [
        renditions.PIPELINE_VERSION,
        renditions.JPEG_QUALITY,
        renditions.WEBP_QUALITY,
        cropped.CROP_VERSION,
    ]
    spec = json.dumps(
        [sha, credits, RENDITION_WIDTHS, RENDITION_FORMATS, settings, boxes], sort_keys=True
    )
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
        [[u.kind, u.text, u.at.isoformat()] for u in article.updates],
        [[a.name, a.slug, a.role, a.url] for a in article.authors],
        article.byline,
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
