"""What a user does on a laptop's library works the same on a newsroom's shared one (PostgreSQL).

Each test runs twice: on a library folder and on a shared library, the command
line reaching the latter by its URL, as `--library postgresql+psycopg://…` does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from newsdesk.paths import resource
from newsdesk.sample import seed_if_new
from tests.conftest import BOTH_DESKS
from tests.core.photodesk_files import fixture_copies

SAMPLE_PHOTO = resource("sample", "harbour-dawn.jpg")

STORY = """---
headline: Harbour ferry returns after winter repairs
dek: Crossings resume on Monday after three months in the dry dock.
byline: By Sam Reyes
section: Local
tags: [transport, harbour]
status: published
published: 2026-03-01T09:00:00Z
updated: 2026-03-02T10:30:00Z
hero:
  file: photo.jpg
  caption: The ferry at the quay at dawn.
  credit: Sam Reyes
  alt: A white ferry moored at a stone quay.
---
The ferry is back on the water after three months in the dry dock.
"""

TIMETABLE = """---
headline: Ferry timetable for the summer
dek: Hourly sailings from the quay.
byline: By Sam Reyes
section: Local
tags: [transport]
status: published
---
The harbour ferry sails hourly from the quay all summer.
"""


@pytest.fixture(params=BOTH_DESKS)
def desk(request):
    """(the library, what `--library` says to reach it): a folder, or a shared library's URL."""
    if request.param == "shared":
        return request.getfixturevalue("pg_library"), request.getfixturevalue("pg_url")
    lib = request.getfixturevalue("laptop_library")
    return lib, str(lib.root)


def newsdesk(where: str, *argv: str, cwd=None) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", where, *argv],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
        env=dict(os.environ),
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def ok(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_a_new_library_has_no_invented_base_url(desk):
    """Canonical links and sitemaps wait for the newsroom's own address, on either desk."""
    library, where = desk
    assert library.publication().base_url == ""
    shown = json.loads(ok(newsdesk(where, "publication", "--json")).stdout)
    assert shown["base_url"] == ""


def test_the_command_line_writes_and_reads_either_desk_alike(desk, tmp_path):
    library, where = desk
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "ferry.md").write_text(STORY, encoding="utf-8")
    (tmp_path / "in" / "timetable.md").write_text(TIMETABLE, encoding="utf-8")
    shutil.copy(SAMPLE_PHOTO, tmp_path / "in" / "photo.jpg")
    slug, other = "harbour-ferry-returns-after-winter-repairs", "ferry-timetable-for-the-summer"

    # Imported twice (relative paths): the second time changes nothing and adds no update note.
    # The timetable has no hero: it is published over preflight, with a reason.
    reason = ("--override-reason", "Timetable from the harbour office")
    for _ in range(2):
        ok(newsdesk(where, "import", "ferry.md", "timetable.md", *reason, cwd=tmp_path / "in"))
    assert [a.slug for a in library.list_articles()] and library.count_articles() == 2
    story = library.get_article(slug)
    assert [u.kind for u in story.updates] == ["update"]

    ok(
        newsdesk(
            where, "publication", "--name", "Harbour Gazette", "--base-url", "https://g.example/"
        )
    )
    shown = json.loads(ok(newsdesk(where, "publication", "--json")).stdout)
    assert (shown["name"], shown["base_url"]) == ("Harbour Gazette", "https://g.example/")

    listed = json.loads(ok(newsdesk(where, "list", "--json")).stdout)
    assert {r["slug"] for r in listed} == {slug, other}
    found = json.loads(ok(newsdesk(where, "search", "dry dock", "--json")).stdout)
    assert [h["slug"] for h in found] == [slug]
    ok(newsdesk(where, "check", slug))
    related = json.loads(ok(newsdesk(where, "related", slug, "--json")).stdout)
    assert [r["slug"] for r in related][:1] == [other]
    assert ok(newsdesk(where, "status", slug)).stdout.strip() == "published"
    ok(newsdesk(where, "status", slug, "editing"))
    assert library.get_article(slug).status == "editing"
    ok(newsdesk(where, "status", slug, "published"))

    ok(newsdesk(where, "spell", "--add", "Reyes"))
    assert "Reyes" in ok(newsdesk(where, "spell", "--list")).stdout

    # The trash: out of the list and the search, then back.
    ok(newsdesk(where, "delete", other))
    trashed = json.loads(ok(newsdesk(where, "trash", "--json")).stdout)
    assert [t["slug"] for t in trashed] == [other]
    assert [
        h["slug"] for h in json.loads(ok(newsdesk(where, "search", "ferry", "--json")).stdout)
    ] == [slug]
    ok(newsdesk(where, "restore", other))
    assert json.loads(ok(newsdesk(where, "trash", "--json")).stdout) == []

    # The timetable, published over preflight, is held back by the export's own check.
    out = tmp_path / "site"
    done = newsdesk(where, "export", "--all", "--out", str(out))
    assert done.returncode == 1 and f"{other}: not exported" in done.stderr, done.stderr
    library.update_article(story.id, dek="Crossings resume on Monday morning.")
    done = newsdesk(where, "export", "--all", "--out", str(out))  # again, after an edit
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr
    page = (out / "local" / slug / "index.html").read_text(encoding="utf-8")
    assert 'alt="A white ferry moored at a stone quay."' in page
    assert "https://g.example/local/" in page and "Monday morning" in page
    assert not (out / "local" / other).exists()


