"""A large site's sitemap in parts an edit rewrites one at a time: listing pages by listing, then months.

A small site has one `sitemap.xml`. Beyond SINGLE_SITEMAP_MAX addresses,
`sitemap.xml` is an index (sitemaps.org's sitemapindex) of:

- the listing pages, by listing (see page_part): `sitemap-pages.xml` the
  front page's, `sitemap-section_<section>.xml` each section's,
  `sitemap-tags_<c>.xml` the tags whose folder starts with c (a digit or an
  ASCII letter; `tags_other` the rest), `sitemap-archive_<year>.xml` a year
  of the archive's months (author pages are not in the sitemap); each of
  them for its listings' first PAGE_BLOCK pages, the next ones in
  `sitemap-pages.2.xml`, `.3`, … (the front page's 3,500 pages at 100,000
  stories are eight parts, and an edit of a recent story rewrites the first);
- `sitemap-YYYY-MM.xml`: the stories published in that month (UTC), newest
  first.

A part past 50,000 addresses continues in `…-2.xml`, `…-3.xml` (a month's)
or `…_2.xml` (a listing part's: "_" and "." are in no folder name, so these
never meet another part's name).

An edit rewrites the parts whose addresses or dates changed: its month's,
the listing parts of the pages that show it, and the index. The index needs
each part's number of addresses (for its files' names) and newest change:
the export state keeps them (summary_of / the state's meta "sitemap"), so
an edit reads the stories of its own month and the listing pages of its own
parts, never the whole site. Before, the listing pages were one part of
21,000 addresses at 100,000 stories, written again on every edit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from itertools import groupby
from string import ascii_lowercase, digits
from typing import Any

from newsdesk.export.assets import site_url
from newsdesk.export.listings import SITEMAP_LIMIT, SitemapUrl, from_us, to_us

# Up to this many addresses the sitemap is one file (rewritten whole by an edit: a
# few milliseconds); beyond it, the parts above.
SINGLE_SITEMAP_MAX = 5_000
PAGES_PART = "pages"  # the front page's listing pages
# Each listing part holds pages 1 … PAGE_BLOCK of its listings; the next ones, part ".2", …
PAGE_BLOCK = 500
# The version of the parts' layout the state's summary describes (another layout: none kept).
SUMMARY_FORMAT = 2
_TAG_GROUPS = digits + ascii_lowercase
_OTHER_TAGS = "other"

# part key -> [number of addresses, newest lastmod_us]
Summary = dict[str, list[int]]


def iso_utc(when_us: int) -> str:
    """A lastmod: the moment in UTC, to the second (what dates.iso gives in "UTC", faster)."""
    return from_us(when_us).isoformat(timespec="seconds")


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


def is_month(key: str) -> bool:
    return key[:1].isdigit()


def page_part(folder: str) -> str:
    """The part listing the listing page in this folder ('', 'page/2/', 'world/', 'tag/x/page/3/')."""
    block = (_page_number(folder) - 1) // PAGE_BLOCK + 1
    listing = _listing_part(folder)
    return listing if block == 1 else f"{listing}.{block}"


def _page_number(folder: str) -> int:
    """A listing page's number, from its folder (pages.page_dir): 1 for the listing's own."""
    if folder.startswith("page/"):
        number = folder[5:-1]
    elif "/page/" in folder:
        number = folder.rsplit("/page/", 1)[1][:-1]
    else:
        return 1
    return int(number) if number.isascii() and number.isdigit() else 1


def _listing_part(folder: str) -> str:
    """The part of a listing page's listing, before its pages are cut in blocks."""
    if folder == "" or folder.startswith("page/"):
        return PAGES_PART
    top, _, rest = folder.partition("/")
    if top == "tag":
        first = rest[:1]
        return f"tags_{first if first and first in _TAG_GROUPS else _OTHER_TAGS}"
    if top == "archive":
        return f"archive_{rest[:4]}"
    return f"section_{top}"  # (the site's own folders are names no section can take)


def part_ranges(key: str) -> list[tuple[str, str | None]]:
    """The folders of a listing part's listings, as ranges of the record's keys: [lo, hi), or
    lo alone (all their pages: those of the part's block are picked by page_part)."""
    key = key.partition(".")[0]
    if key == PAGES_PART:
        return [("", None), ("page/", "page0")]  # ("0" follows "/")
    kind, _, name = key.partition("_")
    if kind == "tags":
        if name != _OTHER_TAGS:
            return [(f"tag/{name}", f"tag/{chr(ord(name) + 1)}")]
        return [("tag/", "tag/0"), ("tag/:", "tag/a"), ("tag/{", "tag0")]  # around 0-9 and a-z
    if kind == "archive":
        return [(f"archive/{name}/", f"archive/{name}0")]
    return [(f"{name}/", f"{name}0")]


def in_ranges(folder: str, ranges: list[tuple[str, str | None]]) -> bool:
    return any(folder == lo if hi is None else lo <= folder < hi for lo, hi in ranges)


def part_order(key: str) -> tuple:
    """Where a part comes in the index: listing parts as the listings go, then months newest first."""
    if is_month(key):
        return (4, "", -int(key[:4]) * 12 - int(key[5:7]), 0)
    key, _, block = key.partition(".")
    number = int(block) if block.isdigit() else 1
    if key == PAGES_PART:
        return (0, "", 0, number)
    kind, _, name = key.partition("_")
    if kind == "section":
        return (1, name, 0, number)
    if kind == "tags":
        return (2, "\U0010ffff" if name == _OTHER_TAGS else name, 0, number)
    return (3, "", -int(name) if name.isdigit() else 0, number)


