"""Web renditions: resized, upright, sRGB JPEG/WebP (PNG when transparent) with credits in XMP, no EXIF."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from PIL import Image, PngImagePlugin

from .model import Credits, Rendition
from .pixels import (
    apply_orientation,
    atomic_write,
    decode,
    displayed_size,
    flatten,
    open_image,
    orientation_of,
    sha256_file,
    swaps_axes,
    to_srgb,
    to_working_mode,
)
from .settings import (  # noqa: F401  (the settings are named here too)
    JPEG_QUALITY,
    PIPELINE_VERSION,
    PNG_COMPRESS_LEVEL,
    WEBP_METHOD,
    WEBP_QUALITY,
)
from .xmp import build_xmp

_FORMATS: dict[str, tuple[str, str]] = {
    "jpeg": ("jpg", "image/jpeg"),
    "webp": ("webp", "image/webp"),
    "png": ("png", "image/png"),
}
ALPHA_MODES = frozenset({"RGBA", "LA", "La", "RGBa", "PA"})


def _with_transparency(formats: tuple[str, ...]) -> tuple[str, ...]:
    """JPEG has no alpha: a transparent picture gets PNG in its place (WebP keeps alpha)."""
    return tuple(dict.fromkeys("png" if f == "jpeg" else f for f in formats))


def may_be_transparent(im: Image.Image) -> bool:
    """From the header alone: could this image have transparent pixels?"""
    return im.mode in ALPHA_MODES or "transparency" in im.info


def has_transparency(im: Image.Image) -> bool:
    """True when a decoded RGB/RGBA image has at least one pixel that is not fully opaque."""
    if im.mode != "RGBA":
        return False
    low, _high = im.getchannel("A").getextrema()
    return low < 255


def _cache_key(
    sha: str, widths: tuple[int, ...], formats: tuple[str, ...], credits: Credits
) -> str:
    spec = {
        "v": PIPELINE_VERSION,
        "sha": sha,
        "widths": sorted(set(widths)),
        "formats": sorted(set(formats)),
        "q": [JPEG_QUALITY, WEBP_QUALITY, WEBP_METHOD],
        # The credits go into the files, so a corrected credit must make new files.
        "credits": asdict(credits),
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode("utf-8")).hexdigest()


def _plan(displayed: tuple[int, int], widths: tuple[int, ...]) -> list[tuple[int, int]]:
    """Target (width, height) pairs, ascending; widths above the source collapse to it."""
    dw, dh = displayed
    out = sorted({min(int(w), dw) for w in widths if int(w) > 0})
    return [(w, max(1, round(dh * w / dw))) for w in out]


def make_renditions(
    src: str | Path,
    out_dir: str | Path,
    *,
    credits: Credits,
    widths: tuple[int, ...] = (480, 960, 1600),
    formats: tuple[str, ...] = ("jpeg", "webp"),
    sha256: str | None = None,
    crops: dict | None = None,
    crop_width: int = 1200,
) -> list[Rendition]:
    """Make (or find in the cache) the renditions of src, ordered by width then format.

    `crops` (ratio name -> newsdesk.crops.Box) adds one cropped JPEG per ratio,
    `crop_width` wide at most, cut from the same decode (images/cropped.py);
    they follow the others in the list, each with its `ratio` set.

    A picture with transparency never becomes an opaque JPEG: "jpeg" is made
    as PNG instead (format "png"), so white artwork stays visible on any page.
    Pass sha256 when it is known (library files are named by it) to skip
    hashing the source again; it is part of the cache key.
    """
    src, out_dir = Path(src), Path(out_dir)
    formats = tuple(formats)
    for fmt in formats:
        if fmt not in _FORMATS:
            raise ValueError(f"unknown rendition format {fmt!r} (use 'jpeg', 'webp' or 'png')")
    if not formats or not any(int(w) > 0 for w in widths):
        raise ValueError("make_renditions needs at least one format and one positive width")
    from .cropped import cached_crops, crop_need, cut_crops

    sha = sha256 or sha256_file(src)
    key = _cache_key(sha, tuple(widths), formats, credits)
    with open_image(src) as im:
        orientation = orientation_of(im)
        disp = displayed_size(im.size, orientation)
        plan = _plan(disp, tuple(widths))
        cut = (
            cached_crops(sha, crops, credits, out_dir, may_be_transparent(im), crop_width)
            if crops
            else {}
        )

        def planned(fmts: tuple[str, ...]) -> list[Rendition]:
            return [
                Rendition(
                    width=w,
                    height=h,
                    format=fmt,
                    path=out_dir / f"{sha[:16]}-{key[:8]}-{w}.{_FORMATS[fmt][0]}",
                    mime=_FORMATS[fmt][1],
                )
                for w, h in plan
                for fmt in fmts
            ]

        candidates = [formats]
        if may_be_transparent(im) and "jpeg" in formats:
            candidates.append(_with_transparency(formats))
        for fmts in candidates:
            renditions = planned(fmts)
            if cut is not None and all(r.path.exists() for r in renditions):
                return [*renditions, *cut.values()]  # cache hit: nothing decoded or encoded
        icc = im.info.get("icc_profile")
        largest = plan[-1]
        if crops and cut is None:
            # One decode for both: large enough for the widest rendition and every crop.
            cw, ch = crop_need(disp, crops, crop_width)
            largest = (max(largest[0], cw), max(largest[1], ch))
        need = (largest[1], largest[0]) if swaps_axes(orientation) else largest
        # One decode per source, draft-scaled (JPEG) to the largest width needed.
        decoded = to_working_mode(decode(im, src.name, need=need), src.name)
    if crops and cut is None:
        cut = cut_crops(
            decoded,
            orientation,
            icc,
            disp,
            crops,
            sha=sha,
            credits=credits,
            out_dir=out_dir,
            width=crop_width,
        )
    if has_transparency(decoded):
        renditions = planned(_with_transparency(formats))
    else:
        renditions = planned(formats)
        if decoded.mode == "RGBA":
            decoded = decoded.convert("RGB")  # an alpha channel that is opaque everywhere
    xmp = build_xmp(
        caption=credits.caption,
        credit=credits.credit,
        creator=credits.creator,
        copyright=credits.copyright,
        alt_text=credits.alt_text,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    # Largest first; each smaller size is resampled from the one above it, so
    # the colour transform and rotation run once, on the largest rendition only.
    current: Image.Image | None = None
    for w, h in reversed(plan):
        if current is None:
            stored_target = (h, w) if swaps_axes(orientation) else (w, h)
            work = decoded
            if work.size != stored_target:
                work = work.resize(stored_target, Image.Resampling.LANCZOS, reducing_gap=3.0)
            current = apply_orientation(to_srgb(work, icc), orientation)
        elif current.size != (w, h):
            current = current.resize((w, h), Image.Resampling.LANCZOS)
        for r in renditions:
            if r.width == w and not r.path.exists():
                _save(current, r, xmp)
    return [*renditions, *(cut or {}).values()]


def _save(im: Image.Image, rendition: Rendition, xmp: bytes) -> None:
    # Nothing from the source's info dict is passed on: no exif=, no icc_profile=
    # (untagged means sRGB on the web), so GPS and other private EXIF stay behind.
    if rendition.format == "png":
        # PNG carries XMP in an iTXt chunk under the key the XMP spec names.
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", xmp.decode("utf-8"))
        atomic_write(
            rendition.path,
            lambda tmp: im.save(tmp, "PNG", compress_level=PNG_COMPRESS_LEVEL, pnginfo=info),
        )
    elif rendition.format == "jpeg":
        rgb = flatten(im)  # only ever opaque pictures get here; flatten guards odd callers
        atomic_write(
            rendition.path,
            lambda tmp: rgb.save(
                tmp, "JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True, xmp=xmp
            ),
        )
    else:
        atomic_write(
            rendition.path,
            lambda tmp: im.save(tmp, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD, xmp=xmp),
        )
