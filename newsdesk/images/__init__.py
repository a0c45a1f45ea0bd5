"""Qt-free image handling: import and validation, IPTC/XMP/EXIF metadata, thumbnails, renditions."""

from __future__ import annotations

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
    "read_metadata",
]
