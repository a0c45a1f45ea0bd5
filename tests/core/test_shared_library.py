"""The shared library on PostgreSQL: the command line on it, server init and grant, and rules the server enforces."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from newsdesk.library import Library, LibraryError
from newsdesk.library.database import SCHEMA_HEAD
from newsdesk.paths import resource

SAMPLE_PHOTO = resource("sample", "harbour-dawn.jpg")

STORY = """---
headline: Harbour ferry returns after winter repairs
dek: Crossings resume on Monday.
byline: By Sam Reyes
section: Local
tags: [transport, harbour]
status: {status}
hero:
  file: photo.jpg
  caption: The ferry at the quay at dawn.
  credit: Sam Reyes
  alt: A white ferry moored at a stone quay.
---
The ferry is back on the water after three months in the dry dock.
"""


def newsdesk(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "newsdesk", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def one_sentence(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "Error:" not in stderr
    return lines[0]


def as_user(url: str, user: str) -> str:
    return url.replace("postgresql+psycopg://postgres@", f"postgresql+psycopg://{user}@", 1)


def dbname(url: str) -> str:
    return url.split("/", 3)[3].split("?", 1)[0]


# ---- no server needed ---------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://alice:secret@db.example.org/newsroom",
        "postgresql://alice:s3cr%40t@db.example.org:5433/newsroom",
        "postgresql+psycopg://alice@db.example.org/newsroom?password=secret",
    ],
)
def test_a_library_url_with_a_password_is_refused_in_one_sentence(url, tmp_path):
    for argv, env in (
        (["--library", url, "list"], None),
        (["search", "ferry"], {"NEWSDESK_LIBRARY": url}),
        (["server", "init", url], None),
    ):
        done = newsdesk(*argv, env=env)
        assert done.returncode == 2
        sentence = one_sentence(done.stderr)
        assert "password" in sentence and ".pgpass" in sentence
        assert "secret" not in sentence and "s3cr" not in sentence


def test_an_unreachable_shared_library_is_one_sentence(tmp_path):
    url = f"postgresql+psycopg://alice@/newsroom?host={tmp_path}&port=1"
    done = newsdesk("--library", url, "list")
    assert done.returncode == 2
    assert "Cannot open the shared library alice@" in one_sentence(done.stderr)


def test_a_server_that_refuses_connections_reads_as_one_sentence_without_doubled_stops():
    from sqlalchemy.engine import make_url

    from newsdesk.library.pg import unreachable

    libpq = (
        'connection failed: connection to server at "127.0.0.1", port 1 failed: '
        "Connection refused\n\tIs the server running on that host and accepting "
        "TCP/IP connections?"
    )
    url = make_url("postgresql+psycopg://alice@127.0.0.1:1/newsroom")
    sentence = str(unreachable(url, psycopg.OperationalError(libpq)))
    assert sentence.startswith("Cannot open the shared library alice@127.0.0.1")
    assert sentence.endswith("accepting TCP/IP connections?")
    assert "?." not in sentence


def test_the_editor_window_on_an_unreachable_shared_library_is_one_sentence(tmp_path):
    url = f"postgresql+psycopg://alice@/newsroom?host={tmp_path}&port=1"
    done = newsdesk("--library", url, "screenshot", str(tmp_path / "x.png"))
    assert done.returncode == 2
    assert "Cannot open the shared library alice@" in one_sentence(done.stderr)
    assert not (tmp_path / "x.png").exists()


# ---- the command line on a shared library ----------------------------------------
@pytest.mark.postgres
def test_every_command_works_on_a_shared_library(pg_url, tmp_path):
    story = tmp_path / "story.md"
    story.write_text(STORY.format(status="published"), encoding="utf-8")
    shutil.copy(SAMPLE_PHOTO, tmp_path / "photo.jpg")
    other = tmp_path / "other.md"
    other.write_text(
        "---\nheadline: Ferry timetable for the summer\nstatus: published\ntags: [transport]\n---\n"
        "The harbour ferry sails hourly from the quay.\n",
        encoding="utf-8",
    )
    # The timetable has no hero: it is published over preflight, with a reason.
    reason = ("--override-reason", "Timetable from the harbour office")
    done = newsdesk("--library", pg_url, "import", str(story), str(other), *reason)
    assert done.returncode == 0, done.stderr
    slug = "harbour-ferry-returns-after-winter-repairs"

    listed = json.loads(newsdesk("--library", pg_url, "list", "--json").stdout)
    assert {r["slug"] for r in listed} == {slug, "ferry-timetable-for-the-summer"}

    searched = newsdesk("--library", pg_url, "search", "ferry", "--json")
    assert searched.returncode == 0, searched.stderr
    found = json.loads(searched.stdout)
    assert {h["slug"] for h in found} == {slug, "ferry-timetable-for-the-summer"}
    found = json.loads(newsdesk("--library", pg_url, "search", "dry dock", "--json").stdout)
    assert [h["slug"] for h in found] == [slug]
    assert "\x02" not in found[0]["snippet"] and "dry dock" in found[0]["snippet"]

    checked = newsdesk("--library", pg_url, "check", slug)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    related = json.loads(newsdesk("--library", pg_url, "related", slug, "--json").stdout)
    assert related and related[0]["slug"] == "ferry-timetable-for-the-summer"

    # The pictures come from the database: this user's cache is empty to start with.
    shutil.rmtree(tmp_path / "xdg-cache", ignore_errors=True)
    out = tmp_path / "site"
    exported = newsdesk(
        "--library",
        pg_url,
        "export",
        slug,
        "--out",
        str(out),
        env={"XDG_CACHE_HOME": str(tmp_path / "other-cache")},
    )
    assert exported.returncode == 0, exported.stderr
    pages = [p.read_text(encoding="utf-8") for p in out.rglob("*.html")]
    assert any('alt="A white ferry moored at a stone quay."' in html for html in pages)
    assert list(out.rglob("*.jpg")) or list(out.rglob("*.webp"))


@pytest.mark.postgres
def test_pictures_are_stored_in_the_database_by_sha256(pg_library, tmp_path):
    from newsdesk.images.library_import import import_image

    image = import_image(pg_library, SAMPLE_PHOTO)
    data = pg_library.media_blob(image.sha256)
    assert data == SAMPLE_PHOTO.read_bytes()
    cached = pg_library.media_dir / image.filename
    cached.unlink()
    assert pg_library.media_path(image).read_bytes() == data  # fetched back into the cache


# ---- server init ------------------------------------------------------------------
@pytest.mark.postgres
def test_server_init_creates_then_finds_the_library_up_to_date(pg_server):
    name = pg_server.create_database("newsdesk_fresh_init")
    url = pg_server.url(name)
    done = newsdesk("server", "init", url)
    assert done.returncode == 0, done.stderr
    assert f"schema {SCHEMA_HEAD}" in done.stdout and "Created" in done.stdout
    again = newsdesk("server", "init", url)
    assert again.returncode == 0 and "up to date" in again.stdout
    with Library.open(url) as lib:
        assert lib.count_articles() == 0


@pytest.mark.postgres
def test_a_failed_upgrade_leaves_the_old_schema_usable(pg_server):
    from newsdesk.library import database, pg

    name = pg_server.create_database("newsdesk_failed_upgrade")
    url = pg_server.url(name)
    engine = pg.make_engine(pg.parse_url(url))
    database.upgrade(engine, "0008")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO articles (uid, headline, dek, slug, byline, section, body, status, language,"
            " seo_title, seo_description, version, created_at, updated_at, source_path) VALUES"
            " ('u-1', 'Old ferry story', '', 'old-ferry', '', '', 'Quiet harbour.', 'draft', 'en',"
            " '', '', 1, now(), now(), '')"
        )
        # Something in the way of the next step: the upgrade to 0007 cannot finish.
        conn.exec_driver_sql("CREATE TABLE media_blobs (x int)")
    engine.dispose()
    done = newsdesk("server", "init", url)
    assert done.returncode == 2
    assert "nothing was changed" in one_sentence(done.stderr)
    with pg_server.connect(name) as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0008"
        assert con.execute("SELECT headline FROM articles").fetchone()[0] == "Old ferry story"
        columns = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'articles'"
            )
        }
        assert "created_by" not in columns and "search_doc" not in columns
        con.execute("DROP TABLE media_blobs")
        con.commit()
    assert newsdesk("server", "init", url).returncode == 0
    with Library.open(url) as lib:
        assert [h.slug for h in lib.search("harbour", prefix=False)] == ["old-ferry"]


@pytest.mark.postgres
def test_an_invented_base_url_leaves_a_shared_library_on_upgrade_unless_someone_saved_it(
    pg_server,
):
    """Older `server init`s wrote https://example.org/ into a new shared library's settings."""
    from newsdesk.library import database, pg
    from newsdesk.library.models import Publication

    kept = {}
    for name, saved_later in (("newsdesk_invented_url", False), ("newsdesk_chosen_url", True)):
        url = pg_server.url(pg_server.create_database(name))
        engine = pg.make_engine(pg.parse_url(url))
        database.upgrade(engine, "0027")
        made = datetime.now(UTC)
        with engine.begin() as conn:  # as server init wrote it, then perhaps saved a day later
            conn.execute(
                Publication.__table__.insert().values(
                    name="The Newsdesk Courier",
                    base_url="https://example.org/",
                    created_at=made,
                    updated_at=made + timedelta(days=1 if saved_later else 0),
                )
            )
        engine.dispose()
        assert newsdesk("server", "init", url).returncode == 0
        with Library.open(url) as lib:
            kept[saved_later] = lib.publication().base_url
    assert kept == {False: "", True: "https://example.org/"}


