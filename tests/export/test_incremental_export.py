"""An incremental export writes the same site as a full one, rendering only the pages an edit touches."""

from __future__ import annotations

import time

import pytest

from newsdesk.export import export_site
from newsdesk.export.incremental import publish
from newsdesk.paths import resource
from tests.export.stories import (
    as_legacy_manifest,
    files_of,
    leftovers,
    newsroom,
    without_manifest,
)


@pytest.fixture
def desk(library, tmp_path):
    return _desk(library, tmp_path)


@pytest.fixture(params=["laptop", pytest.param("shared", marks=pytest.mark.postgres)])
def either_desk(request, tmp_path):
    """The desk on a laptop's library, and on a newsroom's shared one (PostgreSQL): the export
    keeps its record in the library either way."""
    if request.param == "laptop":
        return _desk(request.getfixturevalue("library"), tmp_path)
    return _desk(request.getfixturevalue("pg_library"), tmp_path)


def _desk(library, tmp_path):
    library.update_publication(name="Harbour Gazette", base_url="https://gazette.example/")
    stories = newsroom(library, tmp_path / "photos", 7)
    # Story 0 shows cards for 1 and 2; story 3 shows a card for 1.
    library.set_related(stories[0].id, [stories[1].id, stories[2].id])
    library.set_related(stories[3].id, [stories[1].id])
    return library, stories


class Site:
    """The incrementally published folder, compared after each step with a fresh full export."""

    def __init__(self, library, tmp_path):
        self.library = library
        self.tmp = tmp_path
        self.out = tmp_path / "site"
        self.n = 0

    def publish(self):
        report = publish(self.library, self.out)
        assert report.ok or report.failed, report.summary()
        self.n += 1
        full_dir = self.tmp / f"full-{self.n}"
        full = export_site(self.library, full_dir)
        ours, theirs = without_manifest(files_of(self.out)), without_manifest(files_of(full_dir))
        assert sorted(ours) == sorted(theirs)
        for rel in ours:
            assert ours[rel] == theirs[rel], f"{rel} differs from a full export"
        assert leftovers(self.out) == []
        assert sorted(f.slug for f in report.failed) == sorted(f.slug for f in full.failed)
        return report


def _listing_files(report) -> set[str]:
    return {f for f in report.changed_files if not f.startswith("assets/") and "/" not in f[:-11]}


def test_the_first_publish_is_a_full_export_and_a_second_with_no_change_renders_nothing(
    desk, tmp_path
):
    library, _stories = desk
    site = Site(library, tmp_path)
    first = site.publish()
    assert first.mode.startswith("full")
    again = site.publish()
    assert again.mode == "incremental"
    assert again.rendered_pages == 0
    assert again.changed_files == []


def test_a_publish_with_nothing_to_do_clears_what_a_killed_export_left(desk, tmp_path):
    library, _stories = desk
    site = Site(library, tmp_path)
    site.publish()
    # As an export killed before its record was committed leaves the folder: its
    # journal and a page written beside its target, not yet in its place.
    (site.out / ".newsdesk-journal").write_text('"new-page.html"\n')
    (site.out / ".index.html.tmp-newsdesk").write_bytes(b"<!doctype html><p>half")
    report = site.publish()  # nothing changed in the library since
    assert report.mode == "incremental"
    assert report.rendered_pages == 0
    assert report.changed_files == []


def test_a_body_edit_renders_its_page_the_feeds_and_the_sitemap_only(desk, tmp_path):
    library, stories = desk
    site = Site(library, tmp_path)
    site.publish()
    # The sitemap gives the time of change to the second: an edit within the second the
    # stories were made would leave it as it is, so the edit comes a second later.
    time.sleep(1.1)
    library.update_article(stories[4].id, body="A corrected first paragraph.\n\nSecond.")
    report = site.publish()
    assert report.mode == "incremental"
    assert report.rendered_pages == 1  # not the pages whose cards show it: a card shows no body
    # The feeds that carry its text and the sitemap that gives its time of change; not the
    # listings it is on (the front page, its section, its month), which show no body.
    assert sorted(report.rendered_listings) == ["feed.xml", "feeds/news.xml", "sitemap.xml"]
    # Listings show the published date, so only the page, the feeds and the sitemap can
    # differ (those show the update time to the second: within the same second, not).
    assert f"news/{stories[4].slug}/index.html" in report.changed_files
    assert set(report.changed_files) <= {
        f"news/{stories[4].slug}/index.html",
        "feed.xml",
        "feeds/news.xml",
        "sitemap.xml",
    }
    assert "feeds/news.xml" in report.changed_files  # it carries the story's text


