"""Related-story suggestions on a shared (PostgreSQL) library: the queries that differ from SQLite's.

related/ picks terms and scores candidates the same way on both engines;
here are PostgreSQL's answers to its questions: how many stories hold each
term (read from term_stats, which the writer keeps: counting matches took
most of a suggestion's 300 ms), and the whole gathering query (see
related/gather.py for what it answers), written for PostgreSQL: one
statement text for every article, and relevance found without visiting
every story that shares a term. Terms are letters and digits only
(related.tokens), quoted anyway.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, TEXT
from sqlalchemy.engine import Connection

from newsdesk.library.search_pg import CONFIG, lexeme

_COUNTS = text("SELECT term, docs FROM term_stats WHERE term = ANY(:terms)").bindparams(
    bindparam("terms", type_=ARRAY(TEXT))
)


def count_terms(conn: Connection, terms: Sequence[str], cap: int) -> dict[str, int]:
    """How many stories hold each term (counts above cap change nothing and are kept as they are)."""
    if not terms:
        return {}
    found = dict(conn.execute(_COUNTS, {"terms": list(terms)}).all())
    return {t: max(int(found.get(t, 0)), 0) for t in terms}


# ---- the gathering query -------------------------------------------------------------
# One text whatever the article: terms, weights and tags come as arrays, so
# the server plans a short statement (a twelve-arm union with every tag
# written in cost it 2-4 ms to parse and plan) and the client's compiled
# forms are reused.
#
# Relevance is each story's sum over the terms it holds of the term's idf,
# doubled when the term is in its ranking document (headline, tags, dek,
# lead). Fetching every story that holds any term (up to MATCH_BUDGET of
# them, each a visit to its row) was most of a suggestion's time, and most
# of them hold one term once, deep in the body: such a story scores that
# term's idf and nothing more. So two kinds of story are fetched and scored
# exactly first: those holding two terms or more (`multi`: the index finds
# each term's stories that hold another one too, without visiting the
# rest) and those with a term in the ranking document (`lead`; the whole
# story must hold it too, since the lead may end in half a word). A story
# holding one term elsewhere can only be among the best CANDIDATES if that
# term's idf reaches the last of the best found so far (`bar`), so only
# those terms' stories are fetched (`single`): the same stories, with the
# same relevance, as summing every match.
_TERMS = f"""tq AS MATERIALIZED (
  SELECT t.n - 1 AS term, t.w, to_tsquery('{CONFIG}', t.lex) AS q,
    to_tsquery('{CONFIG}', t.lex) && to_tsquery('{CONFIG}', t.others) AS q_and_another
  FROM unnest(CAST(:lex AS text[]), CAST(:others AS text[]), CAST(:w AS float8[]))
    WITH ORDINALITY AS t(lex, others, w, n))"""

_RANKED = """multi AS MATERIALIZED (
  SELECT a.id, tq.w FROM tq JOIN articles a ON a.search_doc @@ tq.q_and_another),
lead AS MATERIALIZED (
  SELECT a.id, tq.w FROM tq JOIN articles a ON a.rank_doc @@ tq.q AND a.search_doc @@ tq.q),
known AS MATERIALIZED (
  SELECT id, sum(w) * CASE WHEN bool_or(m) THEN 1.0 ELSE 2.0 END AS rel
  FROM (SELECT id, w, true AS m FROM multi UNION ALL SELECT id, w, false FROM lead) x GROUP BY id),
bar AS (SELECT rel FROM known ORDER BY rel DESC, id DESC OFFSET {last} LIMIT 1),
single AS MATERIALIZED (
  SELECT a.id, tq.w AS rel FROM tq JOIN articles a ON a.search_doc @@ tq.q
  WHERE tq.w >= coalesce((SELECT rel FROM bar), 0.0) AND a.id NOT IN (SELECT id FROM known)),
fts AS MATERIALIZED (
  SELECT id, rel FROM (SELECT id, rel FROM known UNION ALL SELECT id, rel FROM single) u
  ORDER BY rel DESC, id DESC LIMIT {ranked}),
tw AS MATERIALIZED (
  SELECT tag_id, w FROM unnest(CAST(:tags AS int[]), CAST(:tw AS float8[])) AS x(tag_id, w)),
tr AS (
  SELECT s.article_id AS id FROM tw CROSS JOIN LATERAL (
    SELECT at.article_id FROM article_tags at WHERE at.tag_id = tw.tag_id
    ORDER BY at.article_id DESC LIMIT {per_tag}) s
  WHERE s.article_id <> :src GROUP BY s.article_id
  ORDER BY sum(tw.w) DESC, s.article_id DESC LIMIT {by_tags}),
