"""The article list at archive scale: keyset pages, one index per filter, counts kept in step."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, text

from newsdesk.library import Article
from newsdesk.library import library as library_module
from newsdesk.library.models import ArticleTag, Tag

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def bulk(library, n: int, *, tie_every: int = 3) -> None:
    """n articles in one transaction; every tie_every-th shares its time with the one before."""
    rows = []
    for i in range(n):
        step = i - (i % tie_every == 1)  # ties: the same updated_at, told apart by id
        rows.append(
            {
                "headline": f"Story {i}",
                "slug": f"story-{i}",
                "section": ("Local", "Sport", "Culture")[i % 3],
                "status": ("published", "draft", "ready")[i % 3 == 0 and i % 2],
                "body": f"Body {i}.",
                "updated_at": T0 - timedelta(minutes=step),
            }
        )
    with library.engine.begin() as conn:
        conn.execute(insert(Article), rows)


def page_through(library, size: int, **filters) -> list[int]:
    seen, after = [], None
    while True:
        page = library.list_articles(limit=size, after=after, **filters)
        seen += [r.id for r in page]
        if len(page) < size:
            return seen
        after = (page[-1].updated_at, page[-1].id)


@pytest.mark.parametrize(
    "filters",
    [{}, {"status": "published"}, {"section": "Sport"}, {"status": "draft", "section": "Local"}],
)
def test_paging_by_key_shows_every_article_once_in_the_same_order(library, filters):
    bulk(library, 257)
    whole = [r.id for r in library.list_articles(**filters)]
    assert whole and len(whole) == len(set(whole))
    assert page_through(library, 10, **filters) == whole


def test_a_story_edited_while_paging_is_not_shown_twice(library):
    bulk(library, 60)
    first = library.list_articles(limit=20)
    later = library.list_articles(limit=20, after=(first[-1].updated_at, first[-1].id))
    library.update_article(later[-1].id, headline="Edited and now newest")
    after = (later[-1].updated_at, later[-1].id)
    remaining = []
    while page := library.list_articles(limit=20, after=after):
        remaining += [r.id for r in page]
        after = (page[-1].updated_at, page[-1].id)
    shown = [r.id for r in first] + [r.id for r in later] + remaining
    assert len(shown) == len(set(shown)) == 60


def _plan(library, **filters) -> str:
    stmt = library._summary_query(status=filters.get("status"), section=filters.get("section"))
    if filters.get("tag"):
        stmt = stmt.where(library._tag_condition(filters["tag"]))
    stmt = stmt.where(
        text("(articles.updated_at, articles.id) < ('2030-01-01 00:00:00.000000', 99)")
    )
    stmt = stmt.order_by(Article.updated_at.desc(), Article.id.desc()).limit(100)
    sql = str(stmt.compile(library.engine, compile_kwargs={"literal_binds": True}))
    with library.engine.connect() as conn:
        return " | ".join(r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({}, "ix_articles_updated_at"),
        ({"status": "draft"}, "ix_articles_status_updated_at"),
        ({"section": "Sport"}, "ix_articles_section_updated_at"),
        ({"status": "draft", "section": "Sport"}, "ix_articles_status_section_updated_at"),
    ],
)
def test_each_list_filter_reads_its_page_in_order_from_an_index(library, filters, index):
    bulk(library, 50)
    with library.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    plan = _plan(library, **filters)
    assert index in plan
    assert "TEMP B-TREE" not in plan  # no sort of every matching row


def test_a_common_tag_walks_the_date_index_and_a_rare_one_sorts_its_few_stories(library):
    bulk(library, library_module.RARE_TAG_STORIES + 50)
    with library.engine.begin() as conn:
        conn.execute(
            insert(Tag), [{"name": "common", "uid": "u-common"}, {"name": "rare", "uid": "u-rare"}]
        )
        ids = dict(conn.execute(text("SELECT name, id FROM tags")).all())
        links = [
            {"article_id": i, "tag_id": ids["common"], "position": 0}
            for i in range(1, library_module.RARE_TAG_STORIES + 40)
        ]
        links += [{"article_id": i, "tag_id": ids["rare"], "position": 1} for i in range(1, 400, 7)]
        conn.execute(insert(ArticleTag), links)
    assert "TEMP B-TREE" not in _plan(library, tag="common")
    assert "TEMP B-TREE" in _plan(library, tag="rare")  # 57 stories: sorting them is cheap
    for tag in ("common", "rare"):
        whole = [r.id for r in library.list_articles(tag=tag)]
        assert page_through(library, 25, tag=tag) == whole
        assert len(whole) == library.count_articles(tag=tag)
    assert dict(library.tag_counts()) == {
        "common": library_module.RARE_TAG_STORIES + 39,
        "rare": 57,
    }


def _counts_by_group_by(library) -> tuple[dict[str, int], dict[str, int]]:
    with library.engine.connect() as conn:
        sections = dict(
            conn.execute(
                text(
                    "SELECT section, count(*) FROM articles "
                    "WHERE section != '' AND deleted_at IS NULL GROUP BY section"
                )
            ).all()
        )
        tags = dict(
            conn.execute(
                text(
                    "SELECT t.name, count(*) FROM article_tags at JOIN tags t ON t.id = at.tag_id "
                    "JOIN articles a ON a.id = at.article_id WHERE a.deleted_at IS NULL "
                    "GROUP BY t.id"
                )
            ).all()
        )
    return sections, tags


def test_section_and_tag_choices_stay_equal_to_a_fresh_count_through_any_sequence_of_changes(
    library,
):
    """Trashed stories count nowhere; deleting, restoring and emptying the trash keep it so."""
    rng = random.Random(17)
    sections = ["Local", "Sport", "Culture", "Ünïcode", ""]
    tags = ["ferry", "Harbour", "budget", "council", "weather", "night shift"]
    ids: list[int] = []
    for step in range(240):
        action = rng.choice(
            ["create", "create", "edit", "move", "tags", "delete", "drop_tag", "rename_tag"]
            + ["trash", "trash", "restore", "empty_trash", "raw_delete"]
        )
        if action == "create" or not ids:
            a = library.create_article(
                headline=f"Story {step}",
                section=rng.choice(sections),
                tags=rng.sample(tags, rng.randint(0, 3)),
            )
            ids.append(a.id)
        elif action == "edit":
            library.update_article(rng.choice(ids), body=f"New text {step}")
        elif action == "move":
            library.update_article(rng.choice(ids), section=rng.choice(sections))
        elif action == "tags":
            library.update_article(rng.choice(ids), tags=rng.sample(tags, rng.randint(0, 4)))
        elif action == "delete":
            library.delete_article(ids.pop(rng.randrange(len(ids))))
        elif action == "trash":
            library.trash_article(rng.choice(ids))
        elif action == "restore":
            trashed = library.trashed_articles()
            if trashed:
                library.restore_article(rng.choice(trashed).id)
        elif action == "empty_trash":
            library.empty_trash()
        elif action == "raw_delete":  # the links go by the database's cascade, trashed or not
            gone = ids.pop(rng.randrange(len(ids)))
            with library.engine.begin() as conn:
                conn.execute(text("DELETE FROM articles WHERE id = :i"), {"i": gone})
        elif action == "drop_tag":  # a writer other than the facade: raw SQL
            with library.engine.begin() as conn:
                conn.execute(text("DELETE FROM tags WHERE name = :n"), {"n": rng.choice(tags)})
        elif action == "rename_tag":
            old = rng.randrange(len(tags))
            new = f"{tags[old]} {step}"
            with library.engine.begin() as conn:
                conn.execute(
                    text("UPDATE tags SET name = :new WHERE name = :old"),
                    {"new": new, "old": tags[old]},
                )
            tags[old] = new
        if step % 20 == 0:
            want_sections, want_tags = _counts_by_group_by(library)
            assert library.section_counts() == want_sections
            assert dict(library.tag_counts()) == want_tags
    want_sections, want_tags = _counts_by_group_by(library)
    assert library.section_counts() == want_sections
    assert dict(library.tag_counts()) == want_tags
    assert library.sections() == sorted(want_sections)
    assert library.tags() == sorted(want_tags, key=lambda t: (-want_tags[t], t))
    library.check_search_index()


def test_a_section_emptied_by_moves_and_deletes_is_no_longer_offered(library):
    a = library.create_article(headline="A", section="Obituaries", tags=["once"])
    b = library.create_article(headline="B", section="Obituaries")
    assert library.sections() == ["Obituaries"] and library.tags() == ["once"]
    library.update_article(a.id, section="Local", tags=[])
    library.delete_article(b.id)
    assert library.sections() == ["Local"]
    assert library.tags() == []


def test_saving_the_same_tags_again_changes_no_link(library):
    a = library.create_article(headline="A", tags=["ferry", "harbour"])
    with library.engine.connect() as conn:
        before = conn.execute(text("SELECT rowid, * FROM article_tags ORDER BY rowid")).all()
    library.update_article(a.id, tags=["ferry", "harbour"], body="autosaved")
    with library.engine.connect() as conn:
        after = conn.execute(text("SELECT rowid, * FROM article_tags ORDER BY rowid")).all()
    assert after == before
    library.update_article(a.id, tags=["harbour", "Ferry", "night"])
    assert library.get_article(a.id).tags == ["harbour", "ferry", "night"]
