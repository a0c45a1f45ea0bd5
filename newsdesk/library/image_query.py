"""The photo desk's field search: `credit:"Harbour Agency" city:Malaga missing:alt -keyword:ferry word`.

Parsing is plain Python (no Qt, no SQL) so the grid, the command line and
the tests read a query the same way; `image_conditions` turns a parsed query
into SQLAlchemy conditions on the images table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, literal, not_, or_

from newsdesk.library.errors import LibraryError
from newsdesk.library.models import Image

# What a user may type before the colon, and the column it searches.
FIELD_ALIASES: dict[str, str] = {
    "caption": "caption",
    "description": "caption",
    "credit": "credit",
    "creator": "creator",
    "by": "creator",
    "copyright": "copyright",
    "source": "source",
    "usage": "usage_terms",
    "terms": "usage_terms",
    "alt": "alt_text",
    "title": "title",
    "headline": "headline",
    "instructions": "instructions",
    "keyword": "keywords",
    "keywords": "keywords",
    "city": "city",
    "country": "country",
    "date": "date_created",
    "file": "original_name",
    "filename": "original_name",
}
# `missing:` (and `has:`) take these names; "alt" means the alt text, and so on.
PRESENCE_FIELDS = {k: v for k, v in FIELD_ALIASES.items() if v != "original_name"}
# Free words look in the fields a picture is usually found by.
FREE_TEXT_COLUMNS = (
    "caption",
    "credit",
    "creator",
    "headline",
    "title",
    "keywords",
    "original_name",
    "city",
    "country",
)
SEARCH_HELP = (
    'Search with words, or fields such as credit:"Harbour Agency" city:Malaga keyword:ferry '
    "missing:alt; put a minus before a term to leave those pictures out."
)


class QueryError(LibraryError):
    """A search the photo desk typed cannot be read; the message says what to change."""


@dataclass(frozen=True, slots=True)
class Term:
    """One condition: `field` is a column name, "missing"/"has" (value names a column), or "" for free words."""

    field: str
    value: str
    negated: bool = False


_TOKEN = re.compile(
    r"""\s*(?P<neg>-)?(?:(?P<key>[A-Za-z_]+):)?(?:"(?P<quoted>[^"]*)("|$)|(?P<bare>[^\s"]*))"""
)


def _field_names() -> str:
    names = sorted({*FIELD_ALIASES, "missing", "has"})
    return ", ".join(f"{n}:" for n in names)


def parse_query(text: str) -> list[Term]:
    """The terms of a search; raises QueryError (one sentence) for an unknown field or an empty one."""
    terms: list[Term] = []
    pos, text = 0, text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:  # a lone quote or other stray character: skip it
            pos += 1
            continue
        pos = m.end()
        neg, key = bool(m.group("neg")), m.group("key")
        quoted = m.group("quoted")
        value = quoted if quoted is not None else (m.group("bare") or "")
        if key is None:
            if value:
                terms.append(Term("", value, neg))
            continue
        name = key.casefold()
        if name in ("missing", "has"):
            column = PRESENCE_FIELDS.get(value.casefold())
            if column is None:
                choices = ", ".join(sorted(PRESENCE_FIELDS))
                shown = value or "nothing"
                raise QueryError(
                    f"{name}: needs a field name, not {shown}; use one of {choices} "
                    f"(for example {name}:alt)."
                )
            terms.append(Term(name, column, neg))
            continue
        column = FIELD_ALIASES.get(name)
        if column is None:
            raise QueryError(
                f'The search has no field called "{key}:"; use one of {_field_names()}, '
                f'or put the words in quotes ("{key}:{value}") to search for them as they are.'
            )
        if not value.strip():
            raise QueryError(f'{key}: needs something to look for, such as {key}:"Harbour Agency".')
        terms.append(Term(column, value, neg))
    return terms


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _condition(term: Term) -> ColumnElement[bool]:
    if term.field in ("missing", "has"):
        column = getattr(Image, term.value)
        blank = func.trim(func.coalesce(column, ""), " \n\t\r") == ""
        return blank if term.field == "missing" else not_(blank)
    if term.field == "keywords":
        # One keyword per line: keyword:ferry matches the keyword "ferry", not "ferryman".
        wrapped = literal("\n") + func.lower(func.coalesce(Image.keywords, "")) + literal("\n")
        return wrapped.like(_like(f"\n{term.value.strip().lower()}\n"), escape="\\")
    if term.field:
        return getattr(Image, term.field).ilike(_like(term.value), escape="\\")
    return or_(
        *(getattr(Image, c).ilike(_like(term.value), escape="\\") for c in FREE_TEXT_COLUMNS)
    )


def image_conditions(terms: list[Term]) -> ColumnElement[bool] | None:
    """Every term must hold (a negated one must not); None when there are no terms."""
    parts = [not_(_condition(t)) if t.negated else _condition(t) for t in terms]
    return and_(*parts) if parts else None
