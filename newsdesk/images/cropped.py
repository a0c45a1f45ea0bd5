"""Cropped renditions: one JPEG per aspect ratio (16:9, 4:3, 1:1, and the 1200x630 social card).

Each is cut with the picture's own box for that ratio, or the automatic box
around its focal point (newsdesk/crops.py). One decode serves every ratio.
The file name carries a key made of the picture, the box, the output size and
the words embedded in its XMP, so a new crop (or a corrected credit) makes new
files and never overwrites what a published page still points at.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict
from pathlib import Path

from PIL import Image

from newsdesk.crops import OG, Box, output_size

from .model import Credits, Rendition
from .pixels import (
    apply_orientation,
    decode,
    displayed_size,
    open_image,
    orientation_of,
    sha256_file,
    swaps_axes,
    to_srgb,
    to_working_mode,
)
from .renditions import (
    _FORMATS,
    JPEG_QUALITY,
    PIPELINE_VERSION,
    _save,
    has_transparency,
    may_be_transparent,
)
from .settings import CROP_VERSION
from .xmp import build_xmp


def _slug(name: str) -> str:
    return "og" if name == OG else name.replace(":", "x")


def crop_key(sha: str, box: Box, size: tuple[int, int], credits: Credits) -> str:
    spec = {
        "v": [PIPELINE_VERSION, CROP_VERSION, JPEG_QUALITY],
        "sha": sha,
        "box": box.as_list(),
        "size": list(size),
        "credits": asdict(credits),
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def plan_crops(
    sha: str,
    boxes: dict[str, Box],
    credits: Credits,
    out_dir: Path,
    fmt: str,
    width: int = 1200,
) -> dict[str, Rendition]:
    """Where each crop's file goes and its size (nothing is made)."""
    ext, mime = _FORMATS[fmt]
    out = {}
    for name, box in boxes.items():
        w, h = output_size(box, name, width)
        key = crop_key(sha, box, (w, h), credits)[:10]
        path = out_dir / f"{sha[:16]}-{_slug(name)}-{key}-{w}x{h}.{ext}"
        out[name] = Rendition(width=w, height=h, format=fmt, path=path, mime=mime, ratio=name)
    return out


def cached_crops(
    sha: str, boxes, credits: Credits, out_dir: Path, transparent_maybe: bool, width: int = 1200
) -> dict[str, Rendition] | None:
    """The crops' files when they were all made before (JPEG, or PNG for a transparent picture)."""
    for fmt in ("jpeg", "png") if transparent_maybe else ("jpeg",):
        found = plan_crops(sha, boxes, credits, out_dir, fmt, width)
        if all(r.path.exists() for r in found.values()):
            return found
    return None


def crop_need(
    displayed: tuple[int, int], boxes: dict[str, Box], width: int = 1200
) -> tuple[int, int]:
    """The displayed-orientation size a decode must reach for every crop to be sharp."""
    scale = min(1.0, max(output_size(b, n, width)[0] / b.w for n, b in boxes.items()))
    return math.ceil(displayed[0] * scale), math.ceil(displayed[1] * scale)


def cut_crops(
    decoded: Image.Image,
    orientation: int,
    icc: bytes | None,
    displayed: tuple[int, int],
    boxes: dict[str, Box],
    *,
    sha: str,
    credits: Credits,
    out_dir: Path,
    width: int = 1200,
) -> dict[str, Rendition]:
    """Cut and save every crop from pixels already decoded (stored orientation, working mode)."""
    upright = apply_orientation(decoded, orientation)
    transparent = has_transparency(upright)
    if not transparent and upright.mode == "RGBA":
        upright = upright.convert("RGB")
    renditions = plan_crops(sha, boxes, credits, out_dir, "png" if transparent else "jpeg", width)
    sx, sy = upright.width / displayed[0], upright.height / displayed[1]
    xmp = build_xmp(
        caption=credits.caption,
        credit=credits.credit,
        creator=credits.creator,
        copyright=credits.copyright,
        alt_text=credits.alt_text,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, box in boxes.items():
        r = renditions[name]
        if r.path.exists():
            continue
        region = (box.x * sx, box.y * sy, (box.x + box.w) * sx, (box.y + box.h) * sy)
        cut = upright.resize(
            (r.width, r.height), Image.Resampling.LANCZOS, box=region, reducing_gap=3.0
        )
        _save(to_srgb(cut, icc), r, xmp)
    return renditions


def make_crop_renditions(
    src: str | Path,
    out_dir: str | Path,
    boxes: dict[str, Box],
    *,
    credits: Credits,
    width: int = 1200,
    sha256: str | None = None,
) -> dict[str, Rendition]:
    """Make (or find in the cache) one rendition per named box, `width` wide at most.

    `boxes` are in displayed pixels (newsdesk.crops.crop_for). JPEG, or PNG
    when the picture has transparent pixels. Raises ImageError for a file that
    cannot be read. (make_renditions makes them from its own decode when given crops.)
    """
    src, out_dir = Path(src), Path(out_dir)
    if not boxes:
        return {}
    sha = sha256 or sha256_file(src)
    with open_image(src) as im:
        orientation = orientation_of(im)
        disp = displayed_size(im.size, orientation)
        found = cached_crops(sha, boxes, credits, out_dir, may_be_transparent(im), width)
        if found is not None:
            return found  # cache hit: nothing decoded
        icc = im.info.get("icc_profile")
        need_disp = crop_need(disp, boxes, width)
        need = (need_disp[1], need_disp[0]) if swaps_axes(orientation) else need_disp
        decoded = to_working_mode(decode(im, src.name, need=need), src.name)
    return cut_crops(
        decoded,
        orientation,
        icc,
        disp,
        boxes,
        sha=sha,
        credits=credits,
        out_dir=out_dir,
        width=width,
    )
