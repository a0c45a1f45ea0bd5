"""Errors the library raises, each with a message fit to show a user as it is."""

from __future__ import annotations


class LibraryError(Exception):
    """The library cannot be opened or used; the message names the problem."""


class NotFound(LibraryError):
    """No article, image or revision matches what was asked for."""


class StaleArticleError(LibraryError):
    """The article changed in the library since this copy was loaded (another window saved it)."""

    def __init__(self, article_id: int, expected: int, found: int) -> None:
        super().__init__(
            f"The article was changed elsewhere (version {found}, this copy is version {expected})."
        )
        self.article_id = article_id
        self.expected = expected
        self.found = found


class SlugTaken(LibraryError):
    """Another article already uses this slug."""
