"""a large picture's upload resumes from the pieces already stored

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 09:00:00

A laptop sent each picture to the shared library in one statement, so a
sync cut off half way through a 20 MB picture sent all of it again next
time. A picture larger than a few pieces now goes a piece (1 MiB) at a time,
each committed as it arrives, and is put together on the server, its SHA-256
checked there, once the last piece is in (library/shared.py). The table is
created on SQLite too, where it stays empty: a laptop or a shared folder
keeps pictures as files, which already resume (sync/media.py). `server init`
grants the newsdesk roles this table as it does every other.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media_upload_parts",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("part", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "part", name="pk_media_upload_parts"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Pieces of pictures are already compressed: compressing them again only costs time.
        op.execute("ALTER TABLE media_upload_parts ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_table("media_upload_parts")