def test_pictures_are_imported_with_a_template_and_searched_by_field(desk, tmp_path):
    library, where = desk
    ok(
        newsdesk(
            where,
            "images",
            "templates",
            "set",
            "Harbour",
            "--credit",
            "Harbour Agency",
            "--copyright",
            "© {year} {creator}",
        )
    )
    files = fixture_copies(tmp_path / "in")
    done = ok(
        newsdesk(
            where,
            "images",
            "import",
            *[f.name for f in files],
            "--template",
            "Harbour",
            cwd=tmp_path / "in",
        )
    )
    assert done.stdout.count("imported ") == len(files)
    found = json.loads(
        ok(
            newsdesk(
                where, "images", "search", 'credit:"harbour agency"', "city:Kingston", "--json"
            )
        ).stdout
    )
    iptc = next(p for p in found if p["file"] == "exiftool-IPTC.jpg")
    assert iptc["fields"]["copyright"] == "© 2004 Phil Harvey"
    missing = json.loads(ok(newsdesk(where, "images", "search", "missing:alt", "--json")).stdout)
    assert len(missing) == len(files)
    assert len(library.search_images("missing:alt")) == len(files)

    # The originals go out with their sidecars, read from the database on a shared library.
    out = tmp_path / "originals"
    ok(newsdesk(where, "images", "export", "all", "--out", str(out), "--sidecars"))
    for f in files:
        assert (out / f.name).read_bytes() == (tmp_path / "in" / f.name).read_bytes()
    assert len(list(out.glob("*.xmp"))) == len(files)


def test_the_sample_content_fills_a_new_library_once_and_publishes(desk, tmp_path):
    library, where = desk
    assert seed_if_new(library)
    assert library.count_articles() > 0
    assert not seed_if_new(library)  # never twice
    out = tmp_path / "site"
    done = newsdesk(where, "export", "--all", "--out", str(out))
    assert done.returncode in (0, 1), done.stderr
    assert list(out.rglob("index.html"))


def test_repair_says_in_one_sentence_whether_there_is_anything_to_mend(desk):
    _library, where = desk
    done = newsdesk(where, "repair")
    assert done.returncode in (0, 2), done.stdout + done.stderr
    assert len((done.stdout + done.stderr).strip().splitlines()) == 1, done.stdout + done.stderr
