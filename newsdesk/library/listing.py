"""The article list's filter choices: per-section and per-tag story counts, kept by SQLite triggers.

The library browser offers every section and tag in use. Counting them from
the articles each time grows with the archive (39 ms at 100,000 stories), so
two small tables hold the counts, and triggers change them in the same
statement as every insert, delete, section move and tag change, whoever makes
it (the facade, an import, a sync). A section or tag whose count falls to
zero is removed, so the tables list exactly what is in use.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

SECTION_COUNTS = "section_counts"
TAG_COUNTS = "tag_counts"
SUMMARY_TABLES = frozenset({SECTION_COUNTS, TAG_COUNTS})

_TABLES = {
    SECTION_COUNTS: f"CREATE TABLE IF NOT EXISTS {SECTION_COUNTS} "
    "(section TEXT PRIMARY KEY, articles INTEGER NOT NULL) WITHOUT ROWID",
    TAG_COUNTS: f"CREATE TABLE IF NOT EXISTS {TAG_COUNTS} "
    "(tag_id INTEGER PRIMARY KEY, articles INTEGER NOT NULL)",
}


def _add(table: str, key: str, value: str) -> str:
    return (
        f"INSERT INTO {table}({key}, articles) VALUES ({value}, 1) "
        f"ON CONFLICT({key}) DO UPDATE SET articles = articles + 1;"
    )


def _remove(table: str, key: str, value: str) -> str:
    return (
        f"UPDATE {table} SET articles = articles - 1 WHERE {key} = {value}; "
        f"DELETE FROM {table} WHERE {key} = {value} AND articles <= 0;"
    )


_S, _T = (SECTION_COUNTS, "section"), (TAG_COUNTS, "tag_id")
_TRIGGERS = {
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


def create_summaries(conn: Connection) -> None:
    """Create the count tables and their triggers, filled from the articles as they are now."""
    for ddl in _TABLES.values():
        conn.execute(text(ddl))
    conn.execute(text(f"DELETE FROM {SECTION_COUNTS}"))
    conn.execute(text(f"DELETE FROM {TAG_COUNTS}"))
    conn.execute(
        text(
            f"INSERT INTO {SECTION_COUNTS}(section, articles) "
            "SELECT section, count(*) FROM articles GROUP BY section"
        )
    )
    conn.execute(
        text(
            f"INSERT INTO {TAG_COUNTS}(tag_id, articles) "
            "SELECT tag_id, count(*) FROM article_tags GROUP BY tag_id"
        )
    )
    for name, body in _TRIGGERS.items():
        conn.execute(text(f"CREATE TRIGGER IF NOT EXISTS {name} {body}"))


def drop_summaries(conn: Connection) -> None:
    for name in _TRIGGERS:
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    for table in _TABLES:
        conn.execute(text(f"DROP TABLE IF EXISTS {table}"))


def summaries_exist(conn: Connection) -> bool:
    rows = conn.execute(
        text("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (:s, :t)"),
        {"s": SECTION_COUNTS, "t": TAG_COUNTS},
    ).scalar()
    return rows == 2


# The count tables and their triggers are SQLite's; a shared library on
# PostgreSQL counts with GROUP BY over its indexes (the server has the cores).
_LIVE_SECTIONS = "SELECT section, count(*) AS articles FROM articles GROUP BY section"
_LIVE_TAGS = "SELECT tag_id, count(*) AS articles FROM article_tags GROUP BY tag_id"


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
