"""Importing one image: validate, hash, copy into media/ atomically, read metadata, thumbnail."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from newsdesk.constants import THUMB_SIZE

from .metadata import metadata_from_image
from .model import FORMAT_EXT, ImageError, PreparedImage
from .pixels import CHUNK, decode, displayed_size, open_image
from .thumbnails import thumbnail_for, thumbnail_need, write_thumbnail


def _copy_hashed(src: Path, media_dir: Path, ext: str) -> tuple[str, Path, int]:
    """Hash src while copying it to a temp file in media_dir; keep the copy only if new.

    One read of the source does both jobs. The temp file lives in media_dir so
    os.replace is an atomic rename on the same file system: a crash leaves
    either no file or the whole file under its final name, never half of one.
    """
    media_dir.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(prefix=".import-", suffix=".tmp", dir=media_dir)
    tmp = Path(tmp_name)
    try:
        with open(src, "rb") as fin, os.fdopen(fd, "wb") as fout:
            while block := fin.read(CHUNK):
                h.update(block)
                fout.write(block)
                size += len(block)
            fout.flush()
            digest = h.hexdigest()
            dest = media_dir / f"{digest}{ext}"
            if dest.exists():
                # Same bytes already in the library: one image, not two.
                return digest, dest, size
            os.fsync(fout.fileno())
        os.replace(tmp, dest)
        _fsync_dir(media_dir)
        return digest, dest, size
    finally:
        if tmp.exists():
            tmp.unlink()


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open directories.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def prepare_image(path: str | Path, media_dir: str | Path, thumbs_dir: str | Path) -> PreparedImage:
    """Validate an image file fully, store it as media_dir/<sha256><ext>, and thumbnail it.

    The original is only ever read. Raises ImageError (one clear sentence) for
    anything that is not a usable image; nothing is written in that case.
    """
    src = Path(path)
    media_dir, thumbs_dir = Path(media_dir), Path(thumbs_dir)
    name = src.name
    with open_image(src) as im:
        fmt = im.format or ""
        ext, mime = FORMAT_EXT[fmt]
        stored_size = im.size  # before draft() shrinks it
        icc = im.info.get("icc_profile")
        # Validation happens here, before anything is written: the whole file
        # is decoded (draft-scaled for JPEG, which still reads every scan, so
        # truncation is caught). Animated GIF/WebP: the first frame is checked
        # and used, which is what the page shows as a still.
        decoded = decode(im, name, need=thumbnail_need(stored_size, THUMB_SIZE))
        # Metadata after load: PNG text chunks may sit after the pixel data.
        metadata = metadata_from_image(im, name)
        try:
            sha, media_path, size_bytes = _copy_hashed(src, media_dir, ext)
        except OSError as exc:
            raise ImageError(
                f"{name} could not be copied into the library ({exc.strerror or exc})."
            ) from exc
        thumb = thumbnail_for(sha, thumbs_dir, THUMB_SIZE)
        if not thumb.exists():
            try:
                write_thumbnail(decoded, metadata.orientation, icc, thumb, THUMB_SIZE, name)
            except OSError as exc:
                raise ImageError(
                    f"The thumbnail of {name} could not be written ({exc.strerror or exc})."
                ) from exc
    width, height = displayed_size(stored_size, metadata.orientation)
    return PreparedImage(
        sha256=sha,
        ext=ext,
        media_path=media_path,
        original_name=name,
        format=fmt,
        mime=mime,
        width=width,
        height=height,
        size_bytes=size_bytes,
        metadata=metadata,
        thumbnail_path=thumb,
    )
