"""Pictures on their way leave nothing behind: pieces of uploads that will never finish are cleared
by the next upload, and programs fetching the same picture at the same moment all get it whole."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap

import pytest
from PIL import Image as PILImage

from newsdesk.library import Library
from newsdesk.library.shared import PART, SharedLibrary
from newsdesk.sync import sync
from tests.core.test_sync_picture_parts import _connect, _large_picture

pytestmark = pytest.mark.postgres


def _pieces(url: str) -> dict[str, int]:
    with _connect(url) as con:
        rows = con.execute(
            "SELECT sha256, count(*) FROM media_upload_parts GROUP BY sha256"
        ).fetchall()
    return dict(rows)


def _leave_pieces(url: str, sha: str, age: str, parts: int = 2) -> None:
    """Pieces of an upload that stopped `age` ago (as the DBA: the test's own setting-up)."""
    with _connect(url) as con:
        for part in range(parts):
            con.execute(
                "INSERT INTO media_upload_parts (sha256, part, data, stored_at) "
                "VALUES (%s, %s, %s, now() - CAST(%s AS interval))",
                (sha, part, os.urandom(1000), age),
            )
        con.commit()


def _small_picture(lib: Library, path) -> str:
    from newsdesk.images.library_import import import_image

    PILImage.new("RGB", (64, 48), (200, 120, 40)).save(path, "JPEG")
    import_image(lib, path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_next_upload_clears_pieces_of_uploads_silent_for_a_day_and_keeps_live_ones(
    pg_url, tmp_path
):
    lost, live = "a" * 64, "b" * 64
    _leave_pieces(pg_url, lost, "25 hours")  # a laptop that never came back
    _leave_pieces(pg_url, live, "10 minutes")  # a laptop still on its way
    with Library.open(tmp_path / "laptop") as laptop:
        _small_picture(laptop, tmp_path / "gull.jpg")
        assert sync(laptop, pg_url).clean
    assert _pieces(pg_url) == {live: 2}


def test_pieces_of_a_picture_someone_stored_whole_are_cleared_by_the_next_large_upload(
    pg_url, tmp_path
):
    with Library.open(tmp_path / "desk") as desk:
        small = _small_picture(desk, tmp_path / "quay.jpg")
        assert sync(desk, pg_url).clean  # stored whole
    _leave_pieces(pg_url, small, "1 minute")  # an upload of the same picture, cut off
    with Library.open(tmp_path / "laptop") as laptop:
        large, _size = _large_picture(laptop, tmp_path / "harbour-at-night.png")
        assert sync(laptop, pg_url).clean  # goes in pieces: clears first, then assembles
    assert _pieces(pg_url) == {}
    with _connect(pg_url) as con:
        stored = {r[0] for r in con.execute("SELECT sha256 FROM media_blobs").fetchall()}
    assert {small, large} <= stored


def test_a_resumed_upload_keeps_its_own_fresh_pieces(pg_url, tmp_path):
    """Clearing happens before an upload reads what it already sent: its own recent pieces stay."""
    with Library.open(tmp_path / "laptop") as laptop:
        sha, size = _large_picture(laptop, tmp_path / "harbour-at-night.png")
        src = laptop.media_dir / f"{sha}.png"
        with _connect(pg_url) as con:
            con.execute(
                "INSERT INTO media_upload_parts (sha256, part, data) VALUES (%s, 0, %s)",
                (sha, src.read_bytes()[:PART]),
            )
            con.commit()
        with SharedLibrary.open_url(pg_url) as server:
            sent = server.store_media_parts(sha, src)
    assert sent == size - PART  # the piece already there was not sent again
    assert _pieces(pg_url) == {}


FETCH = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from newsdesk.library.shared import SharedLibrary
    url, sha, dest, start = sys.argv[1], sys.argv[2], Path(sys.argv[3]), float(sys.argv[4])
    with SharedLibrary.open_url(url) as lib:
        time.sleep(max(0.0, start - time.time()))  # both programs begin at the same moment
        lib.fetch_media(sha, dest)
    """
)


def test_two_programs_fetching_the_same_picture_at_once_both_get_it_whole(pg_url, tmp_path):
    import time

    with Library.open(tmp_path / "desk") as desk:
        sha, _size = _large_picture(desk, tmp_path / "harbour-wall.png")
        assert sync(desk, pg_url).clean
    folder = tmp_path / "cache" / "media"
    for round_ in range(3):
        dest = folder / f"{round_}-{sha}.png"
        start = time.time() + 4
        programs = [
            subprocess.Popen(
                [sys.executable, "-c", FETCH, pg_url, sha, str(dest), str(start)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for program in programs:
            _out, err = program.communicate(timeout=180)
            assert program.returncode == 0, err
        assert hashlib.sha256(dest.read_bytes()).hexdigest() == sha
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{r}-{sha}.png" for r in range(3)
    )  # no partial or temporary file left behind
