"""A large picture goes to the shared library a piece at a time: a push cut off half way goes on
from the pieces already stored, each piece is sent once, and the server checks the whole."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time

import psycopg
import pytest
from PIL import Image as PILImage

from newsdesk.images.library_import import import_image
from newsdesk.library import Library, pg
from newsdesk.library.shared import PART
from newsdesk.sync import sync

pytestmark = pytest.mark.postgres

# The server writes down every piece that arrives (plain SQL, as the DBA: the test's own probe).
AUDIT = """
CREATE TABLE part_log (part integer NOT NULL);
CREATE FUNCTION log_part() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN INSERT INTO part_log VALUES (NEW.part); RETURN NEW; END $$;
CREATE TRIGGER log_part AFTER INSERT OR UPDATE ON media_upload_parts
  FOR EACH ROW EXECUTE FUNCTION log_part();
"""


def _connect(url: str):
    u = pg.parse_url(url)
    return psycopg.connect(
        host=u.query["host"], port=u.query["port"], dbname=u.database, user=u.username
    )


def _large_picture(lib: Library, path) -> tuple[str, int]:
    """A picture of about 8.7 MB that does not compress (noise), imported as any other."""
    side = 1700
    PILImage.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(path, "PNG")
    import_image(lib, path)
    data = path.read_bytes()
    return hashlib.sha256(data).hexdigest(), len(data)


def test_a_large_picture_cut_off_half_way_goes_on_from_the_pieces_already_stored(pg_url, tmp_path):
    laptop = tmp_path / "laptop"
    with Library.open(laptop) as lib:
        sha, size = _large_picture(lib, tmp_path / "harbour-at-night.png")
    parts = -(-size // PART)
    assert parts >= 8
    with _connect(pg_url) as con:
        con.execute(AUDIT)
        con.commit()
    # Piece 5 is held by another transaction: the upload stores 0–4, then waits there.
    holder = _connect(pg_url)
    holder.execute(
        "INSERT INTO media_upload_parts (sha256, part, data) VALUES (%s, 5, '\\x00')", (sha,)
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "--library", str(laptop), "sync", pg_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        with _connect(pg_url) as probe:
            probe.autocommit = True
            while time.monotonic() < deadline:
                logged = probe.execute("SELECT count(*) FROM part_log").fetchone()[0]
                if logged >= 5 or proc.poll() is not None:
                    break
                time.sleep(0.05)
        time.sleep(0.3)  # it is waiting on piece 5 now
        proc.kill()  # SIGKILL: the sync is cut off half way through the picture
        proc.wait()
    finally:
        holder.rollback()
        holder.close()
    with _connect(pg_url) as con:
        stored = [r[0] for r in con.execute("SELECT part FROM media_upload_parts ORDER BY part")]
        assert stored == [0, 1, 2, 3, 4]
        assert con.execute("SELECT count(*) FROM media_blobs").fetchone()[0] == 0

    # The next sync sends only the pieces that were missing, and the picture arrives whole.
    with Library.open(laptop) as lib:
        report = sync(lib)
    assert report.clean, report.problems
    with _connect(pg_url) as con:
        logged = sorted(r[0] for r in con.execute("SELECT part FROM part_log"))
        assert logged == list(range(parts))  # each piece sent once, over both syncs
        assert con.execute("SELECT count(*) FROM media_upload_parts").fetchone()[0] == 0
        (data,) = con.execute("SELECT data FROM media_blobs WHERE sha256 = %s", (sha,)).fetchone()
    assert hashlib.sha256(bytes(data)).hexdigest() == sha and len(data) == size
    # And another laptop receives it, checked by its SHA-256.
    with Library.open(tmp_path / "other") as other:
        sync(other, pg_url)
        assert hashlib.sha256((other.media_dir / f"{sha}.png").read_bytes()).hexdigest() == sha


def test_pieces_that_do_not_add_up_are_dropped_and_the_picture_is_sent_again_whole(
    pg_url, tmp_path
):
    with Library.open(tmp_path / "laptop") as lib:
        sha, size = _large_picture(lib, tmp_path / "quay.png")
        with _connect(pg_url) as con:  # a stale piece from somewhere, of the right length
            con.execute(
                "INSERT INTO media_upload_parts (sha256, part, data) VALUES (%s, 0, %s)",
                (sha, b"\x01" * PART),
            )
        # The whole does not match its SHA-256: nothing is kept, the pieces go, and the
        # picture is sent again whole (sync tries a picture twice), in the same sync.
        report = sync(lib, pg_url)
        assert report.clean, report.problems
        with _connect(pg_url) as con:
            assert con.execute("SELECT count(*) FROM media_upload_parts").fetchone()[0] == 0
    with _connect(pg_url) as con:
        (data,) = con.execute("SELECT data FROM media_blobs WHERE sha256 = %s", (sha,)).fetchone()
    assert hashlib.sha256(bytes(data)).hexdigest() == sha and len(data) == size


def test_a_fetch_cut_off_half_way_goes_on_from_the_part_already_written(own_pg_url, tmp_path):
    server, url = own_pg_url
    with Library.open(tmp_path / "desk") as desk:
        sha, size = _large_picture(desk, tmp_path / "harbour-wall.png")
        sync(desk, url)
    other = tmp_path / "other"
    dest = other / "media" / f"{sha}.png"
    partial = dest.with_name(f".{dest.name}.partial")
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "--library", str(other), "sync", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if partial.exists() and partial.stat().st_size >= 2 * PART:
                server.freeze()  # the next piece never comes…
                break
            time.sleep(0.005)
        proc.kill()  # …and the sync is cut off
        proc.wait()
    finally:
        server.thaw()
    part_way = partial.stat().st_size
    assert 0 < part_way < size and not dest.exists()
    inode = partial.stat().st_ino
    with Library.open(other) as lib:
        report = sync(lib)
    assert report.clean, report.problems
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == sha
    assert dest.stat().st_ino == inode  # the same file, grown on: not fetched anew
    assert not partial.exists()
