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

The inline processors that run the patterns ask the gate themselves, before
calling into a pattern at all: trying a pattern that cannot match still cost
a method call, an ancestor check and a registry look-up each, fifty times a
paragraph, a tenth of a story page.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

import markdown
from markdown import util
from markdown.treeprocessors import InlineProcessor

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


class GatedInlineProcessor(InlineProcessor):
    """Python-Markdown's InlineProcessor, skipping a gated pattern where its gate is shut.

    Its one change is to the loop that tries each pattern in turn on a run of
    text (InlineProcessor.__handleInline, copied otherwise as it is): where a
    gated pattern's characters are all absent from the text still to scan, the
    pattern is passed over exactly as a scan that found nothing passes it over
    (the next pattern, from the start of the text), without calling into it.
    The patterns are listed once per conversion instead of looked up in their
    registry, which sorts itself on every look-up, for each try.
    """

    _tries: list[tuple[object, str | None]]

    def run(self, tree, ancestors=None):
        self._tries = [
            (p, getattr(getattr(p, "compiled_re", None), "needs", None))
            for p in self.inlinePatterns
        ]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        tries = self._tries
        apply = self._InlineProcessor__applyPattern
        startIndex = 0
        count = len(tries)
        while patternIndex < count:
            pattern, needs = tries[patternIndex]
            if needs is not None:
                for char in needs:
                    if data.find(char, startIndex) >= 0:
                        break
                else:  # what __applyPattern answers when its scan finds nothing
                    patternIndex += 1
                    startIndex = 0
                    continue
            data, matched, startIndex = apply(pattern, data, patternIndex, startIndex)
            if not matched:
                patternIndex += 1
        return data


# The Python-Markdown releases whose InlineProcessor loop GatedInlineProcessor repeats
# (the releases pyproject.toml allows); another keeps its own processor, only slower.
_LOOP_VERSIONS = ((3, 6), (3, 12))


def gate_inline_patterns(md: markdown.Markdown) -> int:
    """Gate every inline pattern of md whose expression is known; returns how many were gated."""
    gated = 0
    same_loop = _LOOP_VERSIONS[0] <= markdown.__version_info__[:2] < _LOOP_VERSIONS[1]
    for processor in md.treeprocessors:
        patterns = getattr(processor, "inlinePatterns", None)
        if same_loop and type(processor) is InlineProcessor:
            processor.__class__ = GatedInlineProcessor
        for pattern in patterns or ():
            compiled = getattr(pattern, "compiled_re", None)
            if not isinstance(compiled, re.Pattern):
                continue
            needs = REQUIRED.get(compiled.pattern)
            if needs:
                pattern.compiled_re = GatedPattern(compiled, needs)
                gated += 1
    return gated
