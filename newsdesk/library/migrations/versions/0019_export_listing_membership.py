"""export listing membership: which listing of an exported site (front page, section, tag, month, author) holds each story

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 08:00:00

One row per story and listing it appears on, ordered as the listings are
(newest first), so an incremental export finds the pages an edit touches
with a few indexed queries instead of reading every story of the site.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_listing",
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("listing", sa.Text(), nullable=False),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("when_us", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["export_targets.id"],
            name="fk_export_listing_target_id_export_targets",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("target_id", "uid", "listing", name="pk_export_listing"),
    )
    op.create_index(
        "ix_export_listing_order",
        "export_listing",
        ["target_id", "listing", "when_us", "article_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_export_listing_order", table_name="export_listing")
    op.drop_table("export_listing")
