"""Small JPEG previews for the library browser, cached on disk by content hash and size."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from newsdesk.constants import THUMB_SIZE

from .pixels import (
    apply_orientation,
    atomic_write,
    decode,
    fit_within,
    flatten,
    open_image,
    orientation_of,
    sha256_file,
    to_srgb,
    to_working_mode,
)

THUMB_QUALITY = 82


def thumbnail_for(sha256: str, thumbs_dir: str | Path, size: int = THUMB_SIZE) -> Path:
    """Where the thumbnail of an image with this hash and size lives (it may not exist yet)."""
    return Path(thumbs_dir) / f"{sha256}-{size}.jpg"


def thumbnail_need(stored: tuple[int, int], size: int) -> tuple[int, int]:
    """The stored-orientation pixel size a thumbnail needs; used as the JPEG draft request."""
    return fit_within(stored, size)


def write_thumbnail(
    decoded: Image.Image, orientation: int, icc: bytes | None, dest: Path, size: int, name: str
) -> Path:
    """Make the thumbnail from already-decoded pixels (possibly draft-scaled) and store it."""
    work = to_working_mode(decoded, name)
    target = fit_within(work.size, size)
    if target != work.size:
        # reducing_gap lets Pillow box-reduce first, then finish with Lanczos:
        # much faster from a large draft, and indistinguishable at this size.
        work = work.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    work = flatten(apply_orientation(to_srgb(work, icc), orientation))
    atomic_write(dest, lambda tmp: work.save(tmp, "JPEG", quality=THUMB_QUALITY, optimize=True))
    return dest


def make_thumbnail(
    src: str | Path, thumbs_dir: str | Path, *, size: int = THUMB_SIZE, sha256: str | None = None
) -> Path:
    """Return the cached thumbnail of src, making it first if needed (upright, sRGB, JPEG).

    Pass sha256 when the caller already knows it (library files are named by
    it) to skip hashing the file again.
    """
    src = Path(src)
    digest = sha256 or sha256_file(src)
    dest = thumbnail_for(digest, thumbs_dir, size)
    if dest.exists():
        return dest
    with open_image(src) as im:
        orientation = orientation_of(im)
        icc = im.info.get("icc_profile")
        decoded = decode(im, src.name, need=thumbnail_need(im.size, size))
        return write_thumbnail(decoded, orientation, icc, dest, size, src.name)
