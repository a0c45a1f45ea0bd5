"""A large site's sitemap in parts an edit rewrites one at a time: listing pages, then one per month.

A small site has one `sitemap.xml`. Beyond SINGLE_SITEMAP_MAX addresses,
`sitemap.xml` is an index (sitemaps.org's sitemapindex) of:

- `sitemap-pages.xml`: every listing page (split in 50,000s as
  `sitemap-pages-2.xml`, … for the very largest sites);
- `sitemap-YYYY-MM.xml`: the stories published in that month (UTC), newest
  first (`sitemap-YYYY-MM-2.xml`, … past 50,000 in one month).

A story keeps its part for as long as its publication date stands, so an
edit rewrites the listing pages' part, its month's part, and the index
(whose entry for that month gives the part's newest change); a new story
rewrites the current month's. Before, the site's addresses were cut into
50,000s in one list, newest first: one edit rewrote a part of 50,000
addresses, and every new story moved every address into the next place.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from newsdesk.export.assets import site_url
from newsdesk.export.listings import SITEMAP_LIMIT, SitemapUrl, from_us, to_us
from newsdesk.render import dates

# Up to this many addresses the sitemap is one file (rewritten whole by an edit: a
# few milliseconds); beyond it, the parts above.
SINGLE_SITEMAP_MAX = 5_000
PAGES_PART = "pages"


def month_of(when_us: int) -> str:
    """The part a story published at when_us belongs to: its month in UTC, as YYYY-MM."""
    moment = from_us(when_us)
    return f"{moment.year:04d}-{moment.month:02d}"


def month_span(month: str) -> tuple[int, int]:
    """[first, next) microsecond of a YYYY-MM month in UTC."""
    year, number = int(month[:4]), int(month[5:7])
    start = datetime(year, number, 1, tzinfo=UTC)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return to_us(start), to_us(end)


def part_names(key: str, count: int) -> list[str]:
    """The files holding `count` addresses of one part (its first keeps the plain name)."""
    pieces = max(1, -(-count // SITEMAP_LIMIT))
    return [f"sitemap-{key}.xml"] + [f"sitemap-{key}-{n}.xml" for n in range(2, pieces + 1)]


def is_split(listing_urls: int, stories: int) -> bool:
    """True when a site of this many listing pages and stories gets an index and parts."""
    return listing_urls + stories > SINGLE_SITEMAP_MAX


class SitemapParts:
    """Writes the parts and the index through a Listings' render (which keeps what is unchanged)."""

    def __init__(self, listings: Any) -> None:
        self.listings = listings
        self.base = listings.base_url

    def write_part(self, key: str, urls: list[SitemapUrl]) -> list[tuple[str, str]]:
        """Write one part's files; returns (file, newest lastmod) of each."""
        names = part_names(key, len(urls))
        out = []
        for number, rel in enumerate(names):
            chunk = urls[number * SITEMAP_LIMIT : (number + 1) * SITEMAP_LIMIT]
            self.listings.render(rel, "sitemap.xml", urls=chunk)
            out.append((rel, max(u.lastmod for u in chunk)))
        return out

    def story_urls(self, rows: Iterable[Any]) -> list[SitemapUrl]:
        """The addresses of these stories (ListingRows or state entries), in the order given."""
        url = self.listings._url
        return [SitemapUrl(url(r.folder), dates.iso(from_us(r.lastmod_us), "UTC")) for r in rows]

    def page_urls(self, listing_urls: list[tuple[str, int]]) -> list[SitemapUrl]:
        return [
            SitemapUrl(site_url(self.base, folder), dates.iso(from_us(lastmod), "UTC"))
            for folder, lastmod in listing_urls
        ]

    def write_index(self, parts: list[tuple[str, str]]) -> None:
        index = [SitemapUrl(site_url(self.base, rel), lastmod) for rel, lastmod in parts]
        self.listings.render("sitemap.xml", "sitemap_index.xml", sitemaps=index)

    def write_all(self, listing_urls: list[tuple[str, int]], rows: list[Any]) -> list[str]:
        """Every part and the index, from every story (newest first); the files written.

        rows: ListingRows, or the state's entries (folder, lastmod_us, sort_key), newest
        first: so each month's come together, and only one month's are held at a time.
        """
        pages = self.write_part(PAGES_PART, self.page_urls(listing_urls)) if listing_urls else []
        months: dict[str, tuple[int, int]] = {}
        for month, group in groupby(rows, key=lambda r: month_of(r.sort_key[0])):
            month_rows = list(group)
            self.write_part(month, self.story_urls(month_rows))
            months[month] = (len(month_rows), max(r.lastmod_us for r in month_rows))
        entries = self.index_entries(pages, months)
        self.write_index(entries)
        return [rel for rel, _lastmod in entries] + ["sitemap.xml"]

    def index_entries(
        self, pages: list[tuple[str, str]], months: dict[str, tuple[int, int]]
    ) -> list[tuple[str, str]]:
        """The index's entries: the listing pages' files, then each month's files from its
        (count, newest lastmod_us), newest month first. Every file of a month split in
        50,000s gives the month's newest change: so an edit need not read the month's other
        files to date them (a crawler reads one again too soon, never too late)."""
        out = list(pages)
        for month in sorted(months, reverse=True):
            count, newest = months[month]
            if count:
                for rel in part_names(month, count):
                    out.append((rel, dates.iso(from_us(newest), "UTC")))
        return out
