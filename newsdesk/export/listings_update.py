"""An incremental export's listings: only the pages, feeds and archive that hold a changed story.

The export state (export/state.py) records which listings each story of the
site is on. After an edit, the listings a changed story was on or is now on
are looked at, and only within them the pages whose stories moved: with a
story's place in its listing unchanged, that is the one page it is on; when
stories came, went or moved, the pages between their old and new places (all
of them when the number of pages changed). Each such page is given to the
same Listings code as a full export, which carries it over when its
signature is the previous export's, so the bytes are those a full export
writes. Each listing is read as the state holds it with the changed stories
left out and their new rows merged in: a few indexed counts and one slice per
page, never the whole site.
"""

from __future__ import annotations

import heapq
from collections.abc import MutableMapping
from itertools import islice
from types import SimpleNamespace
from typing import Any

from newsdesk.export import pages as site_pages
from newsdesk.export.listings import (
    FEED_ITEMS,
    SECTION_FEED_ITEMS,
    ListingRow,
    Listings,
    is_sitemap_file,
    listing_keys,
    sitemap_listing_urls,
)
from newsdesk.export.sitemap_parts import (
    PAGES_PART,
    SitemapParts,
    Summary,
    is_split,
    listing_page_count,
    month_of,
    month_span,
    page_part,
    pages_in,
)
from newsdesk.export.state import ExportState


