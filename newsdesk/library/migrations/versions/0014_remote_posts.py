"""remote posts: what each story was last published as on a WordPress site (post and media ids)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from newsdesk.library.models import AwareDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "remote_posts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("site", sa.String(500), nullable=False),
        sa.Column("article_uid", sa.String(36), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("link", sa.String(1000), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("sent_hash", sa.String(64), nullable=False),
        sa.Column("remote_modified", sa.String(40), nullable=False),
        sa.Column("media", sa.Text(), nullable=False),
        sa.Column("published_at", AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_remote_posts"),
        sa.UniqueConstraint("site", "article_uid", name="uq_remote_posts_site"),
    )
    op.create_index("ix_remote_posts_article_uid", "remote_posts", ["article_uid"])


def downgrade() -> None:
    op.drop_index("ix_remote_posts_article_uid", table_name="remote_posts")
    op.drop_table("remote_posts")
