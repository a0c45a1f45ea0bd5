"""Related-story suggestions and the integrity checks preflight runs on related stories."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import text

from newsdesk.library import Library, search
from newsdesk.library import database as db
from newsdesk.library.related import (
    STATS_SYNC_MAX_ARTICLES,
    forget_statistics,
    format_suggestions,
    related_problems,
    suggest_related,
    suggestion_json,
    tokens,
    top_terms,
    wait_for_term_stats,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

FERRY_A = """The night ferry from Durrës reached the harbour at Bari with 212 passengers,
many of them families leaving Albania for work in the olive groves.

Harbour officials said the ferry had been turned back twice by the coastguard."""
FERRY_B = """Another ferry crossing from Durrës brought seasonal workers to the harbour,
where volunteers met families with blankets and tea."""
FERRY_C = """Coastguard crews have escorted three ferries into the harbour this month; the
Durrës ferry line says bookings doubled as migration from Albania rose."""
FOOTBALL_D = """United won the derby two goals to one after a late penalty, and the
manager praised a young striker who scored on his debut."""

FILLERS = [
    (
        "Council approves new cycle lanes",
        "Local",
        "The council voted for cycle lanes on Mill Road.",
    ),
    ("Bakery wins regional prize", "Local", "A family bakery won the regional sourdough prize."),
    ("Budget talks stall again", "Politics", "Ministers failed to agree the budget once more."),
    ("Museum reopens east wing", "Culture", "The museum reopened its east wing after repairs."),
    ("Rail strike called off", "Business", "Unions called off next week's rail strike."),
    ("School meals get a makeover", "Local", "Pupils tasted the new school menu on Monday."),
]


def publish(library: Library, headline: str, *, days_ago: float = 30, **fields) -> int:
    fields.setdefault("status", "published")
    if fields["status"] == "published":
        fields.setdefault("published_at", NOW - timedelta(days=days_ago))
    return library.create_article(headline=headline, **fields).id


@pytest.fixture
def newsroom(library: Library) -> dict[str, int]:
    """Story A with two stories on the same subject (B, C), one on another (D), and fillers."""
    ids = {
        "A": publish(
            library,
            "Night ferry brings Albanian families to Bari",
            section="World",
            tags=["migration", "Albania"],
            body=FERRY_A,
            days_ago=2,
        ),
        "B": publish(
            library,
            "Volunteers meet the Durrës ferry",
            section="Local",
            tags=["migration", "Albania", "volunteering"],
            body=FERRY_B,
            days_ago=40,
        ),
        "C": publish(
            library,
            "Coastguard escorts ferries into harbour",
            section="World",
            tags=["Albania", "migration"],
            body=FERRY_C,
            days_ago=20,
        ),
        "D": publish(
            library,
            "Late penalty settles the derby",
            section="Sport",
            tags=["football"],
            body=FOOTBALL_D,
            days_ago=1,
        ),
    }
    for headline, section, body in FILLERS:
        publish(library, headline, section=section, body=body, tags=["city"], days_ago=60)
    return ids


def ranked_ids(suggestions) -> list[int]:
    return [s.article_id for s in suggestions]


def test_stories_sharing_tags_and_rare_terms_rank_above_an_unrelated_one(library, newsroom):
    suggestions = suggest_related(library, newsroom["A"], now=NOW)
    order = ranked_ids(suggestions)

    assert set(order[:2]) == {newsroom["B"], newsroom["C"]}
    if newsroom["D"] in order:  # a very recent story may still fill the list, but below
        assert order.index(newsroom["D"]) > 1
        d = suggestions[order.index(newsroom["D"])]
        assert not any(r.startswith("shares") for r in d.reasons)
    by_id = {s.article_id: s for s in suggestions}
    b, c = by_id[newsroom["B"]], by_id[newsroom["C"]]
    # Tags are listed in the order the open article gives them.
    assert "shares tags: migration, Albania" in b.reasons
    assert "shares tags: migration, Albania" in c.reasons
    term_reason = next(r for r in c.reasons if r.startswith("shares terms: "))
    assert {"ferry", "harbour", "durres"} & set(
        term_reason.removeprefix("shares terms: ").split(", ")
    )
    assert "same section: World" in c.reasons
    assert "same section: World" not in b.reasons
    assert b.score > 0 and c.score > 0
    assert all(s.score >= t.score for s, t in zip(suggestions, suggestions[1:], strict=False))


def test_never_the_article_itself_a_picked_story_or_an_unpublished_one(library, newsroom):
    draft = publish(
        library,
        "Draft: ferry families at the harbour",
        status="draft",
        tags=["migration", "Albania"],
        body=FERRY_B,
    )
    embargoed = publish(
        library,
        "Embargoed: Albania ferry report",
        tags=["migration", "Albania"],
        body=FERRY_C,
        embargo_until=NOW + timedelta(days=1),
    )
    library.set_related(newsroom["A"], [newsroom["B"]])

    shown = ranked_ids(suggest_related(library, newsroom["A"], now=NOW))
    assert newsroom["A"] not in shown
    assert newsroom["B"] not in shown, "already picked"
    assert draft not in shown and embargoed not in shown
    assert shown[0] == newsroom["C"]

    with_drafts = ranked_ids(
        suggest_related(library, newsroom["A"], include_unpublished=True, now=NOW)
    )
    assert draft in with_drafts and embargoed in with_drafts
    assert newsroom["A"] not in with_drafts and newsroom["B"] not in with_drafts


def test_suggestions_follow_the_text_being_edited(library, newsroom):
    """Unsaved text is what counts: rewrite A as a football report and D climbs on its words."""
    saved = {s.article_id: s for s in suggest_related(library, newsroom["A"], now=NOW)}
    edited = suggest_related(
        library,
        newsroom["A"],
        headline="Derby report",
        body=FOOTBALL_D + " The striker and the manager spoke after the penalty.",
        now=NOW,
    )
    d = next(s for s in edited if s.article_id == newsroom["D"])
    assert any(r.startswith("shares terms: ") and "penalty" in r for r in d.reasons)
    assert newsroom["D"] not in saved or d.score > saved[newsroom["D"]].score
    # Only the tags (not part of the text) still tie A to the ferry stories.
    b = next(s for s in edited if s.article_id == newsroom["B"])
    assert not any(r.startswith("shares term") for r in b.reasons)


def test_limit_and_a_small_library_still_gets_recent_stories(library, newsroom):
    lonely = publish(library, "Quiet evening", section="Local", body="Nothing happened.")
    suggestions = suggest_related(library, lonely, limit=3, now=NOW)
    assert len(suggestions) == 3
    assert lonely not in ranked_ids(suggestions)
    assert all(s.reasons for s in suggestions)
    # Stories of its own section come first when nothing else is shared.
    assert "same section: Local" in suggestions[0].reasons


def test_without_full_text_index_suggestions_still_work(tmp_path):
    """An SQLite built without FTS5: no index, slower scan, same answer for A."""
    root = tmp_path / "nofts"
    with Library.open(root) as library, library.engine.begin() as conn:
        search.drop_fts_index(conn)  # the index, its triggers and its view, as without FTS5
    with Library.open(root) as library:
        assert not library.has_fts
        ids = {}
        for key, headline, body, tags, section in (
            (
                "A",
                "Night ferry brings Albanian families",
                FERRY_A,
                ["migration", "Albania"],
                "World",
            ),
            ("B", "Volunteers meet the Durrës ferry", FERRY_B, ["migration", "Albania"], "Local"),
            ("C", "Coastguard escorts the ferry", FERRY_C, [], "World"),
            ("D", "Late penalty settles the derby", FOOTBALL_D, ["football"], "Sport"),
        ):
            ids[key] = publish(library, headline, body=body, tags=tags, section=section)
        suggestions = suggest_related(library, ids["A"], now=NOW)
        order = ranked_ids(suggestions)
        assert order[:2] == [ids["B"], ids["C"]]
        c = suggestions[1]
        assert any(r.startswith("shares term") and "ferry" in r for r in c.reasons)


def test_deleted_unpublished_and_embargoed_related_stories_are_flagged(library, newsroom):
    embargoed = publish(
        library, "Ferry report under embargo", embargo_until=NOW - timedelta(hours=1)
    )
    library.set_related(newsroom["A"], [newsroom["B"], newsroom["C"], newsroom["D"], embargoed])
    assert related_problems(library, library.get_article(newsroom["A"]), now=NOW) == []

    library.delete_article(newsroom["B"])
    library.update_article(newsroom["C"], status="draft")
    library.update_article(embargoed, embargo_until=NOW + timedelta(hours=6))
    problems = related_problems(library, library.get_article(newsroom["A"]), now=NOW)
    assert problems == [
        "Related story 'Volunteers meet the Durrës ferry' was deleted.",
        "Related story 'Coastguard escorts ferries into harbour' is not published (it is draft).",
        "Related story 'Ferry report under embargo' is embargoed until 2026-11-20 18:00 UTC.",
    ]


def test_command_line_text_and_json(library, newsroom):
    suggestions = suggest_related(library, newsroom["A"], limit=2, now=NOW)
    printed = format_suggestions(suggestions)
    assert printed.splitlines()[0].startswith(" 1. ")
    assert "shares tags: migration, Albania" in printed
    data = json.loads(json.dumps([suggestion_json(s) for s in suggestions]))
    assert data[0]["slug"] == suggestions[0].slug
    assert data[0]["published_at"].startswith("2026-")
    assert data[0]["reasons"] == suggestions[0].reasons
    assert format_suggestions([]) == "No related stories to suggest."


def test_tokens_match_the_index(library):
    """Accents folded and underscores split, as FTS5's unicode61 tokenizer does."""
    assert tokens("Durrës snake_case Zürich 2026") == ["durres", "snake", "case", "zurich", "2026"]
    a = publish(library, "Durrës", body="Zürich")
    with library.engine.connect() as conn:
        indexed = {r[0] for r in conn.execute(text("SELECT term FROM articles_fts_vocab"))}
    assert {"durres", "zurich"} <= indexed
    assert a


