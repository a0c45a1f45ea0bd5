"""Pictures added after two laptops linked travel on the next sync, checked by their SHA-256."""

from __future__ import annotations

import hashlib
import io

from PIL import Image as PILImage

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
