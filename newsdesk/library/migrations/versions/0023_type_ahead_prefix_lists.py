"""type-ahead at archive scale: the search index keeps its own lists for prefixes of 2 to 6 letters

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 12:00:00

A word being typed is matched as a prefix. FTS5 answers a prefix of a length
it keeps no list for by merging every word that starts with it, in memory,
twice (once to find the matches, once more for bm25's word statistics): 35-50
ms at 100,000 stories for "repor" or "govern". FTS5 cannot add lists to an
index, so it is built again from the articles (search.PREFIX_LENGTHS); nothing
else changes. At 100,000 stories that reads every article once and takes a
minute or two, and the index grows from about 310 to 660 MiB; a line on
stderr says what is happening when the library is large. Nothing changes on
PostgreSQL, whose GIN index answers prefixes from its sorted word list.
"""

from __future__ import annotations

import time

from alembic import op
from sqlalchemy import text

from newsdesk.library import database, search

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

# From this many stories the rebuild takes long enough to say so (about 2 s).
NOTICE_FROM = 2_000


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite" or not search.sqlite_has_fts5():
        return
    ddl = bind.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :n"),
        {"n": search.FTS_TABLE},
    ).scalar()
    if ddl is None or f"prefix = '{search.PREFIX_LENGTHS}'" in ddl:
        # No index to rebuild (this SQLite had no FTS5 when the library was
        # made), or one made by today's code earlier in this same upgrade.
        return
    stories = bind.execute(text("SELECT count(*) FROM articles")).scalar_one()
    loud = stories >= NOTICE_FROM
    if loud:
        database.notice(
            f"upgrading the library: rebuilding the search index of {stories:,} stories "
            "so that typing a search stays quick (once; a minute or two per 100,000 stories)…"
        )
    started = time.monotonic()
    search.drop_fts_index(bind)
    search.create_fts_index(bind)
    if loud:
        database.notice(f"the search index was rebuilt in {time.monotonic() - started:.0f} s.")


def downgrade() -> None:
    # Older code reads an index with more prefix lists the same way: it is kept.
    pass
