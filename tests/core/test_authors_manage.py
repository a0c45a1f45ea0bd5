"""Managing author records: delete only when no byline names them, merge one person recorded
twice (bylines follow, in one transaction)."""

from __future__ import annotations

import pytest

from newsdesk.library import LibraryError


def test_an_author_no_story_names_can_be_deleted_one_that_is_named_cannot(library):
    used = library.add_author("Ana Ruiz", url="https://example.org/ana")
    unused = library.add_author("Tom Lee")
    library.create_article(headline="Ferry", byline="By Ana Ruiz")
    assert library.author_story_counts() == {used.id: 1}
    with pytest.raises(LibraryError, match="Ana Ruiz is on the byline of 1 story; merge"):
        library.delete_author(used.id)
    library.delete_author(unused.id)
    assert [a.name for a in library.list_authors()] == ["Ana Ruiz"]


def test_merging_two_records_of_one_person_rewrites_their_bylines(library):
    right = library.add_author("Ana Ruiz", url="https://example.org/ana")
    wrong = library.add_author("A. Ruiz")
    one = library.create_article(headline="Ferry", byline="By A. Ruiz and Tom Lee")
    two = library.create_article(headline="Bridge", byline="a. ruiz")
    version = library.get_article(one.id).version
    library.merge_authors(wrong.id, right.id)
    assert [a.name for a in library.list_authors()] == ["Ana Ruiz"]
    first, second = library.get_article(one.id), library.get_article(two.id)
    assert first.byline == "By Ana Ruiz and Tom Lee" and first.version == version + 1
    assert second.byline == "Ana Ruiz"
    assert [a.name for a in first.authors] == ["Ana Ruiz"]
    assert library.author_story_counts() == {right.id: 2}
    assert [h.slug for h in library.search("Ana")] != []  # the new byline is searchable


def test_an_author_cannot_be_merged_into_itself(library):
    ana = library.add_author("Ana Ruiz")
    with pytest.raises(LibraryError, match="different author"):
        library.merge_authors(ana.id, ana.id)


def test_an_authors_url_must_be_a_web_address(library):
    with pytest.raises(LibraryError, match="must start with https://"):
        library.add_author("Ana Ruiz", url="javascript:alert(1)")
    ana = library.add_author("Ana Ruiz", url="  https://example.org/ana ")
    assert ana.url == "https://example.org/ana"
    with pytest.raises(LibraryError, match="must start with https://"):
        library.update_author(ana.id, url="example.org/ana")


@pytest.fixture
def library(either_library):
    """Every test here runs on a laptop's library and on a shared one (PostgreSQL)."""
    return either_library
