"""Qt-free image handling: import and validation, IPTC/XMP/EXIF metadata, thumbnails, renditions."""

from __future__ import annotations

from .bulk import make_renditions_many, prepare_many
from .importer import prepare_image
from .metadata import read_metadata
from .model import (
    IMAGE_EXTENSIONS,
    Credits,
    ImageError,
    ImageMetadata,
    ImportFailure,
    PreparedImage,
    Rendition,
    RenditionJob,
    is_image_path,
)
from .renditions import make_renditions
from .thumbnails import make_thumbnail, thumbnail_for

__all__ = [
    "IMAGE_EXTENSIONS",
    "Credits",
    "ImageError",
    "ImageMetadata",
    "ImportFailure",
    "PreparedImage",
    "Rendition",
    "RenditionJob",
    "is_image_path",
    "make_renditions",
    "make_renditions_many",
    "make_thumbnail",
    "prepare_image",
    "prepare_many",
    "read_metadata",
    "thumbnail_for",
]
