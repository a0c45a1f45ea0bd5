"""Near-duplicates: the same photograph as JPEG, PNG and WebP at two sizes groups together; another does not."""

from __future__ import annotations

from PIL import Image, ImageDraw

from newsdesk.images.similar import dhash, distance, group, is_near


def scene(seed: int, size=(1200, 800)) -> Image.Image:
    """A photograph-like scene: sky gradient, sun and hills placed by the seed."""
    w, h = size
    im = Image.new("RGB", size)
    draw = ImageDraw.Draw(im)
    for y in range(h):
        draw.line((0, y, w, y), fill=(40 + y * 120 // h, 90 + (seed * 37 % 60), 200 - y * 150 // h))
    sx = (seed * 197) % (w - 300) + 100
    draw.ellipse((sx, h * 0.1, sx + w * 0.15, h * 0.1 + w * 0.15), fill=(250, 220, 120))
    for i in range(5):
        x = (seed * 71 + i * 263) % w
        draw.polygon(
            [(x - 300, h), (x, h * (0.45 + 0.05 * ((seed + i) % 4))), (x + 300, h)],
            fill=(30 + 20 * i, 70 + 10 * i, 40),
        )
    return im


def test_the_same_photo_as_jpeg_png_and_webp_at_two_sizes_groups_and_another_does_not(tmp_path):
    files: dict[str, str] = {}
    original = scene(3)
    for size in ((1200, 800), (480, 320)):
        im = original.resize(size, Image.Resampling.LANCZOS)
        for fmt, ext in (("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")):
            path = tmp_path / f"harbour-{size[0]}.{ext}"
            im.save(path, fmt, **({"quality": 70} if fmt != "PNG" else {}))
            files[path.name] = dhash(path)
    other = tmp_path / "other.jpg"
    scene(11).save(other, "JPEG")
    files[other.name] = dhash(other)

    groups = group(files)
    assert groups == [{n for n in files if n.startswith("harbour")}]
    assert (
        max(distance(files["harbour-1200.jpg"], h) for n, h in files.items() if n != "other.jpg")
        <= 4
    )
    assert not is_near(files["harbour-1200.jpg"], files["other.jpg"])


def test_a_picture_rotated_by_its_exif_flag_matches_the_upright_copy(tmp_path):
    upright = scene(5)
    upright.save(tmp_path / "upright.jpg")
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned 90° clockwise
    upright.transpose(Image.Transpose.ROTATE_90).save(tmp_path / "flagged.jpg", exif=exif)
    assert is_near(dhash(tmp_path / "upright.jpg"), dhash(tmp_path / "flagged.jpg"))


def test_unknown_hashes_are_never_near_anything():
    assert not is_near("", "")
    assert group({"a": "", "b": ""}) == []
