"""Qt-free image handling: import and validation, IPTC/XMP/EXIF metadata, thumbnails, renditions."""

from __future__ import annotations

# Loaded when first named (PEP 562): an export that makes no picture reads the
# pipeline's settings (images.settings) without loading Pillow.
_WHERE = {
    "make_renditions_many": "bulk",
    "prepare_many": "bulk",
    "prepare_image": "importer",
    "read_metadata": "metadata",
    "IMAGE_EXTENSIONS": "model",
    "Credits": "model",
    "ImageError": "model",
    "ImageMetadata": "model",
    "ImportFailure": "model",
    "PreparedImage": "model",
    "Rendition": "model",
    "RenditionJob": "model",
    "is_image_path": "model",
    "make_renditions": "renditions",
    "make_thumbnail": "thumbnails",
    "thumbnail_for": "thumbnails",
}


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


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
