"""The site's listings, feed and sitemaps, built from one small row per article (not the articles).

A `ListingRow` holds everything the front page, the section pages, the feed
and the sitemaps say about one story. A full export makes the rows from the
articles; an incremental export reads the unchanged ones back from the
library's export state (export/state.py). Both then go through the same code
here, so an incremental export writes the same bytes a full one does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from newsdesk.export.assets import ExportAssets, SiteImage, site_url
from newsdesk.library.models import Article, Publication
from newsdesk.render import dates
from newsdesk.render.page import section_segment as _section_segment
from newsdesk.render.page import split_byline

INDEX_ITEMS = 40  # the front page lists the newest stories; section pages list all
FEED_ITEMS = 50
NEWS_SITEMAP_WINDOW = timedelta(days=2)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# render(rel, template, **context): writes one listing file (see site._Export._render)
Render = Callable[..., None]


def to_us(moment: datetime) -> int:
    """A moment as whole microseconds since 1970 (exact, and sortable as an integer)."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def when(article: Article) -> datetime:
    return article.published_at or article.updated_at


@dataclass
class ListingRow:
    """One story as the listings, feed and sitemaps show it."""

    uid: str
    article_id: int
    folder: str  # <section>/<slug>
    seg: str  # the section's folder
    section: str  # the section as the story names it
    when_us: int
    lastmod_us: int  # max(updated, published)
    headline: str
    dek: str
    lang: str
    summary: str
    byline: str
    hero: list[Any] | None  # [sha256, alt text, rendition files] of its hero
    files: list[str]  # rendition files its own page uses (to know when one is no longer needed)

    @property
    def sort_key(self) -> tuple[int, int]:
        return (self.when_us, self.article_id)

    def data(self) -> str:
        d = asdict(self)
        for k in ("uid", "article_id", "folder", "seg", "when_us", "lastmod_us"):
            del d[k]
        return json.dumps(d, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_state(cls, uid, article_id, folder, seg, when_us, lastmod_us, data) -> ListingRow:
        return cls(
            uid, article_id, folder, seg, when_us=when_us, lastmod_us=lastmod_us, **json.loads(data)
        )

    def fingerprint(self) -> str:
        """Changes whenever anything a listing shows of this story changes."""
        return hashlib.sha256(
            f"{self.folder}|{self.when_us}|{self.lastmod_us}|{self.data()}".encode()
        ).hexdigest()


def row_of(
    article: Article, folder: str, seg: str, images: dict[str, SiteImage], own: list
) -> ListingRow:
    """The listing row of an article whose renditions are in images; own = the images its page shows."""
    w = when(article)
    hero = article.hero
    hero_data = None
    if hero is not None:
        hero_data = [
            hero.image.sha256,
            hero.alt_text,
            [list(f) for f in images[hero.image.sha256].files],
        ]
    files = sorted({f[0] for img in own if img.sha256 in images for f in images[img.sha256].files})
    return ListingRow(
        uid=article.uid,
        article_id=article.id,
        folder=folder,
        seg=seg,
        section=article.section,
        when_us=to_us(w),
        lastmod_us=to_us(max(article.updated_at, w)),
        headline=article.headline,
        dek=article.dek,
        lang=article.language or "",
        summary=article.dek or article.seo_description,
        byline=article.byline,
        hero=hero_data,
        files=files,
    )


def card_fingerprint(row: ListingRow | None) -> str:
    """What a related-story card and a linking story's preflight see of this story."""
    if row is None:
        return ""
    data = [row.folder, row.headline, row.when_us, row.hero]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


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
    sections: list[tuple[str, str, bool]]  # (name, href, is this page)
    items: list[ListingItem]
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


# --------------------------------------------------------------------------- building
class Listings:
    """Renders the site's listing files for one publication from listing rows."""

    def __init__(
        self, library_root, publication: Publication, base_url: str, now: datetime, render: Render
    ):
        self.library_root = library_root
        self.pub = publication
        self.base_url = base_url
        self.now = now
        self.render = render
        self.tz = publication.timezone or "UTC"
        self.lang = publication.language or "en"

    def section_names(self, newest_per_section: Iterable[ListingRow]) -> dict[str, str]:
        """seg -> the name the nav shows (its newest story's spelling), in folder order."""
        return {
            r.seg: (r.section or "News") for r in sorted(newest_per_section, key=lambda r: r.seg)
        }

    def _listing(self, root, heading, items, current, section_names) -> ListingView:
        pub = self.pub
        assets = ExportAssets(self.library_root, images={}, pages={}, root=root)
        return ListingView(
            lang=self.lang,
            title=f"{heading} | {pub.name}" if heading != pub.name else pub.name,
            description=f"The latest stories from {pub.name}.",
            heading=heading,
            publication_name=pub.name,
            canonical_url=(
                site_url(self.base_url, f"{current}/" if current else "") if self.base_url else ""
            ),
            stylesheet_href=assets.stylesheet_href,
            favicon_href=assets.favicon_href,
            home_href=assets.home_href,
            sections=[
                (name, f"{root}{seg}/index.html", seg == current)
                for seg, name in section_names.items()
            ],
            items=[self._item(r, root) for r in items],
        )

    def _item(self, r: ListingRow, root: str) -> ListingItem:
        w = from_us(r.when_us)
        thumb = None
        if r.hero is not None:
            sha, alt, files = r.hero
            assets = ExportAssets(
                self.library_root,
                images={sha: SiteImage(tuple(tuple(f) for f in files))},
                pages={},
                root=root,
            )
            thumb = assets.image_ref(
                SimpleNamespace(sha256=sha, uid=sha), alt=alt, purpose="listing"
            )
        return ListingItem(
            href=f"{root}{r.folder}/index.html",
            headline=r.headline,
            dek=r.dek,
            lang=r.lang,
            date_iso=dates.iso(w, self.tz),
            date_text=dates.human_date(w, language=self.pub.language, tz_name=self.tz),
            thumb=thumb,
        )

    def index(self, newest: list[ListingRow], section_names: dict[str, str]) -> None:
        view = self._listing("", self.pub.name, newest[:INDEX_ITEMS], None, section_names)
        self.render("index.html", "index.html", page=view)

    def section(self, seg: str, rows: list[ListingRow], section_names: dict[str, str]) -> None:
        view = self._listing("../", section_names[seg], rows, seg, section_names)
        self.render(f"{seg}/index.html", "section.html", page=view)

    def _url(self, folder: str) -> str:
        return site_url(self.base_url, folder + "/")

    def feed(self, newest: list[ListingRow]) -> None:
        base = self.base_url
        tz = self.tz
        top = newest[:FEED_ITEMS]
        entries = [
            FeedEntry(
                id=f"urn:uuid:{r.uid}",
                title=r.headline,
                url=self._url(r.folder),
                published=dates.iso(from_us(r.when_us), tz),
                updated=dates.iso(from_us(r.lastmod_us), tz),
                authors=split_byline(r.byline),
                summary=r.summary,
                section=r.section,
                lang=r.lang,
            )
            for r in top
        ]
        # An empty site still needs a fixed <updated>, or every export would rewrite it.
        newest_us = max(
            (r.lastmod_us for r in top), default=to_us(datetime(2000, 1, 1, tzinfo=UTC))
        )
        feed = FeedView(
            id=base,
            title=self.pub.name,
            lang=self.lang,
            home_url=base,
            self_url=site_url(base, "feed.xml"),
            updated=dates.iso(from_us(newest_us), tz),
            author=self.pub.name,
            entries=entries,
        )
        self.render("feed.xml", "feed.xml", feed=feed)

    def sitemap(self, all_rows: list[tuple[str, str, int]]) -> None:
        """all_rows: (folder, seg, lastmod_us) of every story, newest first."""
        base = self.base_url
        epoch = to_us(datetime(2000, 1, 1, tzinfo=UTC))
        last_mod = max((r[2] for r in all_rows), default=epoch)
        urls = [SitemapUrl(base, dates.iso(from_us(last_mod), "UTC"))]
        newest: dict[str, int] = {}
        for _folder, seg, lastmod in all_rows:
            if lastmod > newest.get(seg, -(2**62)):
                newest[seg] = lastmod
        for seg in sorted(newest):
            urls.append(
                SitemapUrl(site_url(base, f"{seg}/"), dates.iso(from_us(newest[seg]), "UTC"))
            )
        urls += [
            SitemapUrl(self._url(folder), dates.iso(from_us(lastmod), "UTC"))
            for folder, _s, lastmod in all_rows
        ]
        self.render("sitemap.xml", "sitemap.xml", urls=urls)

    def news_sitemap(self, recent: list[ListingRow]) -> None:
        """recent: the stories published within NEWS_SITEMAP_WINDOW of now, newest first."""
        news = [
            NewsItem(
                url=self._url(r.folder),
                title=r.headline,
                published=dates.iso(from_us(r.when_us), "UTC"),
                language=_news_language(r.lang or self.lang),
            )
            for r in recent
        ]
        self.render(
            "news-sitemap.xml", "news_sitemap.xml", items=news, publication_name=self.pub.name
        )

    def news_cutoff_us(self) -> int:
        return to_us(self.now - NEWS_SITEMAP_WINDOW)


def _news_language(lang: str) -> str:
    """Google News wants ISO 639 codes, with zh-cn and zh-tw as the only regional ones."""
    lang = (lang or "en").lower()
    if lang.startswith("zh"):
        return "zh-tw" if lang in ("zh-tw", "zh-hant", "zh-hk") else "zh-cn"
    return lang.split("-")[0]


def section_segment(name: str) -> str:
    return _section_segment(name)
