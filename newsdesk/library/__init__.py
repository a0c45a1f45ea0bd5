"""The library: one folder holding the SQLite database and media, behind the Library facade.

The names below are loaded on first use (PEP 562): importing any module of the
package (`newsdesk.library.errors`, say) runs this file, and loading the models
and SQLAlchemy here would cost every command line start ~0.4 s, `--help` included.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from newsdesk.library.errors import LibraryError, NotFound, SlugTaken, StaleArticleError
from newsdesk.library.vocabulary import ARTICLE_STATUSES

if TYPE_CHECKING:
    from newsdesk.library.figures import FigureSpec, figure_specs
    from newsdesk.library.library import ArticleSummary, Library
    from newsdesk.library.models import (
        Article,
        Figure,
        Image,
        Publication,
        RelatedStory,
        Revision,
    )
    from newsdesk.library.search import SearchHit

# name -> the module that defines it, imported when the name is first asked for.
_LAZY = {
    "FigureSpec": "newsdesk.library.figures",
    "figure_specs": "newsdesk.library.figures",
    "ArticleSummary": "newsdesk.library.library",
    "Library": "newsdesk.library.library",
    "Article": "newsdesk.library.models",
    "Figure": "newsdesk.library.models",
    "Image": "newsdesk.library.models",
    "Publication": "newsdesk.library.models",
    "RelatedStory": "newsdesk.library.models",
    "Revision": "newsdesk.library.models",
    "SearchHit": "newsdesk.library.search",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        # AttributeError (not KeyError): `from newsdesk.library import repair`
        # relies on it to fall back to importing the submodule.
        raise AttributeError(f"module 'newsdesk.library' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # the next lookup is an ordinary attribute
    return value


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