def part_names(key: str, count: int) -> list[str]:
    """The files holding `count` addresses of one part (its first keeps the plain name)."""
    pieces = max(1, -(-count // SITEMAP_LIMIT))
    sep = "-" if is_month(key) else "_"
    return [f"sitemap-{key}.xml"] + [f"sitemap-{key}{sep}{n}.xml" for n in range(2, pieces + 1)]


def is_split(listing_urls: int, stories: int) -> bool:
    """True when a site of this many listing pages and stories gets an index and parts."""
    return listing_urls + stories > SINGLE_SITEMAP_MAX


def summary_of(meta: Any) -> Summary | None:
    """The parts' summary an export state's meta keeps, or None (none, or another layout's)."""
    kept = meta.get("sitemap") if isinstance(meta, dict) else None
    if not isinstance(kept, dict) or kept.get("v") != SUMMARY_FORMAT:
        return None
    parts = kept.get("parts")
    if not isinstance(parts, dict):
        return None
    return {str(k): [int(v[0]), int(v[1])] for k, v in parts.items()}


def kept_summary(parts: Summary) -> dict[str, Any]:
    """What the export state's meta keeps of a sitemap in parts (read back by summary_of)."""
    return {"v": SUMMARY_FORMAT, "parts": parts}


def listing_page_count(parts: Summary) -> int:
    return sum(n for key, (n, _newest) in parts.items() if not is_month(key))


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
            self.listings.write_sitemap(rel, "sitemap.xml", chunk)
            out.append((rel, max(u.lastmod for u in chunk)))
        return out

    def story_urls(self, rows: Iterable[Any]) -> list[SitemapUrl]:
        """The addresses of these stories (ListingRows or state entries), in the order given."""
        url = self.listings._url
        return [SitemapUrl(url(r.folder), iso_utc(r.lastmod_us)) for r in rows]

    def page_urls(self, listing_urls: Iterable[tuple[str, int]]) -> list[SitemapUrl]:
        base = self.base
        return [
            SitemapUrl(site_url(base, folder), iso_utc(lastmod)) for folder, lastmod in listing_urls
        ]

    def write_index(self, parts: list[tuple[str, str]]) -> None:
        index = [SitemapUrl(site_url(self.base, rel), lastmod) for rel, lastmod in parts]
        self.listings.write_sitemap("sitemap.xml", "sitemap_index.xml", index)

    def write_pages(self, key: str, listing_urls: list[tuple[str, int]], summary: Summary) -> None:
        """Write one listing part from its pages' (folder, lastmod_us), in the listings' order."""
        if listing_urls:
            self.write_part(key, self.page_urls(listing_urls))
            summary[key] = [len(listing_urls), max(lm for _f, lm in listing_urls)]
        else:
            summary.pop(key, None)  # its files go with the others no longer made

    def write_month(self, month: str, rows: list[Any], summary: Summary) -> None:
        """Write one month's part from its stories, newest first."""
        if rows:
            self.write_part(month, self.story_urls(rows))
            summary[month] = [len(rows), max(r.lastmod_us for r in rows)]
        else:
            summary.pop(month, None)

    def write_all(self, listing_urls: list[tuple[str, int]], rows: Iterable[Any]) -> list[str]:
        """Every part and the index, from every listing page and story; the files written.

        listing_urls: (folder, lastmod_us) of the listing pages in the
        listings' order. rows: ListingRows, or the state's entries (folder,
        lastmod_us, sort_key), newest first: so each month's come together,
        and only one month's are held at a time.
        """
        summary: Summary = {}
        by_part: dict[str, list[tuple[str, int]]] = {}
        for folder, lastmod in listing_urls:
            by_part.setdefault(page_part(folder), []).append((folder, lastmod))
        for key in sorted(by_part, key=part_order):
            self.write_pages(key, by_part.pop(key), summary)
        for month, group in groupby(rows, key=lambda r: month_of(r.sort_key[0])):
            self.write_month(month, list(group), summary)
        return self.finish(summary)

    def finish(self, summary: Summary) -> list[str]:
        """Write the index of these parts; keep their summary for the state; every file of the sitemap."""
        entries = self.index_entries(summary)
        self.write_index(entries)
        self.listings.sitemap_summary = kept_summary(summary)
        return [rel for rel, _lastmod in entries] + ["sitemap.xml"]

    def index_entries(self, summary: Summary) -> list[tuple[str, str]]:
        """The index's entries: each part's files from its (count, newest lastmod_us), the
        listing parts first, then the months newest first. Every file of a part split in
        50,000s gives the part's newest change: so an edit need not read the part's other
        files to date them (a crawler reads one again too soon, never too late)."""
        out = []
        for key in sorted(summary, key=part_order):
            count, newest = summary[key]
            if count:
                out += [(rel, iso_utc(newest)) for rel in part_names(key, count)]
        return out


def pages_in(entries: Any, key: str) -> list[tuple[str, int]]:
    """(folder, lastmod_us) of the listing pages of one part, in the listings' order.

    entries: the record's listing pages (folder -> [order, folder, lastmod_us,
    kind]), read by ranges of folders when it can (a Part of the record).
    """
    ranges = part_ranges(key)
    items_in: Callable | None = getattr(entries, "items_in", None)
    found = (
        items_in(ranges)
        if items_in is not None
        else [(k, v) for k, v in entries.items() if in_ranges(k, ranges)]
    )
    # The part's block of its listings' pages, by each entry's page number (its order's last).
    block = key.partition(".")[2]
    first = (int(block) - 1 if block else 0) * PAGE_BLOCK + 1
    last = first + PAGE_BLOCK - 1
    pages = sorted(
        (v for _k, v in found if v[3] != "author" and first <= v[0][2] <= last),
        key=lambda e: e[0],
    )
    return [(e[1], e[2]) for e in pages]
