"""A full export reads the library a batch of stories at a time, and makes its listings a page
at a time: its memory does not grow with the text, nor with the number of stories."""

from __future__ import annotations

import builtins
import gc
import weakref
from collections import Counter
from datetime import timedelta

from newsdesk.export import (
    export_site,
    file_log,
    listing_pool,
    manifest,
    row_store,
    sitemap_parts,
    spill,
    story_store,
)
from newsdesk.export import listings as export_listings
from newsdesk.export import story as export_story
from newsdesk.export.listing_row import ListingRow
from newsdesk.export.pages import PAGE_SIZE_SETTING
from newsdesk.export.plain import PlainArticle
from newsdesk.export.report import ArticleOutcome
from newsdesk.export.writer import ROWS_SCRATCH
from newsdesk.library.models import Article
from tests.export.stories import files_of, leftovers, newsroom, without_manifest

STORIES = 45
SITE = 60  # stories of the site whose records are counted
BATCH = 10


def _live_articles() -> int:
    """Stories held in full: records of the library, or as the export reads them (plain.py)."""
    return sum(1 for o in gc.get_objects() if type(o) in (Article, PlainArticle))


def test_a_full_export_never_holds_every_story_at_once(library, tmp_path, monkeypatch):
    photos = tmp_path / "photos"
    photos.mkdir()
    newsroom(library, photos, STORIES)  # the stories it returns are let go at once
    monkeypatch.setattr(export_story, "BATCH", BATCH)
    gc.collect()
    peak = 0

    def progress(done: int, total: int) -> None:
        nonlocal peak
        peak = max(peak, _live_articles())

    report = export_site(library, tmp_path / "site", progress=progress, workers=1)

    assert len(report.written) == STORIES, report.failed
    # The pages were made while at most a batch (and the one being checked) was loaded.
    assert 0 < peak <= 2 * BATCH, f"{peak} stories were loaded at once"


def test_a_site_made_a_batch_at_a_time_is_the_site_made_at_once(library, tmp_path, monkeypatch):
    photos = tmp_path / "photos"
    photos.mkdir()
    newsroom(library, photos, 23)
    monkeypatch.setattr(export_story, "BATCH", 4)
    export_site(library, tmp_path / "batched", workers=1)
    monkeypatch.setattr(export_story, "BATCH", 1000)
    export_site(library, tmp_path / "whole", workers=1)

    batched = without_manifest(files_of(tmp_path / "batched"))
    assert len([k for k in batched if k.endswith("/index.html")]) > 23
    assert batched == without_manifest(files_of(tmp_path / "whole"))


def _live_rows() -> int:
    return sum(1 for o in gc.get_objects() if type(o) is ListingRow)


def test_listing_pages_are_made_from_a_page_of_stories_at_a_time(library, tmp_path, monkeypatch):
    photos = tmp_path / "photos"
    photos.mkdir()
    newsroom(library, photos, STORIES)
    library.set_setting(PAGE_SIZE_SETTING, 4)  # the front page alone has twelve pages
    monkeypatch.setattr(row_store, "_CHUNK", 6)  # the stories saved and read back six at a time
    make_page = export_listings.Listings.listing_page
    alive: list[int] = []

    def counting(self, listing, chunk, number, total):  # watches, then makes the page as ever
        gc.collect()
        alive.append(_live_rows())
        return make_page(self, listing, chunk, number, total)

    monkeypatch.setattr(export_listings.Listings, "listing_page", counting)
    report = export_site(library, tmp_path / "site", workers=1)

    assert len(report.written) == STORIES, report.failed
    pages = [p for p in (tmp_path / "site").rglob("index.html") if "/page/" in p.as_posix()]
    assert len(pages) >= 10 and len(alive) > 2 * len(pages) // 2
    # Each listing page was made while the rows of about a page were in memory, never the site's.
    assert max(alive) <= 2 * 4 + 1, f"{max(alive)} stories' rows were held while making a page"


