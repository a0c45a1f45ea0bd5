"""Opening, safely decoding and colour-normalising pixels (sRGB, orientation, modes)."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import tempfile
import warnings
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageCms

from .model import FORMAT_EXT, ImageError

ACCEPTED = "JPEG, PNG, WebP, GIF or TIFF"
RESAVE = "save it again from the photo tool and import the new file"


def damage_reason(exc: BaseException, fmt: str | None = "") -> str:
    """What a decoder's complaint means, in our words (never Pillow's message or class name)."""
    text = str(exc).lower()
    kind = f"{fmt} " if fmt else ""
    if isinstance(exc, EOFError) or "truncated" in text or "ends early" in text:
        return f"the {kind}data is truncated (the file ends early)"
    if "text chunk" in text or "max_text" in text:
        return "it holds a text block larger than newsdesk reads safely"
    if "crc" in text or "checksum" in text:
        return f"the {kind}data fails its checksum"
    if "decompression bomb" in text or "pixels" in text:
        return "it is too large to open safely"
    return f"the {kind}data is damaged"


def unreadable(name: str, exc: BaseException, fmt: str | None = "") -> ImageError:
    """The one sentence for a file whose image data cannot be decoded.

    An OSError that carries an errno came from the system while reading (a disk
    error, too many open files, no memory), not from the decoder: the file may
    be fine, and saving it again would not help.
    """
    if isinstance(exc, OSError) and exc.errno is not None:
        return ImageError(
            f"{name} could not be read ({exc.strerror or exc}); try again, and if it keeps "
            "failing, check the disk."
        )
    return ImageError(f"{name} is damaged: {damage_reason(exc, fmt)}; {RESAVE}.")


def not_a_picture(name: str) -> ImageError:
    return ImageError(f"{name} is not a {ACCEPTED} picture; save it as one and import it again.")


# EXIF orientation -> the transpose that shows the picture upright (the same
# table ImageOps.exif_transpose uses; we apply it ourselves so it can run on the
# small resized image instead of the full-size one).
_ORIENT: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def swaps_axes(orientation: int) -> bool:
    """True for the orientations (5-8) whose upright picture is the stored one turned 90°."""
    return orientation in (5, 6, 7, 8)


def displayed_size(stored: tuple[int, int], orientation: int) -> tuple[int, int]:
    return (stored[1], stored[0]) if swaps_axes(orientation) else stored


def apply_orientation(im: Image.Image, orientation: int) -> Image.Image:
    method = _ORIENT.get(orientation)
    return im.transpose(method) if method is not None else im


def open_image(path: Path) -> Image.Image:
    """Open a file lazily (header only) and refuse what must not be decoded at all."""
    name = path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise ImageError(
            f"{name} does not exist (it was moved or deleted); find the file and try again."
        ) from exc
    except OSError as exc:
        raise ImageError(f"{name} could not be read ({exc.strerror or exc}).") from exc
    if not path.is_file():
        raise ImageError(f"{name} is not a file.")
    if size == 0:
        raise ImageError(f"{name} is empty (0 bytes), so it is not an image.")
    try:
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; a library
        # should not try to decode such a file either, so the warning is an error.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(
            f"{name} is too large to open safely (more than {Image.MAX_IMAGE_PIXELS:,} pixels)."
        ) from exc
    except Image.UnidentifiedImageError as exc:
        raise not_a_picture(name) from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise unreadable(name, exc) from exc
    if im.format not in FORMAT_EXT:
        im.close()
        raise ImageError(
            f"{name} is a {im.format} image; newsdesk accepts {ACCEPTED}: "
            "convert it to one of those and import it again."
        )
    w, h = im.size
    # Image.open only checks the header of the first frame; check again in case a
    # plugin reports the size late, and refuse nonsense sizes outright.
    if w <= 0 or h <= 0:
        im.close()
        raise ImageError(f"{name} is damaged: it claims a size of {w}x{h}; {RESAVE}.")
    if Image.MAX_IMAGE_PIXELS and w * h > Image.MAX_IMAGE_PIXELS:
        im.close()
        raise ImageError(
            f"{name} is too large to open safely ({w}x{h} is more than "
            f"{Image.MAX_IMAGE_PIXELS:,} pixels)."
        )
    return im


def decode(im: Image.Image, name: str, need: tuple[int, int] | None = None) -> Image.Image:
    """Decode the pixels, all of them, raising ImageError for truncated or damaged data.

    For JPEG, `need` (a stored-orientation size) enables draft mode: libjpeg then
    scales by 1/2, 1/4 or 1/8 inside the IDCT. It still entropy-decodes every
    scan to the end of the file, so truncated or cut-off data is detected exactly
    as by a full-size decode; what draft skips is only the full-size IDCT and
    colour conversion, which never report errors anyway.
    """
    if need is not None and im.format in ("JPEG", "MPO"):
        # Pillow picks the largest 1/s scale that still yields at least `need`.
        im.draft(None, (max(1, need[0]), max(1, need[1])))
    try:
        # A warning-free load: truncated data raises OSError because Pillow's
        # LOAD_TRUNCATED_IMAGES is False (we never turn it on).
        im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(
            f"{name} is too large to open safely (more than {Image.MAX_IMAGE_PIXELS:,} pixels)."
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise unreadable(name, exc, im.format) from exc
    except MemoryError as exc:
        raise ImageError(f"{name} is too large to decode with the memory available.") from exc
    return im


def to_working_mode(im: Image.Image, name: str) -> Image.Image:
    """Bring any decoded mode to RGB, RGBA or CMYK (CMYK is kept for the ICC transform).

    Done before resizing because palette images must not be resampled as indices
    and 16-bit data must be scaled (a plain convert would clip it to white).
    """
    mode = im.mode
    try:
        if mode in ("RGB", "RGBA", "CMYK"):
            return im
        if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
            # Scale the real range to 0..255 instead of clipping it.
            if mode.startswith("I;16"):
                scale = 255.0 / 65535.0
            else:
                # 32-bit integer or float data has no fixed range; assume 16-bit
                # when the values go past 8-bit, which is what scanners write.
                _lo, hi = im.getextrema()  # type: ignore[misc]
                scale = 255.0 / (65535.0 if float(hi) > 255 else 255.0)
            return im.convert("I").point(lambda v: v * scale).convert("L").convert("RGB")
        if mode in ("P", "PA"):
            has_alpha = mode == "PA" or "transparency" in im.info
            return im.convert("RGBA" if has_alpha else "RGB")
        if mode in ("LA", "La", "RGBa"):
            return im.convert("RGBA")
        if mode == "RGBX":
            return im.convert("RGB")
        return im.convert("RGB")  # 1, L, YCbCr, LAB, HSV...
    except (ValueError, OSError) as exc:
        raise ImageError(
            f"{name} uses a colour mode ({mode}) that cannot be converted for the web."
        ) from exc


@lru_cache(maxsize=1)
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@lru_cache(maxsize=16)
def _transform(icc_digest: str, icc: bytes, in_mode: str) -> ImageCms.ImageCmsTransform | None:
    # Cached by profile digest: bulk imports from one camera share one profile,
    # and building a transform from a large profile costs milliseconds.
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    except (OSError, ImageCms.PyCMSError):
        return None
    desc = (ImageCms.getProfileDescription(src) or "").lower()
    if in_mode == "RGB" and "srgb" in desc:
        return None  # already sRGB: skip a transform that would change nothing
    try:
        return ImageCms.buildTransform(
            src, _srgb(), in_mode, "RGB", renderingIntent=ImageCms.Intent.PERCEPTUAL
        )
    except (OSError, ImageCms.PyCMSError):
        return None


def to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Return an RGB or RGBA image in sRGB, with no ICC profile attached."""
    alpha = im.getchannel("A") if im.mode == "RGBA" else None
    base = im.convert("RGB") if alpha is not None else im
    transform = None
    if icc and base.mode in ("RGB", "CMYK", "L"):
        transform = _transform(hashlib.sha1(icc).hexdigest(), icc, base.mode)
    if transform is not None:
        base = ImageCms.applyTransform(base, transform)
    elif base.mode != "RGB":
        base = base.convert("RGB")  # CMYK without a profile: Pillow's naive conversion
    if alpha is not None:
        base.putalpha(alpha)  # base is a new image here (made by convert above)
    if base is im and im.info:
        base = im.copy()  # do not strip the caller's image of its metadata
    base.info = {}  # never carry EXIF, XMP or the old profile into what we write
    return base


