"""Bylines as text: the names a byline holds, without "By" and its equivalents, and who is an organisation."""

from __future__ import annotations

import re

# "By" in the languages our desks write in; matched case-insensitively before a name.
BYLINE_PREFIXES = ("by", "بقلم", "par", "von", "por", "di", "מאת")
_PREFIX = re.compile(
    r"^\s*(?:" + "|".join(re.escape(p) for p in BYLINE_PREFIXES) + r")(?:\s*[:\-–—]\s*|\s+)",
    re.IGNORECASE,
)
# Separators between names: commas, "and" and its equivalents, "&".
# (Arabic و and Hebrew ו attach to the next word, so they are not split on:
# a name may begin with the same letter.)
_SEPARATORS = re.compile(
    r"\s*(?:,|&|\s\band\s|\s\bund\s|\s\bet\s|\s\by\s|\s\be\s)\s*", re.IGNORECASE
)
# Bylines that name the newsroom or a wire service, not a person.
ORGANISATION_WORDS = (
    "staff",
    "newsroom",
    "desk",
    "agencies",
    "associated press",
    "reuters",
    "afp",
    "agence france-presse",
    "dpa",
    "ap",
    "efe",
    "ansa",
    "upi",
    "bloomberg",
)


def strip_prefix(name: str) -> str:
    """'By Ana Ruiz' -> 'Ana Ruiz'; 'بقلم سارة' -> 'سارة'. A bare prefix stays as it is."""
    stripped = _PREFIX.sub("", name, count=1).strip()
    return stripped or name.strip()


def split_byline(byline: str) -> list[str]:
    """'By Ana Ruiz and Tom Lee' -> ['Ana Ruiz', 'Tom Lee'], each name without its prefix."""
    text = strip_prefix(" ".join(byline.split()))
    if not text:
        return []
    return [strip_prefix(part) for part in _SEPARATORS.split(text) if part and part.strip()]


def is_organisation(name: str) -> bool:
    """'Staff Reporter', 'Reuters', 'AP' name an organisation, not a person."""
    words = re.findall(r"[\w-]+", name.casefold())
    joined = " ".join(words)
    return any((" " in org and org in joined) or org in words for org in ORGANISATION_WORDS)