@pytest.mark.postgres
def test_a_schema_newer_than_this_newsdesk_is_refused(pg_url):
    with psycopg.connect(_conninfo(pg_url)) as con:
        con.execute("UPDATE alembic_version SET version_num = '0099_future'")
    for argv in (["server", "init", pg_url], ["--library", pg_url, "list"]):
        done = newsdesk(*argv)
        assert done.returncode == 2
        assert "newer newsdesk" in one_sentence(done.stderr)


@pytest.mark.postgres
def test_a_database_without_a_library_asks_for_server_init(pg_server):
    url = pg_server.url(pg_server.create_database("newsdesk_empty_db"))
    done = newsdesk("--library", url, "list")
    assert done.returncode == 2
    assert "server init" in one_sentence(done.stderr)


def _conninfo(url: str) -> str:
    from newsdesk.library.pg import parse_url

    u = parse_url(url)
    return f"host={u.query['host']} port={u.query['port']} dbname={u.database} user={u.username}"


# ---- roles ------------------------------------------------------------------------
@pytest.fixture
def newsroom_roles(pg_url):
    """A reporter (reza), a second reporter (rita) and an editor (eda) on the shared library."""
    for user, role in (("reza", "reporter"), ("rita", "reporter"), ("eda", "editor")):
        done = newsdesk("server", "grant", pg_url, user, "--role", role)
        assert done.returncode == 0, done.stderr
    return pg_url


