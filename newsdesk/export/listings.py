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
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

from newsdesk.export.assets import ExportAssets, SiteImage, site_url
from newsdesk.library.models import Article, Publication
from newsdesk.render import dates
from newsdesk.render.page import section_segment as _section_segment
from newsdesk.render.page import split_byline

# Bump when ListingRow gains or changes a field: export states of older rows
# are then rebuilt by a full check instead of being read.
ROWS_FORMAT = 2
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
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# An empty site's feed and sitemap still need a fixed date, or every export would rewrite them.
_EMPTY_SITE_DATE = datetime(2000, 1, 1, tzinfo=UTC)

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
    # [uid, name, slug, bio, url] of each author its byline names (their pages list it)
    authors: list[list[str]] = field(default_factory=list)

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
        authors=[[au.uid, au.name, au.slug, au.bio, au.url] for au in article.authors],
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
            feed_href=assets.feed_href,
            sections=[
                (name, f"{root}{seg}/index.html", seg == current)
                for seg, name in section_names.items()
            ],
            items=_first_picture_eager([self._item(r, root) for r in items]),
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

    def author_pages(
        self, rows: list[ListingRow], section_names: dict[str, str], only: set[str] | None = None
    ) -> list[str]:
        """One page per author (authors/<slug>/) listing their stories, newest first.

        rows: every story of the site, newest first; only: the uids of the
        authors whose pages to write (None for all). Returns the pages written.
        """
        stories: dict[str, tuple[list[str], list[ListingRow]]] = {}
        for r in rows:
            for author in r.authors:
                if only is None or author[0] in only:
                    stories.setdefault(author[0], (author, []))[1].append(r)
        written = []
        for author, items in sorted(stories.values(), key=lambda pair: pair[0][2]):
            _uid, name, slug, bio, url = author
            folder = f"authors/{slug}"
            view = self._listing("../../", name, items, None, section_names)
            view.intro, view.intro_url = bio, url
            if self.base_url:
                view.canonical_url = site_url(self.base_url, f"{folder}/")
            view.description = f"Stories by {name} in {self.pub.name}."
            self.render(f"{folder}/index.html", "author.html", page=view)
            written.append(f"{folder}/index.html")
        return written

    def _url(self, folder: str) -> str:
        """A story's address for the feed and sitemaps: absolute, or relative to the site root."""
        if self.base_url:
            return site_url(self.base_url, folder + "/")
        return quote(folder + "/index.html", safe="/")

    def feed(self, newest: list[ListingRow]) -> None:
        """The Atom feed; its links are relative to feed.xml when there is no base URL."""
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
        newest_us = max((r.lastmod_us for r in top), default=to_us(_EMPTY_SITE_DATE))
        feed = FeedView(
            id=base or f"urn:uuid:{self.pub.uid}",
            title=self.pub.name,
            lang=self.lang,
            home_url=base or "index.html",
            self_url=site_url(base, "feed.xml") if base else "feed.xml",
            updated=dates.iso(from_us(newest_us), tz),
            author=self.pub.name,
            entries=entries,
        )
        self.render("feed.xml", "feed.xml", feed=feed)

    def sitemaps(self, all_rows: list[tuple[str, str, int]], recent: list[ListingRow]) -> list[str]:
        """sitemap.xml and news-sitemap.xml (split when long), and robots.txt naming them.

        all_rows: (folder, seg, lastmod_us) of every story, newest first;
        recent: the stories published within NEWS_SITEMAP_WINDOW of now, newest
        first. Only with a base URL: a sitemap's addresses must be absolute.
        Returns every file written, so an incremental export can drop the
        parts a shorter sitemap no longer has.
        """
        assert self.base_url
        written = self._sitemap_files(
            "sitemap", "sitemap.xml", SITEMAP_LIMIT, self._sitemap_urls(all_rows), key="urls"
        )
        news = [
            NewsItem(
                url=self._url(r.folder),
                title=r.headline,
                published=dates.iso(from_us(r.when_us), "UTC"),
                language=_news_language(r.lang or self.lang),
            )
            for r in recent
        ]
        written += self._sitemap_files(
            "news-sitemap",
            "news_sitemap.xml",
            NEWS_SITEMAP_LIMIT,
            news,
            key="items",
            publication_name=self.pub.name,
        )
        # robots.txt names the sitemaps (or their indexes), never their parts.
        listed = [f for f in ("sitemap.xml", "news-sitemap.xml") if f in written]
        self.render(
            "robots.txt", "robots.txt", sitemaps=[site_url(self.base_url, f) for f in listed]
        )
        return [*written, "robots.txt"]

    def _sitemap_urls(self, all_rows: list[tuple[str, str, int]]) -> list[SitemapUrl]:
        base = self.base_url
        last_mod = max((r[2] for r in all_rows), default=to_us(_EMPTY_SITE_DATE))
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
        return urls

    def _sitemap_files(
        self, name: str, template: str, limit: int, entries: list, *, key: str, **context: Any
    ) -> list[str]:
        """Write `name`.xml, or numbered parts and an index under that name; the files written.

        An empty urlset is invalid, so no entries means no file at all (and
        nothing for robots.txt to name).
        """
        if not entries:
            return []
        parts = [entries[i : i + limit] for i in range(0, len(entries), limit)]
        if len(parts) == 1:
            self.render(f"{name}.xml", template, **{key: entries}, **context)
            return [f"{name}.xml"]
        index, written = [], []
        for number, part in enumerate(parts, start=1):
            rel = f"{name}-{number}.xml"
            self.render(rel, template, **{key: part}, **context)
            written.append(rel)
            index.append(SitemapUrl(site_url(self.base_url, rel), _newest_lastmod(part)))
        self.render(f"{name}.xml", "sitemap_index.xml", sitemaps=index)
        return [*written, f"{name}.xml"]

    def news_cutoff_us(self) -> int:
        return to_us(self.now - NEWS_SITEMAP_WINDOW)


def is_sitemap_file(rel: str) -> bool:
    """True for the files Listings.sitemaps writes (a sitemap, a part of one, robots.txt)."""
    if rel == "robots.txt":
        return True
    return "/" not in rel and rel.endswith(".xml") and rel.startswith(("sitemap", "news-sitemap"))


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


def _news_language(lang: str) -> str:
    """Google News wants ISO 639 codes, with zh-cn and zh-tw as the only regional ones."""
    lang = (lang or "en").lower()
    if lang.startswith("zh"):
        return "zh-tw" if lang in ("zh-tw", "zh-hant", "zh-hk") else "zh-cn"
    return lang.split("-")[0]


def section_segment(name: str) -> str:
    return _section_segment(name)
