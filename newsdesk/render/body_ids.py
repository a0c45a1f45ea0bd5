"""Ids in a rendered body: the template's own ids, block ids, headings' repeated ids, footnotes."""

from __future__ import annotations

import re

_FOOTNOTE_OPEN = '<div class="footnote">'
_ID_ATTR = re.compile(r'\bid="([^"]+)"')


def footnote_div_at(html: str) -> int | None:
    """Where the footnotes extension's closing <div class="footnote"> starts, or None.

    A scan, not a pattern: `\\s*<div…` searched over a long run of spaces (a code
    block of them) tried every start in the run, a quadratic second on 20 KB.
    """
    at = html.find(_FOOTNOTE_OPEN)
    if at < 0 or not html.rstrip().endswith("</div>"):
        return None
    return at


# Ids the page template gives its own elements; a heading in the body never takes one.
RESERVED_IDS = frozenset(
    {
        "main",
        "story-headline",
        "story-dek",
        "story-byline",
        "story-reading-time",
        "story-body",
        "story-footnotes",
    }
)
_BLOCK_ID = re.compile(r"b[0-9a-f]{10}(?:-\d+)?")


class UsedIds(set):
    """The ids a page holds so far, and the last suffix tried after each (see dedupe_ids)."""

    def __init__(self, ids=()) -> None:
        super().__init__(ids)
        self.tried: dict[str, int] = {}


def dedupe_ids(html: str, used: UsedIds) -> str:
    """Give repeated ids the suffixes Markdown's toc extension gives (x, x_1, x_2)."""
    if 'id="' not in html:
        return html

    def fix(m: re.Match[str]) -> str:
        value = m.group(1)
        # Every suffix tried before is still taken (ids are only added), so the search
        # goes on from the last one: 10,000 headings named alike cost 10,000 look-ups,
        # not 50 million.
        n = used.tried.get(value, 0)
        candidate = f"{value}_{n}" if n else value
        while candidate in used or _BLOCK_ID.fullmatch(candidate):
            n += 1
            candidate = f"{value}_{n}"
        used.tried[value] = n
        used.add(candidate)
        return f'id="{candidate}"'

    return _ID_ATTR.sub(fix, html)
