"""Full-text search over articles: the SQLite FTS5 index, its upkeep, and query building."""

from __future__ import annotations

import functools
import html
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from newsdesk.text import plain_text

FTS_TABLE = "articles_fts"
FTS_COLUMNS = ("headline", "dek", "body", "byline", "tags")
# Headline matters most, then tags and dek; body words count least per hit.
RANK_WEIGHTS = "bm25(10.0, 4.0, 1.0, 2.0, 5.0)"
SNIPPET_OPEN, SNIPPET_CLOSE = "\x02", "\x03"
# Words found in more articles than this are ranked among their newest matches only.
RANK_WINDOW = 1000
_WORD = re.compile(r"\w+", re.UNICODE)


def sqlite_has_fts5() -> bool:
    """Whether the SQLite library Python links against was built with FTS5."""
    try:
        con = sqlite3.connect(":memory:")
        try:
            con.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
        finally:
            con.close()
    except sqlite3.OperationalError:
        return False
    return True


FTS5_MISSING_MESSAGE = (
    "This SQLite was built without FTS5, so search scans every article "
    "(slower) and results are not ranked."
)


# The index keeps no copy of the text (FTS5 "external content"): headline,
# dek, body and byline are read from the articles table and tags from their
# links, through this view. Before, every body was stored twice (the article
# and the index), 394 MiB of 1,143 MiB at 100,000 stories.
FTS_SOURCE = "articles_fts_source"
_SOURCE_COLUMNS = "id, headline, dek, body, byline, tags"
_FTS_SOURCE_DDL = (
    f"CREATE VIEW IF NOT EXISTS {FTS_SOURCE} AS SELECT a.id AS id, a.headline AS headline, "
    "a.dek AS dek, a.body AS body, a.byline AS byline, "
    "COALESCE((SELECT group_concat(name, ' ') FROM (SELECT t.name AS name FROM article_tags at "
    "JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id ORDER BY at.position, t.id)), '') "
    "AS tags FROM articles a"
)


def _take_out(ids_sql: str) -> str:
    """SQL removing these articles' entries from the index, using the text they were indexed with."""
    return (
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {', '.join(FTS_COLUMNS)}) "
        f"SELECT 'delete', {_SOURCE_COLUMNS} FROM {FTS_SOURCE} WHERE id IN ({ids_sql});"
    )


def _put_in(ids_sql: str) -> str:
    """SQL adding these articles to the index, as they read now."""
    return (
        f"INSERT INTO {FTS_TABLE}(rowid, {', '.join(FTS_COLUMNS)}) "
        f"SELECT {_SOURCE_COLUMNS} FROM {FTS_SOURCE} WHERE id IN ({ids_sql});"
    )


# External content must be told the old text to forget a row, so every change
# to what the view shows takes the row out as it was (before) and puts it back
# as it is (after). Triggers do it, so every writer (the facade, imports,
# raw SQL, sync) keeps the index in step in its own transaction. The view
# also guards the triggers: a migration that rebuilds the articles table
# must drop and re-create the index (drop_fts_index, create_fts_index), and
# SQLite refuses the rename loudly rather than leaving the index stale.
_FTS_TRIGGERS = {
    "articles_fts_article_ai": f"AFTER INSERT ON articles BEGIN {_put_in('new.id')} END",
    "articles_fts_article_bd": f"BEFORE DELETE ON articles BEGIN {_take_out('old.id')} END",
    "articles_fts_article_bu": "BEFORE UPDATE OF id, headline, dek, body, byline ON articles "
    f"BEGIN {_take_out('old.id')} END",
    "articles_fts_article_au": "AFTER UPDATE OF id, headline, dek, body, byline ON articles "
    f"BEGIN {_put_in('new.id')} END",
    # A link's article may be gone (a cascade from its deletion): the view
    # then shows no row and these do nothing.
    "articles_fts_link_bi": f"BEFORE INSERT ON article_tags BEGIN {_take_out('new.article_id')} END",
    "articles_fts_link_ai": f"AFTER INSERT ON article_tags BEGIN {_put_in('new.article_id')} END",
    "articles_fts_link_bd": f"BEFORE DELETE ON article_tags BEGIN {_take_out('old.article_id')} END",
    "articles_fts_link_ad": f"AFTER DELETE ON article_tags BEGIN {_put_in('old.article_id')} END",
    "articles_fts_link_bu": "BEFORE UPDATE ON article_tags "
    f"BEGIN {_take_out('old.article_id, new.article_id')} END",
    "articles_fts_link_au": "AFTER UPDATE ON article_tags "
    f"BEGIN {_put_in('old.article_id, new.article_id')} END",
    "articles_fts_tag_bu": "BEFORE UPDATE OF name ON tags BEGIN "
    + _take_out("SELECT article_id FROM article_tags WHERE tag_id = old.id")
    + " END",
    "articles_fts_tag_au": "AFTER UPDATE OF name ON tags BEGIN "
    + _put_in("SELECT article_id FROM article_tags WHERE tag_id = new.id")
    + " END",
    # Unlink a tag's stories while its name can still be read; the cascade
    # that follows from the tag's own deletion then finds nothing to do.
    "articles_fts_tag_bd": "BEFORE DELETE ON tags BEGIN "
    "DELETE FROM article_tags WHERE tag_id = old.id; END",
}


