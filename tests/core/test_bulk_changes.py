"""Changes to many stories at once (Set Section, Move to Trash, the Undo of each): set-based, one
transaction, logged story by story as a save would be, and a cancel leaves everything as it was."""

from __future__ import annotations

import json
import sqlite3

import pytest

from newsdesk.library import Library, bulk
from newsdesk.library.errors import Cancelled


@pytest.fixture
def stories(library, monkeypatch):
    """Twelve tagged stories in two sections, written in batches of five."""
    monkeypatch.setattr(bulk, "BATCH", 5)
    return [
        library.create_article(
            headline=f"Tide report {i}",
            body="Tides at the harbour.",
            section="News" if i % 2 else "Weather",
            tags=["sea", "tides"] if i % 3 else ["sea"],
        )
        for i in range(12)
    ]


def log(library: Library, after: int) -> list[dict]:
    con = sqlite3.connect(library.db_path)
    con.row_factory = sqlite3.Row
    try:
        rows = con.execute("SELECT * FROM change_log WHERE id > ? ORDER BY id", (after,)).fetchall()
    finally:
        con.close()
    return [dict(r) | {"fields": json.loads(r["fields"])} for r in rows]


def state(library: Library) -> tuple:
    """Everything a bulk change could touch: each story's row, the filter choices, search."""
    rows = [
        (a.id, a.section, a.version, a.updated_at, a.deleted_at, a.deleted_by)
        for a in (library.get_article(i) for i in library.article_ids())
    ] + [(a.id, a.deleted_at) for a in library.trashed_articles()]
    found = sorted(h.slug for h in library.search("tides"))
    return rows, library.section_counts(), library.tag_counts(), found, library.last_change_id()


def test_each_story_is_logged_as_its_own_save_would_log_it(library, stories, monkeypatch):
    monkeypatch.setenv("NEWSDESK_USER", "ana")
    ids = [a.id for a in stories]
    versions = {a.id: a.version for a in stories}
    uids = {a.uid: a.id for a in stories}

    def logged(after: int, fields: list[str]) -> None:
        rows = log(library, after)
        assert len(rows) == len(ids)
        for row in rows:
            article_id = uids[row["record_uid"]]
            assert (row["record_type"], row["action"]) == ("article", "update")
            assert row["article_uid"] == row["record_uid"]
            assert row["base_version"] == versions[article_id]
            assert row["fields"] == fields
            versions[article_id] += 1

    mark = library.last_change_id()
    with library.recording() as moved:
        assert library.set_section(ids, "Harbour") == 12
    logged(mark, ["section", "updated_at", "version"])
    assert moved.changes.articles == set(ids)

    mark = library.last_change_id()
    assert library.trash_articles(ids) == 12
    logged(mark, ["deleted_at", "deleted_by", "version"])
    assert {a.deleted_by for a in library.trashed_articles()} == {library.tracker.actor}

    mark = library.last_change_id()
    assert library.restore_articles(ids) == 12
    logged(mark, ["deleted_at", "deleted_by", "updated_at", "version"])
    assert [library.get_article(i).version for i in ids] == [versions[i] for i in ids]


def test_undoing_set_section_puts_each_story_back_in_its_own_section(library, stories):
    ids = [a.id for a in stories]
    before = library.sections_of(ids)
    library.set_section(ids, "Harbour")
    assert library.section_counts() == {"Harbour": 12}
    assert library.set_sections(before) == 12
    assert library.sections_of(ids) == before
    assert library.section_counts() == {"News": 6, "Weather": 6}


@pytest.mark.parametrize("step", ["set section", "trash", "restore", "undo section"])
def test_a_cancel_half_way_leaves_stories_log_choices_and_search_as_they_were(
    library, stories, step
):
    ids = [a.id for a in stories]
    if step == "restore":
        library.trash_articles(ids)
    if step == "undo section":
        before = library.sections_of(ids)
        library.set_section(ids, "Harbour")
    was = state(library)
    reports: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        reports.append((done, total))
        if done >= 10:  # two batches written, in the transaction
            raise Cancelled()

    with pytest.raises(Cancelled, match="nothing was changed"):
        if step == "set section":
            library.set_section(ids, "Harbour", progress=progress)
        elif step == "trash":
            library.trash_articles(ids, progress=progress)
        elif step == "restore":
            library.restore_articles(ids, progress=progress)
        else:
            library.set_sections(before, progress=progress)
    assert reports == [(0, 12), (5, 12), (10, 12)]
    assert state(library) == was
    library.check_search_index()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def either_library(request, tmp_path, monkeypatch):
    """A laptop's SQLite library and a shared PostgreSQL one."""
    monkeypatch.setattr(bulk, "BATCH", 5)
    if request.param == "sqlite":
        lib = Library.open(tmp_path / "library")
    else:
        lib = Library.open(request.getfixturevalue("pg_url"))
    yield lib
    lib.close()


def test_many_stories_leave_and_rejoin_the_choices_and_search_on_both_engines(either_library):
    lib = either_library
    made = [
        lib.create_article(
            headline=f"Storm surge {i}", body="Surge.", section="Weather", tags=["storm"]
        )
        for i in range(11)
    ]
    keep = lib.create_article(headline="Calm seas", body="Surge gone.", section="City")
    ids = [a.id for a in made]
    assert lib.set_section(ids, "Coast") == 11
    assert lib.section_counts() == {"City": 1, "Coast": 11}
    assert lib.trash_articles(ids) == 11
    assert lib.section_counts() == {"City": 1}
    assert lib.tag_counts() == []
    assert [h.slug for h in lib.search("surge")] == [keep.slug]
    assert lib.restore_articles(ids) == 11
    assert lib.section_counts() == {"City": 1, "Coast": 11}
    assert dict(lib.tag_counts()) == {"storm": 11}
    assert len(lib.search("surge")) == 12
    assert lib.set_sections(dict.fromkeys(ids, "Weather")) == 11
    assert lib.section_counts() == {"City": 1, "Weather": 11}
    lib.check_search_index()
