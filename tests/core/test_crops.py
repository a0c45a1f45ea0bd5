"""Focal points and crop boxes: the automatic crop follows the focal point; renditions come out in each ratio."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image as PILImage

from benchmarks.generate import sample_photo
from newsdesk.crops import (
    OG,
    RATIOS,
    Box,
    auto_crop,
    crop_for,
    dump_crops,
    fit_box,
    narrow_ratios,
    parse_crops,
)
from newsdesk.images import Credits
from newsdesk.images.cropped import make_crop_renditions
from newsdesk.images.library_import import import_image
from newsdesk.images.xmp import parse_xmp
from newsdesk.library import Library
from newsdesk.library.framing import FramingError

CORPUS = Path("/work/shared/corpus/images")
ROOT = Path(__file__).resolve().parents[2]


def test_the_automatic_crop_is_the_largest_box_of_the_ratio_around_the_focal_point():
    centred = auto_crop(6000, 4000, (16, 9))
    assert (centred.w, centred.h) == (6000, 3375)
    assert centred.y == 312  # (4000 - 3375) / 2, rounded
    square_left = auto_crop(6000, 4000, (1, 1), (0.1, 0.5))
    assert (square_left.w, square_left.h) == (4000, 4000)
    assert square_left.x == 0  # as near the focal point as fits: against the left edge
    square_mid = auto_crop(6000, 4000, (1, 1), (0.6, 0.5))
    assert square_mid.x == round(0.6 * 6000 - 2000)
    portrait = auto_crop(2000, 3000, (16, 9), (0.5, 0.2))
    assert (portrait.w, portrait.h) == (2000, 1125)
    assert portrait.y == 38  # 600 - 1125 / 2, rounded


def test_the_focal_point_moves_the_automatic_crop_and_a_stored_box_wins(tmp_path):
    lib = Library.open(tmp_path / "lib")
    photo = sample_photo(tmp_path / "wide.jpg", 3000, 2000, seed=4)
    image = import_image(lib, photo)
    before = crop_for(lib.get_image(image.id), "1:1")
    assert before.x == 500  # centred
    lib.set_framing(image.id, focal=(0.95, 0.5))
    after = crop_for(lib.get_image(image.id), "1:1")
    assert after.x == 1000  # pushed right, against the edge
    own = Box(100, 50, 1600, 900)
    undo = lib.set_framing(image.id, crops={"16:9": own})
    assert crop_for(lib.get_image(image.id), "16:9") == own
    assert crop_for(lib.get_image(image.id), "4:3").w == 2667  # the others stay automatic
    lib.restore_framing(image.id, undo)
    again = lib.get_image(image.id)
    assert (again.focal_x, again.focal_y) == (0.95, 0.5)
    assert crop_for(again, "16:9") != own


def test_a_box_that_does_not_fit_the_picture_or_its_ratio_changes_nothing(tmp_path):
    lib = Library.open(tmp_path / "lib")
    image = import_image(lib, sample_photo(tmp_path / "p.jpg", 1600, 1000, seed=2))
    with pytest.raises(FramingError, match="does not fit inside the picture"):
        lib.set_framing(image.id, crops={"1:1": Box(800, 0, 1000, 1000)})
    with pytest.raises(FramingError, match="does not fit"):
        lib.set_framing(image.id, crops={"16:9": Box(0, 0, 800, 800)})
    with pytest.raises(FramingError, match="no crop ratio"):
        lib.set_framing(image.id, crops={"3:2": Box(0, 0, 300, 200)})
    assert lib.get_image(image.id).crops == ""
    # A hostile focal point is clamped into the picture, never stored as is.
    lib.set_framing(image.id, focal=(7.0, float("nan")))
    stored = lib.get_image(image.id)
    assert (stored.focal_x, stored.focal_y) == (1.0, 0.5)


def test_stored_crops_that_are_damaged_fall_back_to_the_automatic_crop():
    assert parse_crops('{"16:9": [0, 0, "a", 9], "1:1": [1, 2, 3, 3], "x": [1,1,1,1]}') == {
        "1:1": Box(1, 2, 3, 3)
    }
    assert parse_crops("not json") == {}
    assert parse_crops("[1, 2]") == {}
    assert dump_crops({}) == ""

    class Pic:
        width, height, focal_x, focal_y = 1000, 500, 0.5, 0.5
        crops = '{"1:1": [900, 0, 500, 500]}'  # hangs off the right edge: ignored

    assert crop_for(Pic(), "1:1") == Box(250, 0, 500, 500)


def test_a_dragged_box_keeps_its_ratio_and_stays_inside():
    box = fit_box(1000, 600, (4, 3), x=900, y=-40, w=5000)
    assert box == Box(200, 0, 800, 600)
    assert fit_box(0, 0, (1, 1), 0, 0, 10) is None


@pytest.mark.parametrize("name", [*RATIOS, OG])
def test_crops_make_renditions_of_the_right_ratio_and_size(tmp_path, name):
    src = sample_photo(tmp_path / "big.jpg", 4000, 3000, seed=9)
    credits = Credits(caption="Dawn over the quay", credit="Ana Ruiz / Gazette")
    box = auto_crop(4000, 3000, {**RATIOS, OG: (1200, 630)}[name], (0.3, 0.4))
    made = make_crop_renditions(src, tmp_path / "out", {name: box}, credits=credits)
    r = made[name]
    with PILImage.open(r.path) as im:
        assert im.format == "JPEG"
        assert im.size == (r.width, r.height)
        xmp = parse_xmp(im.info["xmp"])
    expected = {"16:9": (1200, 675), "4:3": (1200, 900), "1:1": (1200, 1200), OG: (1200, 630)}
    assert (r.width, r.height) == expected[name]
    assert any("Dawn over the quay" in str(v) for v in xmp.values())


def test_a_new_crop_makes_new_files_and_the_same_crop_reuses_them(tmp_path):
    src = sample_photo(tmp_path / "big.jpg", 2400, 1600, seed=3)
    out = tmp_path / "out"
    first = make_crop_renditions(src, out, {"1:1": Box(0, 0, 1600, 1600)}, credits=Credits())
    mtime = first["1:1"].path.stat().st_mtime_ns
    same = make_crop_renditions(src, out, {"1:1": Box(0, 0, 1600, 1600)}, credits=Credits())
    assert same["1:1"].path == first["1:1"].path
    assert same["1:1"].path.stat().st_mtime_ns == mtime
    moved = make_crop_renditions(src, out, {"1:1": Box(800, 0, 1600, 1600)}, credits=Credits())
    assert moved["1:1"].path != first["1:1"].path
    assert first["1:1"].path.exists()  # a page already published still finds its file


def test_the_crop_is_cut_from_the_upright_picture(tmp_path):
    # EXIF orientation 6: the stored pixels are turned; boxes are in displayed pixels.
    src = shutil.copy(CORPUS / "pillow-hopper_orientation_6.jpg", tmp_path / "turned.jpg")
    with PILImage.open(src) as im:
        im.load()
        left = im.transpose(PILImage.Transpose.ROTATE_270)  # what the reader sees
    box = Box(0, 0, 64, 64)
    made = make_crop_renditions(src, tmp_path / "out", {"1:1": box}, credits=Credits())
    with PILImage.open(made["1:1"].path) as out:
        got = out.convert("RGB").resize((4, 4)).getpixel((1, 1))
    want = left.crop((0, 0, 64, 64)).convert("RGB").resize((4, 4)).getpixel((1, 1))
    assert all(abs(a - b) < 40 for a, b in zip(got, want, strict=True))


def test_a_small_original_cannot_reach_1200_px_in_every_ratio(tmp_path):
    class Pic:
        width, height, focal_x, focal_y, crops = 1400, 900, 0.5, 0.5, ""

    assert narrow_ratios(Pic()) == [("1:1", 900)]  # 16:9 is 1400 wide, 4:3 exactly 1200
    made = make_crop_renditions(
        sample_photo(tmp_path / "small.jpg", 1400, 900, seed=1),
        tmp_path / "out",
        {"1:1": crop_for(Pic(), "1:1")},
        credits=Credits(),
    )
    assert (made["1:1"].width, made["1:1"].height) == (900, 900)  # never upscaled
