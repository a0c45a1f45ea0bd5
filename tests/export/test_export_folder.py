"""The export folder is shared with the user: their files stay, ours are replaced one by one, leftovers go."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from newsdesk.export import MANIFEST_NAME, ExportError, export_articles, export_site
from newsdesk.export.manifest import read_record
from newsdesk.export.writer import SiteWriter
from newsdesk.rules import section_segment
from tests.export.sample import add_image, make_jpeg, published
from tests.export.stories import files_of, leftovers, newsroom, run_newsdesk


def page(site: Path, article) -> Path:
    return site / section_segment(article.section) / article.slug / "index.html"


def add_users_files(site: Path) -> dict[str, bytes]:
    """What people keep in a published site's folder: a git checkout, a CNAME, pages of their own."""
    own = {
        "CNAME": b"news.example.org\n",
        ".git/HEAD": b"ref: refs/heads/main\n",
        ".git/objects/ab/cdef": b"\x00compressed object",
        "about.html": b"<!doctype html><title>About us</title>",
        "news/tips.html": b"<p>Send us your tips.</p>",
    }
    for rel, data in own.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)
    return own


def test_the_users_own_files_survive_every_kind_of_export(library, tmp_path):
    stories = newsroom(library, tmp_path / "photos", 3)
    site = tmp_path / "site"
    export_site(library, site)
    own = add_users_files(site)

    library.update_article(stories[0].id, body="A corrected first paragraph.")
    export_site(library, site)
    library.update_publication(name="The Evening Harbour")  # every page changes
    export_site(library, site)
    export_articles(library, [stories[1].slug], site)

    for rel, data in own.items():
        assert (site / rel).read_bytes() == data, rel
    assert "corrected first paragraph" in page(site, stories[0]).read_text(encoding="utf-8")
    assert "The Evening Harbour" in (site / "index.html").read_text(encoding="utf-8")
    manifest = read_record(site)
    assert not set(own) & set(manifest["files"]), "the user's files are not recorded as ours"
    assert leftovers(site) == []


def test_a_story_taken_down_loses_its_page_but_the_users_file_beside_it_stays(library, tmp_path):
    stories = newsroom(library, tmp_path / "photos", 3)
    site = tmp_path / "site"
    export_site(library, site)
    gone, kept_beside = stories[0], stories[2]
    note = page(site, kept_beside).parent / "notes.txt"
    note.write_text("my notes", encoding="utf-8")

    library.update_article(gone.id, status="draft")
    library.update_article(kept_beside.id, status="draft")
    report = export_site(library, site)

    assert not page(site, gone).parent.exists(), "the page and its emptied folder are removed"
    assert not page(site, kept_beside).exists()
    assert note.read_text(encoding="utf-8") == "my notes"
    assert page(site, stories[1]).is_file()
    assert gone.headline not in (site / "index.html").read_text(encoding="utf-8")
    assert report.ok


def test_a_folder_of_other_things_is_still_refused_and_an_empty_one_accepted(library, tmp_path):
    newsroom(library, tmp_path / "photos", 1)
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "thesis.txt").write_text("years of work")
    with pytest.raises(ExportError, match="not empty and is not a newsdesk export"):
        export_site(library, documents)
    assert sorted(os.listdir(documents)) == ["thesis.txt"]

    empty = tmp_path / "empty"
    empty.mkdir()
    assert export_site(library, empty).ok
    assert (empty / "index.html").is_file()


def test_a_users_file_where_the_export_needs_a_page_is_replaced_and_reported(library, tmp_path):
    stories = newsroom(library, tmp_path / "photos", 2)
    site = tmp_path / "site"
    export_site(library, site)
    library.update_article(stories[0].id, status="draft")
    export_site(library, site)
    # The user drops a page of their own where that story used to be.
    page(site, stories[0]).parent.mkdir(parents=True)
    page(site, stories[0]).write_text("the user's page", encoding="utf-8")

    library.update_article(stories[0].id, status="published")
    report = export_site(library, site)

    rel = f"news/{stories[0].slug}/index.html"
    assert any(rel in w and "replaced" in w for w in report.warnings), report.warnings
    assert stories[0].headline in page(site, stories[0]).read_text(encoding="utf-8")


