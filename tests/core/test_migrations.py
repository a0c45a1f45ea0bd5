"""Migrations: every older library reaches the current schema, with a backup taken first."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from newsdesk.library import Library, LibraryError, database
from newsdesk.library.models import Base


def _revision(db_path):
    con = sqlite3.connect(db_path)
    try:
        return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        con.close()


def test_a_new_library_is_created_at_head_without_a_backup(tmp_path):
    lib = Library.open(tmp_path / "lib")
    assert _revision(lib.db_path) == database.head_revision()
    assert lib.migration_backup is None
    assert not list((tmp_path / "lib").glob("*.before-*"))
    lib.close()


def test_an_empty_database_file_is_damage_not_a_new_library(tmp_path):
    root = tmp_path / "lib"
    root.mkdir()
    sqlite3.connect(root / "library.sqlite").close()  # a zero-byte file: only a MISSING one is new
    with pytest.raises(LibraryError, match="damaged .*empty, 0 bytes"):
        Library.open(root)
    assert (root / "library.sqlite").stat().st_size == 0
    assert sorted(p.name for p in root.iterdir()) == ["library.sqlite"]


def test_a_library_made_by_the_first_migration_reaches_head_with_its_data_and_a_backup(tmp_path):
    root = tmp_path / "lib"
    root.mkdir()
    db_path = root / "library.sqlite"
    engine = database.make_engine(db_path)
    database.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO articles (id, uid, headline, dek, slug, byline, section, body, status, language,"
            " seo_title, seo_description, version, created_at, updated_at) VALUES (1, 'u-1', 'Old ferry story',"
            " '', 'old-ferry', '', '', 'The harbour was quiet.', 'draft', 'en', '', '', 1,"
            " '2020-01-01 00:00:00', '2020-01-01 00:00:00')"
        )
    engine.dispose()
    lib = Library.open(root)
    assert _revision(db_path) == database.head_revision()
    assert lib.migration_backup is not None and lib.migration_backup.exists()
    assert _revision(lib.migration_backup) == "0001"
    assert lib.get_article("old-ferry").headline == "Old ferry story"
    assert [h.slug for h in lib.search("harbour")] == ["old-ferry"]  # the new index was filled
    lib.close()


def test_models_and_migrations_agree(tmp_path):
    lib = Library.open(tmp_path / "lib")
    with lib.engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"include_object": database.include_object, "compare_type": True}
        )
        diff = compare_metadata(ctx, Base.metadata)
    lib.close()
    assert diff == []


def _md5(path):
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_a_corrupt_library_is_refused_and_left_untouched(tmp_path):
    root = tmp_path / "lib"
    root.mkdir()
    db = root / "library.sqlite"
    db.write_bytes(b"this is not a database at all" * 100)
    before = _md5(db)
    with pytest.raises(LibraryError, match="damaged or not a newsdesk library"):
        Library.open(root)
    assert _md5(db) == before
    assert sorted(p.name for p in root.iterdir()) == ["library.sqlite"]


def test_a_foreign_sqlite_database_is_refused_and_left_untouched(tmp_path):
    root = tmp_path / "lib"
    root.mkdir()
    db = root / "library.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE recipes (name TEXT)")
    con.commit()
    con.close()
    before = _md5(db)
    with pytest.raises(LibraryError, match="not a newsdesk library"):
        Library.open(root)
    assert _md5(db) == before


def test_a_truncated_library_is_refused(tmp_path):
    lib = Library.open(tmp_path / "lib")
    lib.create_article(headline="A", body="x" * 50_000)
    lib.checkpoint()
    lib.close()
    db = tmp_path / "lib" / "library.sqlite"
    data = db.read_bytes()
    db.write_bytes(data[:100])
    with pytest.raises(LibraryError):
        Library.open(tmp_path / "lib")


def test_the_schema_head_constant_names_the_newest_migration():
    assert database.head_revision() == database.SCHEMA_HEAD


def test_upgrading_copies_each_pictures_words_into_its_stories_so_pages_render_as_before(tmp_path):
    root = tmp_path / "lib"
    root.mkdir()
    db_path = root / "library.sqlite"
    engine = database.make_engine(db_path)
    database.upgrade(engine, "0004")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO articles (id, uid, headline, dek, slug, byline, section, body, status, language,"
            " seo_title, seo_description, version, created_at, updated_at) VALUES"
            " (1, 'a-1', 'One', '', 'one', '', '', '', 'draft', 'en', '', '', 1,"
            " '2020-01-01 00:00:00', '2020-01-01 00:00:00'),"
            " (2, 'a-2', 'Two', '', 'two', '', '', '', 'draft', 'en', '', '', 1,"
            " '2020-01-01 00:00:00', '2020-01-01 00:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO images (id, uid, sha256, ext, original_name, format, mime, width, height,"
            " size_bytes, caption, credit, creator, copyright, source, usage_terms, alt_text,"
            " headline, date_created, city, country, created_at, updated_at) VALUES"
            " (1, 'i-1', 'abc', '.jpg', 'a.jpg', 'JPEG', 'image/jpeg', 10, 10, 100,"
            " 'Library caption', 'Jane Doe', '', '', '', '', 'Hills at dawn', '', '', '', '',"
            " '2020-01-01 00:00:00', '2020-01-01 00:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO figures (id, uid, article_id, image_id, role, position, caption,"
            " created_at, updated_at) VALUES"
            " (1, 'f-1', 1, 1, 'hero', 0, '', '2020-01-01 00:00:00', '2020-01-01 00:00:00'),"
            " (2, 'f-2', 2, 1, 'hero', 0, 'Its own words', '2020-01-01 00:00:00',"
            " '2020-01-01 00:00:00')"
        )
    engine.dispose()
    lib = Library.open(root)
    one, two = lib.get_article("one").hero, lib.get_article("two").hero
    assert (one.caption, one.alt_text) == ("Library caption", "Hills at dawn")
    assert (two.caption, two.alt_text) == ("Its own words", "Hills at dawn")
    image = lib.get_image(1)
    assert (image.title, image.instructions, image.keywords) == ("", "", "")
    lib.close()


def test_a_0005_library_is_upgraded_to_a_lean_search_index_and_is_searched(tmp_path):
    root = tmp_path / "lib"
    root.mkdir()
    db_path = root / "library.sqlite"
    engine = database.make_engine(db_path)
    database.upgrade(engine, "0005")
    with engine.begin() as conn:
        for i, (headline, section, tag) in enumerate(
            [("Night ferry returns", "Local", "transport"), ("Budget vote", "Politics", "council")]
        ):
            conn.exec_driver_sql(
                "INSERT INTO articles (id, uid, headline, dek, slug, byline, section, body, status,"
                " language, seo_title, seo_description, version, created_at, updated_at, source_path)"
                " VALUES (?, ?, ?, '', ?, '', ?, ?, 'draft', 'en', '', '', 1,"
                " '2026-01-01 00:00:00', ?, '')",
                (
                    i + 1,
                    f"uid-{i}",
                    headline,
                    f"s-{i}",
                    section,
                    f"The {headline.lower()} story.",
                    f"2026-01-0{i + 1} 00:00:00",
                ),
            )
            conn.exec_driver_sql(
                "INSERT INTO tags (id, uid, name, created_at, updated_at)"
                " VALUES (?, ?, ?, '2026-01-01', '2026-01-01')",
                (i + 1, f"t-{i}", tag),
            )
            conn.exec_driver_sql("INSERT INTO article_tags VALUES (?, ?, 0)", (i + 1, i + 1))
    engine.dispose()

    with Library.open(root) as library:
        assert library.migration_backup is not None
        assert _revision(db_path) == database.SCHEMA_HEAD
        assert [h.headline for h in library.search("ferry", prefix=False)] == [
            "Night ferry returns"
        ]
        assert [h.headline for h in library.search("council", prefix=False)] == ["Budget vote"]
        library.check_search_index()
        with library.engine.connect() as conn:
            names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
        assert "articles_fts_content" not in names and "articles_fts_vocab" in names
        assert library.sections() == ["Local", "Politics"]
        assert sorted(library.tags()) == ["council", "transport"]
        library.update_article(1, body="Rewritten about the harbour.")
        assert library.search("ferry story", prefix=False) == []
        assert [h.article_id for h in library.search("harbour", prefix=False)] == [1]
        # Just edited, so newest first.
        assert [r.headline for r in library.list_articles(status="draft")] == [
            "Night ferry returns",
            "Budget vote",
        ]