# Prefixes of these lengths have lists of their own in the index, so a word
# being typed is one list to walk rather than every word starting with it
# merged in memory: at 100,000 stories "repor" (report, reporter, reported…)
# cost 35-50 ms with lists for 2 and 3 letters only, 4 ms with these. Each
# length costs about as much room as a third of the index (308 MiB with 2 and
# 3, 657 MiB with 2 to 6 at 100,000 stories). Longer words being typed have
# few and shorter lists left to merge.
PREFIX_LENGTHS = "2 3 4 5 6"


def create_fts_index(conn: Connection) -> None:
    """Create and fill the index and the triggers that keep it in step with the articles.

    A no-op where FTS5 is missing (search then falls back to scanning).
    """
    if not sqlite_has_fts5():
        return
    conn.execute(text(_FTS_SOURCE_DDL))
    conn.execute(
        text(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            + ", ".join(FTS_COLUMNS)
            + f", content = '{FTS_SOURCE}', content_rowid = 'id'"
            + f", tokenize = 'unicode61 remove_diacritics 2', prefix = '{PREFIX_LENGTHS}')"
        )
    )
    conn.execute(
        text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('rank', :r)"), {"r": RANK_WEIGHTS}
    )
    # Building, FTS5 gathers words in memory and writes a segment each time it
    # holds hashsize bytes: 64 MiB instead of 1 makes far fewer, larger
    # segments to merge (65 s of processor time instead of 89 at 100,000
    # stories). Everyday saves go back to the default, a small transaction each.
    _set_hashsize(conn, _BUILD_HASHSIZE)
    conn.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))
    _set_hashsize(conn, _DEFAULT_HASHSIZE)
    for name, body in _FTS_TRIGGERS.items():
        conn.execute(text(f"CREATE TRIGGER IF NOT EXISTS {name} {body}"))
    # Related stories read word counts from the index's vocabulary.
    conn.execute(
        text(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE}_vocab USING fts5vocab({FTS_TABLE}, 'row')"
        )
    )


_BUILD_HASHSIZE = 64 * 1024 * 1024
_DEFAULT_HASHSIZE = 1024 * 1024  # FTS5's own


def _set_hashsize(conn: Connection, size: int) -> None:
    conn.execute(
        text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('hashsize', :n)"), {"n": size}
    )


def drop_fts_index(conn: Connection) -> None:
    """Remove the index, its triggers and its view (the vocabulary table goes with the index)."""
    for name in _FTS_TRIGGERS:
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    conn.execute(text("DROP TABLE IF EXISTS articles_fts_vocab"))
    conn.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))
    conn.execute(text(f"DROP VIEW IF EXISTS {FTS_SOURCE}"))


def fts_index_exists(conn: Connection) -> bool:
    row = conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"), {"n": FTS_TABLE}
    ).first()
    return row is not None


class IndexOutOfStep(Exception):
    """The full-text index does not match the articles it describes."""


def check_fts_index(conn: Connection) -> None:
    """Raise IndexOutOfStep unless the index is sound and matches the articles word for word.

    FTS5's integrity-check with rank 1 compares the index with its content (the view).
    """
    try:
        conn.execute(
            text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
        )
    except Exception as exc:  # SQLite says "database disk image is malformed"
        raise IndexOutOfStep(str(exc)) from exc


def query_terms(query: str) -> list[str]:
    return _WORD.findall(query.lower())


def build_match(query: str, *, prefix: bool = True) -> str | None:
    """Turn what a user typed into a safe FTS5 query: every word must match.

    Each word is quoted so FTS5 operators and punctuation in the input can never
    cause a syntax error; the last word is a prefix while the user is still typing.
    """
    terms = searched_terms(query, prefix)
    if not terms:
        return None
    parts = [f'"{t}"' for t in terms]
    if is_typing(query, prefix):
        parts[-1] += "*"
    return " ".join(parts)


def searched_terms(query: str, prefix: bool) -> list[str]:
    """The words a query searches for: a one-letter word still being typed after others waits.

    So "the c" shows what "the" found until the next letter narrows it, rather
    than nothing (no story has the word "c") or every word starting with c.
    """
    terms = query_terms(query)
    typing = prefix and bool(query) and not query[-1:].isspace()
    if typing and len(terms) > 1 and len(terms[-1]) < MIN_PREFIX:
        return terms[:-1]
    return terms


