"""a persisted snapshot of common words' story counts, so first suggestions skip fts5vocab

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 07:00:00
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Written out here rather than imported, so this step stays what it was when
# libraries were upgraded with it. The table is left empty: the first
# suggestion finds no snapshot and takes one (newsdesk.library.related).
_FTS_TABLE = "articles_fts"
_STATS_TABLE = "articles_fts_stats"


def _fts_present(bind) -> bool:
    row = bind.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"), {"n": _FTS_TABLE}
    ).first()
    return row is not None


def upgrade() -> None:
    bind = op.get_bind()
    # Without FTS5 there are no counts to keep; if the index is built later,
    # related stories make this table then, as they do the vocabulary table.
    if bind.dialect.name == "sqlite" and _fts_present(bind):
        bind.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS {_STATS_TABLE} "
                "(term TEXT PRIMARY KEY, doc INTEGER NOT NULL) WITHOUT ROWID"
            )
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.execute(text(f"DROP TABLE IF EXISTS {_STATS_TABLE}"))
