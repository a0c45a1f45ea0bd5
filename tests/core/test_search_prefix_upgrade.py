"""An older library's search index is rebuilt with lists for typed prefixes: found the same, kept in step, said when long."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from newsdesk.library import Library, search

# The index as libraries made before migration 0023 hold it.
_OLD_INDEX = (
    "CREATE VIRTUAL TABLE articles_fts USING fts5(headline, dek, body, byline, tags, "
    "content = 'articles_fts_source', content_rowid = 'id', "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
)
WORDS = ["reporter", "reported", "reposted", "council", "councillor", "harbour"]


def _old_library(root: Path, stories: int) -> Path:
    """A library at schema 0022 whose index keeps prefix lists for 2 and 3 letters only."""
    Library.open(root).close()
    db = root / "library.sqlite"
    con = sqlite3.connect(db)
    con.executemany(
        "INSERT INTO articles (uid, headline, dek, slug, byline, section, body, status, language, "
        "seo_title, seo_description, version, created_at, updated_at) "
        "VALUES (?, ?, '', ?, '', 'Local', ?, 'published', 'en', '', '', 1, "
        "'2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        [
            (f"u-{n}", f"Story {n}", f"story-{n}", f"The {WORDS[n % len(WORDS)]} spoke at noon.")
            for n in range(stories)
        ],
    )
    con.execute("DROP TABLE articles_fts_vocab")
    con.execute("DROP TABLE articles_fts")
    con.execute(_OLD_INDEX)
    con.execute(
        "INSERT INTO articles_fts(articles_fts, rank) VALUES ('rank', ?)", (search.RANK_WEIGHTS,)
    )
    con.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
    con.execute("CREATE VIRTUAL TABLE articles_fts_vocab USING fts5vocab(articles_fts, 'row')")
    con.execute("DROP TABLE media_upload_parts")  # made by a later migration (0024)
    con.execute("UPDATE alembic_version SET version_num = '0022'")
    con.commit()
    con.close()
    return db


def _index_sql(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()[
            0
        ]
    finally:
        con.close()


def test_a_large_older_library_says_it_is_rebuilding_its_index_and_then_answers(tmp_path):
    root = tmp_path / "lib"
    db = _old_library(root, 2_400)

    done = subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", str(root), "search", "reporter", "--json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 2, done.stderr
    assert "rebuilding the search index of 2,400 stories" in lines[0]
    assert lines[1].startswith("newsdesk: the search index was rebuilt in ")
    found = {h["slug"] for h in json.loads(done.stdout)}
    assert found and found <= _with("reporter", stories=2_400)
    assert f"prefix = '{search.PREFIX_LENGTHS}'" in _index_sql(db)
    assert list(root.glob("library.before-0022-*.sqlite"))  # the copy from before, as always
    with Library.open(root) as lib:
        lib.check_search_index()  # index and articles in step, word for word


def _slugs(lib: Library, query: str) -> set[str]:
    return {h.slug for h in lib.search(query, limit=100)}


def _with(*words: str, stories: int) -> set[str]:
    return {f"story-{n}" for n in range(stories) if WORDS[n % len(WORDS)] in words}


def test_typed_prefixes_find_the_same_stories_after_the_upgrade_and_edits_stay_in_step(
    tmp_path, capfd
):
    root = tmp_path / "lib"
    stories = len(WORDS) * 3
    db = _old_library(root, stories)
    capfd.readouterr()

    with Library.open(root) as lib:
        assert lib.migration_backup is not None
        assert capfd.readouterr().err == ""  # a small library is rebuilt in a moment, silently
        assert f"prefix = '{search.PREFIX_LENGTHS}'" in _index_sql(db)
        reporters = _with("reporter", "reported", stories=stories)
        assert _slugs(lib, "repo") == reporters | _with("reposted", stories=stories)  # 4 letters
        assert _slugs(lib, "repor") == _slugs(lib, "report") == reporters  # 5 and 6
        assert _slugs(lib, "counci") == _with("council", "councillor", stories=stories)
        assert _slugs(lib, "councill") == _with("councillor", stories=stories)  # longer: merged
        story = lib.create_article(headline="Ferry news", body="The harbourmaster reported.")
        assert story.slug in _slugs(lib, "harbo") and story.slug in _slugs(lib, "repor")
        lib.update_article(story.id, body="The pier reopened.")
        assert story.slug not in _slugs(lib, "harbo") and story.slug in _slugs(lib, "reope")
        lib.check_search_index()
