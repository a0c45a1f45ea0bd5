"""Pictures as their files say: IIM encodings, camera filler, GPS in any form, dates with time and zone,
title, instructions and keywords."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from newsdesk.images import Credits, make_renditions, make_thumbnail, read_metadata
from newsdesk.images.library_import import import_image
from newsdesk.images.values import is_filler
from newsdesk.library import Library

from .picture_files import alt, gps_exif, iim, jpeg, xmp

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "images"

# What an older newsroom tool on Windows writes: cp1252 bytes, no 1:90 record.
CP1252_CAPTION = b"\x93Rates rise\x94 \x96 the bank\x92s \x80100bn plan \x85"
CP1252_TEXT = "\u201cRates rise\u201d \u2013 the bank\u2019s \u20ac100bn plan \u2026"


def test_windows_1252_iim_keeps_curly_quotes_dashes_and_euro(tmp_path: Path) -> None:
    src = jpeg(
        tmp_path / "wire.jpg",
        iim_block=iim((2, 120, CP1252_CAPTION), (2, 110, b"Agence \x96 Photo"), (2, 80, b"Zo\xeb")),
    )
    md = read_metadata(src)
    assert md.caption == CP1252_TEXT
    assert md.credit == "Agence \u2013 Photo"
    assert md.creator == "Zo\u00eb"
    # No C1 control characters (what a Latin-1 reading makes of 0x80-0x9F).
    assert not any("\x80" <= ch <= "\x9f" for ch in md.caption + md.credit)


def test_windows_1252_caption_reaches_the_library_and_the_rendition_xmp(tmp_path: Path) -> None:
    src = jpeg(tmp_path / "wire.jpg", iim_block=iim((2, 120, CP1252_CAPTION)), size=(300, 200))
    with Library.open(tmp_path / "lib") as library:
        image = import_image(library, src)
        assert library.get_image(image.id).caption == CP1252_TEXT
        out = make_renditions(
            library.media_path(image),
            tmp_path / "r",
            credits=Credits(caption=image.caption, credit="Desk"),
            widths=(100,),
        )
    for r in out:
        assert read_metadata(r.path).caption == CP1252_TEXT


def test_utf8_iim_without_charset_record_is_read_as_utf8(tmp_path: Path) -> None:
    src = jpeg(tmp_path / "u.jpg", iim_block=iim((2, 120, "Bjørn’s “café” €5".encode())))
    assert read_metadata(src).caption == "Bjørn’s “café” €5"


def test_iim_declared_utf8_is_read_as_utf8(tmp_path: Path) -> None:
    block = iim((1, 90, b"\x1b%G"), (2, 120, "Ça va – oui".encode()))
    assert read_metadata(jpeg(tmp_path / "d.jpg", iim_block=block)).caption == "Ça va – oui"


def test_cp1252_undefined_bytes_are_dropped_not_shown_as_controls(tmp_path: Path) -> None:
    src = jpeg(tmp_path / "odd.jpg", iim_block=iim((2, 120, b"A\x81B\x8dC \x93D\x94")))
    assert read_metadata(src).caption == "ABC \u201cD\u201d"


FILLER = [
    "KONICA MINOLTA DIGITAL CAMERA",
    "SAMSUNG CAMERA PICTURES",
    "LEAD Technologies Inc. V1.01",
    "OLYMPUS DIGITAL CAMERA         ",
    "SONY DSC",
    "000015",
    "DSC_0042",
    "   ",
]


@pytest.mark.parametrize("filler", FILLER)
def test_camera_filler_never_hides_the_real_xmp_caption(tmp_path: Path, filler: str) -> None:
    exif = Image.Exif()
    exif[270] = filler
    exif[315] = "Jo Snapper"
    packet = xmp(f"<dc:description>{alt('Firefighters at the Elm Street blaze')}</dc:description>")
    md = read_metadata(jpeg(tmp_path / "f.jpg", exif=exif, xmp_packet=packet))
    assert md.caption == "Firefighters at the Elm Street blaze"
    assert md.creator == "Jo Snapper"  # a real EXIF Artist still wins (MWG)


@pytest.mark.parametrize("filler", FILLER)
def test_camera_filler_never_hides_the_real_iim_caption(tmp_path: Path, filler: str) -> None:
    exif = Image.Exif()
    exif[270] = filler
    block = iim((2, 120, b"Council votes on the budget"))
    md = read_metadata(jpeg(tmp_path / "f.jpg", exif=exif, iim_block=block))
    assert md.caption == "Council votes on the budget"


@pytest.mark.parametrize("filler", FILLER)
def test_camera_filler_alone_is_no_caption(tmp_path: Path, filler: str) -> None:
    exif = Image.Exif()
    exif[270] = filler
    # Some tools copy the EXIF filler into XMP and IIM too: still no caption.
    packet = xmp(f"<dc:description>{alt(filler.strip() or 'x')}</dc:description>")
    if not filler.strip():
        packet = None
    block = iim((2, 120, filler.encode()))
    md = read_metadata(jpeg(tmp_path / "f.jpg", exif=exif, xmp_packet=packet, iim_block=block))
    assert md.caption == ""


def test_a_real_caption_that_mentions_a_camera_is_kept(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[270] = "Sony DSC cameras on show at the Berlin fair"
    assert read_metadata(jpeg(tmp_path / "c.jpg", exif=exif)).caption == (
        "Sony DSC cameras on show at the Berlin fair"
    )
    assert not is_filler("Photo of the year: 000015 votes")
    assert is_filler("SAMSUNG CAMERA PICTURES")


def _assert_no_gps(path: Path) -> None:
    with Image.open(path) as im:
        assert len(im.getexif().get_ifd(0x8825)) == 0
        assert 0x8825 not in im.getexif()
    data = path.read_bytes()
    assert b"GPS" not in data
    assert read_metadata(path).gps is None


def _gps_exif(lat, lat_ref, lon, lon_ref) -> bytes:
    def typed(value):
        if isinstance(value, tuple):  # degrees, minutes, seconds as rationals over 100
            return tuple((round(v * 100), 100) for v in value)
        return value

    entries = {2: typed(lat), 4: typed(lon)}
    if lat_ref:
        entries[1] = lat_ref
    if lon_ref:
        entries[3] = lon_ref
    return gps_exif(entries)


@pytest.mark.parametrize(
    ("lat", "lat_ref", "lon", "lon_ref", "expected"),
    [
        ((51.0, 30.0, 26.64), "N", (0.0, 7.0, 39.84), "W", (51.5074, -0.1277)),
        ("51.5074", "N", "0.1277", "W", (51.5074, -0.1277)),
        ("51 30 26.64", "N", "0 7 39.84", "W", (51.5074, -0.1277)),
        ("33deg 52' 8.4\"", "S", "151deg 12' 36\"", "E", (-33.869, 151.21)),
        ("-33.869", "", "151.21", "", (-33.869, 151.21)),
    ],
)
def test_gps_in_any_exif_form_is_found_and_stripped_from_renditions(
    tmp_path: Path, lat, lat_ref, lon, lon_ref, expected
) -> None:
    src = jpeg(tmp_path / "gps.jpg", exif=_gps_exif(lat, lat_ref, lon, lon_ref), size=(300, 200))
    md = read_metadata(src)
    assert md.gps is not None
    assert md.gps == pytest.approx(expected, abs=1e-4)
    for r in make_renditions(src, tmp_path / "r", credits=Credits(caption="c"), widths=(120,)):
        _assert_no_gps(r.path)
    _assert_no_gps(make_thumbnail(src, tmp_path / "t", size=64))


def test_gps_in_xmp_is_found_and_stripped_from_renditions(tmp_path: Path) -> None:
    packet = xmp(
        "<exif:GPSLatitude>51,30.444N</exif:GPSLatitude>"
        "<exif:GPSLongitude>0,7.664W</exif:GPSLongitude>"
    )
    src = jpeg(tmp_path / "x.jpg", xmp_packet=packet, size=(300, 200))
    assert read_metadata(src).gps == pytest.approx((51.5074, -0.12773), abs=1e-4)
    for r in make_renditions(src, tmp_path / "r", credits=Credits(caption="c"), widths=(120,)):
        _assert_no_gps(r.path)


@pytest.mark.parametrize("lat", ["", "north", "95.0", "51,75.0N", "nan", "51 61 0"], ids=repr)
def test_impossible_gps_is_ignored(tmp_path: Path, lat) -> None:
    src = jpeg(tmp_path / "bad.jpg", exif=_gps_exif(lat, "N", "0.5", "E"))
    md = read_metadata(src)
    assert md.gps is None
    assert md.warnings == []


def test_iim_date_keeps_time_and_zone(tmp_path: Path) -> None:
    block = iim((2, 55, b"20040226"), (2, 60, b"143005+0500"))
    assert read_metadata(jpeg(tmp_path / "d.jpg", iim_block=block)).date_created == (
        "2004-02-26T14:30:05+05:00"
    )


def test_xmp_date_keeps_time_and_zone(tmp_path: Path) -> None:
    for prop in ("photoshop:DateCreated", "Iptc4xmpCore:DateCreated"):
        packet = xmp(f"<{prop}>2017-10-27T08:38:52.25-04:00</{prop}>")
        md = read_metadata(jpeg(tmp_path / "x.jpg", xmp_packet=packet))
        assert md.date_created == "2017-10-27T08:38:52-04:00"


def test_exif_date_keeps_time_and_offset(tmp_path: Path) -> None:
    exif = Image.Exif()
    ifd = exif.get_ifd(0x8769)
    ifd[36867] = "2021:06:01 23:59:01"
    ifd[36881] = "+09:30"
    assert read_metadata(jpeg(tmp_path / "e.jpg", exif=exif)).date_created == (
        "2021-06-01T23:59:01+09:30"
    )


@pytest.mark.parametrize(
    ("date", "time", "expected"),
    [
        (b"20040226", b"", "2004-02-26"),
        (b"20040226", b"1430", "2004-02-26T14:30:00"),
        (b"20040226", b"250000+0000", "2004-02-26"),
        (b"20040226", b"143000+9900", "2004-02-26T14:30:00"),
        (b"20040200", b"143000+0100", "2004-02"),
        (b"garbage!", b"143000", ""),
    ],
)
def test_odd_iim_dates_keep_only_what_is_sound(tmp_path: Path, date, time, expected) -> None:
    datasets = [(2, 55, date)] + ([(2, 60, time)] if time else [])
    md = read_metadata(jpeg(tmp_path / "o.jpg", iim_block=iim(*datasets)))
    assert md.date_created == expected


def test_title_instructions_and_keywords_from_iim_reach_the_library(tmp_path: Path) -> None:
    block = iim(
        (2, 5, b"Budget vote"),
        (2, 40, b"MANDATORY CREDIT; EMBARGOED UNTIL 2025-03-01 00:01 GMT"),
        (2, 25, b"politics"),
        (2, 25, b"budget"),
        (2, 25, b"parliament"),
        (2, 25, b"budget"),
    )
    src = jpeg(tmp_path / "k.jpg", iim_block=block)
    md = read_metadata(src)
    assert md.title == "Budget vote"
    assert md.instructions.startswith("MANDATORY CREDIT")
    assert md.keywords == ["politics", "budget", "parliament"]
    with Library.open(tmp_path / "lib") as library:
        image = library.get_image(import_image(library, src).id)
        assert image.title == "Budget vote"
        assert image.instructions == "MANDATORY CREDIT; EMBARGOED UNTIL 2025-03-01 00:01 GMT"
        assert image.keywords == "politics\nbudget\nparliament"
        assert [i.id for i in library.list_images(query="parliament")] == [image.id]
        edited = library.update_image(image.id, title="New title", keywords="a\nb")
        assert (edited.title, edited.keywords) == ("New title", "a\nb")


def test_title_instructions_and_keywords_from_xmp(tmp_path: Path) -> None:
    packet = xmp(
        f"<dc:title>{alt('Harbour at dawn')}</dc:title>"
        "<photoshop:Instructions>Mandatory credit: Port Authority</photoshop:Instructions>"
        "<dc:subject><rdf:Bag><rdf:li>harbour</rdf:li><rdf:li>dawn</rdf:li></rdf:Bag></dc:subject>"
    )
    md = read_metadata(jpeg(tmp_path / "x.jpg", xmp_packet=packet))
    assert md.title == "Harbour at dawn"
    assert md.instructions == "Mandatory credit: Port Authority"
    assert md.keywords == ["harbour", "dawn"]


def test_corpus_iim_keywords() -> None:
    md = read_metadata(FIXTURES / "exiftool-IPTC.jpg")
    assert md.keywords == ["ExifTool", "Test", "IPTC"]
    assert md.title == "Test IPTC picture"
    assert md.instructions == "What instructions"
