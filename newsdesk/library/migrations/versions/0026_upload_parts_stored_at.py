"""unfinished picture uploads are cleared away: each piece says when the server stored it

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 12:00:00

A large picture goes to the shared library a piece at a time (0024); an
upload that never finished — the laptop was lost, the picture's story was
thrown away, someone else sent the same picture whole — left its pieces in
`media_upload_parts` for good. Each piece now carries the server's time it
was stored (`stored_at`, the server's clock, never a laptop's), and the next
picture anyone uploads clears the pieces of uploads that have had no piece
for a day, and of pictures already stored whole (library/shared.py). On
SQLite the table stays empty; the column is there so both schemas agree.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import newsdesk.library.models

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Pieces already there count from now: their own age was never written down.
        op.execute("ALTER TABLE media_upload_parts ADD COLUMN stored_at timestamptz DEFAULT now()")
        return
    op.add_column(
        "media_upload_parts",
        sa.Column("stored_at", newsdesk.library.models.AwareDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.execute("ALTER TABLE media_upload_parts DROP COLUMN stored_at")
