"""the change log: one row per changed record, written in the same transaction as the change

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin", sa.String(36), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False, server_default=""),
        sa.Column("record_type", sa.String(20), nullable=False),
        sa.Column("record_uid", sa.String(100), nullable=False),
        sa.Column("article_uid", sa.String(36), nullable=True),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_change_log"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_change_log_article_uid", "change_log", ["article_uid"])


def downgrade() -> None:
    op.drop_index("ix_change_log_article_uid", table_name="change_log")
    op.drop_table("change_log")
