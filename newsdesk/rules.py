"""The rules every layer applies the same way: who may read a story, where a section's pages live.

They sit below library/ and render/ (they read plain attributes, not models),
so the preview, the export, preflight, the related picker and suggestions all
decide the same thing the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Protocol

from newsdesk.text import slugify


class Publishable(Protocol):
    """Anything with a status and an embargo: an Article, a related card, a page input."""

    status: str
    embargo_until: datetime | None


def under_embargo(article: Publishable, now: datetime | None = None) -> bool:
    """The article has an embargo that has not passed yet."""
    until = article.embargo_until
    return until is not None and until > (now or datetime.now(UTC))


def is_public(article: Publishable, now: datetime | None = None) -> bool:
    """THE rule for what readers may see: published, and past any embargo."""
    return article.status == "published" and not under_embargo(article, now)


# The same rule for a query over the articles table (one bound parameter: now).
PUBLIC_SQL = (
    "status = 'published' AND (embargo_until IS NULL OR julianday(embargo_until) <= julianday(?))"
)


@lru_cache(maxsize=1024)  # pure, and a site asks for the same few thousands of times
def section_segment(section: str) -> str:
    """The folder a section's pages live in."""
    return slugify(section or "news", fallback="news")


@lru_cache(maxsize=4096)
def tag_segment(tag: str) -> str:
    """The folder a tag's pages live in, below tag/."""
    return slugify(tag or "topic", fallback="topic")
