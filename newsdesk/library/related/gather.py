"""The two queries a suggestion makes: the article as a source, and its candidates with all scoring and showing needs.

A suggestion used to ask eight to twelve questions, each its own query: the
article, its tags, its picks, how common each tag is, each tag's sharers, the
full-text matches, facts about every candidate, the terms the chosen ones
share, their rows and then their cards. On SQLite each is cheap; on a busy
PostgreSQL server each round trip cost 5-20 ms, and the suggestion 80-100 ms.
Now the article, its tags (with how many stories carry each, unless counted
lately) and its picks come in one query, and the suggestions in another:
CTEs gather each tag's sharers and the ranked full-text matches once, the
database scores every candidate (shared tags, relevance, section, recency)
and keeps the best `limit`, and one row for each of those holds its card
(with THAT story's hero picture) and the tags and terms it shares.
PostgreSQL's gathering query is its own (related_pg.py); SQLite's is built here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from newsdesk.library import search
from newsdesk.library.errors import NotFound
from newsdesk.library.models import AwareDateTime
from newsdesk.library.related.cards import StoryCard, card_from_row
from newsdesk.rules import PUBLIC_SQL


def _pg():
    """The PostgreSQL queries, imported when a shared library asks: they load SQLAlchemy's
    PostgreSQL dialect, which a SQLite library (every CLI export's preflight) never needs."""
    from newsdesk.library import related_pg

    return related_pg


CANDIDATES = 120  # how many ranked candidates each source contributes
PER_TAG = 200  # stories each of the article's tags brings, most recently tagged first


@dataclass(slots=True)
class Source:
    """The article suggestions are made for, as plain values."""

    id: int
    headline: str
    dek: str
    body: str
    section: str
    tag_ids: dict[int, str]  # id -> name, in the article's order
    tag_counts: dict[int, int]  # id -> how many stories carry the tag
    picked: set[int]


# kind 0: the article; 1: a tag of it (with its story count, -1 when the
# caller knows it already); 2: a story it lists.
_SOURCE = (
    "SELECT 0 AS kind, a.id, a.headline, a.dek, a.body, a.section, 0 AS n, 0 AS pos "
    "FROM articles a WHERE a.id = :a "
    "UNION ALL SELECT 1, t.id, t.name, NULL, NULL, NULL, "
    "CASE WHEN t.id IN ({known}) THEN -1 "
    "ELSE (SELECT count(*) FROM article_tags c WHERE c.tag_id = t.id) END, at.position "
    "FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = :a "
    "UNION ALL SELECT 2, r.target_id, NULL, NULL, NULL, NULL, 0, 0 FROM related_stories r "
    "WHERE r.article_id = :a AND r.target_id IS NOT NULL "
    "ORDER BY 1, 8, 2"
)


def load_source(conn: Connection, article_id: int, tag_counts: dict[int, int]) -> Source:
    """The article, its tags and the stories it already lists, in one query.

    tag_counts holds the story counts of tags counted lately (a busy tag's
    count walks thousands of links); only the article's other tags are counted.
    """
    source: Source | None = None
    tags: dict[int, str] = {}
    counts: dict[int, int] = {}
    picked: set[int] = set()
    sql = text(_SOURCE.format(known=_ids(tag_counts)))
    for kind, rid, name, dek, body, section, n, _pos in conn.execute(sql, {"a": article_id}):
        if kind == 0:
            source = Source(rid, name, dek, body, section, tags, counts, picked)
        elif kind == 1:
            tags[rid] = name
            counts[rid] = tag_counts[rid] if n < 0 else int(n)
        else:
            picked.add(rid)
    if source is None:
        raise NotFound(f"Article {article_id} is no longer in the library.")
    return source


@dataclass(slots=True)
class Weights:
    """What each kind of evidence adds to a candidate's score (see suggest.py)."""

    tags: dict[int, float]  # each of the article's tags, by id, in the article's order
    terms: float
    section: float
    recency: float
    half_life_days: float


@dataclass(slots=True)
class Found:
    """One suggested story as the gathering query describes it: its card, score and what it shares."""

    card: StoryCard
    score: float
    tag_ids: set[int]  # the article's tags it carries too
    terms: list[int]  # indexes into the terms it was asked about, ascending


# Recency is 0.5 to the power of a story's age in half-lives; past this many it
# is nil anyway, and PostgreSQL raises an error rather than round to zero.
_MAX_HALF_LIVES = 1000.0

_EMPTY_RANKED = "SELECT 0 AS id, 0.0 AS rel WHERE 1 = 0"
_EMPTY_HITS = "SELECT 0 AS term, 0 AS id WHERE 1 = 0"


def _ids(ids: Sequence[int]) -> str:
    return ",".join(str(int(i)) for i in ids) or "NULL"


def tag_rank_sql(source_id: int, tag_ids: Sequence[int]) -> str:
    """SQLite: the CANDIDATES stories sharing the weightiest of the article's tags; newer ids break ties.

    Takes the weights as :tw0, :tw1... in the order of tag_ids. Links are
    rewritten whenever an article's tags are saved, so the newest rowids of
    a tag are its most recently tagged stories, and the tag_id index hands
    them over in that order without sorting. (PostgreSQL takes each tag's
    highest ids: related_pg.py.)
    """
    if not tag_ids:
        return "SELECT 0 AS id WHERE 1 = 0"
    sharers = " UNION ALL ".join(
        f"SELECT * FROM (SELECT article_id, tag_id FROM article_tags WHERE tag_id = {int(t)} "
        f"ORDER BY rowid DESC LIMIT {PER_TAG})"
        for t in tag_ids
    )
    return (
        f"SELECT article_id AS id FROM ({sharers}) s WHERE article_id <> {int(source_id)} "
        f"GROUP BY article_id ORDER BY sum({_tag_weight_case('tag_id', tag_ids)}) DESC, "
        f"article_id DESC LIMIT {CANDIDATES}"
    )


def _tag_weight_case(column: str, tag_ids: Sequence[int]) -> str:
    whens = " ".join(f"WHEN {int(t)} THEN :tw{n}" for n, t in enumerate(tag_ids))
    return f"CASE {column} {whens} ELSE 0.0 END" if whens else "0.0"


def tag_candidates(conn: Connection, source: Source, weights: Weights) -> list[int]:
    """The stories sharing the article's weightiest tags (SQLite's full-text-less path asks first)."""
    sql = tag_rank_sql(source.id, list(weights.tags))
    params = {f"tw{n}": w for n, w in enumerate(weights.tags.values())}
    return [r[0] for r in conn.execute(text(sql), params)]


def _sqlite_match_sql(terms: Sequence[str], params: dict) -> tuple[str, str]:
    """(the CANDIDATES + 1 best bm25 matches of any term, each term's matches among the chosen)."""
    if not terms:
        return _EMPTY_RANKED, _EMPTY_HITS
    # Tokens hold only letters and digits, so quoting them is enough to keep
    # FTS5 from reading any of them as an operator.
    params["m"] = " OR ".join(f'"{t}"' for t in terms)
    fts = (
        f"SELECT rowid AS id, -rank AS rel FROM {search.FTS_TABLE} "
        f"WHERE {search.FTS_TABLE} MATCH :m ORDER BY rank LIMIT {CANDIDATES + 1}"
    )
    # "+rowid" keeps SQLite from running one MATCH per story: walking each
    # distinctive term's short posting list once is much cheaper.
    hits = " UNION ALL ".join(
        f"SELECT {n} AS term, rowid AS id FROM {search.FTS_TABLE} "
        f"WHERE {search.FTS_TABLE} MATCH :t{n} AND +rowid IN (SELECT id FROM scored)"
        for n in range(len(terms))
    )
    params.update({f"t{n}": f'"{term}"' for n, term in enumerate(terms)})
    return fts, hits


def _given_relevance(relevance: dict[int, float]) -> str:
    rows = " UNION ALL ".join(
        f"SELECT {int(rid)} AS id, {float(rel)!r} AS rel" for rid, rel in relevance.items()
    )
    return rows or _EMPTY_RANKED


def gather(
    conn: Connection,
    source: Source,
    weights: Weights,
    *,
    terms: Sequence[str],
    idf: dict[str, float],
    limit: int,
    include_unpublished: bool,
    now: datetime,
    use_fts: bool = True,
    relevance: dict[int, float] | None = None,
    only_ids: Sequence[int] | None = None,
) -> list[Found]:
    """The best `limit` candidates, scored by the database, best first; never trash or the picks.

    Candidates are the stories sharing the weightiest tags and the best
    full-text matches of the terms, or exactly only_ids when given.
    Without a full-text index (SQLite only), relevance gives each candidate's (0..1).
    """
    if conn.dialect.name == "postgresql":
        sql, params = _pg_statement(
            source, weights, terms, idf, limit, include_unpublished, now, only_ids
        )
    else:
        sql, params = _sqlite_statement(
            source, weights, terms, limit, include_unpublished, now, use_fts, relevance, only_ids
        )
        _SQLITE.prepare(conn)
    stmt = text(sql).columns(
        published_at=AwareDateTime(), updated_at=AwareDateTime(), embargo_until=AwareDateTime()
    )
    found: dict[int, Found] = {}
    for r in conn.execute(stmt, params):
        if r.id in found:  # a second hero figure: the first one stands
            continue
        card = card_from_row(r)
        found[r.id] = Found(
            card=card,
            score=float(r.score),
            tag_ids={int(t) for t in str(r.tags).split(",")} if r.tags else set(),
            terms=sorted({int(n) for n in str(r.terms).split(",")}) if r.terms else [],
        )
    return list(found.values())


def _pg_statement(
    source: Source,
    weights: Weights,
    terms: Sequence[str],
    idf: dict[str, float],
    limit: int,
    include_unpublished: bool,
    now: datetime,
    only_ids: Sequence[int] | None,
) -> tuple[str, dict[str, object]]:
    pg = _pg()
    sql = pg.gather_sql(
        given=only_ids is not None,
        public=not include_unpublished,
        ranked=CANDIDATES + 1,
        by_tags=CANDIDATES,
        per_tag=PER_TAG,
        max_half_lives=_MAX_HALF_LIVES,
    )
    params = pg.gather_params(
        source_id=source.id,
        excluded=[source.id, *source.picked],
        section=source.section,
        tag_weights=weights.tags,
        terms=terms,
        idf=idf,
        weights={
            "terms": weights.terms,
            "section": weights.section,
            "recency": weights.recency,
            "half_life": weights.half_life_days,
        },
        limit=limit,
        now=now,
        only_ids=only_ids,
    )
    return sql, params


def _sqlite_statement(
    source: Source,
    weights: Weights,
    terms: Sequence[str],
    limit: int,
    include_unpublished: bool,
    now: datetime,
    use_fts: bool,
    relevance: dict[int, float] | None,
    only_ids: Sequence[int] | None,
) -> tuple[str, dict[str, object]]:
    params: dict[str, object] = {f"tw{n}": w for n, w in enumerate(weights.tags.values())}
    best = f"SELECT max(rel) AS b FROM fts WHERE id <> {int(source.id)}"
    if relevance is not None:
        fts, hits, best = _given_relevance(relevance), _EMPTY_HITS, "SELECT 1.0 AS b"
    elif not use_fts:
        fts, hits = _EMPTY_RANKED, _EMPTY_HITS
    else:
        fts, hits = _sqlite_match_sql(terms, params)
    if only_ids is not None:
        cand = (
            f"SELECT a.id, f.rel FROM articles a LEFT JOIN fts f ON f.id = a.id "
            f"WHERE a.id IN ({_ids(only_ids)})"
        )
        if relevance is None:
            fts = _EMPTY_RANKED
    else:
        tag_rank = tag_rank_sql(source.id, list(weights.tags))
        cand = (
            "SELECT id, max(rel) AS rel FROM (SELECT id, NULL AS rel FROM "
            f"({tag_rank}) tr UNION ALL SELECT id, rel FROM fts) u GROUP BY id"
        )
    dialect = _SQLITE
    params.update(dialect.params(now))
    params["sec"] = source.section or ""
    tag_list = _ids(source.tag_ids)
    age = dialect.age("coalesce(a.published_at, a.updated_at)")
    score = (
        f"coalesce((SELECT sum({_tag_weight_case('t.tag_id', list(weights.tags))}) "
        f"FROM article_tags t WHERE t.article_id = a.id AND t.tag_id IN ({tag_list})), 0.0) "
        f"+ {float(weights.terms)!r} * coalesce({dialect.greatest}(c.rel, 0.0), 0.0) "
        "/ (SELECT coalesce(nullif(b, 0.0), 1.0) FROM best) "
        f"+ CASE WHEN :sec <> '' AND a.section = :sec THEN {float(weights.section)!r} ELSE 0.0 END "
        f"+ coalesce({float(weights.recency)!r} * power(0.5, {dialect.least}("
        f"{dialect.greatest}({age}, 0.0) / {float(weights.half_life_days)!r}, {_MAX_HALF_LIVES})), "
        "0.0)"
    )
    excluded = _ids([source.id, *source.picked])
    public = "" if include_unpublished else f" AND {dialect.public}"
    with_sql = ", ".join(
        f"{name} AS MATERIALIZED ({sql})" for name, sql in (("fts", fts), ("cand", cand))
    )
    scored = (
        f"SELECT a.id, {score} AS score FROM cand c JOIN articles a ON a.id = c.id "
        f"WHERE a.deleted_at IS NULL AND a.id NOT IN ({excluded}){public} "  # trash never
        f"ORDER BY score DESC, a.id DESC LIMIT {int(limit)}"
    )
    with_sql += f", best AS ({best}), scored AS MATERIALIZED ({scored}), hits AS ({hits})"
    agg = _group_concat
    sql = (
        f"WITH {with_sql}, "
        f"hit_terms AS (SELECT id, {agg('term')} AS terms FROM hits "
        " WHERE id IN (SELECT id FROM scored) GROUP BY id) "
        "SELECT s.score, a.id, a.slug, a.headline, a.dek, a.section, a.status, "
        "a.published_at, a.updated_at, a.embargo_until, i.sha256, i.ext, g.alt_text, "
        f"(SELECT {agg('t.tag_id')} FROM article_tags t "
        f" WHERE t.article_id = a.id AND t.tag_id IN ({tag_list})) AS tags, ht.terms "
        "FROM scored s JOIN articles a ON a.id = s.id "
        "LEFT JOIN hit_terms ht ON ht.id = a.id "
        "LEFT JOIN figures g ON g.article_id = a.id AND g.role = 'hero' "
        "LEFT JOIN images i ON i.id = g.image_id "
        "ORDER BY s.score DESC, a.id DESC"
    )
    return sql, params


def _group_concat(expr: str) -> str:
    return f"group_concat({expr})"


class _SQLiteScoring:
    """SQLite's spelling of what scoring needs: now, a story's age, public or not."""

    greatest, least = "max", "min"
    public = f"({PUBLIC_SQL.replace('?', ':stamp')})"

    @staticmethod
    def params(now: datetime) -> dict[str, object]:
        # The form SQLAlchemy stores datetimes in on SQLite (UTC), which julianday() reads.
        return {"stamp": now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")}

    @staticmethod
    def age(expr: str) -> str:
        return f"(julianday(:stamp) - julianday({expr}))"

    @staticmethod
    def prepare(conn: Connection) -> None:
        if not _HAS_POWER:
            # An SQLite built without its math functions: Python's stands in.
            conn.connection.driver_connection.create_function(
                "power", 2, math.pow, deterministic=True
            )


def _sqlite_has_power() -> bool:
    import sqlite3

    try:
        sqlite3.connect(":memory:").execute("SELECT power(0.5, 2.0)").close()
    except sqlite3.OperationalError:
        return False
    return True


_HAS_POWER = _sqlite_has_power()
_SQLITE = _SQLiteScoring()


def age_days(card: StoryCard, now: datetime) -> float:
    """The card's age in days (published, else last changed); infinite when it has no date."""
    when = card.published_at or card.updated_at
    if when is None:
        return float("inf")
    return max(0.0, (now - when).total_seconds() / 86400.0)