def test_an_export_leaves_no_scratch_file_and_clears_one_a_killed_export_left(library, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    newsroom(library, photos, 3)
    site = tmp_path / "site"
    export_site(library, site, workers=1)
    assert not (site / ROWS_SCRATCH).exists() and leftovers(site) == []

    # As a killed export leaves it: the scratch store half written, and its journal.
    (site / ROWS_SCRATCH).write_bytes(b"SQLite format 3\x00 half written")
    (site / ".newsdesk-journal").write_text("")
    export_site(library, site, workers=1)
    assert leftovers(site) == []
    assert without_manifest(files_of(site)).keys() >= {"index.html", "feed.xml"}


def test_listing_pages_made_by_worker_processes_are_those_made_in_one(
    library, tmp_path, monkeypatch
):
    photos = tmp_path / "photos"
    photos.mkdir()
    newsroom(library, photos, 23)
    library.set_setting(PAGE_SIZE_SETTING, 2)  # dozens of listing pages
    export_site(library, tmp_path / "one", workers=1)
    # Every listing page goes to the workers, three to a task.
    monkeypatch.setattr(listing_pool, "INLINE_PAGES", 0)
    monkeypatch.setattr(listing_pool, "PAGES_PER_TASK", 3)
    report = export_site(library, tmp_path / "two", workers=2)

    assert len(report.rendered_listings) > 20
    one = without_manifest(files_of(tmp_path / "one"))
    assert without_manifest(files_of(tmp_path / "two")) == one


def _a_collection_of_ours(o) -> bool:
    """A list, dict, set or tuple (not the weak references a library keeps of its listeners)."""
    if type(o) not in (list, dict, set, tuple):
        return False
    return not (o and isinstance(next(iter(o)), weakref.ref))


def test_a_full_export_holds_a_bounded_number_of_records_whatever_the_sites_size(
    library, tmp_path, monkeypatch
):
    """Per story, the main process holds nothing for the whole export: no candidate, no map of
    every page or fingerprint, no entry per file, and a report that keeps its lists of stories
    and files on disk; a batch, a chunk, a page at a time."""
    photos = tmp_path / "photos"
    photos.mkdir()
    for n, story in enumerate(newsroom(library, photos, SITE)):
        # Over a year: the sitemap's monthly parts hold a month's stories at a time.
        when = story.published_at - timedelta(days=31 * (n % 12))
        library.update_article(story.id, published_at=when)
    library.update_publication(base_url="https://news.example.org/")  # sitemaps too
    monkeypatch.setattr(export_story, "BATCH", 5)
    for module in (row_store, story_store, file_log, spill):
        monkeypatch.setattr(module, "_CHUNK", 6)
    monkeypatch.setattr(spill, "IN_MEMORY", 6)  # the report's lists: six items as objects
    export_site(library, tmp_path / "warm", workers=1)  # what is loaded once (caches, locales)
    # Python's licence text, a list of 280 lines, is read the first time anything shows the
    # builtins (a module's globals shown in a message below would): read now, not mid-export.
    repr(builtins.license)

    gc.collect()
    known = gc.get_objects()
    seen = {id(o) for o in known} | {id(known)}
    samples: list[tuple[int, int, str]] = []
    steps: list[int] = []
    seen |= {id(seen), id(samples), id(steps)}  # the test's own

    def sample(where: str) -> None:
        gc.collect()
        fresh = [o for o in gc.get_objects() if id(o) not in seen]
        # (The report's five lists are counted as the containers they are, by their contents.)
        ours = [
            type(o).__name__
            for o in fresh
            if type(o).__module__.startswith("newsdesk.") and type(o) is not spill.SpillList
        ]
        big = max((o for o in fresh if _a_collection_of_ours(o)), key=len, default=())
        longest = len(big)
        where = f"{where}, the longest a {type(big).__name__} of {repr(big)[:150]}"
        samples.append((len(ours), longest, f"{where}: {Counter(ours).most_common(4)}"))

    insert = manifest._insert  # the record is written as it is made: watched there too

    def watched_insert(conn, name, items):
        sample(f"record {name}")
        return insert(conn, name, items)

    monkeypatch.setattr(manifest, "_insert", watched_insert)
    month_part = sitemap_parts.SitemapParts.write_part

    def watched_part(self, key, urls):
        sample(f"sitemap {key}")
        return month_part(self, key, urls)

    monkeypatch.setattr(sitemap_parts, "SINGLE_SITEMAP_MAX", 10)  # a sitemap in monthly parts
    monkeypatch.setattr(sitemap_parts.SitemapParts, "write_part", watched_part)

    def progress(done: int, total: int) -> None:
        steps.append(done)
        if len(steps) % 4 == 1:  # (each look is a full scan of the process's objects)
            sample(f"step {done} of {total}")

    report = export_site(library, tmp_path / "site", workers=1, progress=progress)

    assert len(report.written) == SITE, report.failed
    assert len(samples) > SITE // 4
    # The report names every story and file, but holds six of each as objects: the rest on disk.
    assert len(report.changed_files) > SITE and len(report.rendered_listings) > 10
    lists = (report.written, report.changed_files, report.rendered_listings)
    assert all(isinstance(x, spill.SpillList) and len(x._head) <= 6 for x in lists)
    gc.collect()
    assert sum(1 for o in gc.get_objects() if type(o) is ArticleOutcome) <= 6
    ours, longest, where = max(samples)
    # A batch of five stories read (each with its figure, its entry in the scratch file, its
    # candidate), a page or a month of rows, the record's parts: never a record per story.
    assert ours < SITE, f"{ours} records held at once ({where})"
    longest, where = max((s[1], s[2]) for s in samples)
    assert longest < SITE, f"a list of {longest} things was held ({where})"


def test_a_report_held_on_disk_names_what_a_report_in_memory_does(library, tmp_path, monkeypatch):
    photos = tmp_path / "photos"
    photos.mkdir()
    newsroom(library, photos, 23)
    whole = export_site(library, tmp_path / "whole", workers=1)
    monkeypatch.setattr(spill, "IN_MEMORY", 4)
    monkeypatch.setattr(spill, "_CHUNK", 3)
    spilled = export_site(library, tmp_path / "spilled", workers=1)

    assert len(spilled.changed_files) > 40 and spilled.changed_files._conn is not None
    fields = ("written", "skipped", "failed", "changed_files", "rendered_listings")
    for name in fields:
        # Read back in order, whole: as lists, by index, from the end, and by membership.
        assert list(getattr(spilled, name)) == list(getattr(whole, name)), name
    paths = [o.path for o in spilled.written]
    assert paths == sorted(paths) and spilled.written[-1] == whole.written[-1]
    assert spilled.written[5].slug == whole.written[5].slug
    assert spilled.changed_files[-1] in spilled.changed_files
    assert "no/such/file.html" not in spilled.changed_files
    assert spilled.summary().replace(str(tmp_path / "spilled"), "") == whole.summary().replace(
        str(tmp_path / "whole"), ""
    ).replace(f"{whole.seconds:.2f}", f"{spilled.seconds:.2f}")
