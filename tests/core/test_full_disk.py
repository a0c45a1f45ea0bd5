"""A library on a full disk: one sentence, exit 2, and nothing half-written (a real 3 MB tmpfs: a new library with its migrations needs more than 1 MB while it is made)."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.library import Library
from newsdesk.paths import resource

REPO = Path(__file__).resolve().parents[2]
SAMPLES = ("harbour-market-opens-earlier.md", "night-ferry-crews-rehearse-for-winter.md")


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs mounted for this test alone, unmounted afterwards whatever happens."""
    if os.geteuid() != 0:
        if os.environ.get("NEWSDESK_REQUIRE_ROOT"):  # set by .ci/run: CI must run these
            pytest.fail("the full-disk tests mount a tmpfs and need root", pytrace=False)
        pytest.skip("mounting a tmpfs needs root")
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)], check=True)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path, leave_kb: int) -> None:
    """Take all the disk's room but `leave_kb` KB."""
    free = shutil.disk_usage(disk).free
    with open(disk / "filler", "wb") as f:
        f.write(b"\0" * max(0, free - leave_kb * 1024))


def state(folder: Path) -> dict[str, object]:
    """Every file (the database by its records: opening it may settle its own pages) and every record."""
    files = {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith("library.sqlite")
    }
    con = sqlite3.connect(f"{(folder / 'library.sqlite').as_uri()}?mode=ro", uri=True)
    try:
        records = {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("articles", "images", "figures", "revisions", "related_stories")
        }
    finally:
        con.close()
    return {"files": files, "records": records}


def newsdesk(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "newsdesk", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


@pytest.fixture
def stories(tmp_path) -> Path:
    folder = tmp_path / "stories"
    folder.mkdir()
    for name in (*SAMPLES, "harbour-dawn.jpg", "market-hills.jpg"):
        shutil.copy(resource("sample", name), folder / name)
    return folder


@pytest.mark.parametrize("leave_kb", [30, 200, 700])
def test_importing_onto_a_full_disk_is_one_sentence_and_writes_nothing(
    small_disk, stories, tmp_path, leave_kb
):
    Library.open(small_disk / "lib").close()
    before = state(small_disk / "lib")
    fill(small_disk, leave_kb)

    result = newsdesk(
        "--library", "disk/lib", "import", *(f"stories/{n}" for n in SAMPLES), cwd=tmp_path
    )

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("newsdesk: The disk holding the library")
    assert "full" in result.stderr or "free" in result.stderr
    assert result.stdout == ""
    (small_disk / "filler").unlink()  # room to read the library back
    assert state(small_disk / "lib") == before  # no record, no picture, no side file left behind


def test_a_library_on_a_disk_too_full_to_open_is_explained_and_left_untouched(small_disk, tmp_path):
    Library.open(small_disk / "lib").close()
    before = state(small_disk / "lib")
    fill(small_disk, 0)

    for argv in (["publication", "--name", "Gazette"], ["import", "nothing-to-import.md"]):
        result = newsdesk("--library", "disk/lib", *argv, cwd=tmp_path)
        assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
        assert "is full" in result.stderr and "Traceback" not in result.stderr
    # Reading needs no room: it works, or says in one sentence why it cannot.
    listed = newsdesk("--library", "disk/lib", "list", cwd=tmp_path)
    assert listed.returncode in (0, 2) and "Traceback" not in listed.stderr
    assert listed.returncode == 0 or "is full" in listed.stderr

    (small_disk / "filler").unlink()
    assert state(small_disk / "lib") == before


def test_the_import_goes_through_once_there_is_room_again(small_disk, stories, tmp_path):
    Library.open(small_disk / "lib").close()
    fill(small_disk, 200)
    refused = newsdesk("--library", "disk/lib", "import", f"stories/{SAMPLES[0]}", cwd=tmp_path)
    assert refused.returncode == 2
    (small_disk / "filler").unlink()
    # With the room back, the same command imports the story whole.
    again = newsdesk("--library", "disk/lib", "import", f"stories/{SAMPLES[0]}", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("imported ") and again.stderr == ""
    slug = again.stdout.split()[1].rstrip(":")
    with Library.open(small_disk / "lib") as lib:
        article = lib.find_article(slug)
        assert article is not None and article.body.strip()
