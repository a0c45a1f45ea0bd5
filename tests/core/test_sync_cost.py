"""What a sync costs: a sync with nothing to do asks each side one question; a pull inserts by batch."""

from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, event, text

from newsdesk.library import Library
from newsdesk.sync import SyncError, sync
from newsdesk.sync import state as sync_state
from newsdesk.sync.engine import HeldServer

_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@contextmanager
def statements_by_file():
    """Every statement any engine runs meanwhile, as (database file name, SQL)."""
    seen: list[tuple[str, str]] = []

    def note(conn, _cursor, statement, *_rest) -> None:
        seen.append((str(conn.engine.url.database or ""), statement))

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", note)


def _of(seen, folder) -> list[str]:
    return [sql for db, sql in seen if db.startswith(str(folder))]


def test_a_sync_with_nothing_to_do_reads_each_change_log_once_and_writes_one_statement(tmp_path):
    Library.open(tmp_path / "server").close()
    with Library.open(tmp_path / "laptop") as laptop:
        laptop.create_article(headline="Harbour dredging starts", body="The dredger came.")
        sync(laptop, str(tmp_path / "server"))
        sync(laptop)  # moves the cursors past the first sync's own writes
        before = sync_state.read_state(laptop)
        with statements_by_file() as seen:
            report = sync(laptop)
        assert (report.pushed, report.pulled, report.open_conflicts) == (0, 0, 0)
        mine, theirs = _of(seen, tmp_path / "laptop"), _of(seen, tmp_path / "server")
        # One question to each change log answers "anything new since my cursor?".
        assert sum("change_log" in sql for sql in mine) == 1, mine
        assert sum("change_log" in sql for sql in theirs) == 1, theirs
        assert not [sql for sql in theirs if _WRITE.match(sql)]
        # Only the time of the sync is written here (when its second moved), in one statement.
        writes = [sql.split("(")[0].strip() for sql in mine if _WRITE.match(sql)]
        assert writes in ([], ["INSERT INTO sync_state"]), writes
        after = sync_state.read_state(laptop)
        changed = {k for k in after if after[k] != before.get(k)}
        assert changed <= {sync_state.SYNCED_AT}


def test_a_sync_with_nothing_to_do_still_brings_what_arrives_next(tmp_path):
    Library.open(tmp_path / "server").close()
    with Library.open(tmp_path / "a") as a, Library.open(tmp_path / "b") as b:
        a.create_article(headline="Ferry timetable", body="Boats at nine.")
        sync(a, str(tmp_path / "server"))
        sync(b, str(tmp_path / "server"))
        for _ in range(2):
            assert (sync(a).pulled, sync(b).pulled) == (0, 0)
        story = b.get_article("ferry-timetable")
        b.update_article(story.id, body="Boats at nine and at noon.")
        assert sync(a).pulled == 0  # b has not sent it yet
        assert sync(b).pushed == 1
        assert sync(a).pulled == 1
        assert a.get_article("ferry-timetable").body == "Boats at nine and at noon."


def test_a_pull_of_new_stories_inserts_them_a_batch_at_a_time_and_keeps_the_index_right(
    tmp_path,
):
    server = tmp_path / "server"
    Library.open(server).close()
    with Library.open(tmp_path / "a") as a:
        for i in range(90):
            a.create_article(
                headline=f"Council meeting {i}",
                body=f"The harbour budget, item {i}.",
                tags=["council"],
            )
        sync(a, str(server))
    with Library.open(tmp_path / "b") as b:
        with statements_by_file() as seen:
            report = sync(b, str(server), batch=40)
        assert report.pulled == 90
        inserts = [
            sql for sql in _of(seen, tmp_path / "b") if sql.startswith("INSERT INTO articles")
        ]
        # Three batches of at most 40: one multi-row INSERT each, not one per story.
        assert len(inserts) == 3, len(inserts)
        b.check_search_index()  # the full-text index (and its word counts) match every story
        assert len(b.search("harbour budget", prefix=False, limit=200)) == 90
        assert b.count_articles() == 90
        with b.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            logged = conn.execute(
                text(
                    "SELECT count(DISTINCT record_uid) FROM change_log "
                    "WHERE record_type = 'article' AND origin = 'sync'"
                )
            ).scalar()
        assert logged == 90  # each pulled story is in the change log, marked as sync's
        assert [link.tag.name for link in b.get_article("council-meeting-7").tag_links] == [
            "council"
        ]


def test_the_windows_background_sync_keeps_the_shared_library_open_between_syncs(tmp_path):
    Library.open(tmp_path / "server").close()
    held = HeldServer()
    with Library.open(tmp_path / "laptop") as laptop:
        laptop.create_article(headline="Tide tables", body="High water at six.")
        sync(laptop, str(tmp_path / "server"), held=held)
        sync(laptop, held=held)
        with statements_by_file() as seen:
            sync(laptop, held=held)
        # No connection set-up, no schema look-up of its own: one question, which checks the schema too.
        theirs = _of(seen, tmp_path / "server")
        assert len(theirs) == 1 and "alembic_version" in theirs[0], theirs
        # The shared library upgraded meanwhile by a newer newsdesk: refused in one sentence.
        with sqlite3.connect(tmp_path / "server" / "library.sqlite") as con:
            con.execute("UPDATE alembic_version SET version_num = 'f00dcafe9999'")
        with pytest.raises(SyncError, match="newer newsdesk"):
            sync(laptop, held=held)
    held.close()
