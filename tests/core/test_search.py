"""Full-text search: ranked, with snippets, type-ahead prefixes, filters, and a fallback without FTS5."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import text

from newsdesk.library import Library, search


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def library(request, tmp_path):
    """The same tests on a laptop's SQLite library and on a shared PostgreSQL library."""
    if request.param == "sqlite":
        lib = Library.open(tmp_path / "library")
    else:
        lib = Library.open(request.getfixturevalue("pg_url"))
    yield lib
    lib.close()


@pytest.fixture
def sqlite_library(tmp_path):
    """A laptop's library, for what only SQLite's FTS5 index has (external content, vocabulary)."""
    lib = Library.open(tmp_path / "library")
    yield lib
    lib.close()


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


# ---- the index reads the articles: one copy of each text, always in step ------------------
def _words_of(n: int) -> str:
    """A word no other article has: 'zqa', 'zqb', ... spelled from n."""
    letters = "abcdefghijklmnopqrstuvwxy"
    word = ""
    while True:
        word = letters[n % 25] + word
        n //= 25
        if not n:
            return "zq" + word


def test_the_index_keeps_no_second_copy_of_the_text(sqlite_library):
    sqlite_library.create_article(headline="Ferry", body="The night ferry sails " * 200)
    with sqlite_library.engine.connect() as conn:
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
        stored = conn.execute(text("SELECT count(*) FROM articles_fts_data")).scalar()
    assert "articles_fts" in tables and "articles_fts_content" not in tables
    assert stored > 0
    hit = sqlite_library.search("sails", prefix=False)[0]
    assert "\x02sails\x03" in hit.snippet  # snippets come from the article's own text


def test_every_article_is_found_by_a_word_of_its_body_after_random_edits_and_deletes(library):
    rng = random.Random(5)
    live: dict[int, str] = {}
    gone: set[str] = set()
    for step in range(160):
        action = rng.choice(["create", "create", "edit", "edit", "retag", "delete"])
        if action == "create" or not live:
            word = _words_of(step)
            a = library.create_article(
                headline=f"Story {step}", body=f"Text with {word} inside.", tags=["desk"]
            )
            live[a.id] = word
        elif action == "edit":
            article_id = rng.choice(list(live))
            gone.add(live[article_id])
            live[article_id] = _words_of(1000 + step)
            library.update_article(article_id, body=f"Rewritten: {live[article_id]}.")
        elif action == "retag":
            library.update_article(rng.choice(list(live)), tags=rng.sample(["a1", "b2", "c3"], 2))
        else:
            article_id = rng.choice(list(live))
            gone.add(live.pop(article_id))
            library.delete_article(article_id)
    library.check_search_index()
    for article_id, word in live.items():
        assert [h.article_id for h in library.search(word, prefix=False)] == [article_id]
    for word in gone - set(live.values()):
        assert library.search(word, prefix=False) == []
    library.rebuild_search_index()
    library.check_search_index()
    assert len(library.search("desk", prefix=False, limit=500)) == sum(
        1 for a in library.all_articles() if "desk" in a.tags
    )


def test_the_integrity_check_notices_an_index_out_of_step(sqlite_library):
    a = sqlite_library.create_article(headline="Harbour", body="Ferry crossing")
    sqlite_library.check_search_index()
    with sqlite_library.engine.begin() as conn:  # a change the triggers never saw
        conn.execute(text("DROP TRIGGER articles_fts_article_bu"))
        conn.execute(text("UPDATE articles SET body = 'Something else' WHERE id = :i"), {"i": a.id})
    with pytest.raises(search.IndexOutOfStep):
        sqlite_library.check_search_index()
    sqlite_library.rebuild_search_index()  # puts the triggers back too
    sqlite_library.check_search_index()
    sqlite_library.update_article(a.id, body="Back to the ferry")
    sqlite_library.check_search_index()
    assert sqlite_library.search("ferry", prefix=False)[0].article_id == a.id


def test_renaming_or_dropping_a_tag_outside_the_library_keeps_the_index_in_step(sqlite_library):
    a = sqlite_library.create_article(headline="A", tags=["transport", "harbour"])
    with sqlite_library.engine.begin() as conn:
        conn.execute(text("UPDATE tags SET name = 'shipping' WHERE name = 'transport'"))
    assert [h.article_id for h in sqlite_library.search("shipping", prefix=False)] == [a.id]
    assert sqlite_library.search("transport", prefix=False) == []
    with sqlite_library.engine.begin() as conn:
        conn.execute(text("DELETE FROM tags WHERE name = 'harbour'"))
    assert sqlite_library.search("harbour", prefix=False) == []
    sqlite_library.check_search_index()


def test_related_suggestions_still_read_the_index_vocabulary(sqlite_library):
    from newsdesk.library.related import suggest_related, terms

    a = sqlite_library.create_article(
        headline="Lighthouse keeper", body="The lighthouse keeper retires."
    )
    b = sqlite_library.create_article(
        headline="Lighthouse", body="A lighthouse keeper's logbook is found."
    )
    sqlite_library.create_article(headline="Budget", body="The council votes on the budget.")
    with sqlite_library.engine.connect() as conn:
        assert terms._vocab_counts(conn, ["lighthouse", "budget"]) == {
            "lighthouse": 2,
            "budget": 1,
        }
    assert [s.article_id for s in suggest_related(sqlite_library, a.id, include_unpublished=True)][
        :1
    ] == [b.id]


def test_a_one_letter_word_being_typed_keeps_the_results_of_the_words_before_it(newsroom):
    before = [h.article_id for h in newsroom.search("the")]
    assert before
    assert [h.article_id for h in newsroom.search("the c")] == before
    assert search.build_match("the c", prefix=True) == '"the"'
    assert search.build_match("the co", prefix=True) == '"the" "co"*'
    assert search.build_match("c", prefix=True) == '"c"'  # alone, a letter is a word


def test_snippets_skip_a_match_hidden_in_a_link_target(library):
    body = "See [the report](https://example.org/ferry-report) first.\n\n" + "word " * 60
    library.create_article(headline="Links", body=body + "The ferry sails.")
    snippet = library.search("ferry", prefix=False)[0].snippet_text
    assert "ferry sails" in snippet and "example.org" not in snippet