class ListingUpdate:
    """Brings the listings of one site up to date after the stories in `touched` changed.

    touched: the uids whose rows are replaced (changed, deleted, or processed
    again); old: their rows as the state holds them; new: their rows now (a
    story missing from `new` has left the site); sitemap: the state's summary
    of its sitemap's parts (sitemap_parts.summary_of), None when it kept none.
    """

    def __init__(
        self,
        listings: Listings,
        state: ExportState,
        target_id: int,
        touched: set[str],
        old: dict[str, ListingRow],
        new: dict[str, ListingRow],
        sitemap: Summary | None = None,
    ) -> None:
        self.listings = listings
        self.state = state
        self.tid = target_id
        self.touched = touched
        self.old = {u: r for u, r in old.items() if u in touched}
        self.new = {u: r for u, r in new.items() if u in touched}
        self.tz = listings.tz
        self.size = listings.page_size
        self._old_keys = {u: listing_keys(r, self.tz) for u, r in self.old.items()}
        self._new_keys = {u: listing_keys(r, self.tz) for u, r in self.new.items()}
        self._merged: dict[str, tuple[list[ListingRow], list[int]]] = {}
        self._counts: dict[tuple[str, Any], int] = {}
        self._touched_counts: dict[tuple[str, Any], int] = {}
        self.dropped: list[str] = []  # files (listing pages, feeds) no longer made
        self.sitemap = sitemap
        self.changed_parts: set[str] = set()  # sitemap parts whose listing pages changed

    # ---- counting (the state does not change while this update runs) -------
    def _count(self, key: str, newer_than=None, *, untouched: bool = False) -> int:
        """How many stories listing key holds in the state (newer than a sort key, if given);
        `untouched`: less the touched ones. Each listing is counted once: a count walks the
        listing's index (tens of milliseconds for the front page at 100,000 stories), and
        the same counts were asked for several times."""
        k = (key, newer_than)
        if k not in self._counts:
            self._counts[k] = self.state.count(self.tid, key, newer_than=newer_than)
        if not untouched:
            return self._counts[k]
        if k not in self._touched_counts:
            self._touched_counts[k] = self.state.count_among(
                self.tid, key, self.touched, newer_than
            )
        return self._counts[k] - self._touched_counts[k]

    # ---- the listings after the change ------------------------------------
    def _new_in(self, key: str) -> tuple[list[ListingRow], list[int]]:
        """The new rows on listing key, newest first, and the place each has in it now."""
        if key not in self._merged:
            rows = sorted(
                (self.new[u] for u, keys in self._new_keys.items() if key in keys),
                key=lambda r: r.sort_key,
                reverse=True,
            )
            places = [self._count(key, r.sort_key, untouched=True) + i for i, r in enumerate(rows)]
            self._merged[key] = (rows, places)
        return self._merged[key]

    def after(self, key: str, offset: int, limit: int) -> list[ListingRow]:
        """Stories offset … offset+limit-1 of listing key as it is after the change."""
        rows, places = self._new_in(key)
        before = sum(1 for p in places if p < offset)  # new rows ahead of the slice
        kept = self.state.slice(self.tid, key, self.touched, offset - before, limit)
        merged = heapq.merge(
            kept, rows[before : before + limit], key=lambda r: r.sort_key, reverse=True
        )
        return list(islice(merged, limit))

    def count_after(self, key: str) -> int:
        return self._count(key, untouched=True) + len(self._new_in(key)[0])

    def _pages(self, key: str, rows: int) -> int:
        if key == "h":
            return max(1, -(-rows // self.size))  # the front page exists even when empty
        return -(-rows // self.size)

    # ---- writing ------------------------------------------------------------
    def write(self, inputs: MutableMapping[str, str], entries: MutableMapping[str, Any]) -> None:
        """Write what changed.

        inputs: the record's signatures (rel -> key), and entries: the sitemap
        entry of every listing page (folder -> entry), both updated in place
        as pages are written or dropped. Every entry is read only for the
        sitemaps (so only with a base URL).
        """
        keys: set[str] = set()
        for uid in self.touched:
            old, new = self._old_keys.get(uid, []), self._new_keys.get(uid, [])
            before, now = self.old.get(uid), self.new.get(uid)
            if before is None or now is None or before.fingerprint() != now.fingerprint():
                keys.update(old, new)
        for key in sorted(keys):
            self._listing(key, entries, inputs)
        months = [k for k in keys if k.startswith("m:")]
        if any(self._count(k) != self.count_after(k) for k in months):
            counts = self.state.counts(self.tid, "m:", self.touched)
            for new_keys in self._new_keys.values():
                for k in new_keys:
                    if k.startswith("m:"):
                        counts[k] = counts.get(k, 0) + 1
            self.listings.archive(counts)
        self._feeds(inputs)
        if self.listings.base_url:
            written = set(self._sitemaps(entries, inputs))
            # A sitemap (or a part of one) no longer made goes.
            for rel in [r for r in _sitemap_inputs(inputs) if r not in written]:
                self._drop(rel, inputs)

    def _listing(self, key: str, entries: dict[str, list[Any]], inputs: dict[str, str]) -> None:
        total_before = self._count(key)
        total_after = self.count_after(key)
        pages_before, pages_after = self._pages(key, total_before), self._pages(key, total_after)
        old_rows = [r for u, r in self.old.items() if key in self._old_keys[u]]
        first_before = self.state.slice(self.tid, key, (), 0, 1)
        listing_before = self.listings.listing_for(key, first_before) if first_before else None
        if pages_after == 0:
            assert listing_before is not None
            self._drop_pages(listing_before.folder, 1, pages_before, entries, inputs)
            return
        first = self.after(key, 0, 1)
        listing = self.listings.listing_for(key, first)
        if (
            pages_before != pages_after
            or listing_before is None
            or _heading(listing) != _heading(listing_before)
        ):
            numbers = range(1, pages_after + 1)
        else:
            places = [self._count(key, r.sort_key) for r in old_rows] + self._new_in(key)[1]
            # With as many stories as before, those outside the changed places kept
            # theirs; a story more or fewer moves every later one.
            last = max(places) // self.size + 1 if total_after == total_before else pages_after
            numbers = range(min(places) // self.size + 1, last + 1)
        for number in numbers:
            chunk = self.after(key, (number - 1) * self.size, self.size)
            entry = self.listings.listing_page(listing, chunk, number, pages_after)
            self._put_entry(entries, entry)
        if listing_before is not None and listing_before.folder != listing.folder:
            self._drop_pages(listing_before.folder, 1, pages_before, entries, inputs)
        else:
            self._drop_pages(listing.folder, pages_after + 1, pages_before, entries, inputs)

    def _drop_pages(self, folder: str, first: int, last: int, entries, inputs) -> None:
        for number in range(first, last + 1):
            page = site_pages.page_dir(folder, number)
            gone = entries.pop(page, None)
            if gone is not None and gone[3] != "author":
                self.changed_parts.add(page_part(page))
            self._drop(f"{page}index.html", inputs)

    def _drop(self, rel: str, inputs: dict[str, str]) -> None:
        inputs.pop(rel, None)
        self.dropped.append(rel)

    def _feeds(self, inputs: dict[str, str]) -> None:
        """The site's feed, and the feed of each section a touched story was or is in.

        Also for stories whose row did not change: a feed carries their text.
        """
        self.listings.home_feed(self.after("h", 0, FEED_ITEMS))
        segs = {r.seg for r in self.old.values()} | {r.seg for r in self.new.values()}
        for seg in sorted(segs):
            key = f"s:{seg}"
            if self.count_after(key):
                self.listings.section_feed(seg, self.after(key, 0, SECTION_FEED_ITEMS))
            elif self._count(key):
                self._drop(f"{site_pages.FEEDS_DIR}/{seg}.xml", inputs)

    def _sitemaps(self, entries: MutableMapping[str, Any], inputs) -> list[str]:
        cutoff = self.listings.news_cutoff_us()
        recent = [r for r in self.state.since(self.tid, cutoff) if r.uid not in self.touched]
        recent += [r for r in self.new.values() if r.when_us >= cutoff]
        recent.sort(key=lambda r: r.sort_key, reverse=True)
        stories = self.count_after("h")
        if self.sitemap is not None and f"sitemap-{PAGES_PART}.xml" in inputs:
            # In parts before (and after, unless the site shrank): only the parts whose
            # pages or stories this change touched, and the index.
            plan = self._sitemap_plan(entries)
            if is_split(listing_page_count(plan[2]), stories):
                return self.listings.sitemaps(
                    [], [], recent, parts=lambda: self._write_parts(*plan)
                )
        # One file (small), a change of layout, or a state that kept no summary of the
        # parts: every address, as a full export makes them.
        listing_urls = sitemap_listing_urls(sorted(entries.values(), key=lambda e: e[0]))
        kept = [
            SimpleNamespace(folder=f, lastmod_us=lm, sort_key=(w, a))
            for uid, f, lm, w, a in self.state.sitemap_entries(self.tid)
            if uid not in self.touched
        ]
        rows = list(
            heapq.merge(
                kept,
                sorted(self.new.values(), key=lambda r: r.sort_key, reverse=True),
                key=lambda r: r.sort_key,
                reverse=True,
            )
        )
        return self.listings.sitemaps(listing_urls, rows, recent)

    def _sitemap_plan(self, entries) -> tuple[dict[str, list], dict[str, list], dict]:
        """The parts this change touched, read: (listing part -> its pages' (folder,
        lastmod_us)), (month -> its stories, newest first), and the summary after."""
        summary = {k: list(v) for k, v in (self.sitemap or {}).items()}
        pages: dict[str, list] = {}
        for key in sorted(self.changed_parts):
            pages[key] = pages_in(entries, key)
            if pages[key]:
                summary[key] = [len(pages[key]), max(lm for _f, lm in pages[key])]
            else:
                summary.pop(key, None)
        months: dict[str, list] = {}
        touched = {month_of(r.when_us) for r in (*self.old.values(), *self.new.values())}
        for month in sorted(touched):
            kept = [
                SimpleNamespace(folder=f, lastmod_us=lm, sort_key=(w, a))
                for uid, f, lm, w, a in self.state.sitemap_entries(self.tid, month_span(month))
                if uid not in self.touched
            ]
            new = [r for r in self.new.values() if month_of(r.when_us) == month]
            new.sort(key=lambda r: r.sort_key, reverse=True)
            months[month] = list(heapq.merge(kept, new, key=lambda r: r.sort_key, reverse=True))
            if months[month]:
                summary[month] = [len(months[month]), max(r.lastmod_us for r in months[month])]
            else:
                summary.pop(month, None)
        return pages, months, summary

    def _write_parts(self, pages: dict[str, list], months: dict[str, list], summary) -> list[str]:
        """Write the touched parts and the index; every file the sitemap has."""
        parts = SitemapParts(self.listings)
        for key, listing_urls in pages.items():
            parts.write_pages(key, listing_urls, summary)
        for month, rows in months.items():
            parts.write_month(month, rows, summary)
        return parts.finish(summary)

    def _put_entry(self, entries: MutableMapping[str, Any], entry: list[Any]) -> None:
        """Keep a listing page's sitemap entry; note its sitemap part when the entry changed."""
        folder = entry[1]
        if entry[3] != "author" and entries.get(folder) != entry:
            self.changed_parts.add(page_part(folder))
        entries[folder] = entry


def _sitemap_inputs(inputs) -> list[str]:
    """The sitemap files among the signatures: looked up by name when the record can (not a scan)."""
    by_prefix = getattr(inputs, "keys_with_prefix", None)
    if by_prefix is None:
        names = list(inputs)
    else:
        names = [*by_prefix("sitemap"), *by_prefix("news-sitemap"), *by_prefix("robots.txt")]
    return [r for r in names if is_sitemap_file(r)]


def _heading(listing) -> tuple:
    """What every page of a listing shows of the listing itself (its newest story decides it)."""
    return (
        listing.folder,
        listing.heading,
        listing.intro,
        listing.intro_url,
        listing.description,
    )
