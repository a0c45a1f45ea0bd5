"""on PostgreSQL: a small ranking column apart from the body, term statistics for suggestions, accents ignored

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 08:00:00

Nothing changes on SQLite: FTS5 already ignores accents (remove_diacritics)
and keeps its own term statistics (articles_fts_stats, articles_fts_vocab).
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# Written out here rather than imported, so this step stays what it was when
# libraries were upgraded with it (newsdesk/library/search_pg.py reads them).
_CONFIG = "newsdesk_search"
_TAGS = (
    "coalesce((SELECT string_agg(t.name, ' ' ORDER BY at.position, t.id) FROM article_tags at "
    "JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id), '')"
)
_SEARCH_DOC = (
    f"setweight(to_tsvector('{_CONFIG}', coalesce(a.headline, '')), 'A') || "
    f"setweight(to_tsvector('{_CONFIG}', {_TAGS} || ' ' || coalesce(a.dek, '')), 'B') || "
    f"setweight(to_tsvector('{_CONFIG}', coalesce(a.byline, '')), 'C') || "
    f"setweight(to_tsvector('{_CONFIG}', coalesce(a.body, '')), 'D')"
)
_RANK_DOC = (
    f"setweight(to_tsvector('{_CONFIG}', coalesce(a.headline, '')), 'A') || "
    f"setweight(to_tsvector('{_CONFIG}', {_TAGS} || ' ' || coalesce(a.dek, '')), 'B') || "
    f"setweight(to_tsvector('{_CONFIG}', coalesce(a.byline, '')), 'C') || "
    f"setweight(to_tsvector('{_CONFIG}', left(coalesce(a.body, ''), 300)), 'D')"
)
_TOKEN_TYPES = (
    "asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, "
    "hword_numpart"
)


def _unaccent_available(bind) -> bool:
    """unaccent ships with PostgreSQL's contrib; installing it needs CREATE on the database."""
    row = bind.exec_driver_sql(
        "SELECT (SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'), "
        "(SELECT 1 FROM pg_extension WHERE extname = 'unaccent'), "
        "has_database_privilege(current_database(), 'CREATE')"
    ).first()
    available, installed, may_create = row
    return bool(installed) or (bool(available) and bool(may_create))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # Words as written, lower case, no stemming (FTS5's unicode61), and, where
    # the server has unaccent, accents removed as FTS5's remove_diacritics does.
    op.execute(f"CREATE TEXT SEARCH CONFIGURATION {_CONFIG} (COPY = simple)")
    if _unaccent_available(bind):
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {_CONFIG} "
            f"ALTER MAPPING FOR {_TOKEN_TYPES} WITH unaccent, simple"
        )
    # Ranking reads only this: headline, tags and dek, byline and the body's
    # first lines. It stays in the row (STORAGE MAIN), so ranking thousands of
    # matches never reads a body's document out of line (TOAST).
    op.execute("ALTER TABLE articles ADD COLUMN rank_doc tsvector")
    op.execute("ALTER TABLE articles ALTER COLUMN rank_doc SET STORAGE MAIN")
    op.execute("ALTER TABLE articles DISABLE TRIGGER newsdesk_articles_guard")
    op.execute(f"UPDATE articles a SET search_doc = {_SEARCH_DOC}, rank_doc = {_RANK_DOC}")
    op.execute("ALTER TABLE articles ENABLE TRIGGER newsdesk_articles_guard")
    # Its own index lets a search ask "in the ranking document, or else in the
    # whole story?": a word common enough to be looked for story by story,
    # newest first, is then mostly found in the row, without reading the
    # body's document (search_pg.ranked_ids).
    op.execute("CREATE INDEX ix_articles_rank_doc ON articles USING gin (rank_doc)")
    # How many stories hold each word (their search documents), kept by the
    # writer in the transaction of each change: related suggestions read it
    # instead of counting matches.
    op.execute("CREATE TABLE term_stats (term text PRIMARY KEY, docs integer NOT NULL)")
    op.execute(
        "INSERT INTO term_stats (term, docs) "
        "SELECT word, ndoc FROM ts_stat('SELECT search_doc FROM articles WHERE search_doc IS NOT NULL')"
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("DROP TABLE IF EXISTS term_stats")
    op.execute("DROP INDEX IF EXISTS ix_articles_rank_doc")
    op.execute("ALTER TABLE articles DROP COLUMN IF EXISTS rank_doc")
    old_doc = _SEARCH_DOC.replace(f"'{_CONFIG}'", "'simple'")
    op.execute("ALTER TABLE articles DISABLE TRIGGER newsdesk_articles_guard")
    op.execute(f"UPDATE articles a SET search_doc = {old_doc}")
    op.execute("ALTER TABLE articles ENABLE TRIGGER newsdesk_articles_guard")
    op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {_CONFIG}")
