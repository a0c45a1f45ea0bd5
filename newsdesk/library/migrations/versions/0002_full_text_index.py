"""full-text index over articles (FTS5, when this SQLite has it)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 05:00:00
"""

from __future__ import annotations

from alembic import op

from newsdesk.library.search import create_fts_index, drop_fts_index

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        create_fts_index(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        drop_fts_index(bind)
