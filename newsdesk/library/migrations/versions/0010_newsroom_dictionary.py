"""the newsroom dictionary: words (names, places) spelled right in every story

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dictionary_words",
        sa.Column("word", sa.String(100), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("dictionary_words")