def test_a_library_from_before_the_vocabulary_gains_it_on_opening(tmp_path):
    root = tmp_path / "old"
    Library.open(root).close()
    engine = db.make_engine(root / "library.sqlite")
    cfg = db.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    with engine.connect() as conn:
        names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
    engine.dispose()
    assert "articles_fts_vocab" not in names and "articles_fts" in names

    with Library.open(root) as library:
        assert library.migration_backup is not None
        ferry = publish(library, "Ferry", body="ferry harbour")
        publish(library, "Another ferry", body="ferry harbour")
        assert ranked_ids(suggest_related(library, ferry, now=NOW))
        with library.engine.connect() as conn:
            assert (
                conn.execute(
                    text("SELECT doc FROM articles_fts_vocab WHERE term = 'ferry'")
                ).scalar_one()
                == 2
            )


# ---- the snapshot of common words' counts ---------------------------------------
def snapshot(library: Library) -> dict[str, int]:
    """The persisted counts, as a fresh process finds them ('#articles', '#taken' describe them)."""
    with library.engine.connect() as conn:
        return dict(conn.execute(text("SELECT term, doc FROM articles_fts_stats")).all())


def add_harbour_notes(library: Library, count: int, *, start: int = 0) -> None:
    """Short notices that all mention the harbour, so that word is in most stories."""
    for n in range(start, start + count):
        publish(
            library,
            f"Harbour notice {n}",
            section="Local",
            body=f"The harbour office posted notice number {n} about mooring fees.",
            days_ago=90,
        )


