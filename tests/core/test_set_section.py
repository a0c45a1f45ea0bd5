"""Moving several stories into one section at once: one transaction, all or none."""

from __future__ import annotations

import pytest

from newsdesk.library import NotFound


def test_several_stories_move_into_one_section_and_the_section_list_follows(library):
    a = library.create_article(headline="Tide tables", section="News", body="Tides.")
    b = library.create_article(headline="Ferry strike", section="Business", body="Strike.")
    c = library.create_article(headline="Cup final", section="Sport", body="Goals.")
    moved = library.set_section([a.id, b.id, c.id], "  Sport ")
    assert moved == 2  # the cup final was already there
    assert {library.get_article(i).section for i in (a.id, b.id, c.id)} == {"Sport"}
    assert library.sections() == ["Sport"]
    assert library.get_article(a.id).version == a.version + 1
    assert library.get_article(c.id).version == c.version  # untouched: no new version


def test_a_missing_story_moves_none_of_them_and_names_it(library):
    a = library.create_article(headline="Tide tables", section="News", body="Tides.")
    with pytest.raises(NotFound, match="999"):
        library.set_section([a.id, 999], "Sport")
    assert library.get_article(a.id).section == "News"


def test_a_story_can_be_taken_out_of_its_section(library):
    a = library.create_article(headline="Tide tables", section="News", body="Tides.")
    assert library.set_section([a.id], "") == 1
    assert library.get_article(a.id).section == ""
    assert library.sections() == []


def test_every_matching_storys_id_is_listed_newest_first_without_the_trash(library):
    news = [library.create_article(headline=f"N{i}", section="News", body="x.") for i in range(3)]
    library.create_article(headline="Cup final", section="Sport", body="Goals.")
    library.trash_articles([news[0].id])
    assert library.article_ids(section="News") == [news[2].id, news[1].id]
    assert len(library.article_ids()) == 3


def test_a_list_of_ids_longer_than_one_statement_takes_moves_all_of_them(library, monkeypatch):
    from newsdesk.library import bulk

    monkeypatch.setattr(bulk, "ID_CHUNK", 2)  # as if 100,000 ids passed the engine's limit
    monkeypatch.setattr(bulk, "BATCH", 2)  # and written in several batches
    ids = [library.create_article(headline=f"S{i}", body="x.").id for i in range(5)]
    assert library.set_section(ids, "Harbour") == 5
    assert library.trash_articles(ids) == 5
    assert library.count_articles() == 0
    with pytest.raises(NotFound, match="999"):
        library.restore_articles([*ids, 999])
    assert library.count_articles() == 0  # none of them came back


def test_each_story_goes_back_to_its_own_section_in_one_transaction(library):
    a = library.create_article(headline="Tide tables", section="News", body="Tides.")
    b = library.create_article(headline="Cup final", section="Sport", body="Goals.")
    before = library.sections_of([a.id, b.id, 999])
    assert before == {a.id: "News", b.id: "Sport"}  # a missing story is left out
    library.set_section([a.id, b.id], "Harbour")
    assert library.set_sections(before) == 2
    assert [library.get_article(i).section for i in (a.id, b.id)] == ["News", "Sport"]
    with pytest.raises(NotFound):
        library.set_sections({a.id: "Harbour", 999: "Sport"})
    assert library.get_article(a.id).section == "News"  # none of them moved


@pytest.fixture
def library(either_library):
    """Every test here runs on a laptop's library and on a shared one (PostgreSQL)."""
    return either_library
