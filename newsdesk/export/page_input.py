"""The library's records as page inputs: what the export, the preview and the publisher hand the renderer.

`render/` takes plain data (render/page_input.py) and never imports the
library; this is the one place that reads an Article, its figures, related
stories, authors and updates, and the Publication, into that data. The
records must be fully loaded (Library.get_article), as the page needs all of it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from newsdesk.render.page_input import (
    ArticleInput,
    AuthorInput,
    FigureInput,
    Picture,
    PublicationInput,
    RelatedInput,
    StoryLink,
    UpdateInput,
)


def picture(image: Any) -> Picture:
    """A library Image (or a Picture already) as a page needs it."""
    if isinstance(image, Picture):
        return image
    return Picture(
        id=image.id,
        uid=image.uid,
        sha256=image.sha256,
        filename=image.filename,
        width=image.width,
        height=image.height,
        caption=image.caption or "",
        alt_text=image.alt_text or "",
        credit=image.credit or "",
        creator=image.creator or "",
        copyright=image.copyright or "",
    )


def figure_input(figure: Any) -> FigureInput:
    return FigureInput(
        image=picture(figure.image),
        role=figure.role,
        caption=figure.caption or "",
        alt_text=figure.alt_text or "",
    )


def story_link(article: Any) -> StoryLink:
    """Another story as its card and its link need it."""
    hero = article.hero
    return StoryLink(
        uid=article.uid,
        slug=article.slug,
        section=article.section,
        headline=article.headline,
        status=article.status,
        published_at=article.published_at,
        updated_at=article.updated_at,
        embargo_until=article.embargo_until,
        hero=figure_input(hero) if hero is not None else None,
    )


def article_input(article: Any, **edited: Any) -> ArticleInput:
    """A fully loaded Article (or an ArticleInput) as page input; `edited` fields win.

    `edited` is the editor's unsaved text (headline, body…); names the page
    does not know are left out.
    """
    base = article if isinstance(article, ArticleInput) else _from_record(article)
    changes = {k: (tuple(v) if k == "tags" else v) for k, v in edited.items() if k in _FIELDS}
    return dataclasses.replace(base, **changes) if changes else base


def _from_record(article: Any) -> ArticleInput:
    return ArticleInput(
        id=article.id,
        uid=article.uid,
        slug=article.slug,
        headline=article.headline,
        dek=article.dek,
        byline=article.byline,
        section=article.section,
        body=article.body,
        status=article.status,
        language=article.language or "",
        seo_title=article.seo_title or "",
        seo_description=article.seo_description or "",
        tags=tuple(article.tags),
        published_at=article.published_at,
        updated_at=article.updated_at,
        embargo_until=article.embargo_until,
        figures=tuple(figure_input(f) for f in article.figures),
        related=tuple(
            RelatedInput(story_link(link.target) if link.target is not None else None)
            for link in article.related
        ),
        authors=tuple(
            AuthorInput(uid=a.uid, name=a.name, slug=a.slug, role=a.role, url=a.url or "")
            for a in article.authors
        ),
        updates=tuple(UpdateInput(kind=u.kind, text=u.text, at=u.at) for u in article.updates),
    )


_FIELDS = frozenset(f.name for f in dataclasses.fields(ArticleInput))


def publication_input(publication: Any) -> PublicationInput:
    if isinstance(publication, PublicationInput):
        return publication
    return PublicationInput(
        name=publication.name,
        base_url=publication.base_url or "",
        language=publication.language or "en",
        timezone=publication.timezone or "UTC",
    )
