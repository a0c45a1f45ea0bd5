"""Full-text search on a shared (PostgreSQL) library: the search columns, their upkeep, ranked queries.

The same API as SQLite's FTS5 (library/search.py): every word must match, the
last one as a prefix while typing, ranked by field weights, snippets cut from
the body's text the same way on both engines, accents ignored (FTS5's
remove_diacritics; here the `unaccent` dictionary, migration 0014).

Two columns of `articles` (migrations 0009 and 0014):
- `search_doc`, the whole story (headline, tags and dek, byline, body), is
  what a word is FOUND in, through its GIN index;
- `rank_doc`, the same without the body past its first lines, is what the
  matches are RANKED by. It is small and kept in the row, so ranking
  thousands of matches never reads a body's document (kilobytes, stored out
  of line): that read was 0.1 ms a match and most of a search's time.
`term_stats` holds how many search documents hold each word (related
suggestions read it); the writer keeps it in the transaction of each change.

Newsdesk keeps these up itself, in the transaction of each write it makes,
not the database with triggers. A write that does not go through newsdesk (a
desk's script, an administrator's UPDATE) leaves them stale until
`newsdesk server reindex URL` (`catch_up`) brings them back in step. Why not
triggers, for now: a story's document holds its tags (three tables: articles,
article_tags, tags renamed), and the word counts must change in ONE
statement sorted by word, or two writers indexing stories at once deadlock
on term_stats rows (see _REINDEX). That takes statement-level triggers with
transition tables on all three, which PostgreSQL allows only without column
lists: every UPDATE of articles (a status, a version bump, 100,000 stories
moved to a section) would compare old and new rows to find the few whose
words changed. Measure that at 100,000 stories before moving the upkeep there.

Field weights: SQLite's bm25 weighs headline 10, tags 5, dek 4, byline 2,
body 1. PostgreSQL has four labels, so tags and dek share one (4.5): A
headline 1.0, B tags and dek 0.45, C byline 0.2, D body (its first lines) 0.1.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, INTEGER
from sqlalchemy.engine import Connection

from newsdesk.library.models import Article
from newsdesk.library.search import query_terms

# Words as written, lower case, no stemming (FTS5's unicode61), accents removed.
CONFIG = "newsdesk_search"
WEIGHTS = "{0.1, 0.2, 0.45, 1.0}"  # D, C, B, A as ts_rank takes them
# 1: rank divided by 1 + log(document length), as bm25 favours shorter matches.
NORMALIZATION = 1
# Words in more stories than this are ranked among their newest RANK_WINDOW
# matches, as on SQLite (3,000 there); rarer words over all of them. Ranking
# costs 10-20 us a match here (ts_rank over rank_doc; ts_rank_cd's cover
# density cost twice that), so the window is a third of SQLite's.
RANK_WINDOW = 1000
# The body's first characters that count in ranking: the lead, where a story
# says what it is about. 300 keeps the ranking document in the row.
LEAD_CHARS = 300

# Tags in the article's order, as SQLite's view gives them: a document made
# again from the same story is then the same document (stale_documents).
_TAGS = (
    "coalesce((SELECT string_agg(t.name, ' ' ORDER BY at.position, t.id) FROM article_tags at "
    "JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id), '')"
)
_FIELDS = (
    f"setweight(to_tsvector('{CONFIG}', coalesce(a.headline, '')), 'A') || "
    f"setweight(to_tsvector('{CONFIG}', {_TAGS} || ' ' || coalesce(a.dek, '')), 'B') || "
    f"setweight(to_tsvector('{CONFIG}', coalesce(a.byline, '')), 'C')"
)
DOC_SQL = f"{_FIELDS} || setweight(to_tsvector('{CONFIG}', coalesce(a.body, '')), 'D')"
RANK_SQL = f"{_FIELDS} || setweight(to_tsvector('{CONFIG}', left(coalesce(a.body, ''), {LEAD_CHARS})), 'D')"

# Each indexed story's words counted in or out of term_stats in ONE statement,
# in word order: writers that index stories at the same moment then take the
# rows' locks in the same order and never deadlock on them.
_REINDEX = text(
    "WITH old AS (SELECT a.id, a.search_doc FROM articles a WHERE a.id = ANY(:ids)), "
    f"new AS (UPDATE articles a SET search_doc = {DOC_SQL}, rank_doc = {RANK_SQL} "
    "WHERE a.id = ANY(:ids) RETURNING a.id, a.search_doc), "
    "delta AS (SELECT w AS term, sum(d)::int AS d FROM ("
    "SELECT unnest(tsvector_to_array(n.search_doc)) AS w, 1 AS d FROM new n "
    "UNION ALL SELECT unnest(tsvector_to_array(o.search_doc)), -1 FROM old o) x "
    "GROUP BY w HAVING sum(d) <> 0) "
    "INSERT INTO term_stats AS s (term, docs) SELECT term, d FROM delta ORDER BY term "
    "ON CONFLICT (term) DO UPDATE SET docs = s.docs + excluded.docs"
).bindparams(bindparam("ids", type_=ARRAY(INTEGER)))

_UNCOUNT = text(
    "INSERT INTO term_stats AS s (term, docs) "
    "SELECT w, -count(*) FROM articles a, unnest(tsvector_to_array(a.search_doc)) w "
    "WHERE a.id = ANY(:ids) GROUP BY w ORDER BY w "
    "ON CONFLICT (term) DO UPDATE SET docs = s.docs + excluded.docs"
).bindparams(bindparam("ids", type_=ARRAY(INTEGER)))

TS_STAT = "ts_stat('SELECT search_doc FROM articles WHERE search_doc IS NOT NULL')"


def index_articles(conn: Connection, article_ids: Iterable[int]) -> None:
    """Recompute these articles' documents from their saved fields and tags, and the word counts.

    In the caller's transaction; one statement however many articles.
    """
    ids = sorted({int(i) for i in article_ids})
    if ids:
        conn.execute(_REINDEX, {"ids": ids})


def index_article(conn: Connection, article_id: int) -> None:
    index_articles(conn, [article_id])


def uncount_articles(conn: Connection, article_ids: Iterable[int]) -> None:
    """Take these articles' words out of the counts: they are about to be deleted."""
    ids = sorted({int(i) for i in article_ids})
    if ids:
        conn.execute(_UNCOUNT, {"ids": ids})


