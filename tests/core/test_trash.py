"""The trash: deleted stories leave lists, search and suggestions, come back on restore, and empty for good."""

from __future__ import annotations

import pytest

from newsdesk.cli import main
from newsdesk.library import Library, LibraryError
from newsdesk.library.related import suggest_related
from tests.conftest import library_argument


def test_a_trashed_story_leaves_lists_search_sections_and_suggestions_until_restored(library):
    keep = library.create_article(
        headline="Harbour dredging begins", section="City", body="Dredgers at the harbour."
    )
    gone = library.create_article(
        headline="Harbour dredging delayed", section="Port", body="Dredgers wait at the harbour."
    )
    library.trash_article(gone.id)
    assert [a.slug for a in library.list_articles()] == [keep.slug]
    assert library.count_articles() == 1
    assert [h.slug for h in library.search("dredgers")] == [keep.slug]
    assert library.sections() == ["City"]
    assert gone.id not in {a.id for a in library.all_articles()}
    assert all(s.article_id != gone.id for s in suggest_related(library, keep.id))
    assert [a.slug for a in library.trashed_articles()] == [gone.slug]
    library.restore_article(gone.id)
    assert {h.slug for h in library.search("dredgers")} == {keep.slug, gone.slug}
    assert library.trashed_articles() == []


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def either_library(request, tmp_path):
    """A laptop's SQLite library and a shared PostgreSQL one."""
    if request.param == "sqlite":
        lib = Library.open(tmp_path / "library")
    else:
        lib = Library.open(request.getfixturevalue("pg_url"))
    yield lib
    lib.close()


def test_a_trashed_story_leaves_the_section_and_tag_choices_and_search_on_both_engines(
    either_library,
):
    lib = either_library
    keep = lib.create_article(headline="Tide tables", section="City", tags=["sea"], body="Tide.")
    gone = lib.create_article(
        headline="Tide surge", section="Weather", tags=["sea", "storm"], body="Tide surge."
    )
    lib.trash_article(gone.id)
    assert lib.section_counts() == {"City": 1}
    assert dict(lib.tag_counts()) == {"sea": 1}
    assert lib.tags() == ["sea"]
    assert [h.slug for h in lib.search("tide")] == [keep.slug]
    assert lib.count_articles(tag="storm") == 0
    lib.restore_article(gone.id)
    assert lib.section_counts() == {"City": 1, "Weather": 1}
    assert dict(lib.tag_counts()) == {"sea": 2, "storm": 1}
    assert {h.slug for h in lib.search("tide")} == {keep.slug, gone.slug}
    lib.trash_article(gone.id)
    lib.empty_trash()
    assert lib.section_counts() == {"City": 1}
    assert dict(lib.tag_counts()) == {"sea": 1}
    lib.check_search_index()


def test_emptying_the_trash_keeps_only_the_tombstone_and_cannot_be_restored(library):
    a = library.create_article(headline="Old story", body="Words", tags=["x"])
    library.trash_article(a.id)
    assert library.empty_trash() == 1
    left = library.get_article(a.id)
    assert (left.uid, left.slug) == (a.uid, a.slug)
    assert left.deleted_at is not None and left.purged_at is not None
    assert (left.headline, left.body, left.tags) == ("", "", [])
    assert library.trashed_articles() == []
    with pytest.raises(LibraryError, match="nothing left to restore"):
        library.restore_article(a.id)


def test_delete_restore_and_trash_on_the_command_line(library, capsys):
    library.create_article(headline="Night bus returns")
    root = library_argument(library)
    assert main(["--library", root, "delete", "night-bus-returns"]) == 0
    assert main(["--library", root, "delete", "night-bus-returns"]) == 0
    assert "already in the trash" in capsys.readouterr().out
    assert main(["--library", root, "trash"]) == 0
    assert "night-bus-returns" in capsys.readouterr().out
    assert main(["--library", root, "restore", "night-bus-returns"]) == 0
    assert main(["--library", root, "trash"]) == 0
    assert "The trash is empty." in capsys.readouterr().out
    assert main(["--library", root, "delete", "no-such-story"]) == 2
    err = capsys.readouterr().err
    assert "no-such-story" in err and err.count("\n") == 1


def _trash_all(lib, *articles) -> None:
    for a in articles:
        lib.trash_article(a.id)


def test_restoring_many_is_all_or_nothing_when_one_was_emptied_meanwhile(library):
    a, b, c = (library.create_article(headline=f"Story {n}", body="Words.") for n in "abc")
    _trash_all(library, a, b, c)
    with Library.open(library_argument(library)) as other:  # another window empties one of them
        assert other.empty_trash([b.id]) == 1
    with pytest.raises(LibraryError, match="'story-b'.*nothing left to restore"):
        library.restore_articles([a.id, b.id, c.id])
    assert {x.id for x in library.trashed_articles()} == {a.id, c.id}  # none came back
    assert library.restore_articles([a.id, c.id]) == 2
    assert library.trashed_articles() == []
    assert {x.slug for x in library.search("words")} == {"story-a", "story-c"}


def test_restoring_many_is_one_change_log_transaction_and_undo_puts_them_back_as_they_were(
    library, monkeypatch
):
    monkeypatch.setenv("NEWSDESK_USER", "Ana Ruiz")
    a, b = (library.create_article(headline=f"Story {n}", body="Words.") for n in "ab")
    # The trash says who deleted each, and when.
    with Library.open(library_argument(library)) as other:
        _trash_all(other, a, b)
    before = {x.id: (x.deleted_at, x.deleted_by) for x in library.trashed_articles()}
    # A shared library's server names its login, whatever the desktop says (migration 0025).
    who = "postgres" if library.engine.dialect.name == "postgresql" else "Ana Ruiz"
    assert {by for _, by in before.values()} == {who}
    assert library.restore_articles([a.id, b.id]) == 2
    assert library.trashed_articles() == []
    # Undo: back in the trash with the time and name they had, not now and this user.
    assert library.trash_articles([a.id, b.id], as_before=before) == 2
    after = {x.id: (x.deleted_at, x.deleted_by) for x in library.trashed_articles()}
    assert after == before
    assert library.search("words") == []


def test_deleting_chosen_stories_for_good_leaves_the_rest_and_refuses_one_not_in_the_trash(
    library,
):
    a, b, c = (library.create_article(headline=f"Story {n}", body="Words.") for n in "abc")
    _trash_all(library, a, b, c)
    library.restore_article(c.id)  # taken out meanwhile: the choice is stale
    with pytest.raises(LibraryError, match="'story-c' is no longer in the trash"):
        library.empty_trash([a.id, c.id])
    assert library.get_article(a.id).purged_at is None  # nothing removed
    assert library.empty_trash([a.id]) == 1
    assert [x.id for x in library.trashed_articles()] == [b.id]
    assert library.get_article(a.id).body == "" and library.get_article(b.id).body == "Words."
    with pytest.raises(LibraryError, match="no longer in the library"):
        library.restore_articles([b.id, 10_000])
    assert [x.id for x in library.trashed_articles()] == [b.id]


@pytest.fixture
def library(either_library):
    """Every test here runs on a laptop's library and on a shared one (PostgreSQL)."""
    return either_library
