"""Fill a shared (PostgreSQL) library fast: COPY a generated SQLite library's rows into it.

    python benchmarks/fill_pg.py N URL     # N articles (generated once, cached), URL from `server init`

Rows go in with COPY (tens of thousands a second), then the search columns
are computed in one UPDATE with their GIN index dropped meanwhile, the word
counts (term_stats) taken from them, and the id sequences moved past the
copied ids.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import cached_library  # noqa: E402
from newsdesk.library import pg, search_pg  # noqa: E402

# Tables in an order that satisfies their foreign keys; their shared columns are copied.
TABLES = (
    "articles",
    "tags",
    "article_tags",
    "images",
    "figures",
    "related_stories",
    "publications",
)
SERIALS = ("articles", "tags", "images", "figures", "related_stories", "publications")


def copy_sqlite_into(sqlite_path: Path, url: str) -> dict[str, int]:
    """Copy every row of these tables from the SQLite library into the (empty) shared one."""
    src = sqlite3.connect(sqlite_path)
    counts = {}
    with _connect(url) as dst:
        dst.execute("DELETE FROM publications")
        dst.execute("ALTER TABLE articles DISABLE TRIGGER newsdesk_articles_guard")
        dst.execute("DROP INDEX IF EXISTS ix_articles_search_doc")
        dst.execute("DROP INDEX IF EXISTS ix_articles_rank_doc")
        for table in TABLES:
            src_cols = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
            dst_cols = {
                r[0]
                for r in dst.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                    (table,),
                )
            }
            cols = [c for c in src_cols if c in dst_cols]
            names = ", ".join(cols)
            n = 0
            with dst.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in src.execute(f"SELECT {names} FROM {table}"):
                    copy.write_row(row)
                    n += 1
            counts[table] = n
        dst.execute(
            f"UPDATE articles a SET search_doc = {search_pg.DOC_SQL}, rank_doc = {search_pg.RANK_SQL}"
        )
        dst.execute("DELETE FROM term_stats")
        dst.execute(
            f"INSERT INTO term_stats (term, docs) SELECT word, ndoc FROM {search_pg.TS_STAT}"
        )
        dst.execute("CREATE INDEX ix_articles_search_doc ON articles USING gin (search_doc)")
        dst.execute("CREATE INDEX ix_articles_rank_doc ON articles USING gin (rank_doc)")
        dst.execute("ALTER TABLE articles ENABLE TRIGGER newsdesk_articles_guard")
        for table in SERIALS:
            dst.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        dst.commit()
        dst.execute("ANALYZE")
    src.close()
    return counts


def fill(n: int, url: str, *, copies: int = 1) -> dict[str, int]:
    """n generated articles; with copies > 1, each copied that many times (n x copies in all)."""
    counts = copy_sqlite_into(cached_library(n) / "library.sqlite", url)
    if copies > 1:
        counts["articles"] = replicate(url, copies)
    return counts


def _connect(url: str):
    import psycopg

    u = pg.parse_url(url)
    conninfo = {"dbname": u.database, "user": u.username, "host": u.host or u.query.get("host")}
    if u.port or u.query.get("port"):
        conninfo["port"] = u.port or u.query.get("port")
    return psycopg.connect(**{k: v for k, v in conninfo.items() if v})


def replicate(url: str, copies: int) -> int:
    """Copy every article (search documents, tags) copies - 1 more times, inside PostgreSQL.

    Far faster than generating and indexing n x copies stories: the search
    documents are copied, not computed again, and each word's story count
    (term_stats) multiplied. The copies get new ids, uids and slugs.
    """
    with _connect(url) as dst:
        top = dst.execute("SELECT max(id) FROM articles").fetchone()[0]
        cols = [
            r[0]
            for r in dst.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'articles' AND table_schema = current_schema() "
                "ORDER BY ordinal_position"
            )
        ]
        rest = [c for c in cols if c not in ("id", "uid", "slug")]
        dst.execute("ALTER TABLE articles DISABLE TRIGGER newsdesk_articles_guard")
        dst.execute("DROP INDEX IF EXISTS ix_articles_search_doc")
        dst.execute("DROP INDEX IF EXISTS ix_articles_rank_doc")
        for k in range(1, copies):
            dst.execute(
                f"INSERT INTO articles (id, uid, slug, {', '.join(rest)}) "
                f"SELECT id + {k * top}, gen_random_uuid()::text, slug || '-c{k}', "
                f"{', '.join(rest)} FROM articles WHERE id <= {top} ORDER BY id"
            )
            dst.execute(
                "INSERT INTO article_tags (article_id, tag_id, position) "
                f"SELECT article_id + {k * top}, tag_id, position FROM article_tags "
                f"WHERE article_id <= {top}"
            )
        dst.execute(f"UPDATE term_stats SET docs = docs * {copies}")
        dst.execute("CREATE INDEX ix_articles_search_doc ON articles USING gin (search_doc)")
        dst.execute("CREATE INDEX ix_articles_rank_doc ON articles USING gin (rank_doc)")
        dst.execute("ALTER TABLE articles ENABLE TRIGGER newsdesk_articles_guard")
        dst.execute(
            "SELECT setval(pg_get_serial_sequence('articles', 'id'), "
            "(SELECT max(id) FROM articles) + 1, false)"
        )
        dst.commit()
        dst.autocommit = True
        dst.execute("VACUUM ANALYZE articles")
        return dst.execute("SELECT count(*) FROM articles").fetchone()[0]


if __name__ == "__main__":
    t0 = time.perf_counter()
    print(fill(int(sys.argv[1]), sys.argv[2]), f"{time.perf_counter() - t0:.1f} s")
