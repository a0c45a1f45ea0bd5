"""Related-story suggestions on a shared (PostgreSQL) library: the queries that differ from SQLite's.

related/ picks terms and scores candidates the same way on both engines;
here are PostgreSQL's answers to its questions: how many stories hold each
term (read from term_stats, which the writer keeps: counting matches took
most of a suggestion's 300 ms), and the pieces of the gathering query
(related/gather.py) written differently here: the stories sharing the
distinctive terms ranked by how much of the article they share, each tag's
newest sharers, and joining a list of values. Terms are letters and digits
only (related.tokens), quoted anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, TEXT
from sqlalchemy.engine import Connection

from newsdesk.library.search_pg import CONFIG, lexeme

_COUNTS = text("SELECT term, docs FROM term_stats WHERE term = ANY(:terms)").bindparams(
    bindparam("terms", type_=ARRAY(TEXT))
)
# A term found in the headline, tags, dek, byline or lead counts this much
# more than one found deeper in the body (bm25 weighs those fields up too).
RANK_FIELD_BONUS = 1.0


def count_terms(conn: Connection, terms: Sequence[str], cap: int) -> dict[str, int]:
    """How many stories hold each term (counts above cap change nothing and are kept as they are)."""
    if not terms:
        return {}
    found = dict(conn.execute(_COUNTS, {"terms": list(terms)}).all())
    return {t: max(int(found.get(t, 0)), 0) for t in terms}


def match_sql(
    terms: Sequence[str], idf: dict[str, float], limit: int, params: dict[str, object]
) -> tuple[str, str]:
    """(each term's matches with their score, the `limit` best stories) as SQL for related/gather.py.

    A story scores the idf of each term it shares (rarer terms say more), a
    term in its ranking document (headline, tags, dek, lead) twice that. Each
    term's matches come from the GIN index and only ranking documents are
    read, never a body's; the terms were picked to match at most a few
    thousand stories together (related.MATCH_BUDGET). The matches are kept
    (the `hits` CTE) to say which terms each candidate shares.
    """
    parts = []
    for n, term in enumerate(terms):
        parts.append(
            f"SELECT a.id, {n} AS term, CASE WHEN a.rank_doc @@ q THEN {1.0 + RANK_FIELD_BONUS} "
            f"ELSE 1.0 END * :w{n} AS s FROM articles a, to_tsquery('{CONFIG}', :t{n}) q "
            "WHERE a.search_doc @@ q"
        )
        params[f"t{n}"] = lexeme(term)
        params[f"w{n}"] = float(idf.get(term, 1.0))
    ranked = f"SELECT id, sum(s) AS rel FROM hits GROUP BY id ORDER BY rel DESC, id DESC LIMIT {int(limit)}"
    return " UNION ALL ".join(parts), ranked


def list_agg(expr: str) -> str:
    """SQLite's group_concat(expr): the values joined with commas."""
    return f"string_agg(({expr})::text, ',')"


def tag_sharers_sql(tag_ids: Sequence[int], per_tag: int) -> str:
    """Each tag's newest stories (highest ids) — SQLite reads its newest links by rowid instead."""
    return " UNION ALL ".join(
        f"(SELECT article_id, tag_id FROM article_tags WHERE tag_id = {int(t)} "
        f"ORDER BY article_id DESC LIMIT {int(per_tag)})"
        for t in tag_ids
    )


class _Scoring:
    """PostgreSQL's spelling of what scoring needs (related/gather.py): now, a story's age, public or not."""

    greatest, least = "greatest", "least"
    public = "(a.status = 'published' AND (a.embargo_until IS NULL OR a.embargo_until <= :now))"

    @staticmethod
    def params(now: datetime) -> dict[str, object]:
        return {"now": now}

    @staticmethod
    def age(expr: str) -> str:
        return f"(extract(epoch FROM (:now - {expr}))::float8 / 86400.0)"

    @staticmethod
    def prepare(conn: Connection) -> None:
        pass


SCORING = _Scoring()
