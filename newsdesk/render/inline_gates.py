"""Python-Markdown's inline patterns, each tried only on text holding a character its matches need.

Python-Markdown tries every inline pattern (links, emphasis, code, entities,
and smarty's quotes and dashes) on every run of text, one regular-expression
scan each: about thirty scans of every paragraph, most of them for a
character the paragraph does not hold ("`", "[", "<", "&", "*"). That was a
third of converting a story. A gate asks first, with one fast substring
search, whether the text holds a character that every match of the pattern
contains; only then does the scan run. A match needs that character, so a
pattern skipped is one that could not have matched: the HTML is the same.

The gates are keyed by each pattern's exact regular expression, so a
pattern that a new Python-Markdown changes is simply not gated (scanned as
before) rather than gated by a rule that no longer holds.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

import markdown

# Regular expression (as Python-Markdown 3.x compiles it) -> characters of which every
# match holds at least one (in the match or in what a look-ahead requires after it).
REQUIRED: dict[str, str] = {
    # BacktickInlineProcessor: a backtick (escapes before one look ahead to it)
    "(?:(?<!\\\\)((?:\\\\{2})+)(?=`+)|(?<!\\\\)`)": "`",
    # EscapeInlineProcessor: a backslash
    "\\\\(.)": "\\",
    # FootnoteInlineProcessor: [^…]
    "\\[\\^([^\\]]*)\\]": "[",
    # Reference, Link, ShortReference: an opening bracket
    "(?<!\\!)\\[": "[",
    # Image, ImageReference, ShortImageReference: ![
    "\\!\\[": "[",
    # AutolinkInlineProcessor: <scheme://…>
    "<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>": "<",
    # AutomailInlineProcessor: <a@b>
    "<([^<> !]+@[^@<> ]+)>": "<",
    # SubstituteTagInlineProcessor: two spaces and a newline
    "  \\n": "\n",
    # HtmlInlineProcessor: a tag, comment or CDATA
    "(<(\\/?+[a-zA-Z][^\\s\"'<>@]*+(?:\\s+[^\\s\"'=<>]++(?:\\s*+=\\s*+(?:\"[^\"]*+\"|'[^']*+'|[^\\s\"'=<>]++))?+)*+\\s*+/?|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|!\\[CDATA\\[(?:(?!<!\\[CDATA\\[|\\]\\]>).)*\\]\\])>)": "<",
    # HtmlInlineProcessor: an entity
    "(&(?:\\#[0-9]+|\\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": "&",
    # DelimiterProcessor: emphasis and strong
    "\\*|_": "*_",
    # smarty: dashes
    "(?<!-)---(?!-)": "-",
    "(?<!-)--(?!-)": "-",
    # smarty: quotes
    "^'(?=[!\"#\\$\\%'()*+,-.\\/:;<=>?\\@\\[\\\\\\]\\^_`{|}~]\\B)": "'",
    '^"(?=[!"#\\$\\%\'()*+,-.\\/:;<=>?\\@\\[\\\\\\]\\^_`{|}~]\\B)': '"',
    "\"'(?=\\w)": '"',
    "'\"(?=\\w)": "'",
    "(?<=[^\\ \\t\\r\\n\\[\\{\\(\\-\\u0002\\u0003])\\'\"": '"',
    "(?<=[^\\ \\t\\r\\n\\[\\{\\(\\-\\u0002\\u0003])\\\"'": '"',
    "(?<!\\w)'(?=\\d{2}s)": "'",
    "(\\s|&nbsp;|--|–|—|&[mn]dash;|&#8211;|&#8212;)'(?=\\w)": "'",
    "(?<=[^\\ \\t\\r\\n\\[\\{\\(\\-\\u0002\\u0003])'(?!\\s|s\\b|\\d)": "'",
    "'(\\s|s\\b)": "'",
    "'": "'",
    '(\\s|&nbsp;|--|–|—|&[mn]dash;|&#8211;|&#8212;)"(?=\\w)': '"',
    '"(?=\\s)': '"',
    '(?<=[^\\ \\t\\r\\n\\[\\{\\(\\-\\u0002\\u0003])"': '"',
    '"': '"',
    # smarty: an ellipsis
    "(?<!\\.)\\.{3}(?!\\.)": ".",
}

_NOTHING: tuple[re.Match[str], ...] = ()


class GatedPattern:
    """A compiled pattern whose scans run only when the text may hold a match."""

    __slots__ = ("compiled", "needs")

    def __init__(self, compiled: re.Pattern[str], needs: str) -> None:
        self.compiled = compiled
        self.needs = needs

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator:
        for char in self.needs:
            if string.find(char, pos, endpos) >= 0:
                return self.compiled.finditer(string, pos, endpos)
        return iter(_NOTHING)

    def __getattr__(self, name: str):
        # match, search, pattern, flags…: as the pattern itself answers them.
        return getattr(self.compiled, name)


def gate_inline_patterns(md: markdown.Markdown) -> int:
    """Gate every inline pattern of md whose expression is known; returns how many were gated."""
    gated = 0
    for processor in md.treeprocessors:
        for pattern in getattr(processor, "inlinePatterns", None) or ():
            compiled = getattr(pattern, "compiled_re", None)
            if not isinstance(compiled, re.Pattern):
                continue
            needs = REQUIRED.get(compiled.pattern)
            if needs:
                pattern.compiled_re = GatedPattern(compiled, needs)
                gated += 1
    return gated
