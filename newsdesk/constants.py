"""Sizes every layer must agree on, written once."""

from __future__ import annotations

# The longest side of the thumbnail that import caches on disk for each picture;
# the image panel, the related picker and the import all ask for this one size,
# so a thumbnail is never made twice.
THUMB_SIZE = 320
