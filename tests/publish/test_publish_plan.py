"""What newsdesk would send to WordPress, decided before anything is sent: no server needed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from newsdesk.publish.wordpress import NotPublishable, default_status, make_plan
from newsdesk.publish.wp_api import WordPressError, clean_site_url
from tests.publish.stories import story_with_pictures


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("https://news.example.org", "https://news.example.org/"),
        (" https://news.example.org/desk/ ", "https://news.example.org/desk/"),
        ("HTTPS://news.example.org/?x=1#top", "https://news.example.org/"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
        ("http://localhost/wp/", "http://localhost/wp/"),
    ],
)
def test_a_site_address_is_tidied(typed, kept):
    assert clean_site_url(typed) == kept


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "must start with https://"),
        ("news.example.org", "must start with https://"),
        ("ftp://news.example.org/", "must start with https://"),
        ("http://news.example.org/", "unencrypted"),
        ("https://alice:pw@news.example.org/", "may not contain spaces or a user name"),
        ("https://news.example.org:99999/", "must start with https://"),
    ],
)
def test_an_unusable_site_address_is_one_sentence(typed, words):
    with pytest.raises(WordPressError, match=words) as caught:
        clean_site_url(typed)
    assert str(caught.value).count(". ") == 0 and str(caught.value).endswith(".")


def test_the_status_follows_the_story_unless_told(library, tmp_path):
    now = datetime.now(UTC)
    story = story_with_pictures(library, tmp_path / "p", "status-story")
    assert default_status(story, now) == "publish"
    library.update_article(story.id, status="ready")
    assert default_status(library.get_article(story.id), now) == "draft"
    library.update_article(story.id, status="published", embargo_until=now + timedelta(hours=5))
    assert default_status(library.get_article(story.id), now) == "future"


def test_scheduling_needs_a_time_in_the_future(library, tmp_path):
    story = story_with_pictures(library, tmp_path / "p", "nothing-to-wait-for")
    with pytest.raises(NotPublishable, match="no embargo or publication time in the future"):
        make_plan(library, story, status="future")


def test_an_embargoed_story_may_be_scheduled_but_not_published(library, tmp_path):
    embargo = datetime.now(UTC) + timedelta(days=1)
    story = story_with_pictures(library, tmp_path / "p", "embargoed", embargo_until=embargo)
    plan = make_plan(library, story)
    assert plan.status == "future"
    assert plan.date_gmt == embargo.strftime("%Y-%m-%dT%H:%M:%S")
    with pytest.raises(NotPublishable, match="under embargo"):
        make_plan(library, story, status="publish")


def test_a_draft_may_go_out_before_it_passes_preflight(library):
    story = library.create_article(slug="rough-draft", headline="Rough", body="Words.")
    assert make_plan(library, story).status == "draft"
    with pytest.raises(NotPublishable, match="There is no hero image"):
        make_plan(library, story, status="publish")


def test_a_story_in_the_trash_is_not_sent(library, tmp_path):
    story = story_with_pictures(library, tmp_path / "p", "thrown-away")
    library.trash_article(story.id)
    with pytest.raises(NotPublishable, match="in the trash; restore it first"):
        make_plan(library, library.get_article(story.id), status="draft")


def test_what_is_sent_changes_exactly_when_the_story_does(library, tmp_path):
    story = story_with_pictures(library, tmp_path / "p", "hash-story")
    first = make_plan(library, story).digest()
    assert make_plan(library, library.get_article(story.id)).digest() == first
    library.update_article(story.id, section="Weather")
    second = make_plan(library, library.get_article(story.id)).digest()
    assert second != first
    # A picture's credit changes what its media item carries.
    hero = library.get_article(story.id).hero
    library.update_image(hero.image.id, credit="Another Agency")
    assert make_plan(library, library.get_article(story.id)).digest() != second


def test_the_body_keeps_the_export_figure_markup_with_placeholders(library, tmp_path):
    story = story_with_pictures(library, tmp_path / "p", "figure-markup")
    plan = make_plan(library, story)
    inline = next(p for p in plan.pictures if not p.featured)
    assert f"https://newsdesk.invalid/picture/{inline.sha}" in plan.content
    assert '<span class="credit">' in plan.content and "Port Authority" in plan.content
    assert [p.featured for p in plan.pictures] == [True, False]


def _round_trip(lib):
    assert lib.remote_post("https://news.example.org/", "uid-1") is None
    lib.save_remote_post(
        "https://news.example.org/",
        "uid-1",
        post_id=7,
        sent_hash="a" * 64,
        media=json.dumps({"f" * 64: {"id": 3}}),
    )
    lib.save_remote_post(
        "https://news.example.org/", "uid-1", remote_modified="2026-11-29T10:00:00"
    )
    row = lib.remote_post("https://news.example.org/", "uid-1")
    assert (row.post_id, row.remote_modified) == (7, "2026-11-29T10:00:00")
    assert json.loads(row.media) == {"f" * 64: {"id": 3}}
    assert lib.remote_post("https://other.example.org/", "uid-1") is None


def test_the_library_remembers_what_each_site_holds(library):
    _round_trip(library)


@pytest.mark.postgres
def test_the_shared_library_remembers_what_each_site_holds(pg_library):
    _round_trip(pg_library)


def test_an_edit_in_wordpress_within_the_same_second_is_noticed():
    from newsdesk.publish.wordpress import _changed_since, _remote_state

    ours = {
        "modified_gmt": "2026-11-29T10:00:00",
        "title": {"raw": "Storm breaks the wall"},
        "content": {"raw": "<p>Body</p>"},
        "excerpt": {"raw": "Dek"},
        "status": "future",
    }
    remembered = _remote_state(ours)
    assert not _changed_since(ours, remembered)
    # WordPress publishing a scheduled post at its time is not an edit.
    assert not _changed_since({**ours, "status": "publish"}, remembered)
    # Same second, other words: an edit.
    assert _changed_since({**ours, "title": {"raw": "A web editor's title"}}, remembered)
    assert _changed_since({**ours, "modified_gmt": "2026-11-29T10:00:01"}, remembered)
