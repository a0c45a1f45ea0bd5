"""term statistics over the full-text index (fts5vocab), for related-story suggestions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 06:00:00
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Written out here rather than imported, so this step stays what it was when
# libraries were upgraded with it, whatever later code calls these tables.
_FTS_TABLE = "articles_fts"
_VOCAB_TABLE = "articles_fts_vocab"


def _fts_present(bind) -> bool:
    row = bind.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"), {"n": _FTS_TABLE}
    ).first()
    return row is not None


def upgrade() -> None:
    bind = op.get_bind()
    # Without FTS5 there is no index to describe; related stories then use a
    # slower scan, and `Library.rebuild_search_index` callers get the table lazily.
    if bind.dialect.name == "sqlite" and _fts_present(bind):
        bind.execute(
            text(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {_VOCAB_TABLE} "
                f"USING fts5vocab({_FTS_TABLE}, 'row')"
            )
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.execute(text(f"DROP TABLE IF EXISTS {_VOCAB_TABLE}"))