cand AS MATERIALIZED (
  SELECT id, max(rel) AS rel
  FROM (SELECT id, NULL::float8 AS rel FROM tr UNION ALL SELECT id, rel FROM fts) u GROUP BY id),
best AS (SELECT max(rel) AS b FROM fts WHERE id <> :src)"""

# Stories given by id (the recent ones that fill a short list): no relevance.
_GIVEN = """tw AS MATERIALIZED (
  SELECT tag_id, w FROM unnest(CAST(:tags AS int[]), CAST(:tw AS float8[])) AS x(tag_id, w)),
cand AS MATERIALIZED (SELECT DISTINCT id, NULL::float8 AS rel FROM unnest(CAST(:only AS int[])) AS o(id)),
best AS (SELECT NULL::float8 AS b)"""

_PUBLIC = "AND a.status = 'published' AND (a.embargo_until IS NULL OR a.embargo_until <= :now)"

_SCORED = """scored AS MATERIALIZED (
  SELECT a.id,
    coalesce((SELECT sum(tw.w) FROM article_tags t JOIN tw ON tw.tag_id = t.tag_id
              WHERE t.article_id = a.id), 0.0)
    + :w_terms * coalesce(greatest(c.rel, 0.0), 0.0) / (SELECT coalesce(nullif(b, 0.0), 1.0) FROM best)
    + CASE WHEN :sec <> '' AND a.section = :sec THEN :w_section ELSE 0.0 END
    + coalesce(:w_recency * power(0.5, least(greatest(
        extract(epoch FROM (:now - coalesce(a.published_at, a.updated_at)))::float8 / 86400.0, 0.0)
        / :half_life, {max_half_lives})), 0.0) AS score
  FROM cand c JOIN articles a ON a.id = c.id
  WHERE a.deleted_at IS NULL AND a.id <> ALL(CAST(:excluded AS int[])) {public}
  ORDER BY score DESC, a.id DESC LIMIT :lim),
hit_terms AS (
  SELECT s.id, string_agg(tq.term::text, ',') AS terms
  FROM scored s JOIN articles a ON a.id = s.id JOIN tq ON a.search_doc @@ tq.q GROUP BY s.id)
SELECT s.score, a.id, a.slug, a.headline, a.dek, a.section, a.status,
  a.published_at, a.updated_at, a.embargo_until, i.sha256, i.ext, g.alt_text,
  (SELECT string_agg(t.tag_id::text, ',') FROM article_tags t
   WHERE t.article_id = a.id AND t.tag_id = ANY(CAST(:tags AS int[]))) AS tags, ht.terms
FROM scored s JOIN articles a ON a.id = s.id
LEFT JOIN hit_terms ht ON ht.id = a.id
LEFT JOIN figures g ON g.article_id = a.id AND g.role = 'hero'
LEFT JOIN images i ON i.id = g.image_id
ORDER BY s.score DESC, a.id DESC"""


@functools.lru_cache(maxsize=8)
def gather_sql(
    *, given: bool, public: bool, ranked: int, by_tags: int, per_tag: int, max_half_lives: float
) -> str:
    """The gathering query (related/gather.py's columns): ranked candidates, or the given ones.

    ranked: how many full-text candidates (the article itself may be one);
    by_tags: how many sharing the weightiest tags, from each tag's per_tag newest.
    """
    middle = (
        _GIVEN
        if given
        else _RANKED.format(last=ranked - 1, ranked=ranked, per_tag=per_tag, by_tags=by_tags)
    )
    scored = _SCORED.format(public=_PUBLIC if public else "", max_half_lives=float(max_half_lives))
    return f"WITH {_TERMS},\n{middle},\n{scored}"


def gather_params(
    *,
    source_id: int,
    excluded: Sequence[int],
    section: str,
    tag_weights: dict[int, float],
    terms: Sequence[str],
    idf: dict[str, float],
    weights: dict[str, float],
    limit: int,
    now: datetime,
    only_ids: Sequence[int] | None,
) -> dict[str, object]:
    """The values gather_sql's statement takes; weights: terms, section, recency, half_life."""
    lexemes = [lexeme(t) for t in terms]
    others = [" | ".join(lexemes[:n] + lexemes[n + 1 :]) or None for n in range(len(lexemes))]
    return {
        "lex": lexemes,
        "others": others,
        "w": [float(idf.get(t, 1.0)) for t in terms],
        "tags": [int(t) for t in tag_weights],
        "tw": [float(w) for w in tag_weights.values()],
        "src": int(source_id),
        "excluded": [int(i) for i in excluded],
        "sec": section or "",
        "w_terms": float(weights["terms"]),
        "w_section": float(weights["section"]),
        "w_recency": float(weights["recency"]),
        "half_life": float(weights["half_life"]),
        "now": now,
        "lim": int(limit),
        "only": [int(i) for i in only_ids or ()],
    }
