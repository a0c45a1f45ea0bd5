"""on PostgreSQL: a shared library nobody gave a base URL has none (server init invented one)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-09 09:00:00

Migration 0008 cleared the address older versions invented
(https://example.org/) from laptops' libraries, but `server init` went on
writing it into every new shared library's publication row, so their exports
put canonical links and sitemaps on a domain nobody owns. `server init` now
leaves the base URL empty, as a laptop does; this clears the invented one
from shared libraries made before, by 0008's rule: only a row never saved
since it was made (a row someone saved keeps whatever they saved). Nothing
changes on SQLite: 0008 already did this there.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

INVENTED = "https://example.org/"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.execute(
        text(
            "UPDATE publications SET base_url = '' WHERE base_url = :invented"
            " AND abs(extract(epoch FROM updated_at - created_at)) < 1.0"
        ),
        {"invented": INVENTED},
    )


def downgrade() -> None:
    # An empty base URL is a valid setting of its own; there is nothing to restore.
    pass
