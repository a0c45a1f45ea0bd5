"""Where a picture is cut for each aspect ratio: its focal point, its stored crop boxes, the automatic crop.

All coordinates are pixels of the picture as displayed (after EXIF
orientation), the same width and height the library records. The focal
point is a fraction of that size (0.0-1.0 across and down; 0.5, 0.5 is the
centre). A stored box is `[x, y, w, h]`; a ratio without one gets the largest
box of that ratio, centred as near the focal point as the picture allows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

# The ratios a photo desk chooses crops for (Google's article guidance names
# these three); OG is the social card's 1.91:1 (1200x630), made the same way.
RATIOS: dict[str, tuple[int, int]] = {"16:9": (16, 9), "4:3": (4, 3), "1:1": (1, 1)}
OG = "og"
OG_SIZE = (1200, 630)
ALL_RATIOS: dict[str, tuple[int, int]] = {**RATIOS, OG: OG_SIZE}
# The width Google wants structured-data pictures at (and social cards).
WIDE_ENOUGH = 1200


@dataclass(frozen=True, slots=True)
class Box:
    """A crop in displayed pixels."""

    x: int
    y: int
    w: int
    h: int

    def as_list(self) -> list[int]:
        return [self.x, self.y, self.w, self.h]


def ratio_label(name: str) -> str:
    """How a ratio is named to people ("1.91:1" for the social card)."""
    return "1.91:1" if name == OG else name


def clamp_focal(x: float, y: float) -> tuple[float, float]:
    """A focal point inside the picture (anything odd becomes the centre)."""

    def one(v: float) -> float:
        try:
            v = float(v)
        except (TypeError, ValueError):
            return 0.5
        if v != v:  # NaN
            return 0.5
        return min(1.0, max(0.0, v))

    return one(x), one(y)


def largest_box(width: int, height: int, ratio: tuple[int, int]) -> tuple[int, int]:
    """The largest (w, h) of this ratio that fits in width x height (at least 1x1)."""
    rw, rh = ratio
    if width * rh >= height * rw:  # the picture is wider than the ratio: full height
        h = height
        w = round(h * rw / rh)
    else:
        w = width
        h = round(w * rh / rw)
    return max(1, min(w, width)), max(1, min(h, height))


def _place(size: int, extent: int, centre: float) -> int:
    """The start of a span of `extent` centred on `centre` (pixels) and kept inside 0..size."""
    start = round(centre - extent / 2)
    return max(0, min(start, size - extent))


def auto_crop(width: int, height: int, ratio: tuple[int, int], focal=(0.5, 0.5)) -> Box:
    """The largest box of `ratio` centred as near the focal point as fits."""
    fx, fy = clamp_focal(*focal)
    w, h = largest_box(width, height, ratio)
    return Box(_place(width, w, fx * width), _place(height, h, fy * height), w, h)


def fit_box(
    width: int, height: int, ratio: tuple[int, int], x: float, y: float, w: float
) -> Box | None:
    """A box of exactly `ratio` that is `w` wide at (x, y), moved and shrunk to fit the picture.

    None when nothing sensible is left (a zero-size picture).
    """
    if width <= 0 or height <= 0:
        return None
    rw, rh = ratio
    max_w, _max_h = largest_box(width, height, ratio)
    bw = max(1, min(round(w), max_w))
    bh = max(1, min(round(bw * rh / rw), height))
    bx = max(0, min(round(x), width - bw))
    by = max(0, min(round(y), height - bh))
    return Box(bx, by, bw, bh)


def parse_crops(text: str | None) -> dict[str, Box]:
    """The stored crop boxes of a picture; anything malformed is left out (it falls back to auto)."""
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    out: dict[str, Box] = {}
    for name, value in data.items():
        if name not in ALL_RATIOS or not isinstance(value, list) or len(value) != 4:
            continue
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            continue
        x, y, w, h = value
        if w > 0 and h > 0 and x >= 0 and y >= 0:
            out[name] = Box(x, y, w, h)
    return out


def dump_crops(crops: dict[str, Box]) -> str:
    """The text stored in the library ("" when there are none)."""
    if not crops:
        return ""
    return json.dumps({k: crops[k].as_list() for k in sorted(crops)}, separators=(",", ":"))


def valid_box(box: Box, width: int, height: int, ratio: tuple[int, int]) -> bool:
    """Inside the picture and of the ratio to within a pixel of rounding."""
    if box.w <= 0 or box.h <= 0 or box.x < 0 or box.y < 0:
        return False
    if box.x + box.w > width or box.y + box.h > height:
        return False
    rw, rh = ratio
    return abs(box.w * rh - box.h * rw) <= max(rw, rh)


def crop_for(image, name: str) -> Box:
    """The box a ratio is cut with: the picture's own when valid, else the automatic one.

    `image` is anything with width, height, focal_x, focal_y and crops (an
    Image record). A stored box that no longer fits (the picture was replaced
    by one of another size) is ignored rather than trusted.
    """
    ratio = ALL_RATIOS[name]
    width, height = int(image.width or 0), int(image.height or 0)
    stored = parse_crops(getattr(image, "crops", "")).get(name)
    if stored is not None and valid_box(stored, width, height, ratio):
        return stored
    focal = (getattr(image, "focal_x", 0.5), getattr(image, "focal_y", 0.5))
    return auto_crop(max(1, width), max(1, height), ratio, focal)


def output_size(box: Box, name: str, target_width: int = WIDE_ENOUGH) -> tuple[int, int]:
    """The pixel size a crop is published at: `target_width` wide, never upscaled.

    The social card is exactly 1200x630 when the crop is large enough.
    """
    rw, rh = ALL_RATIOS[name]
    w = min(target_width, box.w)
    return w, max(1, round(w * rh / rw))


def narrow_ratios(image, names=tuple(RATIOS)) -> list[tuple[str, int]]:
    """The ratios whose crop cannot be published 1,200 px wide, with the width they reach."""
    out = []
    for name in names:
        box = crop_for(image, name)
        if box.w < WIDE_ENOUGH:
            out.append((name, box.w))
    return out
