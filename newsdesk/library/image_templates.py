"""Photo-desk templates: named sets of picture fields, with variables filled in per picture.

A template's non-empty fields replace a picture's, except keywords, which
are added to the picture's own. `{year}`, `{date}`, `{creator}`,
`{filename}` and `{city}` are filled in for each picture: the year and date
are the picture's own date (when it has one), else today's; the creator and
city are the ones the picture ends up with (the template's when it sets
them). Write `{{` and `}}` for a brace that is not a variable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from newsdesk.library.errors import LibraryError
from newsdesk.library.models import TEMPLATE_FIELDS

VARIABLES = ("year", "date", "creator", "filename", "city")
_VARIABLE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
FIELD_LABELS = {
    "credit": "Credit",
    "creator": "Creator",
    "copyright": "Copyright",
    "source": "Source",
    "usage_terms": "Usage terms",
    "instructions": "Instructions",
    "city": "City",
    "country": "Country",
    "keywords": "Keywords",
}
NAME_LIMIT = 200
MULTILINE = frozenset({"usage_terms", "instructions"})
SEPARATORS = " /,;:|·-–—"


class TemplateError(LibraryError):
    """A template cannot be saved or applied as given; the message says what to change."""


def check_template(name: str, values: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The template's name and fields as stored; raises TemplateError naming the first problem."""
    name = " ".join(name.split())
    if not name:
        raise TemplateError("A template needs a name, such as “Harbour Agency”.")
    if len(name) > NAME_LIMIT:
        raise TemplateError(f"A template's name is at most {NAME_LIMIT} characters; shorten it.")
    unknown = set(values) - set(TEMPLATE_FIELDS)
    if unknown:
        raise TemplateError(
            f"A template cannot set {', '.join(sorted(unknown))}; it sets "
            f"{', '.join(FIELD_LABELS[f].lower() for f in TEMPLATE_FIELDS)}."
        )
    clean = {f: str(values.get(f, "") or "") for f in TEMPLATE_FIELDS}
    clean["keywords"] = "\n".join(_keywords(clean["keywords"]))
    for field_name, text in clean.items():
        for m in _VARIABLE.finditer(text):
            var = m.group(1)
            if var is not None and var not in VARIABLES:
                shown = "{" + var + "}"
                raise TemplateError(
                    f"{FIELD_LABELS[field_name]} uses {shown}, which is not a template variable; "
                    f"use {', '.join('{' + v + '}' for v in VARIABLES)}, or write {{{{ and }}}} "
                    "for a brace."
                )
    return name, clean


def _keywords(text: str) -> list[str]:
    """One keyword per line (commas also separate), blanks and repeats left out."""
    out: list[str] = []
    seen: set[str] = set()
    for part in re.split(r"[\n,;]", text):
        word = " ".join(part.split())
        if word and word.casefold() not in seen:
            seen.add(word.casefold())
            out.append(word)
    return out


def _picture_date(date_created: str, today: date) -> tuple[str, str]:
    """(year, date) from the picture's own date when it has one, else today's."""
    m = _DATE.match(date_created.strip())
    if m:
        year, month, day = m.group(1), m.group(2), m.group(3)
        if month and day:
            return year, f"{year}-{month}-{day}"
        return year, today.isoformat() if year == str(today.year) else year
    return str(today.year), today.isoformat()


def _uses_empty(text: str, variables: Mapping[str, str]) -> bool:
    return any(m.group(1) and not variables.get(m.group(1)) for m in _VARIABLE.finditer(text))


def _tidy(text: str, *, multiline: bool) -> str:
    if multiline:
        return "\n".join(" ".join(line.split()) for line in text.strip().splitlines())
    return " ".join(text.split())


def expand(text: str, variables: Mapping[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        token = m.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        return variables.get(m.group(1), token)

    return _VARIABLE.sub(sub, text)


def applied_values(
    template: Mapping[str, str], picture: Mapping[str, str], *, today: date | None = None
) -> dict[str, str]:
    """The fields a template changes on one picture (a dict of field -> new value).

    `picture` holds the picture's current fields (and `original_name`).
    """
    today = today or date.today()
    creator = template.get("creator") or picture.get("creator", "")
    city = template.get("city") or picture.get("city", "")
    year, day = _picture_date(picture.get("date_created", "") or "", today)
    first = {"year": year, "date": day, "filename": picture.get("original_name", "") or ""}
    # The creator and city may use the other variables, but not each other.
    variables = {**first, "creator": expand(creator, first), "city": expand(city, first)}
    out: dict[str, str] = {}
    for name in TEMPLATE_FIELDS:
        value = template.get(name, "") or ""
        if not value.strip():
            continue
        if name == "keywords":
            mine = _keywords(picture.get("keywords", "") or "")
            added = _keywords(expand(value, variables))
            known = {k.casefold() for k in mine}
            merged = mine + [k for k in added if k.casefold() not in known]
            out[name] = "\n".join(merged)
        else:
            # A variable with nothing to fill in ("© 2024 {creator}") leaves no loose space.
            text = _tidy(expand(value, variables), multiline=name in MULTILINE)
            if _uses_empty(value, variables):
                # "{creator} / Agency" for a picture without a creator: no dangling "/ ".
                text = text.strip(SEPARATORS)
            out[name] = text
    return {k: v for k, v in out.items() if v != (picture.get(k, "") or "")}
