"""Related-story suggestions: candidates from shared tags and distinctive terms, scored with section and recency, and the reasons shown."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import or_, select, text
from sqlalchemy.engine import Connection

from newsdesk.library.library import Library
from newsdesk.library.models import Article
from newsdesk.library.related.cards import StoryCard
from newsdesk.library.related.gather import (
    CANDIDATES,
    Found,
    Source,
    Weights,
    age_days,
    gather,
    load_source,
    tag_candidates,
)
from newsdesk.library.related.terms import (
    TF_SHORTLIST,
    TOP_TERMS,
    _df_cache,
    _vocab_ready,
    distinctive_terms,
    indexed_words,
    term_frequencies,
    tokens,
)

# How much each kind of evidence weighs. A shared tag was chosen by an editor,
# so it counts most; shared distinctive words are strong when several agree;
# section and recency only break ties between otherwise similar stories.
TAG_WEIGHT = 3.0
TERMS_WEIGHT = 4.0
SECTION_WEIGHT = 0.75
RECENCY_WEIGHT = 1.0
RECENCY_HALF_LIFE_DAYS = 45.0
RECENT_DAYS = 14
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
def _tag_weights(source: Source, total: int) -> dict[int, float]:
    """Each of the article's tags' weight: a tag shared by few stories weighs more than one on thousands."""
    weights: dict[int, float] = {}
    log_total = math.log(max(total, 2))
    for tag_id in source.tag_ids:
        n = max(source.tag_counts.get(tag_id, 1), 1)
        specificity = min(1.0, max(0.0, 1.0 - math.log(n) / log_total))
        weights[tag_id] = TAG_WEIGHT * (0.5 + 0.5 * specificity)
    return weights


def _scan_terms_shared(
    conn: Connection, ids: Sequence[int], terms: Sequence[str]
) -> dict[int, list[str]]:
    """Without a full-text index, which of the terms each story holds: read its text and look."""
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
    conn: Connection, source: Source, terms: Sequence[str], *, include_unpublished: bool
) -> list[int]:
    """Without FTS5: newest stories whose headline or dek mentions a frequent term."""
    if not terms:
        return []
    clauses = []
    for term in terms[:6]:
        like = f"%{term}%"
        clauses += [Article.headline.ilike(like), Article.dek.ilike(like)]
    stmt = select(Article.id).where(or_(*clauses), Article.id != source.id)
    if not include_unpublished:
        stmt = stmt.where(Article.status == "published")
    stmt = stmt.order_by(Article.updated_at.desc()).limit(CANDIDATES)
    return [r[0] for r in conn.execute(stmt)]


def _fill_recent(
    conn: Connection,
    source: Source,
    exclude: set[int],
    want: int,
    *,
    include_unpublished: bool,
    now: datetime,
) -> list[int]:
    """Recent stories, the article's section first, for when too few share anything.

    Only stories that may be suggested (never trash; published and past any
    embargo unless include_unpublished), so that each one fills a place.
    """
    out: list[int] = []
    for same_section in (True, False):
        if len(out) >= want:
            break
        stmt = select(Article.id).where(
            Article.id.not_in(exclude | set(out) | {source.id}), Article.deleted_at.is_(None)
        )
        if not include_unpublished:
            stmt = stmt.where(
                Article.status == "published",
                or_(Article.embargo_until.is_(None), Article.embargo_until <= now),
            )
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
    source: Source,
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
        own = indexed_words(saved_text)
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
    with library.reading() as conn:
        source = load_source(conn, article_id, _df_cache.tag_counts(library))
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
    _, found = suggest_with_cards(
        library,
        article_id,
        limit=limit,
        include_unpublished=include_unpublished,
        headline=headline,
        dek=dek,
        body=body,
        exclude=exclude,
        now=now,
    )
    return [s for s, _ in found or ()]


def suggest_with_cards(
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
    unless_terms: list[str] | None = None,
) -> tuple[list[str], list[tuple[Suggestion, StoryCard]] | None]:
    """The article's distinctive terms, and suggestions with each story's card, best first.

    As suggest_related, in two queries (three while word counts are not yet
    cached): the article, then its candidates scored by the database. When
    the terms come out equal to unless_terms, the suggestions would be too:
    None is returned for them, and nothing more is asked.
    """
    now = now or datetime.now(UTC)
    use_fts = _vocab_ready(library)
    with library.reading() as conn:
        known_tags = _df_cache.tag_counts(library)
        source = load_source(conn, article_id, known_tags)
        _df_cache.remember_tag_counts(
            library, {t: n for t, n in source.tag_counts.items() if t not in known_tags}
        )
        source.picked |= set(exclude)
        total, top = _article_terms(
            library, conn, source, use_fts, headline=headline, dek=dek, body=body
        )
        terms = [t for t, _ in top]
        if unless_terms is not None and terms == unless_terms:
            return terms, None
        term_idf = dict(top)
        weights = Weights(
            tags=_tag_weights(source, total),
            terms=TERMS_WEIGHT,
            section=SECTION_WEIGHT,
            recency=RECENCY_WEIGHT,
            half_life_days=RECENCY_HALF_LIFE_DAYS,
        )
        ask = partial(
            gather,
            conn,
            source,
            weights,
            terms=terms,
            idf=term_idf,
            include_unpublished=include_unpublished,
            now=now,
            use_fts=use_fts,
        )
        relevance = None
        if not use_fts:
            # Relevance from how many of the story's frequent words each one shares.
            scanned = _scan_candidates(conn, source, terms, include_unpublished=include_unpublished)
            ids = list(dict.fromkeys([*tag_candidates(conn, source, weights), *scanned]))
            shares = _scan_terms_shared(conn, ids, terms)
            relevance = {rid: len(shares.get(rid, ())) / max(len(terms), 1) for rid in ids}
            chosen = ask(limit=limit, relevance=relevance, only_ids=ids)
        else:
            chosen = ask(limit=limit)
        if len(chosen) < limit:
            seen = {f.card.article_id for f in chosen} | set(relevance or ())
            extra = _fill_recent(
                conn,
                source,
                seen | source.picked,
                limit - len(chosen),
                include_unpublished=include_unpublished,
                now=now,
            )
            if extra:
                chosen += ask(limit=len(extra), only_ids=extra)
                chosen.sort(key=lambda f: (-f.score, -f.card.article_id))
        if use_fts:
            shared_terms = {f.card.article_id: [terms[n] for n in f.terms] for f in chosen}
        else:
            shared_terms = _scan_terms_shared(conn, [f.card.article_id for f in chosen], terms)

    suggestions = []
    for f in chosen:
        rid = f.card.article_id
        hit_terms = sorted(shared_terms.get(rid, []), key=lambda t: -term_idf.get(t, 0.0))
        suggestion = Suggestion(
            article_id=rid,
            slug=f.card.slug,
            headline=f.card.headline,
            section=f.card.section,
            published_at=f.card.published_at,
            score=round(f.score, 3),
            reasons=_reasons(f, source, hit_terms, now),
        )
        suggestions.append((suggestion, f.card))
    return terms, suggestions


def _listing(names: Sequence[str]) -> str:
    shown = list(names[:REASON_ITEMS])
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _reasons(f: Found, source: Source, hit_terms: Sequence[str], now: datetime) -> list[str]:
    reasons = []
    tag_names = [source.tag_ids[t] for t in source.tag_ids if t in f.tag_ids]
    if tag_names:
        reasons.append(f"shares {'tags' if len(tag_names) > 1 else 'tag'}: {_listing(tag_names)}")
    if hit_terms:
        reasons.append(f"shares {'terms' if len(hit_terms) > 1 else 'term'}: {_listing(hit_terms)}")
    if source.section and f.card.section == source.section:
        reasons.append(f"same section: {source.section}")
    if age_days(f.card, now) <= RECENT_DAYS:
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