def _connect(url: str, user: str):
    return psycopg.connect(_conninfo(as_user(url, user)), autocommit=True)


_INSERT = (
    "INSERT INTO articles (uid, headline, dek, slug, byline, section, body, status, language,"
    " seo_title, seo_description, version, created_at, updated_at, source_path)"
    " VALUES (%s, %s, '', %s, '', '', '', %s, 'en', '', '', 1, now(), now(), '') RETURNING id"
)


@pytest.mark.postgres
def test_grant_creates_a_login_without_a_password_and_says_so(pg_url):
    done = newsdesk("server", "grant", pg_url, "Zoë O'Neil", "--role", "reporter")
    assert done.returncode == 0, done.stderr
    assert "without a password" in done.stdout
    with psycopg.connect(_conninfo(pg_url)) as con:
        row = con.execute(
            "SELECT r.rolcanlogin, s.passwd IS NULL FROM pg_roles r JOIN pg_shadow s"
            " ON s.usename = r.rolname WHERE r.rolname = %s",
            ("Zoë O'Neil",),
        ).fetchone()
        assert row == (True, True)
        member = con.execute(
            "SELECT pg_has_role(%s, 'newsdesk_reporter', 'MEMBER')", ("Zoë O'Neil",)
        )
        assert member.fetchone()[0] is True
    promoted = newsdesk("server", "grant", pg_url, "Zoë O'Neil", "--role", "editor")
    assert promoted.returncode == 0 and "without a password" not in promoted.stdout
    with psycopg.connect(_conninfo(pg_url)) as con:
        roles = con.execute(
            "SELECT pg_has_role(%s, 'newsdesk_reporter', 'MEMBER'),"
            " pg_has_role(%s, 'newsdesk_editor', 'MEMBER')",
            ("Zoë O'Neil", "Zoë O'Neil"),
        ).fetchone()
        assert roles == (False, True)


@pytest.mark.postgres
def test_grant_refuses_a_reserved_name_and_a_missing_role_choice(pg_url):
    done = newsdesk("server", "grant", pg_url, "pg_read_all_data", "--role", "editor")
    assert done.returncode == 2 and "reserved" in one_sentence(done.stderr)
    done = newsdesk("server", "grant", pg_url, "sam", "--role", "owner")
    assert done.returncode == 2 and "Traceback" not in done.stderr


