"""The article list's filter choices: per-section and per-tag story counts, kept by SQLite triggers.

The library browser offers every section and tag in use. Counting them from
the articles each time grows with the archive (39 ms at 100,000 stories), so
two small tables hold the counts, and triggers change them in the same
statement as every insert, delete, section move and tag change, whoever makes
it (the facade, an import, a sync). A section or tag whose count falls to
zero is removed, so the tables list exactly what is in use.

A change to many stories at once (library/bulk.py) would fire the triggers
once per story: at 100,000 stories that was most of a Move to Trash. So the
triggers a bulk change fires (a section moved, a story into or out of the
trash) stand aside while `counts_paused` holds a row, and the bulk change
adjusts the counts itself once per batch, from a GROUP BY (`adjust_for_bulk`).
The row is written and removed inside the bulk change's own transaction, so
no other connection ever sees it, and a rollback takes it away with the rest.
"""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.engine import Connection

SECTION_COUNTS = "section_counts"
TAG_COUNTS = "tag_counts"
PAUSED = "counts_paused"
SUMMARY_TABLES = frozenset({SECTION_COUNTS, TAG_COUNTS, PAUSED})

_TABLES = {
    SECTION_COUNTS: f"CREATE TABLE IF NOT EXISTS {SECTION_COUNTS} "
    "(section TEXT PRIMARY KEY, articles INTEGER NOT NULL) WITHOUT ROWID",
    TAG_COUNTS: f"CREATE TABLE IF NOT EXISTS {TAG_COUNTS} "
    "(tag_id INTEGER PRIMARY KEY, articles INTEGER NOT NULL)",
    PAUSED: f"CREATE TABLE IF NOT EXISTS {PAUSED} (paused INTEGER NOT NULL)",
}


def _add(table: str, key: str, value: str, when: str = "true") -> str:
    # INSERT ... SELECT needs its WHERE for SQLite to read the upsert after it.
    return (
        f"INSERT INTO {table}({key}, articles) SELECT {value}, 1 WHERE {when} "
        f"ON CONFLICT({key}) DO UPDATE SET articles = articles + 1;"
    )


def _remove(table: str, key: str, value: str, when: str = "true") -> str:
    return (
        f"UPDATE {table} SET articles = articles - 1 WHERE {key} = {value} AND {when}; "
        f"DELETE FROM {table} WHERE {key} = {value} AND articles <= 0;"
    )


# A story in the trash (deleted_at set) counts in no section and under no tag:
# the trash leaves the filter choices as it leaves the list. Trashing and
# restoring move the story's section and tags out of and back into the counts.
def _live_link(article_id: str) -> str:
    return f"NOT EXISTS (SELECT 1 FROM articles WHERE id = {article_id} AND deleted_at IS NOT NULL)"


