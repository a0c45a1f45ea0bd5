"""The related picker's queries, Qt-free (they run on pool threads): search with its filters, suggestions as rows.

The picker (ui/related_picker.py) shows what these return; the rule that a
"published" search ranks every story and then keeps the published ones lives
here, beside the query it speeds up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from newsdesk.library import search
from newsdesk.library.library import Library
from newsdesk.library.models import Article
from newsdesk.library.related.cards import StoryCard, cards_and_bodies
from newsdesk.library.related.suggest import suggest_with_cards

SEARCH_LIMIT = 50
SUGGESTION_LIMIT = 10


@dataclass(frozen=True, slots=True)
class StoryRow:
    """One row of the picker's lists: the story's card plus why it is in that list."""

    card: StoryCard
    snippet_html: str = ""  # search: the body around the matched words, marked
    reasons: tuple[str, ...] = ()  # suggestions: why it was suggested
    missing: str = ""  # picked: what preflight will say about it ("" when fine)

    @property
    def article_id(self) -> int:
        return self.card.article_id


@dataclass(frozen=True, slots=True)
class SearchRequest:
    query: str
    status: str
    section: str
    since: datetime | None
    until: datetime | None
    exclude_id: int | None


def card_from_article(article: Article) -> StoryCard:
    """A card straight from a loaded article (its hero figure loaded too): no database trip."""
    hero = article.hero
    image = hero.image if hero is not None else None
    return StoryCard(
        article_id=article.id,
        slug=article.slug,
        headline=article.headline,
        dek=article.dek,
        section=article.section,
        status=article.status,
        published_at=article.published_at,
        updated_at=article.updated_at,
        embargo_until=article.embargo_until,
        hero_sha256=image.sha256 if image is not None else "",
        hero_filename=image.filename if image is not None else "",
        hero_alt=hero.alt_text if hero is not None else "",  # that story's own words
    )


def run_search(library: Library, request: SearchRequest) -> list[StoryRow]:
    """Ranked search with the picker's filters; dates are checked here, over a deeper list.

    The search hands back ranked ids without snippets: a snippet is cut only
    for the stories shown, from the body read with their cards (one query).
    """
    dated = request.since is not None or request.until is not None
    depth = SEARCH_LIMIT * (4 if dated else 2)
    section = request.section or None
    find = partial(library.search, request.query, section=section, limit=depth, snippets=False)
    if request.status == "published":
        # Most of a library is published, and ranking without the status filter
        # is several times cheaper at 100,000 stories; the rest are dropped here,
        # and only when too few remain does the filtered query run.
        hits = find()
        deep = len(hits) == depth
        hits = [h for h in hits if h.status == "published"]
        if deep and len(hits) < SEARCH_LIMIT:
            hits = find(status="published")
    else:
        hits = find(status=request.status or None)
    kept = []
    for hit in hits:
        if hit.article_id == request.exclude_id:
            continue
        when = hit.published_at or hit.updated_at
        if request.since is not None and when < request.since:
            continue
        if request.until is not None and when >= request.until:
            continue
        kept.append(hit)
        if len(kept) == SEARCH_LIMIT:
            break
    cards, bodies = cards_and_bodies(library, [h.article_id for h in kept], bodies=True)
    typing = search.is_typing(request.query, True)
    terms = search.searched_terms(request.query, True)
    rows = []
    for hit in kept:
        if hit.article_id not in cards:
            continue
        snippet = hit.snippet or search.make_snippet(
            bodies.get(hit.article_id, ""), terms, prefix=typing
        )
        hit = replace(hit, snippet=snippet)
        rows.append(StoryRow(cards[hit.article_id], snippet_html=hit.snippet_html))
    return rows


def run_suggestions(
    library: Library,
    article_id: int,
    *,
    body: str | None,
    last_terms: list[str] | None,
    include_unpublished: bool,
    exclude: Sequence[int],
) -> tuple[list[str], list[StoryRow] | None]:
    """The article's top terms, and fresh suggestions unless those terms did not change."""
    terms, found = suggest_with_cards(
        library,
        article_id,
        limit=SUGGESTION_LIMIT,
        include_unpublished=include_unpublished,
        body=body,
        exclude=exclude,
        unless_terms=last_terms,
    )
    if found is None:
        return terms, None
    return terms, [StoryRow(card, reasons=tuple(s.reasons)) for s, card in found]
