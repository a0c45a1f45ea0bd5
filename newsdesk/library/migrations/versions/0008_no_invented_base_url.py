"""a library nobody gave a base URL has none (older versions invented https://example.org/)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 08:00:00
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

INVENTED = "https://example.org/"


def upgrade() -> None:
    # Older versions created the publication row with this address. A row that
    # was never saved since (its update time is its creation time, give or take
    # the microseconds between the two defaults) still holds the invented value,
    # not the user's: clear it, so exports stop pointing at a domain nobody
    # owns. A row someone saved keeps whatever they saved.
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        within_a_second = "abs(julianday(updated_at) - julianday(created_at)) * 86400.0 < 1.0"
    else:
        within_a_second = "abs(extract(epoch FROM updated_at - created_at)) < 1.0"
    bind.execute(
        text(
            "UPDATE publications SET base_url = '' WHERE base_url = :invented"
            f" AND {within_a_second}"
        ),
        {"invented": INVENTED},
    )


def downgrade() -> None:
    # An empty base URL is a valid setting of its own; there is nothing to restore.
    pass