_S, _T = (SECTION_COUNTS, "section"), (TAG_COUNTS, "tag_id")
_OLD_LIVE, _NEW_LIVE = "old.deleted_at IS NULL", "new.deleted_at IS NULL"
# The three triggers a bulk change fires, which stand aside while it keeps the counts itself.
_UNPAUSED = f"NOT EXISTS (SELECT 1 FROM {PAUSED})"
_TRIGGERS = {
    "section_counts_ai": f"AFTER INSERT ON articles WHEN {_NEW_LIVE} "
    f"BEGIN {_add(*_S, 'new.section')} END",
    "section_counts_ad": f"AFTER DELETE ON articles WHEN {_OLD_LIVE} "
    f"BEGIN {_remove(*_S, 'old.section')} END",
    "section_counts_au": "AFTER UPDATE OF section, deleted_at ON articles "
    f"WHEN (old.section IS NOT new.section OR ({_OLD_LIVE}) IS NOT ({_NEW_LIVE})) AND {_UNPAUSED} "
    f"BEGIN {_remove(*_S, 'old.section', _OLD_LIVE)} {_add(*_S, 'new.section', _NEW_LIVE)} END",
    "tag_counts_ai": f"AFTER INSERT ON article_tags WHEN {_live_link('new.article_id')} "
    f"BEGIN {_add(*_T, 'new.tag_id')} END",
    "tag_counts_ad": f"AFTER DELETE ON article_tags WHEN {_live_link('old.article_id')} "
    f"BEGIN {_remove(*_T, 'old.tag_id')} END",
    "tag_counts_au": "AFTER UPDATE OF tag_id ON article_tags "
    f"WHEN old.tag_id IS NOT new.tag_id AND {_live_link('new.article_id')} "
    f"BEGIN {_remove(*_T, 'old.tag_id')} {_add(*_T, 'new.tag_id')} END",
    # Into the trash: each of the story's tags loses it; out of the trash: gains it back.
    "tag_counts_trash": "AFTER UPDATE OF deleted_at ON articles "
    f"WHEN {_OLD_LIVE} AND new.deleted_at IS NOT NULL AND {_UNPAUSED} BEGIN "
    f"UPDATE {TAG_COUNTS} SET articles = articles - 1 "
    "WHERE tag_id IN (SELECT tag_id FROM article_tags WHERE article_id = new.id); "
    f"DELETE FROM {TAG_COUNTS} WHERE articles <= 0; END",
    "tag_counts_restore": "AFTER UPDATE OF deleted_at ON articles "
    f"WHEN old.deleted_at IS NOT NULL AND {_NEW_LIVE} AND {_UNPAUSED} BEGIN "
    f"INSERT INTO {TAG_COUNTS}(tag_id, articles) "
    "SELECT tag_id, 1 FROM article_tags WHERE article_id = new.id "
    "ON CONFLICT(tag_id) DO UPDATE SET articles = articles + 1; END",
    # A trashed story deleted outright by a cascade (raw SQL): its links then
    # look live to tag_counts_ad, so count them back in first to stay even.
    # (The facade deletes the links before the story, and this finds none.)
    "tag_counts_trashed_bd": "BEFORE DELETE ON articles WHEN old.deleted_at IS NOT NULL BEGIN "
    f"INSERT INTO {TAG_COUNTS}(tag_id, articles) "
    "SELECT tag_id, 1 FROM article_tags WHERE article_id = old.id "
    "ON CONFLICT(tag_id) DO UPDATE SET articles = articles + 1; END",
}
# Migration 0007 built the counts before stories had a trash (0010 added it).
_TRIGGERS_BEFORE_TRASH = {
    "section_counts_ai": f"AFTER INSERT ON articles BEGIN {_add(*_S, 'new.section')} END",
    "section_counts_ad": f"AFTER DELETE ON articles BEGIN {_remove(*_S, 'old.section')} END",
    "section_counts_au": "AFTER UPDATE OF section ON articles "
    "WHEN old.section IS NOT new.section "
    f"BEGIN {_remove(*_S, 'old.section')} {_add(*_S, 'new.section')} END",
    "tag_counts_ai": f"AFTER INSERT ON article_tags BEGIN {_add(*_T, 'new.tag_id')} END",
    "tag_counts_ad": f"AFTER DELETE ON article_tags BEGIN {_remove(*_T, 'old.tag_id')} END",
    "tag_counts_au": "AFTER UPDATE OF tag_id ON article_tags "
    "WHEN old.tag_id IS NOT new.tag_id "
    f"BEGIN {_remove(*_T, 'old.tag_id')} {_add(*_T, 'new.tag_id')} END",
}


def create_summaries(conn: Connection, *, with_trash: bool = True, pausable: bool = True) -> None:
    """Create the count tables and their triggers, filled from the articles as they are now.

    with_trash=False builds them for a schema older than the trash (migration 0007);
    pausable=False for one older than the pause of bulk changes (before migration 0029).
    """
    pausable = pausable and with_trash
    for name, ddl in _TABLES.items():
        if name != PAUSED or pausable:
            conn.execute(text(ddl))
    if pausable:
        conn.execute(text(f"DELETE FROM {PAUSED}"))
    conn.execute(text(f"DELETE FROM {SECTION_COUNTS}"))
    conn.execute(text(f"DELETE FROM {TAG_COUNTS}"))
    live = "WHERE a.deleted_at IS NULL" if with_trash else ""
    conn.execute(
        text(
            f"INSERT INTO {SECTION_COUNTS}(section, articles) "
            f"SELECT a.section, count(*) FROM articles a {live} GROUP BY a.section"
        )
    )
    conn.execute(
        text(
            f"INSERT INTO {TAG_COUNTS}(tag_id, articles) "
            "SELECT at.tag_id, count(*) FROM article_tags at JOIN articles a ON a.id = at.article_id "
            f"{live} GROUP BY at.tag_id"
        )
    )
    triggers = _TRIGGERS if with_trash else _TRIGGERS_BEFORE_TRASH
    if not pausable:
        triggers = {name: body.replace(f" AND {_UNPAUSED}", "") for name, body in triggers.items()}
    for name, body in triggers.items():
        conn.execute(text(f"CREATE TRIGGER IF NOT EXISTS {name} {body}"))


def drop_summaries(conn: Connection) -> None:
    for name in _TRIGGERS:  # a superset of the names before the trash
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    for table in _TABLES:  # (the pause too: it is made with the counts)
        conn.execute(text(f"DROP TABLE IF EXISTS {table}"))


