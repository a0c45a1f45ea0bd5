"""Listing pages of the site: which stories go on which page, and the addresses of those pages.

A listing (the front page, a section, a tag, a month of the archive) lives in
one folder; its first page is that folder's index.html, the next ones are
`page/2/`, `page/3/`… below it, so page 1 keeps the address it always had.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TypeVar

from newsdesk.render import i18n

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 24
MAX_PAGE_SIZE = 500
PAGE_SIZE_SETTING = "site.page_size"  # a publication setting: stories per listing page
TAG_DIR = "tag"
ARCHIVE_DIR = "archive"
FEEDS_DIR = "feeds"


@dataclass
class Pager:
    """Where a page sits in its listing, and the links to its neighbours (relative to it)."""

    number: int
    total: int
    number_text: str
    total_text: str
    newer_href: str
    older_href: str


def page_size(value: object) -> int:
    """The setting as a number of stories; anything that is not 1…500 gives the default."""
    try:
        size = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE
    return size if 1 <= size <= MAX_PAGE_SIZE else DEFAULT_PAGE_SIZE


def split(items: list[T], size: int) -> list[list[T]]:
    """Pages of at most `size` items; an empty listing is still one (empty) page."""
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def page_dir(listing_dir: str, number: int) -> str:
    """'world/' and 3 -> 'world/page/3/'; page 1 is the listing's own folder ('' is the root)."""
    return listing_dir if number == 1 else f"{listing_dir}page/{number}/"


def root_prefix(folder: str) -> str:
    """The way back to the site root from a page in `folder` ('' or 'a/b/')."""
    return "../" * folder.count("/")


def pager(listing_dir: str, number: int, total: int, lang: str) -> Pager:
    here = page_dir(listing_dir, number) or "."

    def href(n: int) -> str:
        return posixpath.relpath(page_dir(listing_dir, n) or ".", here) + "/index.html"

    return Pager(
        number=number,
        total=total,
        number_text=i18n.number(number, lang),
        total_text=i18n.number(total, lang),
        newer_href=href(number - 1) if number > 1 else "",
        older_href=href(number + 1) if number < total else "",
    )
