"""Full-text search on a shared (PostgreSQL) library: the tsvector column, its upkeep, ranked queries.

The same API as SQLite's FTS5 (library/search.py): every word must match, the
last one as a prefix while typing, ranked by field weights, snippets cut from
the body's text the same way on both engines. `articles.search_doc` holds
the document (migration 0009), with a GIN index over it.

Field weights: SQLite's bm25 weighs headline 10, tags 5, dek 4, byline 2,
body 1. PostgreSQL has four labels, so tags and dek share one (4.5): A
headline 1.0, B tags and dek 0.45, C byline 0.2, D body 0.1 — the same
proportions for the rest.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from newsdesk.library.search import query_terms

CONFIG = "simple"  # FTS5's unicode61: words as written, lower case, no stemming
WEIGHTS = "{0.1, 0.2, 0.45, 1.0}"  # D, C, B, A as ts_rank_cd takes them
# 1: rank divided by 1 + log(document length), as bm25 favours shorter matches.
NORMALIZATION = 1
# Ranking reads each matching document whole (about 4.5 kB, compressed), so
# it costs ~0.1 ms a match: 3,000 matches (SQLite's window) took 250-350 ms at
# 10,000 articles. Words in more stories than this are ranked among their
# newest RANK_WINDOW matches; rarer words over all of them.
RANK_WINDOW = 300

DOC_SQL = (
    f"setweight(to_tsvector('{CONFIG}', coalesce(a.headline, '')), 'A') || "
    f"setweight(to_tsvector('{CONFIG}', coalesce((SELECT string_agg(t.name, ' ') "
    "FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id), '') "
    "|| ' ' || coalesce(a.dek, '')), 'B') || "
    f"setweight(to_tsvector('{CONFIG}', coalesce(a.byline, '')), 'C') || "
    f"setweight(to_tsvector('{CONFIG}', coalesce(a.body, '')), 'D')"
)


def index_article(conn: Connection, article_id: int) -> None:
    """Recompute one article's document from its saved fields and tags (in the caller's transaction)."""
    conn.execute(
        text(f"UPDATE articles a SET search_doc = {DOC_SQL} WHERE a.id = :id"), {"id": article_id}
    )


def rebuild_index(conn: Connection) -> None:
    conn.execute(text(f"UPDATE articles a SET search_doc = {DOC_SQL}"))


def stale_documents(conn: Connection) -> int:
    """How many articles' search documents differ from what their fields make now."""
    return conn.execute(
        text(f"SELECT count(*) FROM articles a WHERE a.search_doc IS DISTINCT FROM {DOC_SQL}")
    ).scalar_one()


def build_tsquery(query: str, *, prefix: bool, any_word: bool = False) -> str | None:
    """A to_tsquery() text from what a user typed: every word quoted, so nothing is an operator.

    Words are the same \\w+ runs SQLite's query builder uses; inside single
    quotes to_tsquery reads them as lexemes whatever they hold.
    """
    return tsquery_from_terms(query_terms(query), prefix=prefix, any_word=any_word)


def tsquery_from_terms(terms: list[str], *, prefix: bool, any_word: bool = False) -> str | None:
    """The same, from words already picked (search.searched_terms)."""
    if not terms:
        return None
    parts = ["'" + t.replace("'", "''").replace("\\", "\\\\") + "'" for t in terms]
    if prefix:
        parts[-1] += ":*"
    return (" | " if any_word else " & ").join(parts)


def ranked_ids(
    conn: Connection,
    tsquery: str,
    *,
    limit: int,
    status: str | None = None,
    section: str | None = None,
) -> list[int]:
    """Ids of the best matches, best first.

    As on SQLite, a word found in most of a large library is ranked among its
    newest RANK_WINDOW matches only (ranking reads each matching document);
    rare words, where ranking matters most, are ranked over all their matches.
    """
    where = "a.search_doc @@ q AND a.deleted_at IS NULL"  # the trash is never found
    params: dict[str, object] = {"q": tsquery, "n": limit, "w": RANK_WINDOW}
    if status:
        where += " AND a.status = :status"
        params["status"] = status
    if section:
        where += " AND a.section = :section"
        params["section"] = section
    rows = conn.execute(
        text(
            f"WITH m AS (SELECT a.id, a.search_doc FROM articles a, to_tsquery('{CONFIG}', :q) q "
            f"WHERE {where} ORDER BY a.id DESC LIMIT :w) "
            f"SELECT m.id FROM m, to_tsquery('{CONFIG}', :q) q "
            f"ORDER BY ts_rank_cd('{WEIGHTS}', m.search_doc, q, {NORMALIZATION}) DESC, m.id DESC "
            "LIMIT :n"
        ),
        params,
    )
    return [r[0] for r in rows]