def rebuild_index(conn: Connection) -> None:
    """Every document and every word count made again from the articles."""
    conn.execute(text(f"UPDATE articles a SET search_doc = {DOC_SQL}, rank_doc = {RANK_SQL}"))
    conn.execute(text("DELETE FROM term_stats"))
    conn.execute(text(f"INSERT INTO term_stats (term, docs) SELECT word, ndoc FROM {TS_STAT}"))


def catch_up(conn: Connection) -> tuple[int, bool]:
    """Bring search back in step after writes that did not go through newsdesk, in the caller's
    transaction: (how many stories were indexed again, whether the word counts were recounted).

    Only stories whose documents differ from their fields are indexed again
    (their words counted out by the old document, in by the new); the counts are
    made again from the documents only if they are still wrong (a story deleted
    with plain SQL leaves its words counted).
    """
    ids = [
        row[0]
        for row in conn.execute(
            text(
                "SELECT a.id FROM articles a WHERE a.search_doc IS DISTINCT FROM "
                f"{DOC_SQL} OR a.rank_doc IS DISTINCT FROM {RANK_SQL}"
            )
        )
    ]
    index_articles(conn, ids)
    recount = wrong_term_counts(conn) > 0
    if recount:
        conn.execute(text("DELETE FROM term_stats"))
        conn.execute(text(f"INSERT INTO term_stats (term, docs) SELECT word, ndoc FROM {TS_STAT}"))
    return len(ids), recount


def stale_documents(conn: Connection) -> int:
    """How many articles' search documents differ from what their fields make now."""
    return conn.execute(
        text(
            "SELECT count(*) FROM articles a WHERE a.search_doc IS DISTINCT FROM "
            f"{DOC_SQL} OR a.rank_doc IS DISTINCT FROM {RANK_SQL}"
        )
    ).scalar_one()


