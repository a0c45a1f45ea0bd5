"""on SQLite: a bulk change keeps the section and tag counts once per batch, not once per story

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-10 09:00:00

The triggers that keep the article list's filter choices (library/listing.py)
ran once per story in a Move to Trash, Restore or Set Section over many
stories; at 100,000 stories they were most of the work. A table,
`counts_paused`, now lets a bulk change stand the three triggers it fires aside
inside its own transaction and adjust the counts itself from one GROUP BY per
batch. The counts are rebuilt from the articles on the way (a few hundred
milliseconds at 100,000 stories). Nothing changes on PostgreSQL, which counts
with GROUP BY as it is asked.
"""

from __future__ import annotations

from alembic import op

from newsdesk.library import listing

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        listing.drop_summaries(bind)
        listing.create_summaries(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        listing.drop_summaries(bind)
        listing.create_summaries(bind, pausable=False)
