"""The trash: deleted stories leave lists, search and suggestions, come back on restore, and empty for good."""

from __future__ import annotations

import pytest

from newsdesk.cli import main
from newsdesk.library import Library, LibraryError
from newsdesk.library.related import suggest_related


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
    root = str(library.root)
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
