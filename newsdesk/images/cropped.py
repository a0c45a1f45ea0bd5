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
from .xmp import build_xmp

CROP_VERSION = 1


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
    cannot be read.
    """
    src, out_dir = Path(src), Path(out_dir)
    sha = sha256 or sha256_file(src)
    sizes = {name: output_size(box, name, width) for name, box in boxes.items()}

    def planned(fmt: str) -> dict[str, Rendition]:
        ext, mime = _FORMATS[fmt]
        out = {}
        for name, box in boxes.items():
            w, h = sizes[name]
            key = crop_key(sha, box, (w, h), credits)[:10]
            path = out_dir / f"{sha[:16]}-{_slug(name)}-{key}-{w}x{h}.{ext}"
            out[name] = Rendition(width=w, height=h, format=fmt, path=path, mime=mime)
        return out

    if not boxes:
        return {}
    with open_image(src) as im:
        orientation = orientation_of(im)
        disp = displayed_size(im.size, orientation)
        candidates = ["jpeg", "png"] if may_be_transparent(im) else ["jpeg"]
        for fmt in candidates:
            found = planned(fmt)
            if all(r.path.exists() for r in found.values()):
                return found  # cache hit: nothing decoded
        icc = im.info.get("icc_profile")
        # Decode (draft-scaled for JPEG) just large enough for the most demanding crop.
        scale = min(1.0, max(sizes[n][0] / boxes[n].w for n in boxes))
        need_disp = (math.ceil(disp[0] * scale), math.ceil(disp[1] * scale))
        need = (need_disp[1], need_disp[0]) if swaps_axes(orientation) else need_disp
        decoded = to_working_mode(decode(im, src.name, need=need), src.name)
    upright = apply_orientation(decoded, orientation)
    transparent = has_transparency(upright)
    if not transparent and upright.mode == "RGBA":
        upright = upright.convert("RGB")
    renditions = planned("png" if transparent else "jpeg")
    sx, sy = upright.width / disp[0], upright.height / disp[1]
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
