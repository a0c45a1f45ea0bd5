"""embargo index: the stories whose embargo ends in a given span, found without reading every story

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 09:00:00

An incremental export asks at every run which embargoes ended since the last
one (no change is logged when an embargo simply passes); without an index
that question read the whole article table (0.3 s at 100,000 stories). Only
the few embargoed stories are indexed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_articles_embargo_until",
        "articles",
        ["embargo_until"],
        sqlite_where=sa.text("embargo_until IS NOT NULL"),
        postgresql_where=sa.text("embargo_until IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_articles_embargo_until", table_name="articles")