def test_a_headline_edit_also_renders_the_pages_whose_cards_show_it(desk, tmp_path):
    library, stories = desk
    site = Site(library, tmp_path)
    site.publish()
    library.update_article(stories[1].id, headline="Harbour wall gives way")
    report = site.publish()
    assert report.rendered_pages == 3  # story 1, and stories 0 and 3 whose cards show it
    pages = {f for f in report.changed_files if f.count("/") == 2}
    assert pages == {
        f"politics/{stories[1].slug}/index.html",
        f"news/{stories[0].slug}/index.html",
        f"politics/{stories[3].slug}/index.html",
    }


def test_a_sequence_of_edits_deletes_moves_and_settings_matches_a_full_export_at_each_step(
    either_desk, tmp_path
):
    library, s = either_desk
    site = Site(library, tmp_path)
    site.publish()

    # A story moves to a new section: its old page and nothing else of it stays. Every
    # page's navigation names the new section, so every page is checked.
    library.update_article(s[2].id, section="Sport")
    r = site.publish()
    assert r.mode == "full (the site's sections changed)"
    # Within the sections there are, a move is incremental: it, and the cards showing it.
    library.update_article(s[1].id, section="News")
    r = site.publish()
    assert r.mode == "incremental" and r.rendered_pages == 3
    assert not (site.out / "politics" / s[1].slug).exists()
    assert not (site.out / "news" / s[2].slug).exists()
    assert (site.out / "sport" / "index.html").is_file()

    # Related stories change.
    library.set_related(s[4].id, [s[5].id])
    assert site.publish().rendered_pages == 1

    # A story is deleted: the stories whose cards showed it follow preflight's verdict.
    library.delete_article(s[5].id)
    r = site.publish()
    assert not (site.out / "politics" / s[5].slug).exists()
    assert s[4].slug in {f.slug for f in r.failed}  # its related story no longer exists

    # A story is unpublished; another one returns to the site.
    library.update_article(s[3].id, status="draft")
    library.set_related(s[4].id, [])
    site.publish()
    assert not (site.out / "politics" / s[3].slug).exists()
    assert (site.out / "news" / s[4].slug / "index.html").is_file()

    # The last story leaves a section: its section page goes too.
    library.update_article(s[2].id, section="News")
    site.publish()
    assert not (site.out / "sport").exists()

    # A picture's credit changes: its renditions carry it, so every page showing it changes.
    hero = library.get_article(s[0].id).hero.image
    library.update_image(hero.id, credit="Marta Quiroga / Gazette")
    r = site.publish()
    assert r.mode == "incremental"
    assert r.rendered_pages >= 2

    # The publication changes: every page says so, so the export checks everything.
    library.update_publication(name="The Harbour Gazette")
    assert site.publish().mode.startswith("full")

    # A template override of the publication's own: everything again, then incremental.
    library.templates_dir.mkdir(parents=True, exist_ok=True)
    article_html = resource("templates/article.html").read_text(encoding="utf-8")
    (library.templates_dir / "article.html").write_text(
        article_html.replace("</article>", "<p>Harbour Gazette</p></article>", 1), encoding="utf-8"
    )
    assert site.publish().mode.startswith("full")
    library.update_article(s[6].id, dek="A new standfirst.")
    assert site.publish().rendered_pages == 1


def test_an_embargo_that_ends_puts_the_story_in_the_site_without_any_edit(desk, tmp_path):
    from datetime import timedelta

    from newsdesk.library.models import utcnow

    library, s = desk
    site = Site(library, tmp_path)
    # Long enough that a busy machine's first publish and full export end before it does.
    until = utcnow() + timedelta(seconds=12)
    library.update_article(s[6].id, embargo_until=until)
    site.publish()
    assert not (site.out / "news" / s[6].slug).exists()
    import time

    time.sleep(max(0.0, (until - utcnow()).total_seconds()) + 0.2)
    r = site.publish()
    assert r.mode == "incremental"
    assert (site.out / "news" / s[6].slug / "index.html").is_file()


def test_an_export_of_chosen_stories_to_the_folder_makes_the_next_publish_check_everything(
    desk, tmp_path
):
    from newsdesk.export import export_articles

    library, s = desk
    site = Site(library, tmp_path)
    site.publish()
    export_articles(library, [s[1].slug], site.out)
    assert site.publish().mode.startswith("full")


