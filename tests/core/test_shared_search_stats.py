"""Search that ignores accents on both engines; on a shared library, ranking by the story's lead and the word counts suggestions read."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from newsdesk.library import Library, search, search_pg
from newsdesk.library.related import suggest_related
from tests.core.test_related import FERRY_A, FERRY_B, FERRY_C, FILLERS, FOOTBALL_D, NOW, publish


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def library(request, tmp_path):
    """The same tests on a laptop's SQLite library and on a shared PostgreSQL library."""
    if request.param == "sqlite":
        lib = Library.open(tmp_path / "library")
    else:
        lib = Library.open(request.getfixturevalue("pg_url"))
    yield lib
    lib.close()


def _headlines(hits) -> set[str]:
    return {h.headline for h in hits}


def test_a_word_with_or_without_its_accents_finds_both_spellings(library):
    library.create_article(headline="Café owners protest", body="The terrace rules changed.")
    library.create_article(headline="Cafe prices rise", body="A cup costs more.")
    library.create_article(headline="Naïve budget", body="Durrës port reopens for the season.")
    both = {"Café owners protest", "Cafe prices rise"}
    assert _headlines(library.search("cafe", prefix=False)) == both
    assert _headlines(library.search("café", prefix=False)) == both
    assert _headlines(library.search("CAFÉ", prefix=False)) == both
    assert _headlines(library.search("caf")) == both  # typing, before the accent
    assert _headlines(library.search("naive durres", prefix=False)) == {"Naïve budget"}


def test_the_snippet_marks_the_accented_word_a_plain_query_found(library):
    library.create_article(headline="Terraces", body="Every café on the square must close at ten.")
    hit = library.search("cafe", prefix=False)[0]
    assert "\x02café\x03" in hit.snippet


# ---- a shared library: ranking ---------------------------------------------------------------
FAR_INTO_THE_BODY = ("Other matters came first. " * 40) + "The lighthouse was sold."


@pytest.mark.postgres
def test_a_word_deep_in_the_body_is_found_and_ranked_below_one_in_the_lead(pg_library):
    lib = pg_library
    deep = lib.create_article(headline="Council notes", body=FAR_INTO_THE_BODY)
    lead = lib.create_article(headline="Coast news", body="The lighthouse was sold on Monday.")
    headline = lib.create_article(headline="Lighthouse sold", body="A buyer was found.")
    assert len(FAR_INTO_THE_BODY) > search_pg.LEAD_CHARS
    hits = lib.search("lighthouse", prefix=False)
    assert [h.article_id for h in hits] == [headline.id, lead.id, deep.id]
    assert "\x02lighthouse\x03" in hits[2].snippet  # the snippet is cut from the whole body


@pytest.mark.postgres
def test_the_ranking_document_holds_no_more_than_the_lead(pg_library):
    article = pg_library.create_article(headline="Council notes", body=FAR_INTO_THE_BODY)
    with pg_library.engine.connect() as conn:
        rank_words, all_words = conn.execute(
            text(
                "SELECT array_to_string(tsvector_to_array(rank_doc), ' '), "
                "array_to_string(tsvector_to_array(search_doc), ' ') FROM articles WHERE id = :i"
            ),
            {"i": article.id},
        ).one()
    assert "lighthouse" in all_words.split()
    assert "lighthouse" not in rank_words.split() and "council" in rank_words.split()


# ---- a shared library: the word counts suggestions read ---------------------------------------
def _docs(lib: Library, term: str) -> int:
    with lib.engine.connect() as conn:
        value = conn.execute(
            text("SELECT docs FROM term_stats WHERE term = :t"), {"t": term}
        ).scalar()
    return value or 0


def _counts_agree(lib: Library) -> bool:
    with lib.engine.connect() as conn:
        return search_pg.wrong_term_counts(conn) == 0


@pytest.mark.postgres
def test_word_counts_follow_every_kind_of_change(pg_library):
    lib = pg_library
    a = lib.create_article(headline="Ferry returns", body="The ferry is back.", tags=["harbour"])
    b = lib.create_article(headline="Budget", body="The ferry subsidy was cut.")
    assert (_docs(lib, "ferry"), _docs(lib, "harbour"), _docs(lib, "subsidy")) == (2, 1, 1)
    lib.update_article(b.id, body="The tram subsidy was cut.")
    assert (_docs(lib, "ferry"), _docs(lib, "tram")) == (1, 1)
    lib.update_article(a.id, tags=["harbour", "Café"])
    assert _docs(lib, "cafe") == 1  # counted as searched: accents removed
    lib.trash_article(a.id)
    assert _docs(lib, "ferry") == 1  # a story in the trash can come back: still counted
    lib.empty_trash()
    assert _docs(lib, "ferry") == 0 and _docs(lib, "harbour") == 0
    lib.delete_article(b.id)
    assert _docs(lib, "subsidy") == 0 and _docs(lib, "tram") == 0
    assert _counts_agree(lib)
    lib.check_search_index()


