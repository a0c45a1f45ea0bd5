"""a figure owns its story's caption and alt text; pictures keep title, instructions, keywords; articles remember their source file

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("figures") as batch:
        batch.add_column(sa.Column("alt_text", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("images") as batch:
        batch.add_column(sa.Column("title", sa.String(500), nullable=False, server_default=""))
        batch.add_column(sa.Column("instructions", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("keywords", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("articles") as batch:
        batch.add_column(
            sa.Column("source_path", sa.String(1000), nullable=False, server_default="")
        )
        batch.create_index("ix_articles_source_path", ["source_path"])
    # Every page keeps rendering exactly as before: a figure without its own
    # caption showed the picture's, and every figure showed the picture's alt
    # text. From now on those are the story's own copies.
    bind = op.get_bind()
    bind.execute(
        text(
            "UPDATE figures SET caption = (SELECT images.caption FROM images"
            " WHERE images.id = figures.image_id) WHERE caption = ''"
        )
    )
    bind.execute(
        text(
            "UPDATE figures SET alt_text = (SELECT images.alt_text FROM images"
            " WHERE images.id = figures.image_id)"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_index("ix_articles_source_path")
        batch.drop_column("source_path")
    with op.batch_alter_table("images") as batch:
        batch.drop_column("keywords")
        batch.drop_column("instructions")
        batch.drop_column("title")
    with op.batch_alter_table("figures") as batch:
        batch.drop_column("alt_text")