@pytest.mark.postgres
def test_the_server_refuses_a_reporter_who_publishes_with_plain_sql(newsroom_roles):
    with _connect(newsroom_roles, "reza") as con:
        (draft_id,) = con.execute(_INSERT, ("u-draft", "Draft", "draft", "draft")).fetchone()
        with pytest.raises(
            psycopg.errors.InsufficientPrivilege, match="Only an editor may publish"
        ):
            con.execute(_INSERT, ("u-pub", "Published", "published", "published"))
        with pytest.raises(
            psycopg.errors.InsufficientPrivilege, match="Only an editor may publish"
        ):
            con.execute("UPDATE articles SET status = 'published' WHERE id = %s", (draft_id,))
        # Writing and editing are fine, and the server records who created the story.
        con.execute("UPDATE articles SET headline = 'Draft, edited' WHERE id = %s", (draft_id,))
        owner = con.execute("SELECT created_by FROM articles WHERE id = %s", (draft_id,)).fetchone()
        assert owner == ("reza",)
        con.execute("UPDATE articles SET created_by = 'eda' WHERE id = %s", (draft_id,))
        assert con.execute(
            "SELECT created_by FROM articles WHERE id = %s", (draft_id,)
        ).fetchone() == ("reza",)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("UPDATE publications SET name = 'Reza Weekly'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("UPDATE alembic_version SET version_num = 'x'")
    with _connect(newsroom_roles, "rita") as con:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="another reporter"):
            con.execute("DELETE FROM articles WHERE id = %s", (draft_id,))
        (own,) = con.execute(_INSERT, ("u-rita", "Rita's", "rita", "draft")).fetchone()
        con.execute("DELETE FROM articles WHERE id = %s", (own,))  # her own story: fine
    with _connect(newsroom_roles, "eda") as con:
        con.execute("UPDATE articles SET status = 'published' WHERE id = %s", (draft_id,))
        con.execute("UPDATE publications SET name = 'The Harbour Times'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("DROP TABLE articles")
    with (
        _connect(newsroom_roles, "reza") as con,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="take a published story down"),
    ):
        con.execute("UPDATE articles SET status = 'draft' WHERE id = %s", (draft_id,))


@pytest.mark.postgres
def test_the_app_turns_the_servers_refusal_into_one_sentence(newsroom_roles, tmp_path):
    with Library.open(as_user(newsroom_roles, "reza")) as lib:
        article = lib.create_article(
            headline="Council votes on ferry subsidy", body="A long debate."
        )
        assert article.created_by == "reza"
        with pytest.raises(LibraryError) as refused:
            lib.update_article(article.id, status="published")
        assert str(refused.value) == "Only an editor may publish on the shared library."
        assert lib.get_article(article.id).status == "draft"  # nothing half-saved
        with pytest.raises(LibraryError) as refused:
            lib.update_publication(name="Reza Weekly")
        assert str(refused.value) == (
            "Only an editor may change the publication settings on the shared library."
        )
    with (
        Library.open(as_user(newsroom_roles, "rita")) as lib,
        pytest.raises(LibraryError, match="another reporter's story"),
    ):
        lib.delete_article(article.id)
    with Library.open(as_user(newsroom_roles, "eda")) as lib:
        assert lib.update_article(article.id, status="published").status == "published"

    story = tmp_path / "story.md"
    story.write_text(STORY.format(status="published"), encoding="utf-8")
    shutil.copy(SAMPLE_PHOTO, tmp_path / "photo.jpg")
    done = newsdesk("--library", as_user(newsroom_roles, "reza"), "import", str(story))
    # The story is imported (nothing the reporter wrote is lost), but not published.
    assert done.returncode == 1
    assert "Only an editor may publish on the shared library." in one_sentence(done.stderr)
    with Library.open(newsroom_roles) as lib:
        assert lib.get_article("harbour-ferry-returns-after-winter-repairs").status == "draft"


@pytest.mark.postgres
def test_on_a_laptop_library_anyone_may_publish(library):
    article = library.create_article(headline="Laptop story")
    assert library.update_article(article.id, status="published").status == "published"
    assert article.created_by  # the writer's name, for sync to carry


@pytest.mark.postgres
def test_a_shared_library_keeps_focal_points_crops_and_look_alike_hashes(pg_library, tmp_path):
    from benchmarks.generate import sample_photo
    from newsdesk.crops import Box, crop_for
    from newsdesk.images.library_import import import_image
    from newsdesk.images.near import find_look_alikes

    image = import_image(pg_library, sample_photo(tmp_path / "quay.jpg", 1600, 900, seed=7))
    assert len(image.dhash) == 16
    pg_library.set_framing(image.id, focal=(0.2, 0.7), crops={"1:1": Box(0, 0, 900, 900)})
    again = pg_library.get_image(image.id)
    assert (again.focal_x, again.focal_y) == (0.2, 0.7)
    assert crop_for(again, "1:1") == Box(0, 0, 900, 900)
    png = tmp_path / "quay.png"
    from PIL import Image as PILImage

    with PILImage.open(tmp_path / "quay.jpg") as im:
        im.resize((800, 450)).save(png, "PNG")
    (alike,) = find_look_alikes(pg_library, [png])
    assert alike.existing.id == image.id
    copy = import_image(pg_library, png)
    assert pg_library.media_blob(copy.sha256) is not None
    assert pg_library.discard_new_image(copy.id) == "quay.png"
    assert pg_library.media_blob(copy.sha256) is None  # its bytes went with it
