"""Near-duplicate pictures: a 64-bit difference hash (dHash) that survives format, size and recompression.

Why our own and not PyPI imagehash: imagehash needs numpy, SciPy and PyWavelets
(about 100 MB installed, and in the packaged app) for hashes we do not use;
a dHash on Pillow alone is a dozen lines, and it is what groups the same
photograph saved as JPEG, PNG or WebP at different sizes. Pillow's `draft`
lets a JPEG decode at 1/8 scale, so a 24 MP picture costs milliseconds.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps

HASH_SIZE = 8  # 8x8 = 64 bits
# Bits that may differ for two files to count as the same photograph. Re-encodes
# and resizes of one picture measure 0-4; different photographs measure 20 and up.
NEAR = 10


def dhash_image(im: Image.Image) -> str:
    """The difference hash of a decoded picture, as 16 hex digits."""
    im = ImageOps.exif_transpose(im) if im.getexif().get(0x0112, 1) != 1 else im
    small = im.convert("L").resize((HASH_SIZE + 1, HASH_SIZE), Image.Resampling.BOX)
    px = small.tobytes()
    bits = 0
    for row in range(HASH_SIZE):
        base = row * (HASH_SIZE + 1)
        for col in range(HASH_SIZE):
            bits = (bits << 1) | (px[base + col] > px[base + col + 1])
    return f"{bits:016x}"


def dhash_decoded(decoded: Image.Image, orientation: int = 1) -> str:
    """The hash of pixels an import has already decoded (stored orientation, any mode).

    Shrinks first, then turns the 9x8 (or 8x9) grid upright: a box filter and a
    quarter turn commute, so this equals hashing the upright picture, for the
    cost of one small resize.
    """
    from .pixels import apply_orientation, swaps_axes

    grey = decoded.convert("L") if decoded.mode in ("RGB", "RGBA", "L", "CMYK", "P") else None
    if grey is None:
        from .pixels import to_working_mode

        grey = to_working_mode(decoded, "picture").convert("L")
    size = (HASH_SIZE, HASH_SIZE + 1) if swaps_axes(orientation) else (HASH_SIZE + 1, HASH_SIZE)
    small = apply_orientation(grey.resize(size, Image.Resampling.BOX), orientation)
    px = small.tobytes()
    bits = 0
    for row in range(HASH_SIZE):
        base = row * (HASH_SIZE + 1)
        for col in range(HASH_SIZE):
            bits = (bits << 1) | (px[base + col] > px[base + col + 1])
    return f"{bits:016x}"


def dhash(path: str | Path) -> str:
    """The difference hash of a picture file (a JPEG is decoded at reduced scale)."""
    with Image.open(path) as im:
        im.draft("L", (64, 64))  # JPEG only: decode at 1/2..1/8 scale, the hash needs 9x8
        if getattr(im, "n_frames", 1) > 1:
            im.seek(0)
        return dhash_image(im)


def distance(a: str, b: str) -> int:
    """How many of the 64 bits differ."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def is_near(a: str, b: str, limit: int = NEAR) -> bool:
    """Both hashes known and within `limit` bits of each other."""
    return bool(a) and bool(b) and distance(a, b) <= limit


def group(hashes: dict[str, str], limit: int = NEAR) -> list[set[str]]:
    """Keys whose hashes are near each other, as groups of two or more (single link)."""
    keys = [k for k, h in hashes.items() if h]
    parent = {k: k for k in keys}

    def root(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if is_near(hashes[a], hashes[b], limit):
                parent[root(a)] = root(b)
    out: dict[str, set[str]] = {}
    for k in keys:
        out.setdefault(root(k), set()).add(k)
    return [g for g in out.values() if len(g) > 1]
