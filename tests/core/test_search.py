"""Full-text search: ranked, with snippets, type-ahead prefixes, filters, and a fallback without FTS5."""

from __future__ import annotations

import pytest

from newsdesk.library import Library, search


@pytest.fixture
def newsroom(library):
    library.create_article(
        headline="Harbour ferry returns",
        dek="Crossings resume",
        body="The boats are back.",
        tags=["transport"],
        status="published",
        section="Local",
    )
    library.create_article(
        headline="Budget vote",
        body="The council discussed the ferry subsidy at length.",
        status="draft",
        section="Politics",
    )
    library.create_article(
        headline="Football final", body="Nothing about boats here.", byline="By Ferrante"
    )
    return library


def test_headline_matches_rank_above_body_matches(newsroom):
    hits = newsroom.search("ferry", prefix=False)
    assert [h.headline for h in hits] == ["Harbour ferry returns", "Budget vote"]


def test_snippets_mark_the_matched_words(newsroom):
    hit = newsroom.search("subsidy", prefix=False)[0]
    assert "\x02subsidy\x03" in hit.snippet
    assert "<mark>subsidy</mark>" in hit.snippet_html
    assert "subsidy" in hit.snippet_text and "\x02" not in hit.snippet_text


def test_type_ahead_matches_a_word_prefix(newsroom):
    assert {h.headline for h in newsroom.search("ferr")} == {
        "Harbour ferry returns",
        "Budget vote",
        "Football final",
    }
    assert newsroom.search("ferr ", prefix=True) == []  # a finished word is not a prefix


def test_tags_and_byline_are_searched(newsroom):
    assert [h.headline for h in newsroom.search("transport", prefix=False)] == [
        "Harbour ferry returns"
    ]
    assert [h.headline for h in newsroom.search("ferrante", prefix=False)] == ["Football final"]


def test_filters_by_status_and_section(newsroom):
    assert [h.headline for h in newsroom.search("ferry", status="published")] == [
        "Harbour ferry returns"
    ]
    assert [h.headline for h in newsroom.search("ferry", section="Politics")] == ["Budget vote"]


@pytest.mark.parametrize(
    "query", ['"', "AND OR NOT", "ferry*)", "col:umn", "NEAR(", "'; DROP TABLE articles; --", "   "]
)
def test_any_typed_text_is_a_safe_query(newsroom, query):
    newsroom.search(query)
    assert newsroom.count_articles() == 3


def test_the_index_follows_edits_and_deletes(newsroom):
    a = newsroom.create_article(headline="Lighthouse keeper retires")
    assert newsroom.search("lighthouse")
    newsroom.update_article(a.id, headline="Keeper retires")
    assert not newsroom.search("lighthouse")
    newsroom.update_article(a.id, tags=["lighthouses"])
    assert newsroom.search("lighthouses")
    newsroom.delete_article(a.id)
    assert not newsroom.search("keeper")


def test_search_without_fts5_still_works_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "sqlite_has_fts5", lambda: False)
    lib = Library.open(tmp_path / "lib")
    assert not lib.has_fts
    assert "FTS5" in lib.search_note
    lib.create_article(headline="Harbour ferry returns", body="Boats", status="published")
    lib.create_article(headline="Other", body="nothing")
    assert [h.headline for h in lib.search("ferr")] == ["Harbour ferry returns"]
    lib.close()


def test_build_match_quotes_every_word():
    assert search.build_match('ferry "crossing', prefix=True) == '"ferry" "crossing"*'
    assert search.build_match("", prefix=True) is None


def test_snippets_show_text_not_markdown(library):
    library.create_article(
        headline="Tram works",
        body="![A tram at night](image:0f3a-uid) ## What changes\n\nThe [tram](https://example.org/t) stops at **midnight**.",
    )
    snippet = library.search("midnight", prefix=False)[0].snippet_text
    assert (
        "image:" not in snippet
        and "](" not in snippet
        and "##" not in snippet
        and "**" not in snippet
    )
    assert "midnight" in snippet