# A word still being typed matches as a prefix from its second letter: a
# one-letter prefix ("the c") stands for thousands of words with no prefix
# index to find them (FTS5 keeps them for 2 to 6 letters), and cost 0.3-0.9 s
# at 100,000 stories. One letter matches itself until the next is typed.
MIN_PREFIX = 2


def is_typing(query: str, prefix: bool) -> bool:
    """Whether the last word is still being typed (so it matches as a prefix)."""
    if not prefix or not query or query[-1:].isspace():
        return False
    terms = query_terms(query)
    return bool(terms) and len(terms[-1]) >= MIN_PREFIX


def make_snippet(body: str, terms: list[str], *, prefix: bool, words: int = 14) -> str:
    """About `words` words of the body's text around the first match, matched words marked.

    The Markdown is read as text: image references, link targets and markup
    characters are not shown to someone looking for a story.
    """
    if not body or not terms:
        return ""
    pattern = _snippet_pattern(tuple(terms), prefix)
    # Only a stretch of text around the first match is read as text: a snippet
    # is cut for each hit shown, and reading whole bodies cost 0.15 ms each
    # (30 ms a search of 200 hits). A match inside a link or image target is
    # not text, so the next one is tried.
    tokens: list[str] = []
    found, begin = None, 0
    for tries, m in enumerate(pattern.finditer(body, 0, _SNIPPET_SCAN)):
        begin = max(0, m.start() - _SNIPPET_BEFORE)
        tokens = plain_text(body[begin : m.start() + _SNIPPET_AFTER]).split()
        if begin > 0 and tokens and not body[begin - 1].isspace():
            tokens = tokens[1:]  # the window cut a word in two
        found = next((i for i, t in enumerate(tokens) if pattern.search(t)), None)
        if found is not None or tries == _SNIPPET_TRIES:
            break
    if found is None:
        begin = 0
        tokens = plain_text(body[:_SNIPPET_AFTER]).split()
    start = max(0, found - 3) if found is not None else 0
    piece = tokens[start : start + words]
    text_ = " ".join(piece)
    text_ = pattern.sub(lambda m: SNIPPET_OPEN + m.group(0) + SNIPPET_CLOSE, text_)
    lead = "…" if start > 0 or begin > 0 else ""
    shown_to = begin + _SNIPPET_AFTER + _SNIPPET_BEFORE
    tail = "…" if start + words < len(tokens) or shown_to < len(body) else ""
    return lead + text_ + tail


@functools.lru_cache(maxsize=64)
def _snippet_pattern(terms: tuple[str, ...], prefix: bool) -> re.Pattern[str]:
    """The words searched for, accents or not, the last one as a prefix while typing.

    Made once per query: a snippet is cut for each hit shown.
    """
    alternatives = [
        _accent_blind(t) + (r"\w*" if prefix and i == len(terms) - 1 else "")
        for i, t in enumerate(terms)
    ]
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE | re.UNICODE)


def _fold(text_: str) -> str:
    """Accents removed (café -> cafe), as both engines' indexes see words."""
    return "".join(c for c in unicodedata.normalize("NFKD", text_) if not unicodedata.combining(c))


def _accented_letters() -> dict[str, str]:
    """Each plain letter and the accented letters that fold to it: e -> "eéèêë…"."""
    found: dict[str, set[str]] = {}
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        char = chr(code)
        base = _fold(char)
        if len(base) == 1 and base != char and base.isalpha():
            found.setdefault(base.lower(), {base.lower()}).add(char.lower())
    return {base: "".join(sorted(chars)) for base, chars in found.items()}


_ACCENTED = _accented_letters()


def _accent_blind(term: str) -> str:
    """A pattern for the word with or without its accents, as the index matched it."""
    return "".join(
        f"[{re.escape(_ACCENTED[c])}]" if c in _ACCENTED else re.escape(c)
        for c in _fold(term.lower())
    )


_SNIPPET_SCAN = 200_000  # characters searched for the first match (a long feature's length)
_SNIPPET_BEFORE, _SNIPPET_AFTER = 200, 600
_SNIPPET_TRIES = 5  # matches inside link targets skipped before giving up


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One ranked search result, with a snippet of the body around the matched words."""

    article_id: int
    uid: str
    slug: str
    headline: str
    dek: str
    section: str
    status: str
    updated_at: datetime
    published_at: datetime | None
    snippet: str  # matched words wrapped in SNIPPET_OPEN / SNIPPET_CLOSE

    @property
    def snippet_text(self) -> str:
        return self.snippet.replace(SNIPPET_OPEN, "").replace(SNIPPET_CLOSE, "")

    @property
    def snippet_html(self) -> str:
        escaped = html.escape(self.snippet)
        return escaped.replace(SNIPPET_OPEN, "<mark>").replace(SNIPPET_CLOSE, "</mark>")