def test_an_edit_to_a_draft_that_is_not_in_the_site_writes_nothing(desk, tmp_path):
    library, s = desk
    library.update_article(s[6].id, status="draft")
    site = Site(library, tmp_path)
    site.publish()
    library.update_article(s[6].id, body="Still being written.")
    r = site.publish()
    assert r.mode == "incremental"
    assert r.rendered_pages == 0
    assert r.changed_files == []


def test_without_a_base_url_an_edit_republishes_the_feed_and_writes_no_sitemaps(library, tmp_path):
    library.update_publication(name="Harbour Gazette", base_url="")
    stories = newsroom(library, tmp_path / "photos", 4)
    site = Site(library, tmp_path)
    site.publish()
    library.update_article(stories[2].id, headline="The harbour wall holds")
    r = site.publish()
    assert r.mode == "incremental"
    assert "feed.xml" in r.changed_files
    assert not any(f.endswith("sitemap.xml") or f == "robots.txt" for f in r.rendered_listings)
    feed = (site.out / "feed.xml").read_text(encoding="utf-8")
    assert "The harbour wall holds" in feed
    assert f'href="{r.written[0].path}"' in feed  # relative to feed.xml: there is no base URL
    assert not (site.out / "robots.txt").exists()


def test_when_the_last_recent_story_leaves_the_site_its_news_sitemap_goes_too(desk, tmp_path):
    library, s = desk
    site = Site(library, tmp_path)
    site.publish()
    assert (site.out / "news-sitemap.xml").is_file()
    for story in s:
        library.update_article(story.id, status="draft")
    r = site.publish()
    assert r.mode == "incremental"
    assert not (site.out / "news-sitemap.xml").exists()  # an empty urlset is invalid
    robots = (site.out / "robots.txt").read_text(encoding="utf-8")
    assert "news-sitemap.xml" not in robots


def test_author_pages_follow_their_stories_edits_and_the_authors_own_changes(desk, tmp_path):
    library, s = desk
    ana = library.add_author("Ana Ruiz", bio="Covers the harbour.")
    library.add_author("Tom Lee")
    library.update_article(s[1].id, byline="By Ana Ruiz")
    library.update_article(s[4].id, byline="By Ana Ruiz and Tom Lee")
    site = Site(library, tmp_path)
    site.publish()
    page = site.out / "authors" / "ana-ruiz" / "index.html"
    assert "Harbour wall gives way" not in page.read_text(encoding="utf-8")

    # A headline edit reaches the author page, and only the authors of that story.
    library.update_article(s[1].id, headline="Harbour wall gives way")
    r = site.publish()
    assert r.mode == "incremental"
    assert "authors/ana-ruiz/index.html" in r.rendered_listings
    assert "authors/tom-lee/index.html" not in r.rendered_listings
    assert "Harbour wall gives way" in page.read_text(encoding="utf-8")

    # Tom's only story drops him from its byline: his page goes.
    library.update_article(s[4].id, byline="By Ana Ruiz")
    assert site.publish().mode == "incremental"
    assert not (site.out / "authors" / "tom-lee").exists()

    # The author's own words change: every page of theirs is checked.
    library.update_author(ana.id, bio="Covers the harbour and the ferries.")
    assert site.publish().mode.startswith("full")
    assert "the ferries" in page.read_text(encoding="utf-8")


def test_a_story_moved_to_the_trash_leaves_the_site_and_returns_when_restored(desk, tmp_path):
    library, s = desk
    site = Site(library, tmp_path)
    site.publish()
    library.trash_article(s[6].id)
    r = site.publish()
    assert r.mode == "incremental"
    assert not (site.out / "news" / s[6].slug).exists()
    library.restore_article(s[6].id)
    assert site.publish().mode == "incremental"
    assert (site.out / "news" / s[6].slug / "index.html").is_file()


