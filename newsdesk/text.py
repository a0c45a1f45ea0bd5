"""Text measures and names: word and character counts, reading time, slugs."""

from __future__ import annotations

import math
import re
import unicodedata

WORDS_PER_MINUTE = 230  # a common figure for adult reading of news prose

_WORD = re.compile(r"[\w’'-]+", re.UNICODE)
_MARKUP = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|[#>*_`~|\[\]]")
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
    "index",
    "feed",
    "sitemap",
    "assets",
    "media",
    # The site's own folders: a section or story of these names would collide with them.
    "tag",
    "archive",
    "page",
    "feeds",
    "404",
}
SLUG_MAX = 80


def counted(n: int, noun: str, plural: str = "") -> str:
    """A number with its noun as people write it: "1 article", "3 articles", "2 stories"."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def plain_text(markdown_source: str) -> str:
    """Markdown with its markup and image/link targets removed, for counting."""
    return _MARKUP.sub(" ", markdown_source)


def word_count(markdown_source: str) -> int:
    # A run counts when it holds a letter or digit: \w is letters, digits and "_", so that is
    # whatever is left once the run's other characters are stripped (three times faster than
    # testing each character, and a whole export counts every story).
    return sum(1 for w in _WORD.findall(plain_text(markdown_source)) if w.strip(_NOT_ALNUM))


_NOT_ALNUM = "_’'-"


def may_span_paragraphs(text: str) -> bool:
    """Whether a link or image target opens in this text and is not closed in it.

    word_count strips such markup across paragraph breaks, so counting a text
    paragraph by paragraph is only exact when no paragraph says yes here.
    """
    img, link = text.rfind("!["), text.rfind("](")
    return (img >= 0 and "]" not in text[img:]) or (link >= 0 and ")" not in text[link:])


class WordTally:
    """word_count of a body that changes a little at a time, re-counting only changed paragraphs.

    Paragraphs (runs between blank lines) are counted once and remembered by
    their text, so a keystroke in a 20,000-word article counts one paragraph:
    the rest is a split and dictionary look-ups. No word crosses a blank line;
    markup that might (an unclosed link target) makes it count the whole text.
    """

    def __init__(self) -> None:
        self._known: dict[str, tuple[int, bool]] = {}

    def count(self, text: str) -> int:
        known, fresh = self._known, {}
        total, spans = 0, False
        for part in text.split("\n\n"):
            facts = known.get(part) or fresh.get(part)
            if facts is None:
                facts = (word_count(part), may_span_paragraphs(part))
            fresh[part] = facts
            total += facts[0]
            spans = spans or facts[1]
        self._known = fresh
        return word_count(text) if spans else total


def char_count(text: str) -> int:
    """Characters as a reader counts them: no line breaks."""
    return len(text.replace("\r", "").replace("\n", ""))


def reading_minutes(words: int, *, wpm: int = WORDS_PER_MINUTE) -> int:
    """Whole minutes, rounded up, and never zero."""
    return max(1, math.ceil(words / wpm))


def reading_time(words: int, *, wpm: int = WORDS_PER_MINUTE) -> str:
    return f"{reading_minutes(words, wpm=wpm)} min read"


def slugify(text: str, *, max_length: int = SLUG_MAX, fallback: str = "article") -> str:
    """A lower-case, hyphenated name that is safe as a folder and a URL path segment.

    Accents are folded to ASCII where a plain form exists (Zürich -> zurich);
    letters of other scripts are kept whole, in NFC (they are valid in URLs,
    percent-encoded, and in file names);
    emoji, punctuation and separators become hyphens. Names a file system or our
    own site layout reserve get a suffix.
    """
    out: list[str] = []
    for ch in _fold_accents(unicodedata.normalize("NFC", text)):
        if ch.isalnum() or unicodedata.combining(ch):
            out.append(ch.lower())
        else:
            out.append("-")
    slug = re.sub(r"-{2,}", "-", "".join(out)).strip("-")
    slug = unicodedata.normalize("NFC", slug)
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[max_length // 2 :] else cut
        slug = slug.strip("-")
    if not slug:
        slug = fallback
    if slug in _RESERVED:
        slug = f"{slug}-{fallback}"
    return slug


def _fold_accents(text: str) -> str:
    """Zürich -> Zurich, but every letter of other scripts kept whole.

    Only a letter whose compatibility form is plain ASCII plus marks loses its
    marks: the hamza of أخبار or the dagesh of a Hebrew letter is part of the
    letter, not an accent, and dropping it would make another word.
    """
    out: list[str] = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if base and base.isascii() else ch)
    return "".join(out)


def numbered_slug(base: str, n: int) -> str:
    """The n-th alternative for a taken slug, still within the length limit."""
    suffix = f"-{n}"
    return base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
