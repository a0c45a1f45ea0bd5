"""The library: one folder holding the SQLite database and media, behind the Library facade."""

from __future__ import annotations

from newsdesk.library.errors import LibraryError, NotFound, SlugTaken, StaleArticleError
from newsdesk.library.figures import FigureSpec, figure_specs
from newsdesk.library.library import ArticleSummary, Library
from newsdesk.library.models import (
    ARTICLE_STATUSES,
    Article,
    Figure,
    Image,
    Publication,
    RelatedStory,
    Revision,
)
from newsdesk.library.search import SearchHit

__all__ = [
    "ARTICLE_STATUSES",
    "Article",
    "ArticleSummary",
    "Figure",
    "FigureSpec",
    "Image",
    "Library",
    "LibraryError",
    "NotFound",
    "Publication",
    "RelatedStory",
    "Revision",
    "SearchHit",
    "SlugTaken",
    "StaleArticleError",
    "figure_specs",
]
