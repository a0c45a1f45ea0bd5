"""Importing images: validation of bad input, atomic de-duplicated storage, bulk import."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pytest
from PIL import Image

from newsdesk.images import (
    IMAGE_EXTENSIONS,
    ImageError,
    ImportFailure,
    PreparedImage,
    is_image_path,
    prepare_image,
    prepare_many,
    read_metadata,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "images"


def _noise_jpeg(path: Path, size: tuple[int, int] = (1600, 1200), **kw: object) -> Path:
    # Noise compresses badly, so the entropy-coded data spans most of the file
    # and cutting it anywhere really removes picture data.
    Image.effect_noise(size, 60).convert("RGB").save(path, "JPEG", quality=90, **kw)
    return path


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _expect_failure(src: Path, tmp_path: Path, *fragments: str) -> str:
    media, thumbs = tmp_path / "media", tmp_path / "thumbs"
    with pytest.raises(ImageError) as info:
        prepare_image(src, media, thumbs)
    message = str(info.value)
    assert src.name in message
    for fragment in fragments:
        assert fragment in message
    # Nothing was written: no stored file, no temp file, no thumbnail.
    assert _files(media) == []
    assert _files(thumbs) == []
    return message


def test_extensions() -> None:
    assert {".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff"} <= IMAGE_EXTENSIONS
    assert is_image_path("Holiday.JPG") and not is_image_path("notes.txt")


def test_prepare_corpus_file(tmp_path: Path) -> None:
    src = FIXTURES / "exiftool-IPTC.jpg"
    before = src.read_bytes()
    result = prepare_image(src, tmp_path / "media", tmp_path / "thumbs")
    assert isinstance(result, PreparedImage)
    assert result.media_path == tmp_path / "media" / f"{result.sha256}.jpg"
    assert result.media_path.read_bytes() == before
    assert src.read_bytes() == before  # the original is never modified
    assert (result.format, result.mime, result.ext) == ("JPEG", "image/jpeg", ".jpg")
    assert (result.width, result.height, result.size_bytes) == (8, 8, len(before))
    assert result.original_name == "exiftool-IPTC.jpg"
    assert result.metadata.caption == "A witty caption"
    assert result.thumbnail_path == tmp_path / "thumbs" / f"{result.sha256}-320.jpg"
    assert result.thumbnail_path.exists()


def test_same_file_twice_is_one_image(tmp_path: Path) -> None:
    src = FIXTURES / "pillow-iptc.jpg"
    copy = tmp_path / "renamed copy.jpeg"
    shutil.copyfile(src, copy)
    a = prepare_image(src, tmp_path / "media", tmp_path / "thumbs")
    b = prepare_image(copy, tmp_path / "media", tmp_path / "thumbs")
    assert a.sha256 == b.sha256 and a.media_path == b.media_path
    assert _files(tmp_path / "media") == [f"{a.sha256}.jpg"]  # no leftover temp files
    assert b.original_name == "renamed copy.jpeg"


def test_displayed_size_follows_orientation(tmp_path: Path) -> None:
    src = tmp_path / "portrait.jpg"
    exif = Image.Exif()
    exif[274] = 6
    Image.new("RGB", (300, 200), "red").save(src, "JPEG", exif=exif)
    result = prepare_image(src, tmp_path / "media", tmp_path / "thumbs")
    assert (result.width, result.height) == (200, 300)
    with Image.open(result.thumbnail_path) as thumb:
        assert thumb.size == (200, 300)


def test_format_comes_from_content_not_name(tmp_path: Path) -> None:
    src = tmp_path / "really-a-png.jpg"
    Image.new("RGB", (10, 10), "blue").save(src, "PNG")
    result = prepare_image(src, tmp_path / "media", tmp_path / "thumbs")
    assert (result.format, result.ext, result.mime) == ("PNG", ".png", "image/png")


def test_non_image_with_jpg_extension(tmp_path: Path) -> None:
    src = tmp_path / "holiday.jpg"
    src.write_text("These are my holiday notes, not a picture.\n")
    _expect_failure(src, tmp_path, "is not a JPEG, PNG, WebP, GIF or TIFF picture", "save it as")


def test_zero_byte_file(tmp_path: Path) -> None:
    src = tmp_path / "empty.jpg"
    src.write_bytes(b"")
    _expect_failure(src, tmp_path, "is empty (0 bytes)")


def test_missing_file(tmp_path: Path) -> None:
    _expect_failure(tmp_path / "gone.jpg", tmp_path, "does not exist")


def test_truncated_jpeg(tmp_path: Path) -> None:
    full = _noise_jpeg(tmp_path / "full.jpg")
    src = tmp_path / "cut.jpg"
    data = full.read_bytes()
    src.write_bytes(data[: len(data) * 6 // 10])
    # 1600x1200 is large enough that the 320 px thumbnail uses JPEG draft
    # (1/4 scale): this proves draft decoding still detects the missing data.
    _expect_failure(src, tmp_path, "is damaged", "JPEG data is truncated", "save it again")


def test_truncated_progressive_jpeg(tmp_path: Path) -> None:
    full = _noise_jpeg(tmp_path / "full.jpg", progressive=True)
    src = tmp_path / "cut-progressive.jpg"
    data = full.read_bytes()
    src.write_bytes(data[: len(data) * 8 // 10])
    _expect_failure(src, tmp_path, "JPEG data is truncated")


def test_decompression_bomb_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "bomb.png"
    Image.new("RGB", (100, 100)).save(src, "PNG")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000)  # 10,000 px is over twice that
    _expect_failure(src, tmp_path, "too large to open safely")


def test_decompression_bomb_warning_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "nearly-bomb.png"
    Image.new("RGB", (100, 100)).save(src, "PNG")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 6_000)  # Pillow only warns here
    _expect_failure(src, tmp_path, "too large to open safely")


def test_huge_dimensions_in_header(tmp_path: Path) -> None:
    # A tiny file that claims to be 100,000 x 100,000 pixels: must be refused
    # before a single pixel is allocated.
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    src = tmp_path / "huge.png"
    src.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )
    _expect_failure(src, tmp_path, "too large to open safely")


def test_unsupported_format(tmp_path: Path) -> None:
    src = tmp_path / "scan.jpg"
    Image.new("RGB", (8, 8)).save(src, "BMP")
    _expect_failure(src, tmp_path, "BMP")


def test_broken_xmp_still_imports(tmp_path: Path) -> None:
    src = tmp_path / "bad-xmp.jpg"
    Image.new("RGB", (40, 30), "green").save(src, "JPEG", xmp=b"<rdf:RDF><unclosed>")
    result = prepare_image(src, tmp_path / "media", tmp_path / "thumbs")
    assert result.media_path.exists()
    assert result.metadata.warnings and "XMP" in result.metadata.warnings[0]


def test_cmyk_jpeg_imports(tmp_path: Path) -> None:
    src = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (64, 48), (0, 255, 255, 0)).save(src, "JPEG")
    result = prepare_image(src, tmp_path / "media", tmp_path / "thumbs")
    with Image.open(result.thumbnail_path) as thumb:
        assert thumb.mode == "RGB"
        r, g, b = thumb.getpixel((32, 24))  # type: ignore[misc]
        assert r > 200 and g < 80 and b < 80  # cyan-free magenta+yellow = red


def test_16bit_png_imports_with_tones_kept(tmp_path: Path) -> None:
    src = tmp_path / "deep.png"
    ramp = Image.linear_gradient("L").resize((64, 256)).convert("I")  # dark top, light bottom
    ramp.point(lambda v: v * 257).convert("I;16").save(src, "PNG")
    with Image.open(src) as check:
        assert check.mode.startswith("I")  # really a 16-bit file
    result = prepare_image(src, tmp_path / "media", tmp_path / "thumbs")
    with Image.open(result.thumbnail_path) as thumb:
        top, bottom = thumb.getpixel((5, 5)), thumb.getpixel((5, thumb.height - 6))
        assert isinstance(top, tuple) and isinstance(bottom, tuple)
        # A naive convert clips 16-bit values to white; the ramp must survive.
        assert top[0] < 60 and bottom[0] > 190


def test_animated_gif_imports_first_frame(tmp_path: Path) -> None:
    src = tmp_path / "anim.gif"
    frames = [Image.new("RGB", (40, 20), c) for c in ("red", "lime", "blue")]
    frames[0].save(src, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    result = prepare_image(src, tmp_path / "media", tmp_path / "thumbs")
    assert (result.format, result.ext, result.width, result.height) == ("GIF", ".gif", 40, 20)
    with Image.open(result.thumbnail_path) as thumb:
        r, g, b = thumb.getpixel((20, 10))  # type: ignore[misc]
        assert r > 200 and g < 60 and b < 60


def test_icc_profile_big_imports(tmp_path: Path) -> None:
    result = prepare_image(FIXTURES / "pillow-icc_profile_big.jpg", tmp_path / "m", tmp_path / "t")
    assert (result.width, result.height) == (425, 250)
    with Image.open(result.thumbnail_path) as thumb:
        assert "icc_profile" not in thumb.info


def test_prepare_many_mixed_batch(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_text("not a picture")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    paths = [
        FIXTURES / "exiftool-IPTC.jpg",
        bad,
        FIXTURES / "bep-sunrise.webp",
        empty,
        FIXTURES / "pillow-iptc.jpg",
    ]
    seen: list[tuple[int, int]] = []
    results = prepare_many(
        paths,
        tmp_path / "media",
        tmp_path / "thumbs",
        workers=2,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert [type(r).__name__ for r in results] == [
        "PreparedImage",
        "ImportFailure",
        "PreparedImage",
        "ImportFailure",
        "PreparedImage",
    ]
    assert isinstance(results[1], ImportFailure) and results[1].path == bad
    assert "bad.jpg is not a JPEG, PNG, WebP, GIF or TIFF picture" in results[1].message
    assert isinstance(results[3], ImportFailure) and "empty" in results[3].message
    assert isinstance(results[2], PreparedImage)
    assert results[2].metadata.creator == "Bjørn Erik Pedersen"
    assert seen[-1] == (5, 5) and len(seen) == 5
    assert len(_files(tmp_path / "media")) == 3


def test_prepare_many_cancelled_before_start(tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    paths = [FIXTURES / "exiftool-IPTC.jpg", FIXTURES / "pillow-iptc.jpg"]
    results = prepare_many(paths, tmp_path / "media", tmp_path / "thumbs", workers=2, cancel=cancel)
    assert [r.message for r in results if isinstance(r, ImportFailure)] == ["cancelled"] * 2
    assert _files(tmp_path / "media") == []


def test_prepare_many_cancel_midway(tmp_path: Path) -> None:
    cancel = threading.Event()
    srcs = []
    for i in range(12):
        src = tmp_path / f"p{i}.jpg"
        Image.new("RGB", (64, 64), (i * 20, 0, 0)).save(src, "JPEG")
        srcs.append(src)

    def progress(done: int, total: int) -> None:
        if done == 1:
            cancel.set()

    results = prepare_many(
        srcs, tmp_path / "media", tmp_path / "t", workers=2, progress=progress, cancel=cancel
    )
    assert len(results) == 12
    imported = [r for r in results if isinstance(r, PreparedImage)]
    cancelled = [r for r in results if isinstance(r, ImportFailure)]
    assert imported and cancelled
    assert all(r.message == "cancelled" for r in cancelled)
    assert len(_files(tmp_path / "media")) == len(imported)


def test_read_metadata_raises_for_non_image(tmp_path: Path) -> None:
    src = tmp_path / "x.webp"
    src.write_bytes(b"RIFF0000WEBPnonsense")
    with pytest.raises(ImageError, match="x.webp"):
        read_metadata(src)


def test_images_package_is_qt_free() -> None:
    code = (
        "import sys, newsdesk.images as m\n"
        "m.read_metadata(sys.argv[1])\n"
        "bad = [n for n in sys.modules if n.startswith(('PySide6', 'shiboken6', 'newsdesk.ui',"
        " 'newsdesk.library'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(FIXTURES / "exiftool-MWG.jpg")], check=True, timeout=60
    )


def test_tiff_imports_with_metadata(tmp_path: Path) -> None:
    src = tmp_path / "scan.tiff"
    xmp = (
        b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>"
        b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
        b"<rdf:Description rdf:about='' xmlns:photoshop='http://ns.adobe.com/photoshop/1.0/'>"
        b"<photoshop:Credit>Archive Desk</photoshop:Credit></rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    Image.new("RGB", (30, 20), "white").save(
        src, "TIFF", tiffinfo={270: "Harbour at night", 700: xmp}
    )
    result = prepare_image(src, tmp_path / "media", tmp_path / "thumbs")
    assert (result.format, result.ext, result.mime) == ("TIFF", ".tif", "image/tiff")
    assert result.metadata.caption == "Harbour at night"
    assert result.metadata.credit == "Archive Desk"
