"""full-text index over articles (FTS5, when this SQLite has it)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 05:00:00
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

from newsdesk.library.search import sqlite_has_fts5

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Written out here rather than imported, so this step stays what it was when
# libraries were upgraded with it (an index holding its own copy of the text);
# 0006 replaces it with one that reads the articles table.
_FTS_TABLE = "articles_fts"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite" or not sqlite_has_fts5():
        return
    bind.execute(
        text(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {_FTS_TABLE} USING fts5("
            "headline, dek, body, byline, tags, "
            "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
        )
    )
    bind.execute(
        text(f"INSERT INTO {_FTS_TABLE}({_FTS_TABLE}, rank) VALUES ('rank', :r)"),
        {"r": "bm25(10.0, 4.0, 1.0, 2.0, 5.0)"},
    )
    bind.execute(
        text(
            f"INSERT INTO {_FTS_TABLE}(rowid, headline, dek, body, byline, tags) "
            "SELECT a.id, a.headline, a.dek, a.body, a.byline, "
            "COALESCE((SELECT group_concat(t.name, ' ') FROM article_tags at "
            "JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id), '') FROM articles a"
        )
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.execute(text(f"DROP TABLE IF EXISTS {_FTS_TABLE}"))
