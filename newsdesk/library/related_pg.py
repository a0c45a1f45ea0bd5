"""Related-story suggestions on a shared (PostgreSQL) library: the queries that differ from SQLite's.

related.py picks terms and scores candidates the same way on both engines;
here are PostgreSQL's answers to its questions: how many stories hold each
term (counted in the GIN index up to a cap), one ranked OR-query over the
distinctive terms, which terms each shown story shares, and the facts
scoring needs. Terms are letters and digits only (related.tokens), quoted
anyway.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from newsdesk.library.search_pg import CONFIG, NORMALIZATION, RANK_WINDOW, WEIGHTS


def _lexeme(term: str) -> str:
    return "'" + term.replace("'", "''").replace("\\", "\\\\") + "'"


def count_terms(conn: Connection, terms: Sequence[str], cap: int) -> dict[str, int]:
    """How many stories hold each term, counted up to cap (beyond it the count changes nothing)."""
    if not terms:
        return {}
    parts = [
        f"SELECT {n}, (SELECT count(*) FROM (SELECT 1 FROM articles "
        f"WHERE search_doc @@ to_tsquery('{CONFIG}', :t{n}) LIMIT {int(cap)}) s)"
        for n in range(len(terms))
    ]
    params = {f"t{n}": _lexeme(t) for n, t in enumerate(terms)}
    return {terms[n]: c for n, c in conn.execute(text(" UNION ALL ".join(parts)), params)}


def ranked_candidates(
    conn: Connection, source_id: int, terms: Sequence[str], limit: int
) -> dict[int, float]:
    """One ranked query OR-ing the terms: id -> relevance in (0, 1] relative to the best."""
    if not terms:
        return {}
    # As in search, only the newest RANK_WINDOW matches are ranked (see search_pg).
    rows = conn.execute(
        text(
            f"WITH m AS (SELECT a.id, a.search_doc FROM articles a, to_tsquery('{CONFIG}', :q) q "
            "WHERE a.search_doc @@ q ORDER BY a.id DESC LIMIT :w) "
            f"SELECT m.id, ts_rank_cd('{WEIGHTS}', m.search_doc, q, {NORMALIZATION}) AS r "
            f"FROM m, to_tsquery('{CONFIG}', :q) q ORDER BY r DESC, m.id DESC LIMIT :n"
        ),
        {"q": " | ".join(_lexeme(t) for t in terms), "n": limit + 1, "w": RANK_WINDOW},
    ).all()
    ranked = [(rid, score) for rid, score in rows if rid != source_id]
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
    params: dict[str, object] = {f"t{n}": _lexeme(t) for n, t in enumerate(terms)}
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
