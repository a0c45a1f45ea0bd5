"""trash (tombstones) and the laptop's sync state: bases, cursors and conflicts; trash-aware counts

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from newsdesk.library import listing
from newsdesk.library.models import AwareDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: rebuilding the table, as batch mode may, would break the
    # full-text index's view over it (migration 0007).
    op.add_column("articles", sa.Column("deleted_at", AwareDateTime(timezone=True), nullable=True))
    op.add_column(
        "articles", sa.Column("deleted_by", sa.String(200), nullable=False, server_default="")
    )
    op.add_column("articles", sa.Column("purged_at", AwareDateTime(timezone=True), nullable=True))
    # Only the trash is indexed, so "not in the trash" never steers a list off its date index.
    op.create_index(
        "ix_articles_deleted_at",
        "articles",
        ["deleted_at"],
        sqlite_where=sa.text("deleted_at IS NOT NULL"),
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
    )
    op.create_table(
        "sync_base",
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name="pk_sync_base"),
    )
    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("key", name="pk_sync_state"),
    )
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("article_uid", sa.String(36), nullable=False),
        sa.Column("field", sa.String(200), nullable=False),
        sa.Column("paragraph", sa.Integer(), nullable=True),
        sa.Column("mine", sa.Text(), nullable=True),
        sa.Column("theirs", sa.Text(), nullable=True),
        sa.Column("base", sa.Text(), nullable=True),
        sa.Column("theirs_whole", sa.Text(), nullable=True),
        sa.Column("start_line", sa.Integer(), nullable=True),
        sa.Column("created_at", AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_conflicts"),
    )
    op.create_index("ix_sync_conflicts_article_uid", "sync_conflicts", ["article_uid"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # The section and tag counts (listing.py) leave trashed stories out from now on.
        listing.drop_summaries(bind)
        listing.create_summaries(bind, pausable=False)  # 0029 adds the pause


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        listing.drop_summaries(bind)
    op.drop_index("ix_sync_conflicts_article_uid", table_name="sync_conflicts")
    op.drop_table("sync_conflicts")
    op.drop_table("sync_state")
    op.drop_table("sync_base")
    op.drop_index("ix_articles_deleted_at", table_name="articles")
    # A plain DROP COLUMN (SQLite 3.35+), for the same reason as in upgrade.
    for column in ("purged_at", "deleted_by", "deleted_at"):
        op.execute(f"ALTER TABLE articles DROP COLUMN {column}")
    if bind.dialect.name == "sqlite":
        listing.create_summaries(bind, with_trash=False)
