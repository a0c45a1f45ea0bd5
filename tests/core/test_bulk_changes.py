"""Changes to many stories at once (Set Section, Move to Trash, the Undo of each): set-based, one
transaction, logged story by story as a save would be, and a cancel leaves everything as it was."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter

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
    assert reports == [(0, 24), (5, 24), (10, 24)]
    assert state(library) == was
    library.check_search_index()


@pytest.mark.parametrize("step", ["set section", "trash", "restore"])
def test_progress_covers_the_change_log_and_ends_at_the_whole_when_the_work_is_done(
    library, stories, step
):
    ids = [a.id for a in stories]
    if step == "restore":
        library.trash_articles(ids)
    first = library.last_change_id()
    reports: list[tuple[int, int, int]] = []

    def progress(done: int, total: int) -> None:
        # How many log rows are in the transaction when the report is made: read on the
        # writer's own connection would need it, so count after; note the order instead.
        reports.append((done, total, len(reports)))

    if step == "set section":
        library.set_section(ids, "Harbour", progress=progress)
    elif step == "trash":
        library.trash_articles(ids, progress=progress)
    else:
        library.restore_articles(ids, progress=progress)
    # 12 stories written in batches of 5, then their 12 log rows in batches of 5.
    assert [(d, t) for d, t, _ in reports] == [
        (0, 24),
        (5, 24),
        (10, 24),
        (12, 24),
        (17, 24),
        (22, 24),
        (24, 24),
    ]
    assert len(log(library, first)) == 12


@pytest.mark.parametrize("step", ["trash", "restore", "set section"])
def test_a_cancel_at_the_last_report_still_rolls_everything_back(library, stories, step):
    """The last report comes after the log is written, before the commit: cancelling there
    still leaves everything as it was (the window disables Cancel only after it)."""
    ids = [a.id for a in stories]
    if step == "restore":
        library.trash_articles(ids)
    was = state(library)

    def progress(done: int, total: int) -> None:
        if done == total:
            raise Cancelled()

    with pytest.raises(Cancelled):
        if step == "trash":
            library.trash_articles(ids, progress=progress)
        elif step == "restore":
            library.restore_articles(ids, progress=progress)
        else:
            library.set_section(ids, "Harbour", progress=progress)
    assert state(library) == was


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


def fresh_counts(lib: Library) -> tuple[dict[str, int], dict[str, int]]:
    """The sections and tags of the stories in the list, counted from the stories themselves."""
    live = [lib.get_article(i) for i in lib.article_ids()]
    sections = Counter(a.section for a in live if a.section)
    tags = Counter(t for a in live for t in a.tags)
    return dict(sections), dict(tags)


def kept_counts(lib: Library) -> tuple[dict[str, int], dict[str, int]]:
    """The filter choices as the library keeps them (count tables on SQLite)."""
    return lib.section_counts(), dict(lib.tag_counts())


def test_the_filter_counts_equal_a_fresh_count_after_every_bulk_change_undo_and_cancel(
    either_library,
):
    lib = either_library
    made = [
        lib.create_article(
            headline=f"Ferry timetable {i}",
            body="Sailings.",
            section=["Transport", "City", ""][i % 3],
            tags=[["ferry", "harbour"], ["ferry"], []][i % 3] + ([f"route-{i}"] if i % 4 else []),
        )
        for i in range(17)
    ]
    ids = [a.id for a in made]
    # One story already in the trash, chosen with the rest: it counts nowhere throughout.
    assert lib.trash_articles([ids[4]]) == 1
    checks = 0

    def same() -> None:
        nonlocal checks
        assert kept_counts(lib) == fresh_counts(lib)
        checks += 1

    def cancel_at(stop: int):
        def progress(done: int, total: int) -> None:
            if done >= stop:
                raise Cancelled()

        return progress

    same()
    before = lib.sections_of(ids)
    with pytest.raises(Cancelled):
        lib.set_section(ids, "Harbour", progress=cancel_at(10))
    same()
    # A single story's edit after a cancel: its triggers count again (nothing left paused).
    lib.update_article(ids[1], section="Sport", tags=["ferry", "late"])
    same()
    lib.set_section(ids, "Harbour")
    same()
    assert kept_counts(lib)[0] == {"Harbour": 16}
    with pytest.raises(Cancelled):
        lib.set_sections(before, progress=cancel_at(5))
    same()
    lib.set_sections(before)  # the undo of Set Section
    same()
    lib.set_section(ids[:9], "")  # out of their sections
    same()
    lib.set_sections(before)
    same()
    with pytest.raises(Cancelled):
        lib.trash_articles(ids, progress=cancel_at(15))
    same()
    trashed = {a.id: (a.deleted_at, a.deleted_by) for a in lib.trashed_articles()}
    assert lib.trash_articles(ids) == 16
    same()
    assert kept_counts(lib) == ({}, {})
    with pytest.raises(Cancelled):
        lib.restore_articles(ids, progress=cancel_at(20))
    same()
    assert lib.restore_articles(ids[::2]) == 9  # a restore of some
    same()
    assert lib.trash_articles(ids[::2], as_before={**trashed}) == 9  # its undo
    same()
    assert lib.restore_articles(ids) == 17
    same()
    assert kept_counts(lib)[1]["ferry"] == 12
    lib.update_article(ids[2], section="Sport")
    same()
    lib.check_search_index()
    assert checks == 15
