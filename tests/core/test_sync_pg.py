"""Sync against a real shared library on PostgreSQL: two laptops, offline edits, conflicts, the
trash, a killed bulk sync, passwords only where libpq looks, and the server's publishing rule."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsdesk.library import Library
from newsdesk.paths import resource
from tests.core.test_sync import STORY, edit, story

pytestmark = pytest.mark.postgres
SLUG = "council-votes-on-the-budget"


def nd(library: Path, *args: str, check: int | None = 0, env=None):
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", str(library), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
    )
    if check is not None:
        assert done.returncode == check, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    return done


def _as_user(url: str, user: str) -> str:
    return url.replace("postgres@", f"{user}@", 1)


def _grant(url: str, user: str, role: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk", "server", "grant", url, user, "--role", role],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
def newsroom(pg_url, tmp_path):
    """A shared library on PostgreSQL, laptop A with a story and its picture, laptop B joined."""
    a, b = tmp_path / "laptop-a", tmp_path / "laptop-b"
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(resource("sample", "harbour-dawn.jpg"), src / "photo.jpg")
    (src / "story.md").write_text(STORY, encoding="utf-8")
    nd(a, "import", str(src / "story.md"))
    nd(a, "sync", pg_url)
    nd(b, "sync", pg_url)
    return pg_url, a, b


def test_a_story_and_its_picture_reach_the_other_laptop_through_the_database(newsroom):
    server, _a, b = newsroom
    got = story(b)
    hero = got.hero
    assert hero is not None and hero.caption == "The council chamber at midnight."
    path = b / "media" / hero.image.filename
    assert hashlib.sha256(path.read_bytes()).hexdigest() == hero.image.sha256
    with Library.open(server) as shared:
        assert hashlib.sha256(shared.media_blob(hero.image.sha256)).hexdigest() == (
            hero.image.sha256
        )
        assert shared.get_article(SLUG).hero.uid == hero.uid


def test_offline_edits_to_different_fields_and_paragraphs_merge_through_postgresql(newsroom):
    server, a, b = newsroom
    edit(a, SLUG, headline="Budget passes by one vote", body_replace=("at seven", "at seven sharp"))
    edit(b, SLUG, dek="Nine hours of debate.", body_replace=("was close", "was 5 to 4"))
    nd(a, "sync")
    nd(b, "sync")
    nd(a, "sync")
    for lib in (a, b, server):
        got = story(lib, SLUG)
        assert got.headline == "Budget passes by one vote"
        assert got.dek == "Nine hours of debate."
        assert "met at seven sharp" in got.body and "was 5 to 4" in got.body


def test_the_same_field_on_both_laptops_is_a_conflict_that_resolves(newsroom):
    server, a, b = newsroom
    edit(a, SLUG, headline="A's headline")
    edit(b, SLUG, headline="B's headline")
    nd(a, "sync")
    assert "conflict" in nd(b, "sync", check=1).stdout
    (conflict,) = json.loads(nd(b, "conflicts", "--json").stdout)
    assert (conflict["mine"], conflict["theirs"]) == ("B's headline", "A's headline")
    assert story(server, SLUG).headline == "A's headline"
    nd(b, "resolve", SLUG, "headline", "--mine")
    nd(b, "sync")
    nd(a, "sync")
    assert {story(lib, SLUG).headline for lib in (a, b, server)} == {"B's headline"}


def test_a_deleted_story_leaves_the_other_laptops_list_and_the_shared_search(newsroom):
    server, a, b = newsroom
    nd(a, "delete", SLUG)
    nd(a, "sync")
    nd(b, "sync")
    assert json.loads(nd(b, "list", "--json").stdout) == []
    with Library.open(server) as shared:
        assert shared.search("council") == [] and shared.sections() == []


def test_a_bulk_sync_to_postgresql_killed_at_random_moments_resumes(pg_url, tmp_path):
    laptop = tmp_path / "laptop"
    with Library.open(laptop) as lib:
        for i in range(200):
            lib.create_article(headline=f"Story number {i}", body=f"Body of story {i}.\n")
    rng = random.Random(5)
    for attempt in range(3):
        args = [sys.executable, "-m", "newsdesk", "--library", str(laptop), "sync"]
        proc = subprocess.Popen(
            [*args, *([pg_url] if attempt == 0 else []), "--batch", "10"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(1.0, 3.0))
        proc.kill()
        proc.wait()
    nd(laptop, "sync", pg_url, "--batch", "10")
    with Library.open(pg_url) as shared:
        rows = shared.list_articles()
    assert sorted(r.slug for r in rows) == sorted(f"story-number-{i}" for i in range(200))
    assert "0 sent, 0 received" in nd(laptop, "sync").stdout


def test_the_password_stays_where_libpq_keeps_it_and_a_wrong_one_is_one_sentence(
    password_login, tmp_path
):
    laptop = tmp_path / "laptop"
    with Library.open(laptop) as lib:
        lib.create_article(headline="Ferry timetable", body="Ferries at dawn.")
    wrong = nd(laptop, "sync", password_login, check=2, env={"PGPASSWORD": "not-it"})
    assert wrong.stderr.count("\n") == 1 and "password" in wrong.stderr
    assert "psycopg" not in wrong.stderr and "Error" not in wrong.stderr
    # Said as a refused sign-in with what to check, not as a server out of reach.
    assert "Sign-in refused:" in wrong.stderr
    assert "~/.pgpass" in wrong.stderr and "PGPASSFILE" in wrong.stderr
    none = nd(laptop, "sync", password_login, check=2, env={"PGPASSFILE": "/nonexistent"})
    assert none.stderr.count("\n") == 1 and "Sign-in refused:" in none.stderr
    passfile = tmp_path / "pgpass"
    passfile.write_text("*:*:*:pat:tide-table-9137\n")
    passfile.chmod(0o600)
    nd(laptop, "sync", password_login, env={"PGPASSFILE": str(passfile)})
    nd(laptop, "sync", env={"PGPASSFILE": str(passfile)})  # remembered, without the password
    for path in laptop.rglob("*"):
        if path.is_file():
            assert b"tide-table-9137" not in path.read_bytes(), path
    assert story(laptop, "ferry-timetable").headline == "Ferry timetable"


def test_a_reporter_who_publishes_keeps_the_status_on_the_laptop_and_the_rest_arrives(
    pg_url, tmp_path
):
    _grant(pg_url, "reza", "reporter")
    reporter_url = _as_user(pg_url, "reza")
    laptop = tmp_path / "laptop"
    with Library.open(laptop) as lib:
        lib.create_article(headline="Harbour reopens", body="Ships return.", status="ready")
        lib.create_article(headline="Tide tables", body="High water at noon.")
    nd(laptop, "sync", reporter_url)
    slug = "harbour-reopens"
    edit(laptop, slug, status="published", headline="Harbour reopens at last")
    done = nd(laptop, "sync", check=1)
    assert "Only an editor may publish" in done.stderr and done.stderr.count("\n") == 1
    with Library.open(pg_url) as shared:
        there = shared.get_article(slug)
        assert (there.headline, there.status) == ("Harbour reopens at last", "ready")
    assert story(laptop, slug).status == "published"  # kept on the laptop
    # The refused change is tried again on every sync, never lost and never forced.
    assert nd(laptop, "sync", check=1).returncode == 1


def test_a_server_out_of_reach_is_not_called_a_refused_sign_in(tmp_path):
    laptop = tmp_path / "laptop"
    Library.open(laptop).close()
    away = f"postgresql+psycopg://pat@/newsroom?host={tmp_path / 'no-server'}"
    done = nd(laptop, "sync", away, check=2)
    assert done.stderr.count("\n") == 1 and "Cannot open the shared library" in done.stderr
    assert "Sign-in refused" not in done.stderr
