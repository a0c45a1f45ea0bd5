"""On a shared library, the stories suggestions rank by shared words are those summing every match would pick."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from newsdesk.library import Library
from newsdesk.library.related.gather import CANDIDATES, Source, Weights, gather
from newsdesk.library.search_pg import CONFIG
from tests.core.test_related import NOW

pytestmark = pytest.mark.postgres

# Chosen, not counted, so that each kind of story has a known place in the ranking.
IDF = {"alpha": 5.0, "beta": 1.0, "gamma": 1.0, "delta": 0.4}
TERMS = list(IDF)
# Only relevance counts: no tags, no section, no recency.
WEIGHTS = Weights(tags={}, terms=4.0, section=0.0, recency=0.0, half_life_days=45.0)
# The ranking document holds the body's first 300 characters: words after
# this are deeper in the body, and count once.
PAD = "word " * 60


def _story(lib: Library, headline: str, body: str) -> int:
    return lib.create_article(headline=headline, body=body, status="draft").id


def _sum_of_every_match(lib: Library) -> dict[int, float]:
    """Each story's relevance the slow way: every story holding any term, each term's idf, twice in the lead."""
    parts = " UNION ALL ".join(
        f"SELECT a.id, CASE WHEN a.rank_doc @@ q THEN 2.0 ELSE 1.0 END * {IDF[t]} AS s "
        f"FROM articles a, to_tsquery('{CONFIG}', '''{t}''') q WHERE a.search_doc @@ q"
        for t in TERMS
    )
    with lib.engine.connect() as conn:
        rows = conn.execute(text(f"SELECT id, sum(s) FROM ({parts}) h GROUP BY id")).all()
    return {rid: float(rel) for rid, rel in rows}


def _gathered(lib: Library, source_id: int) -> dict[int, float]:
    source = Source(source_id, "Source", "", "Nothing here.", "", {}, {}, set())
    with lib.engine.connect() as conn:
        found = gather(
            conn, source, WEIGHTS, terms=TERMS, idf=IDF, limit=1000,
            include_unpublished=True, now=NOW,
        )  # fmt: skip
    return {f.card.article_id: f.score for f in found}


def _expected(relevance: dict[int, float]) -> dict[int, float]:
    best = sorted(relevance.items(), key=lambda kv: (-kv[1], -kv[0]))[: CANDIDATES + 1]
    top = max(rel for _, rel in best)
    return {rid: WEIGHTS.terms * rel / top for rid, rel in best}


def test_the_best_matches_are_the_ones_summing_every_match_picks_in_a_large_library(pg_library):
    lib = pg_library
    source = _story(lib, "Source", "Nothing here.")
    both = [
        _story(lib, f"Briefing {n}", PAD + "The beta and gamma report.")
        for n in range(CANDIDATES + 9)
    ]
    # One rare word deep in the body outweighs two common ones: never left out.
    rare = [_story(lib, f"Note {n}", PAD + "Only alpha is mentioned here.") for n in range(4)]
    weak = [_story(lib, f"Aside {n}", PAD + "A delta, nothing else.") for n in range(6)]
    in_headline = [_story(lib, f"Gamma ray {n}", PAD) for n in range(3)]
    best = [_story(lib, f"Alpha {n} leads", PAD + "And beta follows.") for n in range(2)]
    # The ranking document holds the body's first 300 characters, cutting the
    # word "alphabet" to "alpha": the story does not hold the word alpha.
    cut = _story(lib, "Cut", "word " * 59 + "alphabet soup")
    with lib.engine.connect() as conn:
        assert conn.execute(
            text(f"SELECT rank_doc @@ to_tsquery('{CONFIG}', 'alpha') FROM articles WHERE id = :i"),
            {"i": cut},
        ).scalar()

    got = _gathered(lib, source)

    assert list(got) == list(_expected(_sum_of_every_match(lib)))
    assert got == pytest.approx(_expected(_sum_of_every_match(lib)))
    assert list(got)[:2] == sorted(best, reverse=True)
    assert set(rare) <= set(got) and set(in_headline) <= set(got)
    assert not set(weak) & set(got)  # below the last of the best: never fetched, never needed
    assert cut not in got and source not in got
    assert len(got) == CANDIDATES + 1 and len(set(both) & set(got)) == CANDIDATES + 1 - 9


def test_in_a_small_library_a_story_sharing_one_common_word_is_still_ranked(pg_library):
    lib = pg_library
    source = _story(lib, "Source", "Nothing here.")
    both = [_story(lib, f"Briefing {n}", PAD + "The beta and gamma report.") for n in range(5)]
    weak = [_story(lib, f"Aside {n}", PAD + "A delta, nothing else.") for n in range(3)]
    lead = _story(lib, "Delta works", PAD)

    got = _gathered(lib, source)

    assert got == pytest.approx(_expected(_sum_of_every_match(lib)))
    assert list(got) == [*sorted(both, reverse=True), lead, *sorted(weak, reverse=True)]
