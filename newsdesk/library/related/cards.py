"""The stories a picker lists (cards), and what is wrong with an article's related links."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from newsdesk.library.library import Library
from newsdesk.library.models import Article, Figure, Image, RelatedStory
from newsdesk.rules import under_embargo


# ---- cards for the picker --------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StoryCard:
    """What the picker shows for one story: text, dates and THAT story's own hero picture."""

    article_id: int
    slug: str
    headline: str
    dek: str
    section: str
    status: str
    published_at: datetime | None
    updated_at: datetime | None
    embargo_until: datetime | None
    hero_sha256: str = ""  # "" when the story has no hero picture
    hero_filename: str = ""
    hero_alt: str = ""

    @property
    def date(self) -> datetime | None:
        return self.published_at or self.updated_at


def story_cards(library: Library, ids: Iterable[int]) -> dict[int, StoryCard]:
    """Cards for these stories (missing ones are left out), in one query."""
    return cards_and_bodies(library, ids, bodies=False)[0]


def cards_and_bodies(
    library: Library, ids: Iterable[int], *, bodies: bool
) -> tuple[dict[int, StoryCard], dict[int, str]]:
    """Cards for these stories and, when asked, their bodies (for snippets), in one query."""
    wanted = list(dict.fromkeys(int(i) for i in ids))
    if not wanted:
        return {}, {}
    columns = [
        Article.id,
        Article.slug,
        Article.headline,
        Article.dek,
        Article.section,
        Article.status,
        Article.published_at,
        Article.updated_at,
        Article.embargo_until,
        Image.sha256,
        Image.ext,
        Figure.alt_text,
    ]
    if bodies:
        columns.append(Article.body)
    stmt = (
        select(*columns)
        .outerjoin(Figure, (Figure.article_id == Article.id) & (Figure.role == "hero"))
        .outerjoin(Image, Image.id == Figure.image_id)
        .where(Article.id.in_(wanted))
    )
    cards: dict[int, StoryCard] = {}
    texts: dict[int, str] = {}
    with library.reading() as conn:
        for r in conn.execute(stmt):
            if r.id in cards:  # a second hero figure: the first one stands
                continue
            cards[r.id] = card_from_row(r)
            if bodies:
                texts[r.id] = r.body or ""
    return cards, texts


# ---- integrity ----------------------------------------------------------------
def related_problem(link: RelatedStory, *, now: datetime | None = None) -> str:
    """What is wrong with one related story of an article ("" when nothing is)."""
    now = now or datetime.now(UTC)
    target = link.target
    name = (target.headline if target is not None else link.target_headline) or "(untitled)"
    if target is None or link.target_id is None:
        return f"Related story '{name}' was deleted."
    if target.status != "published":
        return f"Related story '{name}' is not published (it is {target.status})."
    if under_embargo(target, now):
        when = target.embargo_until.strftime("%Y-%m-%d %H:%M UTC")
        return f"Related story '{name}' is embargoed until {when}."
    return ""


def related_problems(
    library: Library, article: Article, *, now: datetime | None = None
) -> list[str]:
    """Preflight: related stories that were deleted, are not published, or are still embargoed.

    `article` must be loaded with its related stories (as `Library.get_article` does).
    """
    now = now or datetime.now(UTC)
    return [p for link in article.related if (p := related_problem(link, now=now))]


def card_from_row(r) -> StoryCard:
    """A card from a row carrying the story's fields and its hero's sha256, ext and alt_text."""
    sha = r.sha256 or ""
    return StoryCard(
        article_id=r.id,
        slug=r.slug,
        headline=r.headline,
        dek=r.dek,
        section=r.section,
        status=r.status,
        published_at=r.published_at,
        updated_at=r.updated_at,
        embargo_until=r.embargo_until,
        hero_sha256=sha,
        hero_filename=f"{sha}{r.ext}" if sha else "",
        hero_alt=(r.alt_text or "") if sha else "",  # that story's own words
    )
