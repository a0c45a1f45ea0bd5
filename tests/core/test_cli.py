"""The command line as a new user tries it: import, list, search, check — and every bad input."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.library import Library
from newsdesk.paths import resource
from newsdesk.picture_refs import readable_ref

SAMPLE_PHOTO = resource("sample", "harbour-dawn.jpg")

STORY = """---
headline: Library extends opening hours for exam season
dek: Students asked for evenings; the council found the money.
byline: By Sam Reyes
section: Education
tags: [libraries, students]
status: published
published: 2026-11-20T09:00:00+01:00
hero:
  file: photo.jpg
  caption: The reading room on a weekday evening.
  credit: Sam Reyes
  alt: Readers at long tables under green lamps.
---
The central library will stay open until ten at night from Monday.

![A second view](inline.jpg)
"""


@pytest.fixture
def story(tmp_path) -> Path:
    folder = tmp_path / "story"
    folder.mkdir()
    shutil.copy(SAMPLE_PHOTO, folder / "photo.jpg")
    shutil.copy(resource("sample", "market-hills.jpg"), folder / "inline.jpg")
    path = folder / "story.md"
    path.write_text(STORY, encoding="utf-8")
    return path


@pytest.fixture
def libdir(tmp_path) -> Path:
    return tmp_path / "lib"


def run(capsys, *argv) -> tuple[int, str, str]:
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def snapshot(libdir: Path) -> str:
    """Everything a user could see change: articles, images, media files."""
    lib = Library.open(libdir)
    state = {
        "articles": [(a.slug, a.headline, a.body, a.version, a.tags) for a in lib.all_articles()],
        "images": sorted((i.sha256, i.credit) for i in lib.list_images()),
        "media": sorted(p.name for p in lib.media_dir.iterdir()),
    }
    lib.close()
    return json.dumps(state, sort_keys=True, default=str)


def test_import_list_search_check_as_a_new_user(capsys, story, libdir):
    rc, out, err = run(capsys, "--library", libdir, "import", story)
    # Imported, but `status: published` waits for preflight: the inline image has no credit.
    assert rc == 1 and "imported library-extends-opening-hours-for-exam-season" in out
    assert "was not published (it stays draft)" in err and "has no credit" in err

    rc, out, _ = run(capsys, "--library", libdir, "list", "--json")
    rows = json.loads(out)
    assert rc == 0 and rows[0]["slug"] == "library-extends-opening-hours-for-exam-season"
    assert rows[0]["published"].startswith("2026-11-20T08:00:00")
    assert rows[0]["updated"] == rows[0]["published"]  # not the time of the import

    rc, out, _ = run(capsys, "--library", libdir, "search", "evening hours", "--json")
    assert rc == 0 and json.loads(out) == []
    rc, out, _ = run(capsys, "--library", libdir, "search", "library")
    assert rc == 0 and "[library]" in out

    rc, out, _ = run(
        capsys, "--library", libdir, "check", "library-extends-opening-hours-for-exam-season"
    )
    assert "ready to publish" not in out  # the inline image has no credit yet
    assert rc == 1 and "has no credit" in out and "has no alt text" not in out

    lib = Library.open(libdir)
    article = lib.get_article("library-extends-opening-hours-for-exam-season")
    assert article.hero.image.credit == "Sam Reyes"
    assert article.hero.image.alt_text == "Readers at long tables under green lamps."
    inline = [f for f in article.figures if f.role == "inline"][0]
    assert (
        f"image:{readable_ref(inline.image.uid, inline.image.title, inline.image.original_name)})"
        in article.body
    )
    assert inline.image.alt_text == "A second view"  # the Markdown's alt text
    assert (lib.media_dir / inline.image.filename).exists()
    lib.update_image(inline.image.id, credit="Sam Reyes", alt_text="Hills above the harbour.")
    lib.close()
    rc, out, _ = run(
        capsys, "--library", libdir, "check", "library-extends-opening-hours-for-exam-season"
    )
    assert rc == 0 and "ready to publish" in out
    rc, out, _ = run(
        capsys,
        "--library",
        libdir,
        "status",
        "library-extends-opening-hours-for-exam-season",
        "published",
    )
    assert rc == 0 and out.startswith("Published library-extends")


def test_importing_again_updates_instead_of_duplicating(capsys, story, libdir):
    run(capsys, "--library", libdir, "import", story)
    story.write_text(
        STORY.replace(
            "status: published",
            "status: ready\nslug: library-extends-opening-hours-for-exam-season",
        ).replace("ten at night", "eleven at night")
    )
    rc, out, _ = run(capsys, "--library", libdir, "import", story)
    assert rc == 0 and out.startswith("updated")
    lib = Library.open(libdir)
    assert lib.count_articles() == 1 and "eleven" in lib.all_articles()[0].body
    assert len(lib.list_images()) == 2
    lib.close()


def test_a_missing_file_is_one_clear_line_and_changes_nothing(capsys, story, libdir):
    run(capsys, "--library", libdir, "import", story)
    before = snapshot(libdir)
    rc, out, err = run(capsys, "--library", libdir, "import", story.parent / "nope.md")
    assert rc == 2 and err.strip().endswith("nope.md: no such file.") and err.count("\n") == 1
    assert snapshot(libdir) == before


@pytest.mark.parametrize(
    "front, message",
    [
        ("headline: [unclosed\n", "not valid YAML on line"),
        (
            "headline: Fine\nstatus: live\n",
            "key 'status' on line 3 must be one of draft, editing, ready, published",
        ),
        ("headline: Fine\ntags: {a: 1}\n", "key 'tags' on line 3 must be a list of words"),
        (
            "headline: Fine\npublished: yesterday-ish\n",
            "key 'published' on line 3 is not a date and time",
        ),
        ("headline: Fine\ncolour: red\n", "key 'colour' on line 3 is not a known key"),
        (
            "headline: Fine\nhero:\n  file: missing.jpg\n",
            "key 'hero' on line 3 names a file that does not exist: missing.jpg",
        ),
        ("- just\n- a list\n", "must be 'key: value' lines"),
    ],
)
def test_malformed_front_matter_names_the_key_and_line(capsys, story, libdir, front, message):
    good = story.parent / "good.md"
    good.write_text("---\nheadline: Ferry timetable changes\n---\nBoats.\n", encoding="utf-8")
    bad = story.parent / "bad.md"
    bad.write_text(f"---\n{front}---\nBody.\n", encoding="utf-8")
    rc, out, err = run(capsys, "--library", libdir, "import", bad)
    assert rc == 2 and message in err and err.count("\n") == 1 and out == ""
    rc, out, err = run(capsys, "--library", libdir, "import", good, bad)
    # The good file goes in; the bad one is named on a line of its own; exit 1 says so.
    assert rc == 1, err
    assert message in err and "Traceback" not in err and err.count("\n") == 1
    assert out == "imported ferry-timetable-changes: Ferry timetable changes\n"
    with Library.open(libdir) as lib:
        assert [a.slug for a in lib.list_articles()] == ["ferry-timetable-changes"]


def test_an_import_names_every_bad_file_and_imports_the_good_ones(capsys, story, libdir):
    folder = story.parent
    (folder / "first.md").write_text("---\nheadline: Tide tables\n---\nTides.\n", "utf-8")
    (folder / "broken.md").write_text("---\nheadline: [unclosed\n---\nBody.\n", "utf-8")
    (folder / "last.md").write_text("---\nheadline: Cup final\n---\nGoals.\n", "utf-8")
    (folder / "picture.md").write_text(
        "---\nheadline: Dawn\nhero:\n  file: fake.jpg\n---\nLight.\n", "utf-8"
    )
    (folder / "fake.jpg").write_bytes(b"not really a jpeg")
    files = ["first.md", "broken.md", "missing.md", "picture.md", "last.md"]
    rc, out, err = run(capsys, "--library", libdir, "import", *(folder / f for f in files))
    assert rc == 1
    assert out.splitlines() == [
        "imported tide-tables: Tide tables",
        "imported cup-final: Cup final",
    ]
    lines = err.splitlines()
    assert len(lines) == 3 and all(line.startswith("newsdesk: ") for line in lines), err
    assert "broken.md" in lines[0] and "not valid YAML" in lines[0]
    assert "missing.md" in lines[1] and "no such file" in lines[1]
    assert "picture.md" in lines[2] and "fake.jpg" in lines[2]
    assert "Traceback" not in err
    with Library.open(libdir) as lib:
        assert sorted(a.slug for a in lib.list_articles()) == ["cup-final", "tide-tables"]
        assert lib.list_images() == []  # the bad picture left nothing behind
        assert list(lib.media_dir.iterdir()) == []


def test_an_unclosed_front_matter_block_is_reported(capsys, story, libdir):
    bad = story.parent / "bad.md"
    bad.write_text("---\nheadline: x\nno closing line\n", encoding="utf-8")
    rc, _, err = run(capsys, "--library", libdir, "import", bad)
    assert rc == 2 and "never closed" in err


def test_a_broken_hero_image_is_reported_and_nothing_is_written(capsys, story, libdir):
    run(capsys, "--library", libdir, "import", story)
    before = snapshot(libdir)
    (story.parent / "photo.jpg").write_bytes(b"not really a jpeg")
    story.write_text(STORY.replace("Library extends", "Another story about"), encoding="utf-8")
    rc, _, err = run(capsys, "--library", libdir, "import", story)
    assert rc == 2 and "photo.jpg" in err
    assert snapshot(libdir) == before


def test_an_unknown_slug_is_one_clear_line(capsys, libdir):
    Library.open(libdir).close()
    rc, _, err = run(capsys, "--library", libdir, "check", "no-such-story")
    assert (
        rc == 2
        and err == "newsdesk: No article with the slug or id 'no-such-story' in this library.\n"
    )


def test_a_corrupt_library_is_reported_and_left_untouched(capsys, tmp_path):
    libdir = tmp_path / "lib"
    libdir.mkdir()
    db = libdir / "library.sqlite"
    db.write_bytes(b"\x00garbage" * 1000)
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    for argv in (["list"], ["search", "x"], ["check", "x"], ["import", "x.md"]):
        rc, _, err = run(capsys, "--library", libdir, *argv)
        assert rc == 2 and "damaged or not a newsdesk library" in err and err.count("\n") == 1
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in libdir.iterdir()) == ["library.sqlite"]


def test_errors_from_a_real_shell_have_no_traceback(tmp_path):
    exe = Path(sys.executable).with_name("newsdesk")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "newsdesk"]
    out = subprocess.run(
        [*cmd, "--library", str(tmp_path / "lib"), "import", str(tmp_path / "missing.md")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert out.stderr.startswith("newsdesk: ") and "Traceback" not in out.stderr


def test_library_override_by_environment(capsys, story, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSDESK_LIBRARY", str(tmp_path / "envlib"))
    run(capsys, "import", story)
    assert (tmp_path / "envlib" / "library.sqlite").exists()


def test_export_needs_slugs_or_all(capsys, libdir, tmp_path):
    rc, _, err = run(capsys, "--library", libdir, "export", "--out", tmp_path / "site")
    assert rc == 2 and "--all" in err


def test_related_suggestions_from_the_command_line(capsys, libdir):
    from newsdesk.sample import SAMPLE_SLUG, seed_if_new

    lib = Library.open(libdir)
    seed_if_new(lib)
    lib.close()
    # The ferry story already lists the market story, so it is the market story
    # that gets the ferry story suggested (never one already picked).
    rc, out, _ = run(
        capsys, "--library", libdir, "related", "harbour-market-opens-earlier", "--json"
    )
    rows = json.loads(out)
    assert rc == 0 and rows[0]["slug"] == SAMPLE_SLUG
    assert any("ferries" in r for r in rows[0]["reasons"])
    assert rows[0]["published_at"].startswith("2026-11-24T18:30:00")
    rc, out, _ = run(capsys, "--library", libdir, "related", SAMPLE_SLUG, "--json")
    assert rc == 0 and json.loads(out) == []


def test_exporting_from_the_command_line(capsys, libdir, tmp_path):
    from newsdesk.sample import SAMPLE_SLUG, seed_if_new

    lib = Library.open(libdir)
    seed_if_new(lib)
    lib.close()
    out_dir = tmp_path / "site"
    rc, out, _ = run(capsys, "--library", libdir, "export", SAMPLE_SLUG, "--out", out_dir)
    assert rc == 0, out
    assert (out_dir / "local" / SAMPLE_SLUG / "index.html").is_file()
    rc, _, err = run(capsys, "--library", libdir, "export", "no-such-story", "--out", out_dir)
    assert rc == 2 and "no-such-story" in err
