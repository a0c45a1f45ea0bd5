"""A large site's sitemap in parts: listing pages by listing and one part per month, so an edit
rewrites its own."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from newsdesk.export import export_site, sitemap_parts
from tests.export.sample import NOW
from tests.export.stories import newsroom
from tests.export.test_incremental_export import Site

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://gazette.example/"


def _months_back(k: int) -> tuple[int, int]:
    year, number = NOW.year, NOW.month - k
    while number <= 0:
        year, number = year - 1, number + 12
    return year, number


# Three stories in each of the last three whole months, newest first.
WHEN = [datetime(*_months_back(k), 12 - i, 12, tzinfo=UTC) for k in (1, 2, 3) for i in range(3)]


def month(when: datetime) -> str:
    return sitemap_parts.month_of(sitemap_parts.to_us(when))


@pytest.fixture
def archive(library, tmp_path, monkeypatch):
    """Nine stories over three months, in a site big enough (as far as the sitemap is
    concerned: the limit is lowered) for its sitemap to come in parts."""
    monkeypatch.setattr(sitemap_parts, "SINGLE_SITEMAP_MAX", 10)
    library.update_publication(name="Harbour Gazette", base_url=BASE)
    stories = newsroom(library, tmp_path / "photos", len(WHEN))
    for story, when in zip(stories, WHEN, strict=True):
        library.update_article(story.id, published_at=when)
    return library, [library.get_article(s.id) for s in stories]


def urls(path) -> list[tuple[str, str]]:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SM}urlset"
    return [(u.find(f"{SM}loc").text, u.find(f"{SM}lastmod").text) for u in root]


def index(site) -> list[str]:
    root = ET.parse(site / "sitemap.xml").getroot()
    assert root.tag == f"{SM}sitemapindex"
    return [s.find(f"{SM}loc").text.removeprefix(BASE) for s in root]


def months_of_the_site() -> list[str]:
    return sorted({month(w) for w in WHEN}, reverse=True)


def listing_parts_of_the_site() -> list[str]:
    """The front page's part, each section's (News, Politics), then each year of the archive."""
    years = sorted({m[:4] for m in months_of_the_site()}, reverse=True)
    return [
        "sitemap-pages.xml",
        "sitemap-section_news.xml",
        "sitemap-section_politics.xml",
        *(f"sitemap-archive_{y}.xml" for y in years),
    ]


def test_a_large_sites_sitemap_lists_its_listing_pages_by_listing_then_each_month_newest_first(
    archive, tmp_path, monkeypatch
):
    site = tmp_path / "site"
    export_site(archive[0], site)

    parts = index(site)
    months = [f"sitemap-{m}.xml" for m in months_of_the_site()]
    assert parts == listing_parts_of_the_site() + months
    # Each listing part holds the pages of its own listings, as the listings go.
    for part in listing_parts_of_the_site():
        key = part.removeprefix("sitemap-").removesuffix(".xml")
        folders = [u.removeprefix(BASE) for u, _ in urls(site / part)]
        assert folders and all(sitemap_parts.page_part(f) == key for f in folders), part
    assert [u for u, _ in urls(site / "sitemap-section_news.xml")] == [f"{BASE}news/"]
    # The same addresses and dates a single file gives a small site, each in one part.
    monkeypatch.setattr(sitemap_parts, "SINGLE_SITEMAP_MAX", 5_000)
    whole = tmp_path / "whole"
    export_site(archive[0], whole)
    in_parts = [u for part in parts for u in urls(site / part)]
    assert sorted(in_parts) == sorted(urls(whole / "sitemap.xml"))
    assert len(in_parts) == len(set(in_parts))
    # Each month's part holds its stories, newest first.
    for m in months_of_the_site():
        newest_first = sorted((w for w in WHEN if month(w) == m), reverse=True)
        stories = [u for u, _ in urls(site / f"sitemap-{m}.xml")]
        assert [int(u.rstrip("/").rsplit("-", 1)[1]) for u in stories] == [
            WHEN.index(w) for w in newest_first
        ]
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {BASE}sitemap.xml" in robots and "sitemap-" not in robots


def test_an_edit_rewrites_its_months_part_the_parts_of_the_listings_showing_it_and_the_index(
    archive, tmp_path
):
    library, stories = archive
    site = Site(library, tmp_path)
    site.publish()
    before = {p.name: p.stat().st_mtime_ns for p in site.out.glob("sitemap*.xml")}
    oldest, others = months_of_the_site()[-1], months_of_the_site()[:-1]
    time.sleep(1.1)  # the sitemap gives times to the second

    # The oldest story is in News: the front page, News and its year of the archive show it.
    library.update_article(stories[-1].id, body="A corrected first paragraph.\n\nSecond.")
    report = site.publish()  # and it is what a full export writes

    assert report.mode == "incremental"
    rewritten = sorted(f for f in report.changed_files if f.startswith("sitemap"))
    expected = [
        "sitemap.xml",
        "sitemap-pages.xml",
        "sitemap-section_news.xml",
        f"sitemap-archive_{oldest[:4]}.xml",
        f"sitemap-{oldest}.xml",
    ]
    assert rewritten == sorted(expected)
    rendered = {f for f in report.rendered_listings if f.startswith("sitemap")}
    assert rendered == set(rewritten)  # the other parts were not even made
    untouched = ["sitemap-section_politics.xml", *(f"sitemap-{m}.xml" for m in others)]
    for name in untouched:
        assert (site.out / name).stat().st_mtime_ns == before[name], name


def test_a_story_moving_month_or_leaving_rewrites_the_months_it_left_and_joined(archive, tmp_path):
    library, stories = archive
    site = Site(library, tmp_path)
    site.publish()
    newest, middle, oldest = months_of_the_site()

    # Into the newest month from the oldest: both parts change, the middle one stays.
    library.update_article(stories[-1].id, published_at=WHEN[0] + timedelta(hours=1))
    report = site.publish()
    assert f"sitemap-{newest}.xml" in report.changed_files
    assert f"sitemap-{oldest}.xml" in report.changed_files
    assert f"sitemap-{middle}.xml" not in report.changed_files

    # The middle month's stories leave the site: its part goes, and the index forgets it.
    for story, when in zip(stories, WHEN, strict=True):
        if month(when) == middle:
            library.update_article(story.id, status="draft")
    site.publish()
    assert not (site.out / f"sitemap-{middle}.xml").exists()
    assert f"sitemap-{middle}.xml" not in index(site.out)


def test_a_site_growing_past_one_file_gets_parts_and_shrinking_back_loses_them(
    archive, tmp_path, monkeypatch
):
    library, stories = archive
    monkeypatch.setattr(sitemap_parts, "SINGLE_SITEMAP_MAX", 5_000)
    site = Site(library, tmp_path)
    site.publish()
    assert urls(site.out / "sitemap.xml")  # one file

    monkeypatch.setattr(sitemap_parts, "SINGLE_SITEMAP_MAX", 10)
    time.sleep(1.1)
    library.update_article(stories[0].id, body="Grown.\n\nSecond.")
    site.publish()
    assert index(site.out)[0] == "sitemap-pages.xml"

    monkeypatch.setattr(sitemap_parts, "SINGLE_SITEMAP_MAX", 5_000)
    time.sleep(1.1)
    library.update_article(stories[0].id, body="Shrunk.\n\nSecond.")
    site.publish()
    assert urls(site.out / "sitemap.xml")
    assert sorted(p.name for p in site.out.glob("sitemap*")) == ["sitemap.xml"]


BASES = [
    "https://gazette.example/",
    "https://gazette.example/news/",
    "https://gazette.example",
    "https://gazette.example/a/b",
    "https://gazette.example/?q=1",
    "https://gazette.example/#top",
    "http://[::1]:8080/site/",
    "https://user@gazette.example:8443/x/y/",
    "gazette.example/",
    "",
    "/relative/",
]
RELS = [
    "",
    "news/harbour-story/",
    "sitemap-pages.xml",
    "page/2/",
    "tag/caf\u00e9 au lait/",
    "./x",
    "a/../b/",
    "..",
    ".",
    "a/./b",
    "/absolute/",
    "//other.example/x",
    "x:y/",
    "q?x#y",
    "100%/",
    "a//b/",
    "\u6771\u4eac/",
]


def test_an_address_of_the_site_is_what_urljoin_makes_of_the_base_and_the_path():
    from urllib.parse import quote, urljoin

    from newsdesk.export.assets import site_url

    for base in BASES:
        for rel in RELS:
            assert site_url(base, rel) == urljoin(base, quote(rel, safe="/")), (base, rel)


def test_random_paths_join_as_urljoin_joins_them():
    import random
    from urllib.parse import quote, urljoin

    from newsdesk.export.assets import site_url

    rng = random.Random(5)
    alphabet = ["a", "b", ".", "..", "/", "//", "%", ":", "?", "#", " ", "\u00e9", "-", "_", "~"]
    for _ in range(5000):
        base = rng.choice(BASES)
        rel = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert site_url(base, rel) == urljoin(base, quote(rel, safe="/")), (base, rel)


FOLDERS = [
    "",
    "page/2/",
    "page/501/",
    "page/1000/",
    "page/1001/",
    "news/",
    "news/page/7/",
    "politics/page/600/",
    "tag/harbour/",
    "tag/harbour/page/3/",
    "tag/9-lives/",
    "tag/zebra/page/900/",
    "tag/\u00e9t\u00e9/",
    "tag/\u6771\u4eac/page/2/",
    "archive/2024/05/",
    "archive/2024/05/page/2/",
    "archive/1999/12/page/501/",
    "\u6771\u4eac/",
]


def test_each_listing_pages_part_is_found_by_its_folders_ranges_and_by_no_other_part():
    parts = {f: sitemap_parts.page_part(f) for f in FOLDERS}
    assert parts["page/501/"] == "pages.2" and parts["page/1001/"] == "pages.3"
    assert parts["tag/\u00e9t\u00e9/"] == parts["tag/\u6771\u4eac/page/2/"] == "tags_other"
    assert parts["archive/1999/12/page/501/"] == "archive_1999.2"
    for folder, key in parts.items():
        assert sitemap_parts.in_ranges(folder, sitemap_parts.part_ranges(key)), folder
        for other in set(parts.values()) - {key}:
            ranges = sitemap_parts.part_ranges(other)
            assert (
                not sitemap_parts.in_ranges(folder, ranges)
                or other.partition(".")[0] == key.partition(".")[0]
            ), (folder, other)
    names = {n for key in set(parts.values()) for n in sitemap_parts.part_names(key, 120_000)}
    assert len(names) == 3 * len(set(parts.values()))  # no two parts share a file


def test_a_long_listing_comes_in_blocks_and_an_edit_rewrites_only_the_block_showing_it(
    archive, tmp_path, monkeypatch
):
    from newsdesk.export.pages import PAGE_SIZE_SETTING

    library, stories = archive
    library.set_setting(PAGE_SIZE_SETTING, 1)  # a page per story: nine front pages
    monkeypatch.setattr(sitemap_parts, "PAGE_BLOCK", 4)  # … in blocks of four
    site = Site(library, tmp_path)
    site.publish()
    parts = index(site.out)
    assert parts[:3] == ["sitemap-pages.xml", "sitemap-pages.2.xml", "sitemap-pages.3.xml"]
    assert [u.removeprefix(BASE) for u, _ in urls(site.out / "sitemap-pages.3.xml")] == ["page/9/"]
    time.sleep(1.1)

    # The oldest story is on the front page's ninth page: the third block.
    library.update_article(stories[-1].id, body="Corrected again.\n\nSecond.")
    report = site.publish()
    rewritten = {f for f in report.changed_files if f.startswith("sitemap-pages")}
    assert rewritten == {"sitemap-pages.3.xml"}


def _kept_and_counted(library, out):
    """The sitemap summary the export state keeps, and the same worked out from scratch."""
    from newsdesk.export.manifest import read_record
    from newsdesk.export.state import ExportState

    state = ExportState(library.engine, str(out.resolve()))
    target = state.target()
    kept = sitemap_parts.summary_of(target.meta)
    counted = {m: list(v) for m, v in state.sitemap_months(target.target_id).items()}
    for _order, folder, lastmod, kind in read_record(out)["listing_pages"]:
        if kind != "author":
            part = counted.setdefault(sitemap_parts.page_part(folder), [0, lastmod])
            part[0] += 1
            part[1] = max(part[1], lastmod)
    return kept, counted


def test_each_parts_size_and_newest_change_kept_by_the_state_stay_true_through_edits(
    archive, tmp_path
):
    library, stories = archive
    site = Site(library, tmp_path)
    site.publish()
    kept, counted = _kept_and_counted(library, site.out)
    assert kept == counted and len(kept) == 3 + len(listing_parts_of_the_site())

    time.sleep(1.1)
    library.update_article(stories[4].id, body="Corrected.\n\nSecond.")  # a newer change
    site.publish()
    assert _kept_and_counted(library, site.out)[0] == _kept_and_counted(library, site.out)[1]

    library.update_article(stories[-1].id, published_at=WHEN[0] + timedelta(hours=2))  # moved
    library.update_article(stories[1].id, status="draft")  # gone
    report = site.publish()
    assert report.mode == "incremental"
    kept, counted = _kept_and_counted(library, site.out)
    assert kept == counted
    assert kept[months_of_the_site()[0]][0] == 3  # the newest month: two, one more, one less