def flatten(im: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """Composite transparency onto white, for formats without alpha (JPEG)."""
    if im.mode != "RGBA":
        return im
    out = Image.new("RGB", im.size, background)
    out.paste(im, mask=im.getchannel("A"))
    return out


def fit_within(size: tuple[int, int], box: int) -> tuple[int, int]:
    """Scale (w, h) so the longer side is at most `box`, never upscaling."""
    w, h = size
    longest = max(w, h)
    if longest <= box:
        return (w, h)
    return (max(1, round(w * box / longest)), max(1, round(h * box / longest)))


def atomic_write(dest: Path, write: Callable[[Path], None]) -> None:
    """Call write(tmp) for a temp file beside dest, fsync it and move it into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()


def orientation_of(im: Image.Image) -> int:
    """The EXIF orientation (1-8), 1 when absent or unreadable."""
    try:
        value = im.getexif().get(274)
    except Exception:  # damaged EXIF must not stop thumbnailing
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, streamed so large TIFFs never sit in memory whole."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while block := fh.read(CHUNK):
                h.update(block)
    except FileNotFoundError as exc:
        raise ImageError(
            f"{path.name} does not exist (it was moved or deleted); find the file and try again."
        ) from exc
    except OSError as exc:
        raise ImageError(f"{path.name} could not be read ({exc.strerror or exc}).") from exc
    return h.hexdigest()
