"""Thumbnails and web renditions: upright, sRGB, never upscaled, no EXIF, credits in XMP, cached."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageCms, ImageOps, ImageStat

from newsdesk.images import (
    Credits,
    ImageError,
    ImportFailure,
    RenditionJob,
    make_renditions,
    make_renditions_many,
    make_thumbnail,
    prepare_image,
    read_metadata,
    thumbnail_for,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "images"
HOPPER = FIXTURES / "pillow-hopper_orientation_6.jpg"
CREDITS = Credits(
    caption='Fans & families <cheer> the "home" side\'s win',
    credit="Example News/Agency",
    creator="Ann O'Neil; Bo Li",
    copyright="© 2024 Example News",
)


def _diff(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per channel, 0-255."""
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3


def _upright_reference(size: tuple[int, int]) -> tuple[Image.Image, Image.Image]:
    with Image.open(HOPPER) as im:
        upright = ImageOps.exif_transpose(im).convert("RGB").resize(size)
        stored = im.convert("RGB").resize(size)
    return upright, stored


def _assert_upright(path: Path) -> None:
    with Image.open(path) as out:
        out.load()
        upright, stored = _upright_reference(out.size)
        # hopper is square, so only the pixel layout can tell rotated from not.
        assert _diff(out, upright) < 12
        assert _diff(out, stored) > 3 * _diff(out, upright)


def test_thumbnail_is_upright_and_cached(tmp_path: Path) -> None:
    thumb = make_thumbnail(HOPPER, tmp_path / "thumbs", size=64)
    assert thumb.name.endswith("-64.jpg")
    with Image.open(thumb) as t:
        assert t.size == (64, 64)
    _assert_upright(thumb)
    mtime = thumb.stat().st_mtime_ns
    again = make_thumbnail(HOPPER, tmp_path / "thumbs", size=64)
    assert again == thumb and thumb.stat().st_mtime_ns == mtime


def test_thumbnail_for_is_the_cache_path(tmp_path: Path) -> None:
    prepared = prepare_image(HOPPER, tmp_path / "media", tmp_path / "thumbs")
    assert thumbnail_for(prepared.sha256, tmp_path / "thumbs", 320) == prepared.thumbnail_path
    _assert_upright(prepared.thumbnail_path)
    # Known hash: no re-hash, same cached file.
    same = make_thumbnail(prepared.media_path, tmp_path / "thumbs", sha256=prepared.sha256)
    assert same == prepared.thumbnail_path


def test_renditions_of_rotated_image_are_upright(tmp_path: Path) -> None:
    out = make_renditions(HOPPER, tmp_path / "r", credits=CREDITS, widths=(64, 128))
    assert [(r.width, r.format) for r in out] == [
        (64, "jpeg"),
        (64, "webp"),
        (128, "jpeg"),
        (128, "webp"),
    ]
    for r in out:
        _assert_upright(r.path)


def test_renditions_never_upscale(tmp_path: Path) -> None:
    src = tmp_path / "small.png"
    Image.new("RGB", (200, 100), "orange").save(src, "PNG")
    out = make_renditions(src, tmp_path / "r", credits=CREDITS, widths=(480, 960, 1600))
    # Every width above the source collapses into one rendition at the source width.
    assert [(r.width, r.height, r.format) for r in out] == [(200, 100, "jpeg"), (200, 100, "webp")]
    for r in out:
        with Image.open(r.path) as im:
            assert im.size == (200, 100)


