"""Pictures with transparency keep it in every rendition: PNG and WebP, never an opaque JPEG."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from newsdesk.images import Credits, make_renditions, read_metadata

CREDITS = Credits(caption="White logo", credit="Design desk")


def _white_artwork(path: Path, mode: str = "RGBA") -> Path:
    """White artwork on a transparent background: what disappears when flattened onto white."""
    im = Image.new("RGBA", (800, 400), (0, 0, 0, 0))
    ImageDraw.Draw(im).ellipse((200, 50, 600, 350), fill=(255, 255, 255, 255))
    if mode == "P":
        im = im.convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
        im.info["transparency"] = im.getpixel((0, 0))
        im.save(path, "PNG", transparency=im.getpixel((0, 0)))
        return path
    if mode == "LA":
        im = im.convert("LA")
    im.save(path, "PNG")
    return path


def _corner_alpha(path: Path) -> int:
    with Image.open(path) as im:
        im = im.convert("RGBA")
        return im.getpixel((0, 0))[3]


def test_an_rgba_png_gets_png_and_webp_renditions_that_keep_transparency(tmp_path: Path) -> None:
    src = _white_artwork(tmp_path / "logo.png")
    out = make_renditions(src, tmp_path / "r", credits=CREDITS, widths=(200, 400))
    assert sorted(r.format for r in out) == ["png", "png", "webp", "webp"]
    for r in out:
        assert r.path.is_file()
        assert r.path.suffix == (".png" if r.format == "png" else ".webp")
        assert r.mime == ("image/png" if r.format == "png" else "image/webp")
        with Image.open(r.path) as im:
            assert im.format == r.format.upper()
            assert im.size == (r.width, r.height)
            assert "A" in im.getbands()
        assert _corner_alpha(r.path) == 0, "the background must stay transparent"
        with Image.open(r.path) as im:
            centre = im.convert("RGBA").getpixel((r.width // 2, r.height // 2))
        assert centre[3] == 255 and min(centre[:3]) > 240, "the white artwork must survive"
        assert read_metadata(r.path).credit == "Design desk"  # credits still travel


def test_palette_and_grey_alpha_pngs_keep_transparency(tmp_path: Path) -> None:
    for mode in ("P", "LA"):
        src = _white_artwork(tmp_path / f"logo-{mode}.png", mode)
        out = make_renditions(src, tmp_path / f"r{mode}", credits=CREDITS, widths=(200,))
        assert {r.format for r in out} == {"png", "webp"}, mode
        assert all(_corner_alpha(r.path) == 0 for r in out), mode


def test_an_opaque_rgba_png_still_gets_jpeg(tmp_path: Path) -> None:
    src = tmp_path / "opaque.png"
    Image.new("RGBA", (300, 200), (10, 120, 200, 255)).save(src)
    out = make_renditions(src, tmp_path / "r", credits=CREDITS, widths=(100,))
    assert sorted(r.format for r in out) == ["jpeg", "webp"]


def test_transparent_renditions_come_from_the_cache_the_second_time(tmp_path: Path) -> None:
    src = _white_artwork(tmp_path / "logo.png")
    first = make_renditions(src, tmp_path / "r", credits=CREDITS, widths=(200,))
    stamps = {r.path: r.path.stat().st_mtime_ns for r in first}
    second = make_renditions(src, tmp_path / "r", credits=CREDITS, widths=(200,))
    assert [r.path for r in second] == [r.path for r in first]
    assert {r.path: r.path.stat().st_mtime_ns for r in second} == stamps
