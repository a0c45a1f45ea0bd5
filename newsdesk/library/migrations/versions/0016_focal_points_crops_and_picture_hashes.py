"""pictures get a focal point, per-ratio crop boxes and a difference hash for near-duplicates

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-12 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both engines. The hashes of pictures already in the
    # library are filled in lazily, from their thumbnails, the first time an
    # import looks for near-duplicates (images/near.py): a migration does not
    # know where a shared library's cache of pictures is.
    op.add_column("images", sa.Column("focal_x", sa.Float(), nullable=False, server_default="0.5"))
    op.add_column("images", sa.Column("focal_y", sa.Float(), nullable=False, server_default="0.5"))
    op.add_column("images", sa.Column("crops", sa.Text(), nullable=False, server_default=""))
    op.add_column("images", sa.Column("dhash", sa.String(16), nullable=False, server_default=""))


def downgrade() -> None:
    for name in ("dhash", "crops", "focal_y", "focal_x"):
        op.drop_column("images", name)
