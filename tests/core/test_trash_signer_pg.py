"""Who moved a story to the trash on the shared library is the server's to say: the login doing it,
whatever name a client sends — through the library, with plain SQL, and through a laptop's sync."""

from __future__ import annotations

import pytest

from newsdesk.library import Library
from newsdesk.library.pg import grant_role
from newsdesk.sync import sync
from tests.core.test_trash_roles_pg import as_user, connect

pytestmark = pytest.mark.postgres


@pytest.fixture
def newsroom(pg_url):
    """Two reporters (reza, rita) and an editor (eda); reza's story and rita's on the server."""
    for user, role in (("reza", "reporter"), ("rita", "reporter"), ("eda", "editor")):
        grant_role(pg_url, user, role)
    for user, headline in (("reza", "Harbour reopens"), ("rita", "Tide tables")):
        with Library.open(as_user(pg_url, user)) as lib:
            lib.create_article(headline=headline, body=f"{headline}, in a paragraph.")
    return pg_url


def who_trashed(url: str, slug: str) -> str:
    with connect(url, "postgres") as con:
        row = con.execute("SELECT deleted_by FROM articles WHERE slug = %s", (slug,)).fetchone()
    return row[0]


def test_the_library_records_the_login_not_the_name_the_laptop_calls_its_user(
    newsroom, monkeypatch
):
    monkeypatch.setenv("NEWSDESK_USER", "rita")  # what the app would have written as the deleter
    with Library.open(as_user(newsroom, "reza")) as lib:
        story = lib.trash_article(lib.get_article("harbour-reopens").id)
        assert story.deleted_by == "reza"
        assert [s.deleted_by for s in lib.trashed_articles()] == ["reza"]
        lib.restore_article(story.id)
    assert who_trashed(newsroom, "harbour-reopens") == ""


def test_plain_sql_cannot_trash_under_another_name_nor_rename_the_deleter_afterwards(newsroom):
    with connect(newsroom, "reza") as con:
        con.execute(
            "UPDATE articles SET deleted_at = now(), deleted_by = 'rita' "
            "WHERE slug = 'harbour-reopens'"
        )
        assert who_trashed(newsroom, "harbour-reopens") == "reza"
        con.execute("UPDATE articles SET deleted_by = 'eda' WHERE slug = 'harbour-reopens'")
        assert who_trashed(newsroom, "harbour-reopens") == "reza"
        # Moving the time of a story already in the trash keeps who put it there.
        con.execute(
            "UPDATE articles SET deleted_at = now() + interval '1 minute', deleted_by = 'rita' "
            "WHERE slug = 'harbour-reopens'"
        )
        assert who_trashed(newsroom, "harbour-reopens") == "reza"
        con.execute(
            "UPDATE articles SET deleted_at = NULL, deleted_by = 'rita' "
            "WHERE slug = 'harbour-reopens'"
        )
        assert who_trashed(newsroom, "harbour-reopens") == ""
        # A story that arrives already in the trash is named too.
        con.execute(
            "INSERT INTO articles (uid, headline, dek, slug, byline, section, body, status, "
            "language, seo_title, seo_description, source_path, created_at, updated_at, "
            "version, deleted_at, deleted_by) SELECT gen_random_uuid()::text, 'Old draft', '', "
            "'old-draft', '', '', '', 'draft', '', '', '', '', now(), now(), 1, now(), 'eda'"
        )
    assert who_trashed(newsroom, "old-draft") == "reza"


def test_an_editor_who_trashes_a_reporters_story_is_named_not_the_reporter(newsroom):
    with connect(newsroom, "eda") as con:
        con.execute(
            "UPDATE articles SET deleted_at = now(), deleted_by = 'rita' WHERE slug = 'tide-tables'"
        )
    assert who_trashed(newsroom, "tide-tables") == "eda"


def test_a_laptops_trash_synced_as_a_login_carries_that_login_back_to_the_laptop(
    newsroom, tmp_path, monkeypatch
):
    monkeypatch.setenv("NEWSDESK_USER", "laptop-owner")
    with Library.open(tmp_path / "laptop") as laptop:
        sync(laptop, as_user(newsroom, "reza"))
        old = laptop.trash_article(laptop.get_article("harbour-reopens").id)
        new = laptop.create_article(headline="Ferry timetable", body="Boats at nine.")
        laptop.trash_article(new.id)
        assert old.deleted_by == "laptop-owner"
        report = sync(laptop)
        assert report.clean, report.problems
        assert who_trashed(newsroom, "harbour-reopens") == "reza"
        assert who_trashed(newsroom, "ferry-timetable") == "reza"
        assert {a.slug: a.deleted_by for a in laptop.trashed_articles()} == {
            "harbour-reopens": "reza",
            "ferry-timetable": "reza",
        }
        again = sync(laptop)  # settled: nothing goes either way
        assert (again.pushed, again.pulled) == (0, 0)
