"""Publishing on the command line follows the window's rule: preflight first, refused with its
reasons (exit 1) unless an override reason is given, which the story's history keeps."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.library import Library
from newsdesk.paths import resource

UNREADY = """---
headline: Ferry service returns to the island
dek: The first crossing since the storm leaves at dawn.
byline: By Ana Ruiz
status: published
---
The ferry sails again on Monday.
"""

READY = """---
headline: Harbour market opens an hour earlier
dek: Stallholders asked for the change before the summer.
byline: By Sam Reyes
status: published
published: 2026-11-20T09:00:00+00:00
hero:
  file: photo.jpg
  caption: Stalls at dawn.
  credit: Sam Reyes
  alt: Fish crates stacked on the quay at first light.
---
The market opens at six from Saturday.
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def libdir(tmp_path) -> Path:
    return tmp_path / "lib"


def test_importing_status_published_that_fails_preflight_is_refused_with_its_reasons(
    capsys, tmp_path, libdir
):
    md = write(tmp_path / "desk", "ferry.md", UNREADY)
    rc, out, err = run(capsys, "--library", libdir, "import", md)
    assert rc == 1
    assert "imported ferry-service-returns-to-the-island" in out  # nothing written is lost
    assert "ferry-service-returns-to-the-island was not published (it stays draft)" in err
    assert "  - There is no hero image." in err.splitlines()
    assert "Traceback" not in err
    with Library.open(libdir) as lib:
        assert lib.get_article("ferry-service-returns-to-the-island").status == "draft"


def test_an_override_reason_publishes_the_import_and_history_keeps_it(capsys, tmp_path, libdir):
    md = write(tmp_path / "desk", "ferry.md", UNREADY)
    rc, _out, err = run(
        capsys, "--library", libdir, "import", md, "--override-reason", "Picture to follow"
    )
    assert rc == 0, err
    with Library.open(libdir) as lib:
        article = lib.get_article("ferry-service-returns-to-the-island")
        assert article.status == "published"
        (revision,) = lib.revisions(article.id)
        assert "Picture to follow" in revision.note and "no hero image" in revision.note


def test_a_story_that_passes_preflight_imports_as_published(capsys, tmp_path, libdir):
    desk = tmp_path / "desk"
    desk.mkdir()
    shutil.copy(resource("sample", "harbour-dawn.jpg"), desk / "photo.jpg")
    md = write(desk, "market.md", READY)
    rc, out, err = run(capsys, "--library", libdir, "import", md)
    assert rc == 0, err
    assert "not published" not in out + err
    with Library.open(libdir) as lib:
        article = lib.get_article("harbour-market-opens-an-hour-earlier")
        assert article.status == "published" and lib.revisions(article.id) == []
        # Dated as the file says, not by the moment it was published here.
        assert article.published_at.isoformat() == "2026-11-20T09:00:00+00:00"
        assert article.updated_at == article.published_at


def test_a_published_story_imported_again_stays_published(capsys, tmp_path, libdir):
    md = write(tmp_path / "desk", "ferry.md", UNREADY)
    run(capsys, "--library", libdir, "import", md, "--override-reason", "Breaking")
    md.write_text(UNREADY.replace("Monday", "Tuesday"), encoding="utf-8")
    rc, out, _err = run(capsys, "--library", libdir, "import", md)
    assert rc == 0 and out.startswith("updated")
    with Library.open(libdir) as lib:
        article = lib.get_article("ferry-service-returns-to-the-island")
        assert article.status == "published" and "Tuesday" in article.body


def test_setting_the_status_to_published_runs_preflight_and_exits_1(tmp_path, libdir):
    """As a script runs it: a real process, stdout, stderr and the exit status."""
    md = write(tmp_path / "desk", "ferry.md", UNREADY.replace("status: published\n", ""))
    slug = "ferry-service-returns-to-the-island"

    def newsdesk(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "newsdesk", "--library", str(libdir), *argv],
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert newsdesk("import", str(md)).returncode == 0
    refused = newsdesk("status", slug, "published")
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[1:] == ["  - There is no hero image."]
    assert newsdesk("status", slug).stdout.strip() == "draft"

    wrong = newsdesk("status", slug, "ready", "--override-reason", "why not")
    assert wrong.returncode == 2 and len(wrong.stderr.strip().splitlines()) == 1

    done = newsdesk("status", slug, "published", "--override-reason", "Agency picture later")
    assert done.returncode == 0, done.stderr
    assert "over preflight" in done.stdout
    with Library.open(libdir) as lib:
        article = lib.get_article(slug)
        assert article.status == "published"
        assert "Agency picture later" in lib.revisions(article.id)[0].note

    assert newsdesk("status", slug, "editing").returncode == 0
    assert newsdesk("status", slug).stdout.strip() == "editing"
