"""The site's feeds and sitemaps, from listing rows (a mixin of export/listings.Listings)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice
from typing import Any
from urllib.parse import quote

from newsdesk.export import pages as site_pages
from newsdesk.export import sitemap_xml
from newsdesk.export.assets import site_url
from newsdesk.export.listing_row import _EMPTY_SITE_DATE, ListingRow, from_us, to_us
from newsdesk.render import dates
from newsdesk.render.page import split_byline

FEED_ITEMS = 50
SECTION_FEED_ITEMS = 20  # each section's own feed: its newest stories, in full
NEWS_SITEMAP_WINDOW = timedelta(days=2)
# The protocols' limits per file: Google News reads at most 1,000 URLs from a
# news sitemap, sitemaps.org allows 50,000. Beyond them the URLs are split
# into numbered parts listed by a sitemap index under the usual name.
NEWS_SITEMAP_LIMIT = 1_000
SITEMAP_LIMIT = 50_000
# What each sitemap template calls its entries.
_ENTRIES_NAME = {"sitemap.xml": "urls", "sitemap_index.xml": "sitemaps"}


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


class FeedsAndSitemaps:
    """The feeds and sitemaps of export/listings.Listings (which provides base_url, pub, tz,
    lang, now, render, render_lazy, render_text, feed_content, content_key and _names).

    sitemap_summary: after sitemaps(), what the state keeps of a sitemap in
    parts (export/sitemap_parts.py), or None for one file."""

    render_text: Callable[[str, str, str], None] | None = None
    sitemap_summary: dict[str, Any] | None = None

    def _url(self, folder: str) -> str:
        """A story's address for the feed and sitemaps: absolute, or relative to the site root."""
        if self.base_url:
            return site_url(self.base_url, folder + "/")
        return quote(folder + "/index.html", safe="/")

    def _feed(self, top: list[ListingRow], rel: str, title: str, home: str) -> None:
        """An Atom feed with each story's full text and hero picture (the site's, or a section's).

        Its links are absolute when there is a base URL, else relative to the feed file.
        """
        base = self.base_url
        tz = self.tz
        root = base or site_pages.root_prefix(rel)
        entries = [
            FeedEntry(
                id=f"urn:uuid:{r.uid}",
                title=r.headline,
                url=self._url(r.folder) if base else root + self._url(r.folder),
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
            id=site_url(base, rel) if base else f"urn:uuid:{self.pub.uid}:{rel}",
            title=title,
            lang=self.lang,
            home_url=site_url(base, home) if base else f"{root}{home}index.html",
            self_url=site_url(base, rel) if base else rel.rsplit("/", 1)[-1],
            updated=dates.iso(from_us(newest_us), tz),
            author=self.pub.name,
            entries=entries,
        )

        def build() -> dict[str, Any]:
            if self.feed_content is not None:
                for entry, r in zip(entries, top, strict=True):
                    entry.content = self.feed_content(r, root)
            return {"feed": feed}

        # The stories' full text is costly to render (Markdown): the feed is keyed by
        # what decides it (its entries and what each story's text was made from).
        signature = f"{feed!r}|{root}|{[self.content_key(r) for r in top]}"
        self.render_lazy(rel, "feed.xml", signature, build)

    # ---- sitemaps -----------------------------------------------------------
    def write_sitemap(self, rel: str, template: str, entries: list) -> None:
        """One sitemap (template "sitemap.xml") or sitemap index ("sitemap_index.xml") file.

        With our own templates (render_text set) the text is made directly
        (export/sitemap_xml.py, the same bytes); a library's own goes through Jinja.
        """
        if self.render_text is not None:
            self.render_text(rel, template, sitemap_xml.text_of(template, entries))
        else:
            self.render(rel, template, **{_ENTRIES_NAME[template]: entries})

    def sitemaps(
        self,
        listing_urls: list[tuple[str, int]],
        rows: list[Any],
        recent: list[ListingRow],
        *,
        parts: Callable[[], list[str]] | None = None,
    ) -> list[str]:
        """sitemap.xml (in parts when long: export/sitemap_parts.py), news-sitemap.xml (split
        when long), and robots.txt naming them.

        listing_urls: (folder, lastmod_us) of every listing page; rows: every
        story, newest first (ListingRows or anything with their folder,
        lastmod_us and sort_key); recent: the stories published within
        NEWS_SITEMAP_WINDOW of now, newest first. Only with a base URL: a
        sitemap's addresses must be absolute. parts: instead of listing_urls
        and rows, what writes the parts an edit changed (and returns every
        file of the sitemap). Returns every file written.
        """
        assert self.base_url
        base = self.base_url
        from newsdesk.export import sitemap_parts  # (it builds on this module)

        self.sitemap_summary = None  # (set by the parts; one file has none)
        if parts is not None:  # an edit's update of a sitemap in parts (listings_update.py)
            written = parts()
        elif sitemap_parts.is_split(len(listing_urls), len(rows)):
            written = sitemap_parts.SitemapParts(self).write_all(listing_urls, rows)
        else:
            iso_utc = sitemap_parts.iso_utc
            urls = [
                SitemapUrl(site_url(base, folder), iso_utc(lastmod))
                for folder, lastmod in listing_urls
            ]
            urls += [SitemapUrl(self._url(r.folder), iso_utc(r.lastmod_us)) for r in rows]
            written = self._sitemap_files("sitemap", "sitemap.xml", SITEMAP_LIMIT, urls, key="urls")
        news = (
            NewsItem(
                url=self._url(r.folder),
                title=r.headline,
                published=dates.iso(from_us(r.when_us), "UTC"),
                language=_news_language(r.lang or self.lang),
            )
            for r in recent
        )
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
        self.render("robots.txt", "robots.txt", sitemaps=[site_url(base, f) for f in listed])
        return [*written, "robots.txt"]

    def _sitemap_files(
        self, name: str, template: str, limit: int, entries: Iterable, *, key: str, **context: Any
    ) -> list[str]:
        """Write `name`.xml, or numbered parts and an index under that name; the files written.

        entries are read a part at a time. An empty urlset is invalid, so no
        entries means no file at all (and nothing for robots.txt to name).
        """
        entries = iter(entries)
        part = list(islice(entries, limit))
        if not part:
            return []
        following = list(islice(entries, limit))
        if not following:
            self._sitemap_file(f"{name}.xml", template, key, part, context)
            return [f"{name}.xml"]
        index, written = [], []
        number = 0
        while part:
            number += 1
            rel = f"{name}-{number}.xml"
            self._sitemap_file(rel, template, key, part, context)
            written.append(rel)
            index.append(SitemapUrl(site_url(self.base_url, rel), _newest_lastmod(part)))
            part, following = following, (list(islice(entries, limit)) if following else [])
        self.write_sitemap(f"{name}.xml", "sitemap_index.xml", index)
        return [*written, f"{name}.xml"]

    def _sitemap_file(self, rel: str, template: str, key: str, part: list, context: dict) -> None:
        if template in sitemap_xml.TEMPLATES and not context:
            self.write_sitemap(rel, template, part)
        else:  # the news sitemap: Jinja's
            self.render(rel, template, **{key: part}, **context)

    def news_cutoff_us(self) -> int:
        return to_us(self.now - NEWS_SITEMAP_WINDOW)


def is_sitemap_file(rel: str) -> bool:
    """True for the files Listings.sitemaps writes (a sitemap, a part of one, robots.txt)."""
    if rel == "robots.txt":
        return True
    return "/" not in rel and rel.endswith(".xml") and rel.startswith(("sitemap", "news-sitemap"))


def _newest_lastmod(entries: list) -> str:
    """The newest date among a sitemap part's entries (ISO strings in UTC sort as times)."""
    return max(getattr(e, "lastmod", "") or getattr(e, "published", "") for e in entries)


def _news_language(lang: str) -> str:
    """Google News wants ISO 639 codes, with zh-cn and zh-tw as the only regional ones."""
    lang = (lang or "en").lower()
    if lang.startswith("zh"):
        return "zh-tw" if lang in ("zh-tw", "zh-hant", "zh-hk") else "zh-cn"
    return lang.split("-")[0]
