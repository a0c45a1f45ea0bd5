"""Related-story suggestions: candidates from shared tags and distinctive terms, scored with section and recency, and the reasons shown."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select, text
from sqlalchemy.engine import Connection

from newsdesk.library import search
from newsdesk.library.errors import NotFound
from newsdesk.library.library import Library
from newsdesk.library.models import Article, ArticleTag, Tag
from newsdesk.library.related.terms import (
    _TARGETS,
    TF_SHORTLIST,
    TOP_TERMS,
    _df_cache,
    _vocab_ready,
    distinctive_terms,
    term_frequencies,
    tokens,
)
from newsdesk.rules import PUBLIC_SQL
from newsdesk.text import plain_text


def _pg():
    """The PostgreSQL queries, imported when a shared library asks: they load SQLAlchemy's
    PostgreSQL dialect, which a SQLite library (every CLI export's preflight) never needs."""
    from newsdesk.library import related_pg

    return related_pg


# How much each kind of evidence weighs. A shared tag was chosen by an editor,
# so it counts most; shared distinctive words are strong when several agree;
# section and recency only break ties between otherwise similar stories.
TAG_WEIGHT = 3.0
TERMS_WEIGHT = 4.0
SECTION_WEIGHT = 0.75
RECENCY_WEIGHT = 1.0
RECENCY_HALF_LIFE_DAYS = 45.0
RECENT_DAYS = 14
CANDIDATES = 120  # how many ranked candidates each source contributes
PER_TAG = 200  # stories each of the article's tags brings, most recently tagged first
REASON_ITEMS = 4  # names listed in one reason ("shares terms: a, b, c, d")


@dataclass(slots=True)
class Suggestion:
    """One suggested related story, with the score it earned and why."""

    article_id: int
    slug: str
    headline: str
    section: str
    published_at: datetime | None
    score: float
    reasons: list[str] = field(default_factory=list)


# ---- suggestions -------------------------------------------------------------
@dataclass(slots=True)
class _Source:
    """The article suggestions are made for, as plain values."""

    id: int
    headline: str
    dek: str
    body: str
    section: str
    tag_ids: dict[int, str]  # id -> name
    picked: set[int]


@dataclass(slots=True)
class _Candidate:
    id: int
    tag_ids: set[int] = field(default_factory=set)
    fts_score: float = 0.0  # 0..1, relative to the best full-text match


def _load_source(conn: Connection, article_id: int) -> _Source:
    row = conn.execute(
        select(Article.id, Article.headline, Article.dek, Article.body, Article.section).where(
            Article.id == article_id
        )
    ).first()
    if row is None:
        raise NotFound(f"Article {article_id} is no longer in the library.")
    tags = dict(
        conn.execute(
            select(Tag.id, Tag.name)
            .join(ArticleTag, ArticleTag.tag_id == Tag.id)
            .where(ArticleTag.article_id == article_id)
        ).all()
    )
    picked = {
        r[0]
        for r in conn.execute(
            text(
                "SELECT target_id FROM related_stories "
                "WHERE article_id = :a AND target_id IS NOT NULL"
            ),
            {"a": article_id},
        )
    }
    return _Source(row.id, row.headline, row.dek, row.body, row.section, tags, picked)


def _tag_candidates(
    library: Library, conn: Connection, source: _Source, total: int
) -> tuple[dict[int, _Candidate], dict[int, float]]:
    """Stories sharing the article's tags, newest first per tag, and each tag's weight.

    A tag shared by few stories weighs more than one on thousands. Each tag
    brings at most its PER_TAG most recently tagged stories: older sharers of
    a busy tag can still come in through the full-text query.
    """
    if not source.tag_ids:
        return {}, {}
    tag_list = list(source.tag_ids)
    tag_df = _df_cache.tag_counts(library, conn, tag_list)
    weights: dict[int, float] = {}
    log_total = math.log(max(total, 2))
    for tag_id in tag_list:
        n = max(tag_df.get(tag_id, 1), 1)
        specificity = min(1.0, max(0.0, 1.0 - math.log(n) / log_total))
        weights[tag_id] = TAG_WEIGHT * (0.5 + 0.5 * specificity)
    # Links are rewritten whenever an article's tags are saved, so the newest
    # rowids of a tag are its most recently tagged stories; the tag_id index
    # hands them over in that order without sorting.
    parts = [
        f"SELECT * FROM (SELECT article_id, tag_id FROM article_tags WHERE tag_id = {int(t)} "
        f"ORDER BY rowid DESC LIMIT {PER_TAG})"
        for t in tag_list
    ]
    sql = " UNION ALL ".join(parts)
    if conn.dialect.name == "postgresql":
        sql = _pg().tag_sharers_sql(tag_list, PER_TAG)
    found: dict[int, _Candidate] = {}
    for aid, tid in conn.exec_driver_sql(sql):
        if aid != source.id:
            found.setdefault(aid, _Candidate(aid)).tag_ids.add(tid)
    if len(found) > CANDIDATES:
        # Keep those sharing the weightiest tags; newer ids break ties (newer stories).
        ranked = sorted(found.values(), key=lambda c: (-sum(weights[t] for t in c.tag_ids), -c.id))
        found = {c.id: c for c in ranked[:CANDIDATES]}
    return found, weights


def _match_expression(terms: Sequence[str]) -> str:
    # Tokens hold only letters and digits, so quoting them is enough to keep
    # FTS5 from reading any of them as an operator.
    return " OR ".join(f'"{t}"' for t in terms)


def _fts_candidates(
    conn: Connection, source: _Source, terms: Sequence[str], idf: dict[str, float]
) -> dict[int, float]:
    """One ranked full-text query OR-ing the distinctive terms: id -> relevance in (0, 1]."""
    if conn.dialect.name == "postgresql":
        return _pg().ranked_candidates(conn, source.id, terms, CANDIDATES, idf)
    if not terms:
        return {}
    rows = conn.execute(
        text(
            f"SELECT rowid, rank FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH :m "
            "ORDER BY rank LIMIT :n"
        ),
        {"m": _match_expression(terms), "n": CANDIDATES + 1},
    ).all()
    ranked = [(rid, -rank) for rid, rank in rows if rid != source.id]
    if not ranked:
        return {}
    best = max(score for _, score in ranked) or 1.0
    return {rid: max(score, 0.0) / best for rid, score in ranked}


def _terms_shared(
    conn: Connection, ids: Sequence[int], terms: Sequence[str]
) -> dict[int, list[str]]:
    """Which of the terms each of these stories contains (for the reasons shown)."""
    if conn.dialect.name == "postgresql":
        return _pg().terms_shared(conn, ids, terms)
    if not ids or not terms:
        return {}
    id_list = ",".join(str(int(i)) for i in ids)
    parts = [
        f"SELECT {n}, rowid FROM {search.FTS_TABLE} "
        f"WHERE {search.FTS_TABLE} MATCH :t{n} AND +rowid IN ({id_list})"
        for n in range(len(terms))
    ]
    # "+rowid" keeps SQLite from running one MATCH per listed id: walking each
    # distinctive term's short posting list once is much cheaper.
    params = {f"t{n}": f'"{term}"' for n, term in enumerate(terms)}
    shared: dict[int, list[int]] = {}
    for n, rid in conn.execute(text(" UNION ALL ".join(parts)), params):
        shared.setdefault(rid, []).append(n)
    return {rid: [terms[n] for n in sorted(ns)] for rid, ns in shared.items()}


def _scan_terms_shared(
    conn: Connection, ids: Sequence[int], terms: Sequence[str]
) -> dict[int, list[str]]:
    """The same, without a full-text index: read the stories' text and look."""
    if not ids or not terms:
        return {}
    rows = conn.execute(
        select(Article.id, Article.headline, Article.dek, Article.body).where(Article.id.in_(ids))
    )
    out: dict[int, list[str]] = {}
    for rid, headline, dek, body in rows:
        words = set(tokens(f"{headline} {dek} {body}"))
        hit = [t for t in terms if t in words]
        if hit:
            out[rid] = hit
    return out


def _scan_candidates(
    conn: Connection, source: _Source, terms: Sequence[str], *, include_unpublished: bool
) -> dict[int, float]:
    """Without FTS5: newest stories whose headline or dek mentions a frequent term."""
    if not terms:
        return {}
    clauses = []
    for term in terms[:6]:
        like = f"%{term}%"
        clauses += [Article.headline.ilike(like), Article.dek.ilike(like)]
    stmt = select(Article.id).where(or_(*clauses), Article.id != source.id)
    if not include_unpublished:
        stmt = stmt.where(Article.status == "published")
    stmt = stmt.order_by(Article.updated_at.desc()).limit(CANDIDATES)
    return {r[0]: 0.0 for r in conn.execute(stmt)}


def _fill_recent(
    conn: Connection, source: _Source, exclude: set[int], want: int, *, include_unpublished: bool
) -> list[int]:
    """Recent stories, the article's section first, for when too few share anything."""
    out: list[int] = []
    for same_section in (True, False):
        if len(out) >= want:
            break
        stmt = select(Article.id).where(Article.id.not_in(exclude | set(out) | {source.id}))
        if not include_unpublished:
            stmt = stmt.where(Article.status == "published")
        if same_section:
            if not source.section:
                continue
            stmt = stmt.where(Article.section == source.section)
        stmt = stmt.order_by(Article.published_at.desc().nulls_last(), Article.id.desc()).limit(
            want - len(out)
        )
        out += [r[0] for r in conn.execute(stmt)]
    return out


def _article_terms(
    library: Library,
    conn: Connection,
    source: _Source,
    use_fts: bool,
    *,
    headline: str | None,
    dek: str | None,
    body: str | None,
) -> tuple[int, list[tuple[str, float]]]:
    """The library size and the article's distinctive terms with their idf.

    Applies the edited text (if any) to source as a side effect.
    """
    edited = headline is not None or dek is not None or body is not None
    saved_text = f"{source.headline} {source.dek} {source.body}" if edited else ""
    if headline is not None:
        source.headline = headline
    if dek is not None:
        source.dek = dek
    if body is not None:
        source.body = body
    counts = term_frequencies(source.headline, source.dek, source.body)
    shortlist = [t for t, _ in counts.most_common(TF_SHORTLIST)]
    if not use_fts:
        total = conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
        # No statistics: frequent words of the story stand in for distinctive ones.
        return total, [(t, 1.0) for t in shortlist[:TOP_TERMS]]
    total, df = _df_cache.lookup(library, conn, shortlist)
    if edited:
        # The index holds the saved text, not the one being edited.
        own = set(tokens(plain_text(_TARGETS.sub(" ", saved_text))))
        return total, distinctive_terms(counts, total, df, indexed_own=own.__contains__)
    return total, distinctive_terms(counts, total, df)


def top_terms(
    library: Library,
    article_id: int,
    *,
    headline: str | None = None,
    dek: str | None = None,
    body: str | None = None,
) -> list[str]:
    """The distinctive terms suggestions would be ranked by; cheap once their counts are cached.

    The picker compares these before and after an edit: while they stay the
    same, the suggestions would too, and are not recomputed.
    """
    use_fts = _vocab_ready(library)
    with library.engine.connect() as conn:
        source = _load_source(conn, article_id)
        _, top = _article_terms(
            library, conn, source, use_fts, headline=headline, dek=dek, body=body
        )
    return [t for t, _ in top]


def suggest_related(
    library: Library,
    article_id: int,
    *,
    limit: int = 10,
    include_unpublished: bool = False,
    headline: str | None = None,
    dek: str | None = None,
    body: str | None = None,
    exclude: Iterable[int] = (),
    now: datetime | None = None,
) -> list[Suggestion]:
    """Stories to suggest as related to this article, best first.

    headline, dek and body, when given, are the text as it is being edited
    (not yet saved); otherwise the saved text is used. Never suggests the
    article itself or a story it already lists; only published stories past
    any embargo unless include_unpublished. exclude names more stories to
    leave out (the picker's picks that are still being saved).
    """
    now = now or datetime.now(UTC)
    use_fts = _vocab_ready(library)
    with library.engine.connect() as conn:
        source = _load_source(conn, article_id)
        source.picked |= set(exclude)
        total, top = _article_terms(
            library, conn, source, use_fts, headline=headline, dek=dek, body=body
        )
        terms = [t for t, _ in top]
        term_idf = dict(top)

        candidates, tag_weights = _tag_candidates(library, conn, source, total)
        if use_fts:
            relevance = _fts_candidates(conn, source, terms, term_idf)
        else:
            relevance = _scan_candidates(
                conn, source, terms, include_unpublished=include_unpublished
            )
        for rid, rel in relevance.items():
            candidates.setdefault(rid, _Candidate(rid)).fts_score = rel
        for rid in source.picked | {source.id}:
            candidates.pop(rid, None)

        facts = _candidate_facts(conn, list(candidates), source, now)
        if not use_fts and terms:
            # Relevance from how many of the story's frequent words each one shares.
            shared_scan = _scan_terms_shared(conn, list(candidates), terms)
            for rid, hit in shared_scan.items():
                candidates[rid].fts_score = len(hit) / len(terms)

        scored: list[tuple[float, int]] = []
        for rid, fact in facts.items():
            if include_unpublished or fact.public:
                candidates[rid].tag_ids = fact.tag_ids
                scored.append((_score(candidates[rid], fact, source, tag_weights), rid))
        scored.sort(key=lambda s: (-s[0], -s[1]))
        chosen = scored[:limit]

        if len(chosen) < limit:
            extra = _fill_recent(
                conn,
                source,
                set(candidates) | source.picked,
                limit - len(chosen),
                include_unpublished=include_unpublished,
            )
            for rid, fact in _candidate_facts(conn, extra, source, now).items():
                if include_unpublished or fact.public:
                    facts[rid] = fact
                    candidates[rid] = _Candidate(rid, tag_ids=fact.tag_ids)
                    chosen.append((_score(candidates[rid], fact, source, tag_weights), rid))
            chosen.sort(key=lambda s: (-s[0], -s[1]))

        ids = [rid for _, rid in chosen]
        if use_fts:
            shared_terms = _terms_shared(conn, ids, terms)
        else:
            shared_terms = _scan_terms_shared(conn, ids, terms)
        shown = {
            r.id: r
            for r in conn.execute(
                select(Article.id, Article.slug, Article.headline, Article.published_at).where(
                    Article.id.in_(ids)
                )
            )
        }

    suggestions = []
    for score, rid in chosen:
        row, fact = shown[rid], facts[rid]
        hit_terms = sorted(shared_terms.get(rid, []), key=lambda t: -term_idf.get(t, 0.0))
        suggestions.append(
            Suggestion(
                article_id=rid,
                slug=row.slug,
                headline=row.headline,
                section=fact.section,
                published_at=row.published_at,
                score=round(score, 3),
                reasons=_reasons(candidates[rid], fact, source, hit_terms),
            )
        )
    return suggestions


@dataclass(slots=True)
class _Facts:
    """What scoring needs to know about a candidate, computed by SQLite."""

    section: str
    public: bool
    age_days: float
    tag_ids: set[int]


def _sqlite_time(when: datetime) -> str:
    # The form SQLAlchemy stores datetimes in on SQLite (UTC), which julianday() reads.
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _candidate_facts(
    conn: Connection, ids: Sequence[int], source: _Source, now: datetime
) -> dict[int, _Facts]:
    """Section, public or not, age and shared tags of each candidate, in one query.

    Worked out by SQLite rather than by loading rows as objects: a few hundred
    candidates go through here for every suggestion.
    """
    if not ids:
        return {}
    if conn.dialect.name == "postgresql":
        return {
            rid: _Facts(
                section=section,
                public=public,
                age_days=max(0.0, age),
                tag_ids={int(t) for t in tags.split(",")} if tags else set(),
            )
            for rid, section, public, age, tags in _pg().candidate_rows(
                conn, ids, list(source.tag_ids), now
            )
        }
    id_list = ",".join(str(int(i)) for i in ids)
    tag_list = ",".join(str(int(t)) for t in source.tag_ids) or "NULL"
    sql = (
        "SELECT id, section, "
        f"{PUBLIC_SQL}, "
        "julianday(?) - julianday(coalesce(published_at, updated_at)), "
        "(SELECT group_concat(tag_id) FROM article_tags t "
        f" WHERE t.article_id = articles.id AND t.tag_id IN ({tag_list})) "
        f"FROM articles WHERE id IN ({id_list}) AND deleted_at IS NULL"  # trash is never suggested
    )
    stamp = _sqlite_time(now)
    out = {}
    for rid, section, public, age, tags in conn.exec_driver_sql(sql, (stamp, stamp)):
        out[rid] = _Facts(
            section=section,
            public=bool(public),
            age_days=max(0.0, age) if age is not None else math.inf,
            tag_ids={int(t) for t in tags.split(",")} if tags else set(),
        )
    return out


def _score(cand: _Candidate, fact: _Facts, source: _Source, tag_weights: dict[int, float]) -> float:
    score = sum(tag_weights.get(t, 0.0) for t in cand.tag_ids)
    score += TERMS_WEIGHT * cand.fts_score
    if source.section and fact.section == source.section:
        score += SECTION_WEIGHT
    if math.isfinite(fact.age_days):
        score += RECENCY_WEIGHT * 0.5 ** (fact.age_days / RECENCY_HALF_LIFE_DAYS)
    return score


def _listing(names: Sequence[str]) -> str:
    shown = list(names[:REASON_ITEMS])
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _reasons(
    cand: _Candidate, fact: _Facts, source: _Source, hit_terms: Sequence[str]
) -> list[str]:
    reasons = []
    tag_names = [source.tag_ids[t] for t in source.tag_ids if t in cand.tag_ids]
    if tag_names:
        reasons.append(f"shares {'tags' if len(tag_names) > 1 else 'tag'}: {_listing(tag_names)}")
    if hit_terms:
        reasons.append(f"shares {'terms' if len(hit_terms) > 1 else 'term'}: {_listing(hit_terms)}")
    if source.section and fact.section == source.section:
        reasons.append(f"same section: {source.section}")
    if fact.age_days <= RECENT_DAYS:
        reasons.append("recent")
    return reasons


# ---- presenting -------------------------------------------------------------
def format_suggestions(suggestions: Sequence[Suggestion]) -> str:
    """Suggestions as the command line prints them, best first."""
    if not suggestions:
        return "No related stories to suggest."
    lines = []
    for n, s in enumerate(suggestions, 1):
        date = s.published_at.date().isoformat() if s.published_at else "unpublished"
        lines.append(f"{n:>2}. {s.headline}  [{s.slug}]  score {s.score:.2f}")
        meta = " · ".join(part for part in (s.section, date) if part)
        lines.append(f"    {meta}")
        if s.reasons:
            lines.append(f"    {'; '.join(s.reasons)}")
    return "\n".join(lines)


def suggestion_json(suggestion: Suggestion) -> dict[str, Any]:
    """`dataclasses.asdict` with the date as ISO 8601, ready for json.dumps."""
    data = asdict(suggestion)
    data["published_at"] = suggestion.published_at.isoformat() if suggestion.published_at else None
    return data
