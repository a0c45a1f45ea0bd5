"""Importing one image: validate, hash, copy into media/ atomically, read metadata, thumbnail."""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from pathlib import Path

from newsdesk.constants import THUMB_SIZE

from .metadata import metadata_from_image
from .model import FORMAT_EXT, ImageError, PreparedImage, StorageError
from .pixels import CHUNK, decode, displayed_size, open_image
from .similar import dhash_decoded
from .thumbnails import thumbnail_for, thumbnail_need, write_thumbnail


def storage_reason(exc: OSError) -> str:
    """Why the library could not store a file, in words (never the errno name)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk holding the library is full"
    if exc.errno == errno.EROFS:
        return "the disk holding the library is read-only"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "newsdesk may not write in the library folder"
    return f"the library folder could not be written ({exc.strerror or 'input/output error'})"


def _copy_hashed(
    src: Path, media_dir: Path, ext: str, existing_dir: Path | None = None
) -> tuple[str, Path, int]:
    """Hash src while copying it to a temp file in media_dir; keep the copy only if new.

    One read of the source does both jobs. The temp file lives in media_dir so
    os.replace is an atomic rename on the same file system: a crash leaves
    either no file or the whole file under its final name, never half of one.
    A file already in existing_dir (the library's media/) is not kept twice.
    Raises ImageError when the source cannot be read, StorageError when the
    library cannot be written.
    """
    h = hashlib.sha256()
    size = 0
    try:
        fin = open(src, "rb")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise ImageError(f"{src.name} could not be read ({exc.strerror or exc}).") from exc
    tmp: Path | None = None
    try:
        try:
            media_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=".import-", suffix=".tmp", dir=media_dir)
            tmp = Path(tmp_name)
            with os.fdopen(fd, "wb") as fout:
                while True:
                    try:
                        block = fin.read(CHUNK)
                    except OSError as exc:
                        raise ImageError(
                            f"{src.name} could not be read ({exc.strerror or exc})."
                        ) from exc
                    if not block:
                        break
                    h.update(block)
                    fout.write(block)
                    size += len(block)
                fout.flush()
                digest = h.hexdigest()
                name = f"{digest}{ext}"
                for folder in (media_dir, existing_dir):
                    if folder is not None and (folder / name).exists():
                        # Same bytes already in the library: one image, not two.
                        return digest, folder / name, size
                os.fsync(fout.fileno())
            dest = media_dir / name
            os.replace(tmp, dest)
            _fsync_dir(media_dir)
            return digest, dest, size
        except OSError as exc:
            raise StorageError(
                f"{src.name} could not be copied into the library because {storage_reason(exc)}."
            ) from exc
    finally:
        fin.close()
        if tmp is not None and tmp.exists():
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


def prepare_image(
    path: str | Path,
    media_dir: str | Path,
    thumbs_dir: str | Path,
    *,
    existing_dir: str | Path | None = None,
) -> PreparedImage:
    """Validate an image file fully, store it as media_dir/<sha256><ext>, and thumbnail it.

    media_dir is normally an import's staging folder (Library.stage), with the
    library's media/ as existing_dir so a picture already there is not copied.
    The original is only ever read. Raises ImageError (one clear sentence) for
    anything that is not a usable image, StorageError when the library cannot
    be written; no new media file is left behind in either case.
    """
    src = Path(path)
    media_dir, thumbs_dir = Path(media_dir), Path(thumbs_dir)
    existing = Path(existing_dir) if existing_dir is not None else None
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
        sha, media_path, size_bytes = _copy_hashed(src, media_dir, ext, existing)
        try:
            # From the pixels already decoded for the thumbnail: a small resize, no new decode.
            look = dhash_decoded(decoded, metadata.orientation)
        except (OSError, ValueError):
            look = ""  # an odd mode: the picture imports, it is just never offered as a look-alike
        thumb = thumbnail_for(sha, thumbs_dir, THUMB_SIZE)
        if not thumb.exists():
            try:
                write_thumbnail(decoded, metadata.orientation, icc, thumb, THUMB_SIZE, name)
            except OSError as exc:
                raise StorageError(
                    f"The thumbnail of {name} could not be written because {storage_reason(exc)}."
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
        dhash=look,
    )
