"""Pictures added after two laptops linked travel on the next sync, checked by their SHA-256."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image as PILImage
from sqlalchemy import text

from newsdesk.library import Library
from newsdesk.sync import sync


def _add_picture(lib: Library, colour: str) -> str:
    buf = io.BytesIO()
    PILImage.new("RGB", (64, 48), colour).save(buf, "JPEG")
    data = buf.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    lib.media_dir.mkdir(parents=True, exist_ok=True)
    (lib.media_dir / f"{sha}.jpg").write_bytes(data)
    lib.add_images(
        [
            dict(
                sha256=sha,
                ext=".jpg",
                original_name=f"{colour}.jpg",
                format="JPEG",
                mime="image/jpeg",
                width=64,
                height=48,
                size_bytes=len(data),
            )
        ]
    )
    return sha


def test_a_picture_added_after_the_laptops_linked_reaches_the_other_on_the_next_sync(tmp_path):
    server = str(tmp_path / "server")
    Library.open(server).close()
    with Library.open(tmp_path / "a") as a, Library.open(tmp_path / "b") as b:
        sync(a, server)
        sync(b, server)
        sha = _add_picture(a, "navy")
        sync(a)
        sync(b)
        arrived = b.get_image(sha)
        assert arrived.original_name == "navy.jpg"
        data = (b.media_dir / f"{sha}.jpg").read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha
        # And back: a caption-free edit on b's side reaches a the same way.
        b.update_image(arrived.id, credit="Harbour Agency")
        sync(b)
        sync(a)
        assert a.get_image(sha).credit == "Harbour Agency"


@pytest.mark.postgres
def test_a_damaged_picture_is_neither_sent_nor_kept_and_goes_once_mended(tmp_path, pg_url):
    with Library.open(tmp_path / "a") as a, Library.open(tmp_path / "b") as b:
        sync(a, pg_url)
        sync(b, pg_url)
        sha = _add_picture(a, "teal")
        on_laptop = a.media_dir / f"{sha}.jpg"
        good = on_laptop.read_bytes()
        on_laptop.write_bytes(good[:-40] + bytes(40))  # the disk spoiled its end
        report = sync(a)
        assert any("on this laptop is damaged" in p for p in report.problems), report.problems
        with Library.open(pg_url) as server:
            assert not server.has_media_blob(sha)
        on_laptop.write_bytes(good)
        assert sync(a).problems == []  # mended: the next sync sends it, with nothing else changed
        with Library.open(pg_url) as server:
            assert server.has_media_blob(sha)
        # The shared library's copy spoiled in the database: b refuses it and keeps nothing.
        with Library.open(pg_url) as server, server.engine.begin() as con:
            con.execute(
                text("UPDATE media_blobs SET data = :data WHERE sha256 = :sha"),
                {"data": good[:-40] + bytes(40), "sha": sha},
            )
        report = sync(b)
        assert any("damaged" in p for p in report.problems), report.problems
        assert not (b.media_dir / f"{sha}.jpg").exists()
        assert [p.name for p in b.media_dir.glob("*")] == []  # no part of it either
        with Library.open(pg_url) as server, server.engine.begin() as con:
            con.execute(
                text("UPDATE media_blobs SET data = :data WHERE sha256 = :sha"),
                {"data": good, "sha": sha},
            )
        assert sync(b).problems == []  # mended on the server: b's next sync fetches it
        assert (b.media_dir / f"{sha}.jpg").read_bytes() == good
        assert b.get_image(sha).original_name == "teal.jpg"


@pytest.mark.postgres
def test_a_story_held_back_by_its_damaged_picture_goes_once_the_picture_is_mended(tmp_path, pg_url):
    with Library.open(tmp_path / "a") as a:
        sync(a, pg_url)
        sha = _add_picture(a, "olive")
        story = a.create_article(headline="Harbour at dawn", body="The boats went out.\n")
        a.add_figure(story.id, a.get_image(sha).id, role="hero", alt_text="Boats leaving")
        on_laptop = a.media_dir / f"{sha}.jpg"
        good = on_laptop.read_bytes()
        on_laptop.write_bytes(good[:-40] + bytes(40))
        assert any("damaged" in p for p in sync(a).problems)
        on_laptop.write_bytes(good)
        assert sync(a).problems == []  # nothing else changed, and both go
        with Library.open(pg_url) as server:
            arrived = server.find_article(story.slug)
            assert arrived is not None and server.has_media_blob(sha)
            assert [f.image.sha256 for f in arrived.figures] == [sha]
