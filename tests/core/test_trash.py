"""The trash: deleted stories leave lists, search and suggestions, come back on restore, and empty for good."""

from __future__ import annotations

import pytest

from newsdesk.cli import main
from newsdesk.library import LibraryError
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