def rewrite_snapshot(library: Library, **rows: int) -> None:
    with library.engine.begin() as conn:
        for term, doc in rows.items():
            conn.execute(
                text("INSERT OR REPLACE INTO articles_fts_stats (term, doc) VALUES (:t, :d)"),
                {"t": term.replace("_", "#"), "d": doc},
            )


def test_the_first_suggestion_keeps_a_snapshot_of_the_common_words(library, newsroom):
    add_harbour_notes(library, 56)
    total = library.count_articles()
    assert total == 66

    terms = top_terms(library, newsroom["A"])

    stats = snapshot(library)
    assert stats["#articles"] == total
    assert abs(stats["#taken"] - time.time()) < 60
    # "harbour" is in more than half the stories (56 notices, A, B, C): it can
    # never be distinctive, so its count is kept rather than walked each time.
    assert stats["harbour"] == 59
    assert "harbour" not in terms
    # Rarer words are counted afresh for every suggestion, never kept.
    assert "durres" in terms and "ferry" in terms
    assert "durres" not in stats and "ferry" not in stats


def test_a_fresh_process_reads_common_words_from_the_snapshot(library, newsroom):
    add_harbour_notes(library, 56)
    assert "durres" in top_terms(library, newsroom["A"])

    # Were "durres" common, the snapshot would say so: a new process believes
    # it rather than walking the word's list in the index.
    rewrite_snapshot(library, durres=60)
    forget_statistics(library)  # as a fresh process starts
    assert "durres" not in top_terms(library, newsroom["A"])
    c = next(
        s for s in suggest_related(library, newsroom["A"], now=NOW) if s.article_id == newsroom["C"]
    )
    assert not any("durres" in r for r in c.reasons)


