"""What a full export keeps of each story between its check and its page: everything but the text.

A full export reads the library twice, a batch of stories at a time (see
export/site.py): once to check each story and note what the later steps
need (its pictures, listing row, related links, report line), once more to
render its page. Between the two it holds a `Story` per story, a few hundred
bytes, instead of the loaded record with its body (~20 KB), so its memory
does not grow with the library's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newsdesk.export.fingerprint import _IMAGE_REF


@dataclass(frozen=True, eq=False)
class StoryFigure:
    """A figure as the renditions and the listing row read it (the library's Image, its words)."""

    image: Any
    role: str
    caption: str | None
    alt_text: str | None


@dataclass(frozen=True)
class StoryAuthor:
    uid: str
    name: str
    slug: str
    bio: str
    url: str


@dataclass(frozen=True)
class LinkTarget:
    uid: str


@dataclass(frozen=True)
class StoryLink:
    """A related-story link: only whom it points at (None when that story is gone)."""

    target: LinkTarget | None


class Story:
    """The fields of an Article that export/listings.row_of, the renditions step, the page
    fingerprint of the navigation and the report read, under the same names; not its text."""

    __slots__ = (
        "id",
        "uid",
        "slug",
        "headline",
        "dek",
        "section",
        "language",
        "seo_description",
        "byline",
        "published_at",
        "updated_at",
        "tags",
        "figures",
        "related",
        "authors",
        "body",
    )

    def __init__(self, article: Any) -> None:
        self.id: int = article.id
        self.uid: str = article.uid
        self.slug: str = article.slug
        self.headline: str = article.headline
        self.dek: str = article.dek
        self.section: str = article.section
        self.language: str | None = article.language
        self.seo_description: str | None = article.seo_description
        self.byline: str = article.byline
        self.published_at: datetime | None = article.published_at
        self.updated_at: datetime = article.updated_at
        self.tags: list[str] = list(article.tags)
        self.figures = tuple(
            StoryFigure(f.image, f.role, f.caption, f.alt_text) for f in article.figures
        )
        self.related = tuple(
            StoryLink(LinkTarget(link.target.uid) if link.target is not None else None)
            for link in article.related
        )
        self.authors = tuple(
            StoryAuthor(a.uid, a.name, a.slug, a.bio, a.url) for a in article.authors
        )
        # Only the body's picture references, in order: all that fingerprint._images_of reads of it.
        self.body = "".join(f"](image:{ref})" for ref in _IMAGE_REF.findall(article.body))

    @property
    def hero(self) -> StoryFigure | None:
        return next((f for f in self.figures if f.role == "hero"), None)
