"""Full-text search over articles: the SQLite FTS5 index, its upkeep, and query building."""

from __future__ import annotations

import html
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from newsdesk.render.text import plain_text

FTS_TABLE = "articles_fts"
FTS_COLUMNS = ("headline", "dek", "body", "byline", "tags")
# Headline matters most, then tags and dek; body words count least per hit.
RANK_WEIGHTS = "bm25(10.0, 4.0, 1.0, 2.0, 5.0)"
SNIPPET_OPEN, SNIPPET_CLOSE = "\x02", "\x03"
# Words found in more articles than this are ranked among their newest matches only.
RANK_WINDOW = 3000
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


def create_fts_index(conn: Connection) -> None:
    """Create and fill the index; a no-op where FTS5 is missing (search falls back)."""
    if not sqlite_has_fts5():
        return
    conn.execute(
        text(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            + ", ".join(FTS_COLUMNS)
            + ", tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
        )
    )
    conn.execute(
        text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('rank', :r)"), {"r": RANK_WEIGHTS}
    )
    conn.execute(
        text(
            f"INSERT INTO {FTS_TABLE}(rowid, headline, dek, body, byline, tags) "
            "SELECT a.id, a.headline, a.dek, a.body, a.byline, "
            "COALESCE((SELECT group_concat(t.name, ' ') FROM article_tags at "
            "JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id), '') FROM articles a"
        )
    )


def drop_fts_index(conn: Connection) -> None:
    conn.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))


def fts_index_exists(conn: Connection) -> bool:
    row = conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"), {"n": FTS_TABLE}
    ).first()
    return row is not None


def index_article(
    conn: Connection,
    article_id: int,
    *,
    headline: str,
    dek: str,
    body: str,
    byline: str,
    tags: list[str],
) -> None:
    conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": article_id})
    conn.execute(
        text(
            f"INSERT INTO {FTS_TABLE}(rowid, headline, dek, body, byline, tags) "
            "VALUES (:id, :headline, :dek, :body, :byline, :tags)"
        ),
        {
            "id": article_id,
            "headline": headline,
            "dek": dek,
            "body": body,
            "byline": byline,
            "tags": " ".join(tags),
        },
    )


def unindex_article(conn: Connection, article_id: int) -> None:
    conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": article_id})


def query_terms(query: str) -> list[str]:
    return _WORD.findall(query.lower())


def build_match(query: str, *, prefix: bool = True) -> str | None:
    """Turn what a user typed into a safe FTS5 query: every word must match.

    Each word is quoted so FTS5 operators and punctuation in the input can never
    cause a syntax error; the last word is a prefix while the user is still typing.
    """
    terms = query_terms(query)
    if not terms:
        return None
    parts = [f'"{t}"' for t in terms]
    if is_typing(query, prefix):
        parts[-1] += "*"
    return " ".join(parts)


def is_typing(query: str, prefix: bool) -> bool:
    """Whether the last word is still being typed (so it matches as a prefix)."""
    return prefix and bool(query) and not query[-1:].isspace()


def make_snippet(body: str, terms: list[str], *, prefix: bool, words: int = 14) -> str:
    """About `words` words of the body's text around the first match, matched words marked.

    The Markdown is read as text: image references, link targets and markup
    characters are not shown to someone looking for a story.
    """
    if not body or not terms:
        return ""
    body = plain_text(body)
    alternatives = [
        re.escape(t) + (r"\w*" if prefix and i == len(terms) - 1 else "")
        for i, t in enumerate(terms)
    ]
    pattern = re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE | re.UNICODE)
    first = pattern.search(body)
    tokens = body.split()
    if first is None:
        start = 0
    else:
        start = max(0, len(body[: first.start()].split()) - 3)
    piece = tokens[start : start + words]
    text_ = " ".join(piece)
    text_ = pattern.sub(lambda m: SNIPPET_OPEN + m.group(0) + SNIPPET_CLOSE, text_)
    lead = "…" if start > 0 else ""
    tail = "…" if start + words < len(tokens) else ""
    return lead + text_ + tail


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