def test_paginated_tag_and_archive_pages_follow_each_edit_as_a_full_export_writes_them(
    desk, tmp_path
):
    from newsdesk.export.pages import PAGE_SIZE_SETTING

    library, s = desk
    library.set_setting(PAGE_SIZE_SETTING, 2)  # seven stories: four pages of the front page
    library.update_article(s[1].id, tags=["Harbour", "Ferries"])
    library.update_article(s[3].id, tags=["Harbour"])
    site = Site(library, tmp_path)
    site.publish()
    assert (site.out / "page" / "4" / "index.html").is_file()
    assert (site.out / "tag" / "harbour" / "index.html").is_file()
    assert (site.out / "feeds" / "politics.xml").is_file()
    assert (site.out / "404.html").is_file()

    # A tag edit: the tag pages it leaves and joins, and nothing of the other tag.
    library.update_article(s[3].id, tags=["Ferries", "Weather"])
    r = site.publish()
    assert r.mode == "incremental" and r.rendered_pages == 1
    tags = {f for f in r.rendered_listings if f.startswith("tag/")}
    assert tags == {"tag/harbour/index.html", "tag/ferries/index.html", "tag/weather/index.html"}
    assert (site.out / "tag" / "weather" / "index.html").is_file()

    # A tag no story has any more: its page goes.
    library.update_article(s[3].id, tags=["Ferries"])
    site.publish()
    assert not (site.out / "tag" / "weather").exists()

    # A story leaves the site: the later pages of its listings move up, the last one goes.
    library.update_article(s[6].id, status="draft")
    r = site.publish()
    assert r.mode == "incremental"
    assert not (site.out / "page" / "4").exists()
    assert "page/2/index.html" in r.rendered_listings

    # The newest story's date moves it to another month of the archive.
    from datetime import timedelta

    older = library.get_article(s[5].id).published_at - timedelta(days=62)
    library.update_article(s[5].id, published_at=older)
    r = site.publish()
    assert r.mode == "incremental"
    assert f"archive/{older:%Y/%m}/index.html" in r.rendered_listings
    assert "archive/index.html" in r.rendered_listings


def _front_pages(report) -> set[str]:
    return {f for f in report.rendered_listings if f == "index.html" or f.startswith("page/")}


def test_a_headline_edit_in_a_long_listing_renders_only_the_page_that_shows_the_story(
    desk, tmp_path
):
    from newsdesk.export.pages import PAGE_SIZE_SETTING

    library, s = desk
    library.set_setting(PAGE_SIZE_SETTING, 2)  # seven stories: four pages of the front page
    site = Site(library, tmp_path)
    site.publish()
    front = ["index.html", "page/2/index.html", "page/3/index.html", "page/4/index.html"]
    holding = next(p for p in front if s[3].headline in (site.out / p).read_text("utf-8"))

    library.update_article(s[3].id, headline="Harbour story number 3, corrected")
    r = site.publish()
    assert r.mode == "incremental" and r.rendered_pages == 1  # its own page (no card shows it)
    assert _front_pages(r) == {holding}, "the other pages of the front page kept their stories"
    assert "archive/index.html" not in r.rendered_listings  # no month gained or lost a story


def test_a_site_exported_before_listing_membership_was_kept_is_updated_incrementally(
    desk, tmp_path
):
    import json

    from sqlalchemy import text

    library, s = desk
    site = Site(library, tmp_path)
    site.publish()
    # As an older version left it: no membership rows, no section names, no listing pages.
    with library.engine.begin() as conn:
        conn.execute(text("DELETE FROM export_listing"))
        for tid, meta in conn.execute(text("SELECT id, meta FROM export_targets")).all():
            meta = {k: v for k, v in json.loads(meta).items() if k not in ("listings", "names")}
            conn.execute(
                text("UPDATE export_targets SET meta = :m WHERE id = :t"),
                {"m": json.dumps(meta), "t": tid},
            )
    # And its folder's record as the JSON manifest it then was, without the listing pages.
    as_legacy_manifest(site.out, without=("listing_pages",))

    library.update_article(s[2].id, headline="Harbour story number 2, corrected")
    assert site.publish().mode == "incremental"
    library.update_article(s[5].id, headline="Harbour story number 5, corrected")
    assert site.publish().mode == "incremental"


def test_a_story_whose_two_tags_share_a_folder_is_listed_once_on_that_tag_page(desk, tmp_path):
    library, s = desk
    library.update_article(s[2].id, tags=["Harbour", "Harbour!"])  # both are tag/harbour/
    site = Site(library, tmp_path)
    site.publish()
    page = (site.out / "tag" / "harbour" / "index.html").read_text("utf-8")
    assert page.count(f'{s[2].slug}/index.html"') == 1
    library.update_article(s[2].id, headline="Harbour story number 2, corrected")
    assert site.publish().mode == "incremental"
    page = (site.out / "tag" / "harbour" / "index.html").read_text("utf-8")
    assert page.count(f'{s[2].slug}/index.html"') == 1
