"""Which words of a Markdown line a reader would read: the ones worth spell checking.

Code spans, URLs, e-mail addresses, HTML tags and entities, link and image
targets (`image:<uid>` included), reference definitions, attribute lists and
fenced code are not prose, so they are blanked out before the line is split
into words. Offsets always refer to the original line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

# Spans that are not prose; each is blanked out (same length) before words are found.
# Written so that hostile lines (thousands of backticks, "](" without ")") stay fast:
# spans start only at the start of a run (lookbehinds), runs are possessive, and
# scans for a closing mark are bounded.
_NOT_PROSE = re.compile(
    r"""
      (?<!`)(`++).{0,2000}?(?<!`)\1(?!`)                  # `code`, ``co`de``
    | <!--.{0,2000}?(?:-->|$)                            # an HTML comment
    | </?[A-Za-z][A-Za-z0-9-]{0,40}(?:\s[^<>]{0,2000})?/?>  # an HTML tag, attributes and all
    | <(?:https?|ftp|mailto):[^>\s]{0,2000}>            # an autolink
    | <[^>\s@]{1,200}@[^>\s@]{1,200}>                    # an e-mail autolink
    | &(?:\#\d{1,8}|\#x[0-9A-Fa-f]{1,8}|[A-Za-z][A-Za-z0-9]{0,31});  # an entity
    | \]\([^)]{0,2000}\)                                 # a link's or image's target: ](url "title")
    | \]\[[^\]]{0,500}\]                                 # a reference link's label: ][ref]
    | \[\^[^\]]{0,200}\]                                 # a footnote mark [^1]
    | \{[:#.][^}]{0,500}\}                               # an attribute list {: .class #id}
    | \b(?:https?|ftp)://\S++                            # a bare URL
    | \bwww\.\S++
    | \b(?:mailto|image|file|tel):\S++                   # other schemes, image:<uid>
    | (?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)+         # an e-mail address
    | \\.                                               # a backslash escape
    """,
    re.VERBOSE,
)
# A reference definition "[id]: url" is all target.
_REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S")
# Every non-prose span above starts with one of these (or "www."); a line with none
# of them, most prose, skips the long pattern.
_MAY_HAVE_MARKUP = re.compile(r"[`<&\[\]{}@\\:]|www\.")
# Letters, with apostrophes inside (don't, l'homme, rock'n'roll); digits are joined
# on so that "3rd", "mp3" and "B2B" are found whole and then skipped. (Written as runs,
# not char by char: Python's re is several times faster so.)
WORD_PATTERN = re.compile(r"\w+(?:['’]\w+)*")


class Word(NamedTuple):
    start: int
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def blank_non_prose(line: str) -> str:
    """The line with everything that is not prose replaced by spaces (same length)."""
    if not _MAY_HAVE_MARKUP.search(line):
        return line
    if _REFERENCE_DEFINITION.match(line):
        return " " * len(line)
    return _NOT_PROSE.sub(lambda m: " " * (m.end() - m.start()), line)


def checkable(text: str) -> bool:
    """Whether a found word is one to check: not 3rd, mp3, A380, snake_case, nor one letter."""
    return len(text) > 1 and (text.isalpha() or text.replace("'", "").replace("’", "").isalpha())


def words(line: str) -> Iterator[Word]:
    """The checkable words of one Markdown line, with their offsets in it."""
    for m in WORD_PATTERN.finditer(blank_non_prose(line)):
        text = m.group()
        if checkable(text):
            yield Word(m.start(), text)


# Block states, as the editor's highlighter keeps them: prose, fenced code, front matter.
PROSE, IN_FENCE, IN_FRONT_MATTER = 0, 1, 2


def next_state(state: int, line: str, *, first: bool = False) -> tuple[int, bool]:
    """(state after this line, whether the line is prose) for the block-by-block walk."""
    stripped = line.strip()
    if state == IN_FENCE:
        return (PROSE if stripped.startswith(("```", "~~~")) else IN_FENCE), False
    if state == IN_FRONT_MATTER:
        return (PROSE if stripped in ("---", "...") else IN_FRONT_MATTER), False
    if stripped.startswith(("```", "~~~")):
        return IN_FENCE, False
    if first and stripped == "---":
        return IN_FRONT_MATTER, False
    return PROSE, True


def markdown_words(text: str) -> Iterator[tuple[int, Word]]:
    """(line number, word) for every checkable word of a whole Markdown body."""
    state = PROSE
    for n, line in enumerate(text.split("\n")):
        state, prose = next_state(state, line, first=n == 0)
        if prose:
            for w in words(line):
                yield n, w


# A BCP 47 language tag as the publication settings accept it.
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