def test_renditions_sizes_and_formats(tmp_path: Path) -> None:
    src = tmp_path / "wide.jpg"
    Image.effect_noise((2000, 1000), 30).convert("RGB").save(src, "JPEG")
    out = make_renditions(src, tmp_path / "r", credits=CREDITS)
    assert [(r.width, r.height) for r in out] == [
        (w, w // 2) for w in (480, 960, 1600) for _ in "jw"
    ]
    for r in out:
        with Image.open(r.path) as im:
            assert im.size == (r.width, r.height)
            assert im.format == {"jpeg": "JPEG", "webp": "WEBP"}[r.format]
            assert r.mime == f"image/{r.format}"
            assert im.mode == "RGB"


def test_renditions_strip_exif_and_carry_credits(tmp_path: Path) -> None:
    src = tmp_path / "gps.jpg"
    exif = Image.Exif()
    exif[271] = "SecretCam"
    exif[315] = "Original Artist"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    Image.new("RGB", (300, 200), "teal").save(src, "JPEG", exif=exif)
    assert read_metadata(src).gps is not None  # the test file really has GPS
    out = make_renditions(src, tmp_path / "r", credits=CREDITS, widths=(100, 300))
    for r in out:
        with Image.open(r.path) as im:
            assert "exif" not in im.info
            assert len(im.getexif()) == 0
        data = r.path.read_bytes()
        assert b"SecretCam" not in data and b"Original Artist" not in data
        md = read_metadata(r.path)  # our own reader, on our own output
        assert md.gps is None
        assert md.caption == CREDITS.caption
        assert md.credit == CREDITS.credit
        assert md.creator == CREDITS.creator
        assert md.creators == ["Ann O'Neil", "Bo Li"]
        assert md.copyright == CREDITS.copyright
        assert md.warnings == []


def test_icc_profile_big_renditions_are_srgb(tmp_path: Path) -> None:
    src = FIXTURES / "pillow-icc_profile_big.jpg"
    prepared = prepare_image(src, tmp_path / "media", tmp_path / "thumbs")
    out = make_renditions(prepared.media_path, tmp_path / "r", credits=CREDITS, widths=(200,))
    for r in out:
        with Image.open(r.path) as im:
            icc = im.info.get("icc_profile")
            if icc:  # untagged is sRGB on the web; a tagged file may only say sRGB
                desc = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
                assert "srgb" in desc.lower()
            assert im.mode == "RGB"


def test_rendition_cache_hit_does_not_reencode(tmp_path: Path) -> None:
    src = tmp_path / "a.jpg"
    Image.new("RGB", (500, 300), "purple").save(src, "JPEG")
    first = make_renditions(src, tmp_path / "r", credits=CREDITS, widths=(200, 400))
    stamps = {r.path: r.path.stat().st_mtime_ns for r in first}
    second = make_renditions(src, tmp_path / "r", credits=CREDITS, widths=(200, 400))
    assert second == first
    assert {r.path: r.path.stat().st_mtime_ns for r in second} == stamps
    # A corrected credit is new content: new files, old ones untouched.
    changed = Credits(**{**CREDITS.__dict__, "credit": "Corrected Agency"})
    third = make_renditions(src, tmp_path / "r", credits=changed, widths=(200, 400))
    assert {r.path for r in third}.isdisjoint(stamps)
    assert read_metadata(third[0].path).credit == "Corrected Agency"
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    assert re.fullmatch(rf"{sha[:16]}-[0-9a-f]{{8}}-200\.jpg", first[0].path.name)


def test_odd_modes_render_as_rgb(tmp_path: Path) -> None:
    cmyk = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (120, 80), (0, 255, 255, 0)).save(cmyk, "JPEG")
    deep = tmp_path / "deep.png"
    Image.new("I;16", (120, 80), 40000).save(deep, "PNG")
    gif = tmp_path / "anim.gif"
    frames = [Image.new("RGB", (120, 80), c) for c in ("red", "blue")]
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], duration=50)
    alpha = tmp_path / "alpha.png"
    Image.new("RGBA", (120, 80), (0, 0, 255, 0)).save(alpha, "PNG")
    for src in (cmyk, deep, gif, alpha):
        for r in make_renditions(src, tmp_path / "r", credits=CREDITS, widths=(60,)):
            with Image.open(r.path) as im:
                assert im.mode in ("RGB", "RGBA"), (src.name, r.format, im.mode)
                if r.format == "jpeg":
                    assert im.mode == "RGB"
    # Transparent pixels stay transparent: a PNG, not a JPEG flattened to a colour.
    fallback = make_renditions(alpha, tmp_path / "r", credits=CREDITS, widths=(60,))[0]
    assert fallback.format == "png"
    with Image.open(fallback.path) as im:
        assert im.convert("RGBA").getpixel((30, 20))[3] == 0  # type: ignore[index]


def test_make_renditions_many(tmp_path: Path) -> None:
    good = tmp_path / "good.jpg"
    Image.new("RGB", (400, 300), "navy").save(good, "JPEG")
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8 nope")
    jobs = [
        RenditionJob(src=good, out_dir=tmp_path / "r", credits=CREDITS, widths=(100, 200)),
        RenditionJob(src=bad, out_dir=tmp_path / "r", credits=CREDITS),
        RenditionJob(src=HOPPER, out_dir=tmp_path / "r", credits=CREDITS, widths=(64,)),
    ]
    seen: list[int] = []
    results = make_renditions_many(jobs, workers=2, progress=lambda d, t: seen.append(d))
    assert isinstance(results[0], list) and len(results[0]) == 4
    assert isinstance(results[1], ImportFailure) and "bad.jpg" in results[1].message
    assert isinstance(results[2], list) and results[2][0].width == 64
    assert sorted(seen) == [1, 2, 3]


def test_missing_source_is_an_image_error(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="gone.jpg does not exist"):
        make_renditions(tmp_path / "gone.jpg", tmp_path / "r", credits=CREDITS)
    with pytest.raises(ImageError, match="gone.jpg does not exist"):
        make_thumbnail(tmp_path / "gone.jpg", tmp_path / "t")