@pytest.mark.postgres
def test_a_failed_save_leaves_the_counts_as_they_were(pg_library):
    lib = pg_library
    a = lib.create_article(headline="Ferry returns", body="The ferry is back.")
    with pytest.raises(RuntimeError), lib._session() as s, s.begin():
        article = s.get(type(a), a.id)
        article.body = "The tram is back."
        s.flush()
        lib._index(s, article)
        raise RuntimeError("the save fails after indexing was asked for")
    assert _docs(lib, "ferry") == 1 and _docs(lib, "tram") == 0
    assert _counts_agree(lib)


@pytest.mark.postgres
def test_a_wrong_word_count_is_found_by_the_check_and_fixed_by_a_rebuild(pg_library):
    lib = pg_library
    lib.create_article(headline="Ferry returns", body="The ferry is back.")
    with lib.engine.begin() as conn:
        conn.execute(text("UPDATE term_stats SET docs = 7 WHERE term = 'ferry'"))
    with pytest.raises(search.IndexOutOfStep, match="1 word"):
        lib.check_search_index()
    lib.rebuild_search_index()
    lib.check_search_index()
    assert _docs(lib, "ferry") == 1


@pytest.mark.postgres
def test_search_finds_a_story_changed_with_plain_sql_once_the_server_is_reindexed(
    pg_library, pg_url
):
    from tests.core.test_shared_library import newsdesk

    lib = pg_library
    kept = lib.create_article(headline="Ferry returns", body="Back at the quay.", tags=["port"])
    lib.create_article(headline="Budget", body="The ferry subsidy was cut.")
    gone = lib.create_article(headline="Lighthouse", body="The lighthouse keeper retires.")
    # A desk's script, writing behind newsdesk's back: a body, a tag's name, a deletion.
    with lib.engine.begin() as conn:
        conn.execute(
            text("UPDATE articles SET body = 'The tram is back.' WHERE id = :i"), {"i": kept.id}
        )
        conn.execute(text("UPDATE tags SET name = 'harbour' WHERE name = 'port'"))
        conn.execute(text("DELETE FROM articles WHERE id = :i"), {"i": gone.id})
    # Stale, until the server is reindexed.
    assert not lib.search("tram") and [h.headline for h in lib.search("quay")] == ["Ferry returns"]
    with pytest.raises(search.IndexOutOfStep):
        lib.check_search_index()

    done = newsdesk("server", "reindex", pg_url)
    assert done.returncode == 0, done.stderr
    assert "1 story indexed again; the word counts were made again" in done.stdout
    assert [h.headline for h in lib.search("tram")] == ["Ferry returns"]
    assert [h.headline for h in lib.search("harbour")] == ["Ferry returns"]
    assert not lib.search("quay") and not lib.search("port")
    assert _docs(lib, "lighthouse") == 0 and _docs(lib, "tram") == 1
    lib.check_search_index()
    again = newsdesk("server", "reindex", pg_url)
    assert again.returncode == 0 and "already up to date" in again.stdout


@pytest.mark.postgres
def test_suggestions_on_a_shared_library_rank_stories_on_the_same_subject_first(pg_library):
    lib = pg_library
    ids = {
        "A": publish(
            lib, "Night ferry brings Albanian families to Bari", section="World",
            tags=["migration", "Albania"], body=FERRY_A, days_ago=2,
        ),
        "B": publish(
            lib, "Volunteers meet the Durrës ferry", section="Local",
            tags=["migration", "Albania", "volunteering"], body=FERRY_B, days_ago=40,
        ),
        "C": publish(
            lib, "Coastguard escorts ferries into harbour", section="World",
            tags=["Albania", "migration"], body=FERRY_C, days_ago=20,
        ),
        "D": publish(
            lib, "Late penalty settles the derby", section="Sport", tags=["football"],
            body=FOOTBALL_D, days_ago=1,
        ),
    }  # fmt: skip
    for headline, section, body in FILLERS:
        publish(lib, headline, section=section, body=body, tags=["city"], days_ago=60)
    suggestions = suggest_related(lib, ids["A"], now=NOW)
    order = [s.article_id for s in suggestions]
    assert set(order[:2]) == {ids["B"], ids["C"]}
    assert ids["A"] not in order
    c = suggestions[order.index(ids["C"])]
    shared = next(r for r in c.reasons if r.startswith("shares terms: "))
    assert {"ferry", "harbour", "durres"} & set(shared.removeprefix("shares terms: ").split(", "))