def wrong_term_counts(conn: Connection) -> int:
    """How many words' story counts in term_stats differ from the documents (reads them all)."""
    return conn.execute(
        text(
            f"SELECT count(*) FROM (SELECT word, ndoc FROM {TS_STAT}) t "
            "FULL JOIN (SELECT term, docs FROM term_stats WHERE docs <> 0) s ON s.term = t.word "
            "WHERE t.ndoc IS DISTINCT FROM s.docs"
        )
    ).scalar_one()


def build_tsquery(query: str, *, prefix: bool, any_word: bool = False) -> str | None:
    """A to_tsquery() text from what a user typed: every word quoted, so nothing is an operator.

    Words are the same \\w+ runs SQLite's query builder uses; inside single
    quotes to_tsquery reads them as lexemes whatever they hold.
    """
    return tsquery_from_terms(query_terms(query), prefix=prefix, any_word=any_word)


def lexeme(term: str) -> str:
    """One word as a quoted to_tsquery() operand."""
    return "'" + term.replace("'", "''").replace("\\", "\\\\") + "'"


def tsquery_from_terms(terms: list[str], *, prefix: bool, any_word: bool = False) -> str | None:
    """The same, from words already picked (search.searched_terms)."""
    if not terms:
        return None
    parts = [lexeme(t) for t in terms]
    if prefix:
        parts[-1] += ":*"
    return (" | " if any_word else " & ").join(parts)


def _ranked_sql(status: str | None, section: str | None) -> tuple[str, dict[str, object]]:
    """A CTE `r` (id, rank) of the best matches; the caller adds :q, :n and its SELECT.

    As on SQLite, a word found in most of a large library is ranked among its
    newest RANK_WINDOW matches only; rare words, where ranking matters most,
    are ranked over all their matches. A story matches if its ranking
    document does (read in the row) or else its whole document: the same
    answer, since one holds a part of the other, but a common word is
    looked for story by story, newest first, and mostly found without
    reading a body's document (kilobytes, out of line). Rare words come from
    the two GIN indexes. Ranks come from rank_doc alone.
    """
    where = "(a.rank_doc @@ q OR a.search_doc @@ q) AND a.deleted_at IS NULL"  # never the trash
    params: dict[str, object] = {"w": RANK_WINDOW}
    if status:
        where += " AND a.status = :status"
        params["status"] = status
    if section:
        where += " AND a.section = :section"
        params["section"] = section
    sql = (
        f"WITH m AS MATERIALIZED (SELECT a.id, a.rank_doc FROM articles a, "
        f"to_tsquery('{CONFIG}', :q) q WHERE {where} ORDER BY a.id DESC LIMIT :w), "
        f"r AS (SELECT m.id, ts_rank('{WEIGHTS}', m.rank_doc, q, {NORMALIZATION}) AS rank "
        f"FROM m, to_tsquery('{CONFIG}', :q) q ORDER BY rank DESC, m.id DESC LIMIT :n) "
    )
    return sql, params


def ranked_ids(
    conn: Connection,
    tsquery: str,
    *,
    limit: int,
    status: str | None = None,
    section: str | None = None,
) -> list[int]:
    """Ids of the best matches, best first (see _ranked_sql)."""
    sql, params = _ranked_sql(status, section)
    rows = conn.execute(
        text(sql + "SELECT r.id FROM r ORDER BY r.rank DESC, r.id DESC"),
        params | {"q": tsquery, "n": limit},
    )
    return [r[0] for r in rows]


_HIT_COLUMNS = ("id", "uid", "slug", "headline", "dek", "section", "status", "updated_at")


def ranked_rows(
    conn: Connection,
    tsquery: str,
    *,
    limit: int,
    status: str | None = None,
    section: str | None = None,
    bodies: bool = True,
) -> list[tuple]:
    """The best matches, best first, as search.SearchHit's fields and then the body ("" without bodies)."""
    sql, params = _ranked_sql(status, section)
    columns = [Article.__table__.c[name] for name in (*_HIT_COLUMNS, "published_at", "body")]
    body = "a.body" if bodies else "''"
    stmt = text(
        sql + f"SELECT {', '.join('a.' + n for n in _HIT_COLUMNS)}, a.published_at, {body} AS body "
        "FROM r JOIN articles a ON a.id = r.id ORDER BY r.rank DESC, r.id DESC"
    ).columns(*columns)
    return [tuple(row) for row in conn.execute(stmt, params | {"q": tsquery, "n": limit})]
