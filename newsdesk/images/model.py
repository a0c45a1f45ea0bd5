"""The plain data types of the images package: errors, metadata, prepared images, renditions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# Extensions a user may hand us. The stored file's extension is NOT taken from
# this list: it comes from the format Pillow actually detects (see FORMAT_EXT),
# so a PNG that someone renamed to .jpg is stored as .png.
IMAGE_EXTENSIONS: frozenset[str] = frozenset(
    {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".gif", ".tif", ".tiff"}
)

# Pillow format name -> (extension in the library, MIME type). MPO is what
# Pillow calls the multi-picture JPEGs many cameras write; it is a JPEG.
FORMAT_EXT: dict[str, tuple[str, str]] = {
    "JPEG": (".jpg", "image/jpeg"),
    "MPO": (".jpg", "image/jpeg"),
    "PNG": (".png", "image/png"),
    "WEBP": (".webp", "image/webp"),
    "GIF": (".gif", "image/gif"),
    "TIFF": (".tif", "image/tiff"),
}


def is_image_path(path: str | Path) -> bool:
    """True when the file name has an extension newsdesk imports as an image."""
    return Path(path).suffix.lower() in IMAGE_EXTENSIONS


class ImageError(Exception):
    """An image that cannot be imported; the message is one sentence a person can act on."""


class StorageError(ImageError):
    """The library could not store a picture (disk full, read-only, gone): no file is to blame.

    A batch import stops at the first one and keeps nothing, because every
    later file would fail the same way.
    """


@dataclass
class ImageMetadata:
    """Photo-desk fields read from a file, after the MWG precedence rules were applied."""

    caption: str = ""
    credit: str = ""
    copyright: str = ""
    source: str = ""
    usage_terms: str = ""
    alt_text: str = ""
    headline: str = ""
    title: str = ""
    city: str = ""
    country: str = ""
    instructions: str = ""
    description_writer: str = ""
    job_id: str = ""
    creators: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    # ISO 8601 with the precision the file gives: "2004", "2004-02-26",
    # "2004-02-26T14:30:00" (local) or "2004-02-26T14:30:00+05:00".
    date_created: str = ""
    orientation: int = 1
    gps: tuple[float, float] | None = None
    # Problems that did not stop the import (e.g. a damaged XMP packet that was ignored).
    warnings: list[str] = field(default_factory=list)

    @property
    def creator(self) -> str:
        """All creators as one string, the way EXIF Artist and bylines show them."""
        return "; ".join(self.creators)


@dataclass
class PreparedImage:
    """An image that was validated, copied into the library's media folder and thumbnailed."""

    sha256: str
    ext: str
    media_path: Path
    original_name: str
    format: str
    mime: str
    width: int  # as displayed, i.e. after EXIF orientation
    height: int
    size_bytes: int
    metadata: ImageMetadata
    thumbnail_path: Path
    dhash: str = ""  # near-duplicate hash (images/similar.py), "" when it could not be made


@dataclass
class ImportFailure:
    """A file that could not be processed in a bulk run, with the reason as a sentence."""

    path: Path
    message: str
    storage: bool = False  # the library could not store it; the file itself may be fine


@dataclass
class Credits:
    """What is written into a rendition's XMP so credits travel with the published file."""

    caption: str = ""
    credit: str = ""
    creator: str = ""
    copyright: str = ""
    alt_text: str = ""  # IPTC "Alt Text (Accessibility)"


@dataclass
class Rendition:
    """One web-ready file made from a library image."""

    width: int
    height: int
    format: str  # "jpeg", "webp", or "png" (what a transparent picture gets instead of JPEG)
    path: Path
    mime: str
    ratio: str = ""  # "" for the whole picture; "16:9", "4:3", "1:1" or "og" for a crop


@dataclass
class RenditionJob:
    """The arguments of one make_renditions call, for make_renditions_many."""

    src: Path
    out_dir: Path
    credits: Credits = field(default_factory=Credits)
    widths: tuple[int, ...] = (480, 960, 1600)
    formats: tuple[str, ...] = ("jpeg", "webp")
    sha256: str | None = None
    # Crops to make as well (ratio name -> box in displayed pixels, newsdesk.crops),
    # each one JPEG `crop_width` wide at most; their Renditions carry the ratio.
    crops: dict = field(default_factory=dict)
    crop_width: int = 1200