def test_the_snapshot_is_retaken_once_many_new_stories_arrive(library, newsroom):
    add_harbour_notes(library, 56)
    top_terms(library, newsroom["A"])
    rewrite_snapshot(library, durres=60)  # a count that is now wrong

    # One more story (under 5% more): a few percent drift is harmless, the snapshot stays.
    add_harbour_notes(library, 1, start=56)
    forget_statistics(library)
    assert "durres" not in top_terms(library, newsroom["A"])
    assert snapshot(library)["#articles"] == 66

    # Six more (over 5%): the snapshot is not trusted, and is taken again.
    add_harbour_notes(library, 6, start=57)
    forget_statistics(library)
    assert "durres" in top_terms(library, newsroom["A"])
    stats = snapshot(library)
    assert stats["#articles"] == library.count_articles() == 73
    assert stats["harbour"] == 66
    assert "durres" not in stats


def test_a_snapshot_older_than_a_day_is_retaken(library, newsroom):
    add_harbour_notes(library, 56)
    top_terms(library, newsroom["A"])
    yesterday = int(time.time()) - 25 * 3600
    rewrite_snapshot(library, durres=60, _taken=yesterday)

    forget_statistics(library)
    assert "durres" in top_terms(library, newsroom["A"])
    stats = snapshot(library)
    assert stats["#taken"] > yesterday + 24 * 3600
    assert "durres" not in stats


def _bulk_import(library: Library, count: int) -> list[int]:
    """Many short published stories written straight to the database, then indexed, like a migration."""
    rows = []
    for n in range(count):
        topic = ("ferry", "budget", "derby", "museum")[n % 4]
        rows.append(
            {
                "uid": str(uuid.uuid4()),
                "headline": f"{topic.title()} update {n}",
                "slug": f"{topic}-update-{n}",
                "section": "Local",
                "body": f"The {topic} story continues: harbour council report {n} on {topic} matters.",
                "at": (NOW - timedelta(days=n % 300)).strftime("%Y-%m-%d %H:%M:%S.%f"),
            }
        )
    with library.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO articles (uid, headline, dek, slug, byline, section, body, status,"
                " language, seo_title, seo_description, version, created_at, updated_at,"
                " published_at) VALUES (:uid, :headline, '', :slug, '', :section, :body,"
                " 'published', 'en', '', '', 1, :at, :at, :at)"
            ),
            rows,
        )
    library.rebuild_search_index()
    return [a.id for a in library.list_articles(limit=3)]


def test_a_large_library_takes_its_snapshot_in_the_background_and_answers_the_same(tmp_path):
    with Library.open(tmp_path / "big") as library:
        some = _bulk_import(library, STATS_SYNC_MAX_ARTICLES + 200)
        assert snapshot(library) == {}

        # Another program is writing to the library, so the snapshot cannot be
        # written yet; the suggestion does not wait for it, and counts every
        # word in the index meanwhile.
        writer = sqlite3.connect(library.db_path, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")
            before = [
                (s.article_id, s.score, s.reasons)
                for s in suggest_related(library, some[0], now=NOW)
            ]
            assert before
            assert not wait_for_term_stats(library, timeout=0.2), "taken in the background"
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        assert wait_for_term_stats(library, timeout=60)
        stats = snapshot(library)
        assert stats["#articles"] == STATS_SYNC_MAX_ARTICLES + 200
        assert {"harbour", "council", "report", "story"} <= stats.keys()

        forget_statistics(library)
        after = [
            (s.article_id, s.score, s.reasons) for s in suggest_related(library, some[0], now=NOW)
        ]
        assert after == before


def test_a_library_from_before_the_snapshot_gains_its_table(tmp_path):
    root = tmp_path / "old"
    Library.open(root).close()
    engine = db.make_engine(root / "library.sqlite")
    cfg = db.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    with engine.connect() as conn:
        names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
    engine.dispose()
    assert "articles_fts_stats" not in names

    with Library.open(root) as library:
        assert library.migration_backup is not None
        ferry = publish(library, "Ferry", body="ferry harbour")
        publish(library, "Another ferry", body="ferry harbour")
        assert ranked_ids(suggest_related(library, ferry, now=NOW))
        assert snapshot(library)["#articles"] == 2