def test_leftovers_of_older_interrupted_exports_are_removed_and_look_alikes_kept(library, tmp_path):
    newsroom(library, tmp_path / "photos", 2)
    site = tmp_path / "site"
    export_site(library, site)
    # What earlier versions left when killed: the half-built site, and the old one mid-swap.
    half_built = tmp_path / "site.tmp-k2j4x9_a"
    (half_built / "assets" / "img").mkdir(parents=True)
    (half_built / "assets" / "img" / "x.jpg").write_bytes(b"\xff\xd8" * 1000)
    (half_built / "index.html").write_text("<p>half</p>")
    swapped_out = tmp_path / "site.old-0abc_def"
    (swapped_out / "news").mkdir(parents=True)
    (swapped_out / MANIFEST_NAME).write_text("{}")
    # Folders that only look alike: someone's own, or another site's.
    users = tmp_path / "site.old-notes123"
    users.mkdir()
    (users / "letter.txt").write_text("dear editor")
    other_site = tmp_path / "other.tmp-k2j4x9_a"
    other_site.mkdir()
    short_name = tmp_path / "site.tmp-backup"
    short_name.mkdir()

    export_site(library, site)

    assert not half_built.exists() and not swapped_out.exists()
    assert (users / "letter.txt").read_text() == "dear editor"
    assert other_site.is_dir() and short_name.is_dir()


def test_a_second_export_into_the_same_folder_is_refused_while_one_runs(library, tmp_path):
    newsroom(library, tmp_path / "photos", 1)
    site = tmp_path / "site"
    export_site(library, site)
    before = files_of(site)
    root = str(library.root)
    library.close()

    running = SiteWriter(site)  # holds the folder as an export in progress does
    try:
        second = run_newsdesk(
            "--library", root, "export", "--all", "--out", str(site), cwd=tmp_path
        )
    finally:
        running.abort()

    assert second.returncode == 2, second.stdout + second.stderr
    assert "Another export is writing to" in second.stderr
    assert "Traceback" not in second.stderr
    assert files_of(site) == before


def test_a_link_inside_the_site_cannot_lead_the_export_elsewhere(library, tmp_path):
    stories = newsroom(library, tmp_path / "photos", 2)
    site = tmp_path / "site"
    export_site(library, site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for child in (site / "news").iterdir():
        child.rename(elsewhere / child.name)
    (site / "news").rmdir()
    (site / "news").symlink_to(elsewhere, target_is_directory=True)
    inside_before = files_of(elsewhere)
    library.update_article(stories[0].id, body="Changed, so its page must be written.")

    with pytest.raises(ExportError, match="is in the way of the site's news/"):
        export_site(library, site)

    assert files_of(elsewhere) == inside_before
    assert leftovers(tmp_path) == []


# --------------------------------------------------------------------------- a full disk, for real
@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB file system of its own (tmpfs), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.fail("mounting a small tmpfs needs root; run this test as root (as CI does)")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def test_a_full_disk_stops_the_export_in_one_sentence_and_the_site_stays_whole(
    library, tmp_path, small_disk
):
    stories = newsroom(library, tmp_path / "photos", 3)
    site = small_disk  # the top folder of a disk can hold a site now
    export_site(library, site)
    # The user's own big file leaves the disk nearly full.
    free = os.statvfs(site).f_bavail * os.statvfs(site).f_frsize
    (site / "video.mp4").write_bytes(b"\x00" * (free - 24 * 1024))
    before = files_of(site)
    for i in range(3):
        picture = add_image(
            library,
            make_jpeg(tmp_path / "photos" / f"new{i}.jpg", (1400, 933), (10 * i, 200, 90)),
            alt_text="A crane lifts a boat out of the water",
            credit="Ana Ruiz / Gazette",
        )
        published(
            library,
            hero=picture,
            headline=f"New story {i}",
            dek="Fresh.",
            section="News",
            body="New.",
        )
    library.update_article(stories[0].id, body="An edit that must not be half written.")
    root = str(library.root)
    library.close()

    result = run_newsdesk("--library", root, "export", "--all", "--out", str(site), cwd=tmp_path)

    assert result.returncode == 2, result.stdout + result.stderr
    message = result.stderr.strip()
    assert "full" in message and "Traceback" not in message and len(message.splitlines()) == 1
    assert files_of(site) == before, "every page is still the previous export's, whole"
    assert leftovers(site) == []

    (site / "video.mp4").unlink()
    again = run_newsdesk("--library", root, "export", "--all", "--out", str(site), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (site / "news" / "new-story-2" / "index.html").is_file()
    assert leftovers(site) == []
