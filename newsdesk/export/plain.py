"""Stories read for an export by Core queries, a batch at a time: plain records that read like the ORM's.

A full export reads every published story twice (to check it, then to
render its page). Through the ORM each read built an identity map, a
state object per record and the collections of every related story (their
tags, updates and authors too): most of the export's own processor time at
10,000 stories. Here one query per table and batch fills plain objects with
the same attribute names the checks, the fingerprint, preflight, the
listing row and the page input read (`article.figures[0].image.sha256`,
`article.hero`, `link.target.status`, …), in the ORM's own order (each
collection by the same ORDER BY its relationship gives).

A related story is read without its body (nothing reads it) and with its
figures, for its hero. The library's other readers keep the ORM.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select

from newsdesk.library.models import (
    Article,
    ArticleAuthor,
    ArticleTag,
    ArticleUpdate,
    Author,
    Figure,
    Image,
    RelatedStory,
    Tag,
)

# Ids per IN (...) list: well inside every engine's limit on bound parameters.
_IN = 500

_ARTICLES = Article.__table__
_FIGURES = Figure.__table__
_IMAGES = Image.__table__
_RELATED = RelatedStory.__table__
_UPDATES = ArticleUpdate.__table__
_AUTHORS = Author.__table__
# A related story's card never shows its text.
_TARGET_COLUMNS = [c for c in _ARTICLES.c if c.name != "body"]


class PlainRecord:
    """A row's columns as attributes (what the ORM's record offers to read)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


class PlainImage(PlainRecord):
    @property
    def filename(self) -> str:
        return f"{self.sha256}{self.ext}"


class PlainFigure(PlainRecord):
    image: PlainImage


class PlainLink(PlainRecord):
    target: PlainArticle | None


class PlainAuthor(PlainRecord):
    pass


class PlainUpdate(PlainRecord):
    pass


class PlainArticle(PlainRecord):
    """An article with its tags, figures (and images), related links (and their targets'
    figures), updates and authors, each list in the order the ORM's relationship gives it."""

    tags: list[str]
    figures: list[PlainFigure]
    related: list[PlainLink]
    updates: list[PlainUpdate]
    authors: list[PlainAuthor]

    @property
    def hero(self) -> PlainFigure | None:
        return next((f for f in self.figures if f.role == "hero"), None)


def load_articles(conn, ids: Iterable[int], *, images: dict[int, PlainImage] | None = None):
    """The articles with these ids (out of any order; each once), fully read, in id order.

    images: pictures already read, by id, reused (and added to) so that a
    picture many stories show is one object.
    """
    wanted = sorted(set(ids))
    if images is None:
        images = {}
    out: list[PlainArticle] = []
    for i in range(0, len(wanted), _IN):
        out += _load(conn, wanted[i : i + _IN], images)
    return out


def _load(conn, ids: list[int], images: dict[int, PlainImage]) -> list[PlainArticle]:
    rows = conn.execute(select(_ARTICLES).where(_ARTICLES.c.id.in_(ids)).order_by(_ARTICLES.c.id))
    articles = [PlainArticle(dict(r._mapping)) for r in rows]
    if not articles:
        return []
    by_id = {a.id: a for a in articles}
    for a in articles:
        a.tags, a.figures, a.related, a.updates, a.authors = [], [], [], [], []

    tags = (
        select(ArticleTag.article_id, Tag.name)
        .join(Tag, Tag.id == ArticleTag.tag_id)
        .where(ArticleTag.article_id.in_(ids))
        .order_by(ArticleTag.position)
    )
    for article_id, name in conn.execute(tags):
        by_id[article_id].tags.append(name)

    for fig in _figures(conn, ids, images):
        by_id[fig.article_id].figures.append(fig)

    links = [
        PlainLink(dict(r._mapping))
        for r in conn.execute(
            select(_RELATED).where(_RELATED.c.article_id.in_(ids)).order_by(_RELATED.c.position)
        )
    ]
    targets = _targets(conn, {lk.target_id for lk in links if lk.target_id is not None}, images)
    for lk in links:
        lk.target = targets.get(lk.target_id) if lk.target_id is not None else None
        by_id[lk.article_id].related.append(lk)

    updates = select(_UPDATES).where(_UPDATES.c.article_id.in_(ids)).order_by(_UPDATES.c.at)
    for r in conn.execute(updates):
        by_id[r.article_id].updates.append(PlainUpdate(dict(r._mapping)))

    authors = (
        select(ArticleAuthor.article_id.label("_article_id"), _AUTHORS)
        .join(_AUTHORS, _AUTHORS.c.id == ArticleAuthor.author_id)
        .where(ArticleAuthor.article_id.in_(ids))
        .order_by(ArticleAuthor.position)
    )
    for r in conn.execute(authors):
        values = dict(r._mapping)
        by_id[values.pop("_article_id")].authors.append(PlainAuthor(values))
    return articles


def _figures(conn, ids: Sequence[int], images: dict[int, PlainImage]) -> list[PlainFigure]:
    """The figures of these articles (by position, as the ORM orders them), with their images."""
    cols = [c.label(f"f_{c.name}") for c in _FIGURES.c] + [
        c.label(f"i_{c.name}") for c in _IMAGES.c
    ]
    stmt = (
        select(*cols)
        .join_from(_FIGURES, _IMAGES, _IMAGES.c.id == _FIGURES.c.image_id)
        .where(_FIGURES.c.article_id.in_(ids))
        .order_by(_FIGURES.c.position)
    )
    out = []
    for r in conn.execute(stmt):
        m = r._mapping
        fig = PlainFigure({c.name: m[f"f_{c.name}"] for c in _FIGURES.c})
        image = images.get(fig.image_id)
        if image is None:
            image = images[fig.image_id] = PlainImage({c.name: m[f"i_{c.name}"] for c in _IMAGES.c})
        fig.image = image
        out.append(fig)
    return out


def _targets(conn, ids: set[int], images: dict[int, PlainImage]) -> dict[int, PlainArticle]:
    """The stories these links point at: their fields (not their text) and their figures."""
    out: dict[int, PlainArticle] = {}
    wanted = sorted(ids)
    for i in range(0, len(wanted), _IN):
        part = wanted[i : i + _IN]
        for r in conn.execute(select(*_TARGET_COLUMNS).where(_ARTICLES.c.id.in_(part))):
            target = PlainArticle(dict(r._mapping))
            target.figures = []
            out[target.id] = target
        for fig in _figures(conn, part, images):
            out[fig.article_id].figures.append(fig)
    return out
