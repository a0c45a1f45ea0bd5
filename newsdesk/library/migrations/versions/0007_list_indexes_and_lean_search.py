"""lists at archive scale: indexes for each filter by date, section and tag counts, a search index without a second copy of the text

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 09:00:00
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

from newsdesk.library import listing, search

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Each filter the article list offers, newest first. An index on a column
# also orders by rowid (the article id), so (status, updated_at) serves
# "WHERE status = ? ORDER BY updated_at DESC, id DESC" and its keyset pages
# without sorting; it also serves what the single-column indexes did.
_NEW_INDEXES = {
    "ix_articles_status_updated_at": ["status", "updated_at"],
    "ix_articles_section_updated_at": ["section", "updated_at"],
    "ix_articles_status_section_updated_at": ["status", "section", "updated_at"],
}
_OLD_INDEXES = {"ix_articles_status": ["status"], "ix_articles_section": ["section"]}
_VOCAB_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts_vocab USING fts5vocab(articles_fts, 'row')"
)


def upgrade() -> None:
    for name in _OLD_INDEXES:
        op.drop_index(name, table_name="articles")
    for name, columns in _NEW_INDEXES.items():
        op.create_index(name, "articles", columns)
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    # The summaries and the index are built by today's code on purpose: both
    # are derived wholly from the articles, so building them as the code now
    # expects is always right, and a later change of shape brings its own
    # migration that drops and rebuilds them the same way.
    listing.create_summaries(bind, with_trash=False)  # 0010 rebuilds them with the trash
    if search.sqlite_has_fts5():
        # The old index kept its own copy of every text; this one reads the
        # articles table. Rebuilding takes about a minute at 100,000 stories.
        search.drop_fts_index(bind)
        search.create_fts_index(bind)
        bind.execute(text(_VOCAB_DDL))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        listing.drop_summaries(bind)
        if search.sqlite_has_fts5():
            search.drop_fts_index(bind)
            bind.execute(
                text(
                    "CREATE VIRTUAL TABLE articles_fts USING fts5(headline, dek, body, byline, "
                    "tags, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
                )
            )
            bind.execute(
                text("INSERT INTO articles_fts(articles_fts, rank) VALUES ('rank', :r)"),
                {"r": "bm25(10.0, 4.0, 1.0, 2.0, 5.0)"},
            )
            bind.execute(
                text(
                    "INSERT INTO articles_fts(rowid, headline, dek, body, byline, tags) "
                    "SELECT a.id, a.headline, a.dek, a.body, a.byline, "
                    "COALESCE((SELECT group_concat(t.name, ' ') FROM article_tags at "
                    "JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id), '') "
                    "FROM articles a"
                )
            )
            bind.execute(text(_VOCAB_DDL))
    for name in _NEW_INDEXES:
        op.drop_index(name, table_name="articles")
    for name, columns in _OLD_INDEXES.items():
        op.create_index(name, "articles", columns)