def summaries_exist(conn: Connection) -> bool:
    rows = conn.execute(
        text("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (:s, :t)"),
        {"s": SECTION_COUNTS, "t": TAG_COUNTS},
    ).scalar()
    return rows == 2


# ---- bulk changes (SQLite): the counts kept once per batch, not once per story ------------
def keeps_counts(conn: Connection) -> bool:
    """True when this library keeps count tables a bulk change must adjust (SQLite, and a
    schema with the pause: migration 0029)."""
    if conn.dialect.name != "sqlite":
        return False  # PostgreSQL counts with GROUP BY as it is asked
    found = conn.execute(
        text("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = :p"),
        {"p": PAUSED},
    ).scalar()
    return bool(found)


def pause(conn: Connection) -> None:
    """Stand the bulk change's triggers aside, in the caller's transaction (see the module)."""
    conn.execute(text(f"INSERT INTO {PAUSED}(paused) VALUES (1)"))


def resume(conn: Connection) -> None:
    """The triggers count again, before the bulk change commits."""
    conn.execute(text(f"DELETE FROM {PAUSED}"))


def adjust_for_bulk(
    conn: Connection, sections: dict[str, int], tagged_ids: list[int], sign: int
) -> None:
    """What a batch of a bulk change did to the counts, applied at once.

    sections: how many live stories each section gained (negative: lost). tagged_ids: the
    stories that left the live list (sign -1, into the trash) or joined it (sign +1, out of
    it), whose tags are counted with one GROUP BY. A count that falls to zero goes, as the
    triggers remove it.
    """
    moves = [{"k": k, "n": n} for k, n in sections.items() if n]
    if moves:
        conn.execute(
            text(
                f"INSERT INTO {SECTION_COUNTS}(section, articles) VALUES (:k, :n) "
                "ON CONFLICT(section) DO UPDATE SET articles = articles + excluded.articles"
            ),
            moves,
        )
        conn.execute(text(f"DELETE FROM {SECTION_COUNTS} WHERE articles <= 0"))
    if tagged_ids:
        conn.execute(
            text(
                f"INSERT INTO {TAG_COUNTS}(tag_id, articles) "
                f"SELECT tag_id, {int(sign)} * count(*) FROM article_tags "
                "WHERE article_id IN (SELECT value FROM json_each(:ids)) GROUP BY tag_id "
                "ON CONFLICT(tag_id) DO UPDATE SET articles = articles + excluded.articles"
            ),
            {"ids": json.dumps(tagged_ids)},
        )
        if sign < 0:
            conn.execute(text(f"DELETE FROM {TAG_COUNTS} WHERE articles <= 0"))


# The count tables and their triggers are SQLite's; a shared library on
# PostgreSQL counts with GROUP BY over its indexes (the server has the cores).
# Stories in the trash are left out, as the SQLite triggers leave them out.
_LIVE_SECTIONS = (
    "SELECT section, count(*) AS articles FROM articles WHERE deleted_at IS NULL GROUP BY section"
)
_LIVE_TAGS = (
    "SELECT at.tag_id, count(*) AS articles FROM article_tags at "
    "JOIN articles a ON a.id = at.article_id WHERE a.deleted_at IS NULL GROUP BY at.tag_id"
)


def _sections(conn: Connection) -> str:
    return SECTION_COUNTS if conn.dialect.name == "sqlite" else f"({_LIVE_SECTIONS}) AS s"


def _tags(conn: Connection) -> str:
    return TAG_COUNTS if conn.dialect.name == "sqlite" else f"({_LIVE_TAGS})"


def section_counts(conn: Connection) -> dict[str, int]:
    """Sections in use (not the empty one), by name, with their story counts."""
    rows = conn.execute(
        text(
            f"SELECT section, articles FROM {_sections(conn)} "
            "WHERE section != '' AND articles > 0 ORDER BY section"
        )
    )
    return dict(rows.all())


def tag_counts(conn: Connection) -> list[tuple[str, int]]:
    """Tags in use with their story counts, most used first, then by name."""
    rows = conn.execute(
        text(
            f"SELECT t.name, c.articles FROM {_tags(conn)} c JOIN tags t ON t.id = c.tag_id "
            "WHERE c.articles > 0 ORDER BY c.articles DESC, t.name"
        )
    )
    return [(name, n) for name, n in rows]


def tag_count(conn: Connection, name: str) -> int:
    """How many stories carry this tag (0 for an unknown one)."""
    n = conn.execute(
        text(
            f"SELECT c.articles FROM {_tags(conn)} c JOIN tags t ON t.id = c.tag_id "
            "WHERE t.name = :n"
        ),
        {"n": name},
    ).scalar()
    return int(n or 0)
