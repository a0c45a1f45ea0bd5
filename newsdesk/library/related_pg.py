"""Related-story suggestions on a shared (PostgreSQL) library: the queries that differ from SQLite's.

related.py picks terms and scores candidates the same way on both engines;
here are PostgreSQL's answers to its questions: how many stories hold each
term (read from term_stats, which the writer keeps: counting matches took
most of a suggestion's 300 ms), the stories sharing the distinctive terms
ranked by how much of the article they share, which terms each shown story
shares, and the facts scoring needs. Terms are letters and digits only
(related.tokens), quoted anyway.
"""

from __future__ import annotations

import math
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


def ranked_candidates(
    conn: Connection,
    source_id: int,
    terms: Sequence[str],
    limit: int,
    idf: dict[str, float] | None = None,
) -> dict[int, float]:
    """Stories holding any of the terms: id -> relevance in (0, 1] relative to the best.

    A story scores the idf of each term it shares (rarer terms say more), a
    term in its ranking document (headline, tags, dek, lead) twice that. Each
    term's matches come from the GIN index and only ranking documents are
    read, never a body's; the terms were picked to match at most a few
    thousand stories together (related.MATCH_BUDGET).
    """
    if not terms:
        return {}
    idf = idf or {}
    parts, params = [], {"n": limit + 1}
    for n, term in enumerate(terms):
        parts.append(
            f"SELECT a.id, CASE WHEN a.rank_doc @@ q THEN {1.0 + RANK_FIELD_BONUS} ELSE 1.0 END "
            f"* :w{n} AS s FROM articles a, to_tsquery('{CONFIG}', :t{n}) q "
            "WHERE a.search_doc @@ q"
        )
        params[f"t{n}"] = lexeme(term)
        params[f"w{n}"] = float(idf.get(term, 1.0))
    rows = conn.execute(
        text(
            f"SELECT id, sum(s) AS r FROM ({' UNION ALL '.join(parts)}) m "
            "GROUP BY id ORDER BY r DESC, id DESC LIMIT :n"
        ),
        params,
    ).all()
    ranked = [(rid, float(score)) for rid, score in rows if rid != source_id]
    if not ranked:
        return {}
    best = max(score for _, score in ranked) or 1.0
    return {rid: max(score, 0.0) / best for rid, score in ranked}


def terms_shared(
    conn: Connection, ids: Sequence[int], terms: Sequence[str]
) -> dict[int, list[str]]:
    """Which of the terms each of these stories contains (for the reasons shown)."""
    if not ids or not terms:
        return {}
    tests = ", ".join(f"a.search_doc @@ to_tsquery('{CONFIG}', :t{n})" for n in range(len(terms)))
    params: dict[str, object] = {f"t{n}": lexeme(t) for n, t in enumerate(terms)}
    id_list = ",".join(str(int(i)) for i in ids)
    out: dict[int, list[str]] = {}
    for rid, *hits in conn.execute(
        text(f"SELECT a.id, {tests} FROM articles a WHERE a.id IN ({id_list})"), params
    ):
        shared = [terms[n] for n, hit in enumerate(hits) if hit]
        if shared:
            out[rid] = shared
    return out


def tag_sharers_sql(tag_ids: Sequence[int], per_tag: int) -> str:
    """Each tag's newest stories (highest ids) — SQLite reads its newest links by rowid instead."""
    return " UNION ALL ".join(
        f"(SELECT article_id, tag_id FROM article_tags WHERE tag_id = {int(t)} "
        f"ORDER BY article_id DESC LIMIT {int(per_tag)})"
        for t in tag_ids
    )


def candidate_rows(
    conn: Connection, ids: Sequence[int], tag_ids: Sequence[int], now: datetime
) -> list[tuple[int, str, bool, float, str | None]]:
    """(id, section, public, age in days, shared tag ids "1,2") for each candidate."""
    id_list = ",".join(str(int(i)) for i in ids)
    tag_list = ",".join(str(int(t)) for t in tag_ids) or "NULL"
    rows = conn.execute(
        text(
            "SELECT a.id, a.section, "
            "a.status = 'published' AND (a.embargo_until IS NULL OR a.embargo_until <= :now), "
            "extract(epoch FROM (:now - coalesce(a.published_at, a.updated_at))) / 86400.0, "
            "(SELECT string_agg(t.tag_id::text, ',') FROM article_tags t "
            f" WHERE t.article_id = a.id AND t.tag_id IN ({tag_list})) "
            f"FROM articles a WHERE a.id IN ({id_list})"
        ),
        {"now": now},
    )
    return [
        (rid, section, bool(public), float(age) if age is not None else math.inf, tags)
        for rid, section, public, age, tags in rows
    ]
