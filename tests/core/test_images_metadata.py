"""Metadata reading: the real-world corpus, MWG precedence, XMP encodings and damaged stores."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PIL import Image, PngImagePlugin

from newsdesk.images import ImageMetadata, read_metadata
from newsdesk.images.xmp import build_xmp, parse_xmp

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "images"


def _all_text(md: ImageMetadata) -> list[str]:
    values = [v for v in dataclasses.asdict(md).values() if isinstance(v, str)]
    return values + list(md.creators) + list(md.warnings)


def test_exiftool_iptc_iim_only() -> None:
    md = read_metadata(FIXTURES / "exiftool-IPTC.jpg")
    assert md.caption == "A witty caption"
    assert md.creator == "Phil Harvey"
    assert md.credit == "My Credit"
    assert md.source == "I'm the source"
    assert md.copyright == "Copyright 2004 Phil Harvey"
    assert md.headline == "No headline"
    assert md.title == "Test IPTC picture"
    assert md.city == "Kingston"
    assert md.country == "Canada"
    assert md.date_created == "2004-02-26"
    assert md.instructions == "What instructions"
    assert md.description_writer == "I wrote it"
    assert md.warnings == []


def test_exiftool_xmp_utf16_and_exif() -> None:
    md = read_metadata(FIXTURES / "exiftool-XMP.jpg")
    # EXIF ImageDescription wins over the XMP description (MWG).
    assert md.caption == "A witty caption"
    assert md.creator == "Phil Harvey"
    assert md.credit == "My Credit"
    assert md.source == "I'm the source"
    assert md.copyright == "Copyright 2004 Phil Harvey"
    assert md.city == "Kingston"
    assert md.country == "Canada"
    assert md.job_id == "What is a transmission reference?"
    assert md.warnings == []


def test_exiftool_photomechanic() -> None:
    md = read_metadata(FIXTURES / "exiftool-PhotoMechanic.jpg")
    assert md.caption == "Caption"
    assert md.creator == "Photographer"
    assert md.credit == "Credit"
    assert md.source == "Source"
    assert md.copyright == "Copyright"
    assert md.headline == "Headline"
    assert md.city == "kingston"
    assert md.country == "Country"
    assert md.job_id == "Trans ref"


def test_exiftool_mwg_precedence() -> None:
    md = read_metadata(FIXTURES / "exiftool-MWG.jpg")
    assert md.caption == "RIGHT-EXIF-Description"
    assert md.creators == ["RIGHT1of2-EXIF-Creator", "RIGHT2of2-EXIF-Creator"]
    assert md.creator == "RIGHT1of2-EXIF-Creator; RIGHT2of2-EXIF-Creator"
    assert md.copyright == "RIGHT-XMP-Copyright"
    assert md.city == "RIGHT-XMP-City"
    assert md.country == "RIGHT-IPTC-Country"
    assert md.orientation == 6
    assert not [v for v in _all_text(md) if "WRONG" in v]


def test_exiftool_fotostation_reads_empty() -> None:
    md = read_metadata(FIXTURES / "exiftool-FotoStation.jpg")
    assert md == ImageMetadata()


def test_pillow_hopper_orientation() -> None:
    md = read_metadata(FIXTURES / "pillow-hopper_orientation_6.jpg")
    assert md.orientation == 6


def test_pillow_iptc_location_only() -> None:
    md = read_metadata(FIXTURES / "pillow-iptc.jpg")
    assert md.city == "Budapest"
    assert md.country == "Hungary"
    assert md.caption == ""
    assert md.credit == ""


def test_pillow_icc_profile_big_reads() -> None:
    md = read_metadata(FIXTURES / "pillow-icc_profile_big.jpg")
    assert md.caption == "" and md.warnings == []


def test_bep_sunrise_webp_utf8() -> None:
    md = read_metadata(FIXTURES / "bep-sunrise.webp")
    assert md.headline == "Sunrise in Spain"
    assert md.creator == "Bjørn Erik Pedersen"
    assert md.copyright == "Bjørn Erik Pedersen"
    assert md.city == "Benalmádena"
    assert md.country == "Spain"
    # The file gives a time without a zone: kept, as local time.
    assert md.date_created == "2017-10-27T08:38:52"
    assert md.gps is not None
    lat, lon = md.gps
    assert 36 < lat < 37 and -5 < lon < -4  # southern Spain, west of Greenwich


def test_broken_xmp_is_ignored_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "broken-xmp.jpg"
    Image.new("RGB", (16, 16), "gray").save(
        path, "JPEG", xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF"
    )
    md = read_metadata(path)
    assert md.caption == ""
    assert len(md.warnings) == 1
    assert "broken-xmp.jpg" in md.warnings[0] and "XMP" in md.warnings[0]


def test_xmp_entities_refused_not_expanded(tmp_path: Path) -> None:
    # defusedxml must refuse entity tricks; the store is then ignored, not trusted.
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
        b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>&a;</x:xmpmeta>"
    )
    path = tmp_path / "entity.jpg"
    Image.new("RGB", (8, 8)).save(path, "JPEG", xmp=evil)
    md = read_metadata(path)
    assert md.warnings and "aaaa" not in "".join(_all_text(md)[:-1])


def test_xmp_roundtrip_escapes_and_lang_alt() -> None:
    packet = build_xmp(
        caption='Fish & chips <"quoted"> \x07bell',
        credit="Reuters",
        creator="Ann O'Neil; Bo Li",
        copyright="© 2024 News",
    )
    props = parse_xmp(packet)
    assert props[("http://purl.org/dc/elements/1.1/", "description")] == (
        'Fish & chips <"quoted"> bell'
    )
    assert props[("http://purl.org/dc/elements/1.1/", "creator")] == ["Ann O'Neil", "Bo Li"]


def test_xmp_utf16_little_endian_packet() -> None:
    packet = build_xmp(caption="Crème brûlée", credit="", creator="", copyright="")
    props = parse_xmp(packet.decode("utf-8").encode("utf-16-le"))
    assert props[("http://purl.org/dc/elements/1.1/", "description")] == "Crème brûlée"


def test_png_xmp_and_alt_text(tmp_path: Path) -> None:
    xmp = (
        "<x:xmpmeta xmlns:x='adobe:ns:meta/'>"
        "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
        "<rdf:Description rdf:about=''"
        " xmlns:Iptc4xmpCore='http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/'"
        " xmlns:xmpRights='http://ns.adobe.com/xap/1.0/rights/'"
        " xmlns:photoshop='http://ns.adobe.com/photoshop/1.0/'"
        " photoshop:Credit='Agency'>"
        "<Iptc4xmpCore:AltTextAccessibility><rdf:Alt>"
        "<rdf:li xml:lang='de'>Ein Hund</rdf:li>"
        "<rdf:li xml:lang='x-default'>A dog on a beach</rdf:li>"
        "</rdf:Alt></Iptc4xmpCore:AltTextAccessibility>"
        "<xmpRights:UsageTerms><rdf:Alt><rdf:li xml:lang='x-default'>One use only</rdf:li>"
        "</rdf:Alt></xmpRights:UsageTerms>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp)
    path = tmp_path / "dog.png"
    Image.new("RGB", (8, 8)).save(path, "PNG", pnginfo=info)
    md = read_metadata(path)
    assert md.alt_text == "A dog on a beach"
    assert md.usage_terms == "One use only"
    assert md.credit == "Agency"


def test_exif_latin1_artist_falls_back(tmp_path: Path) -> None:
    exif = Image.Exif()
    # Raw bytes so the file holds one Latin-1 byte 0xE9, which is not valid UTF-8.
    exif[315] = b"Jos\xe9 Ortega"
    exif[33432] = "(c) 2024 Jos\u00e9".encode()  # and a UTF-8 one beside it
    path = tmp_path / "latin1.jpg"
    Image.new("RGB", (8, 8)).save(path, "JPEG", exif=exif)
    md = read_metadata(path)
    assert md.creator == "José Ortega"
    assert md.copyright == "(c) 2024 José"
