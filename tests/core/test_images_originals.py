"""Originals handed on with the library's corrected metadata: EXIF, IIM and XMP in sync, read back by ExifTool."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from newsdesk.images import read_metadata
from newsdesk.images.library_import import import_image
from newsdesk.images.originals import export_originals, safe_stem, select_images
from newsdesk.library import Library

from .picture_files import alt, iim, jpeg, xmp

EXIFTOOL = shutil.which("exiftool")
# A missing ExifTool is a broken test machine (.ci/run installs it), never a skip.
assert EXIFTOOL, "ExifTool is needed: apt-get install libimage-exiftool-perl"

CAPTION = "Fishermen land the “first” catch in Málaga — €3/kg"
FIELDS = dict(
    caption=CAPTION,
    creator="Zoë Martín; Bo Lind",
    credit="Harbour Agency",
    copyright="© 2024 Zoë Martín",
    alt_text="Two men haul a net onto a wet quay at dawn",
    usage_terms="Editorial use only; no archive after 30 days",
)


def exiftool(path: Path) -> dict:
    out = subprocess.run(
        [EXIFTOOL, "-j", "-G1", "-a", "-charset", "iptc=utf8", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)[0]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def media_hashes(library: Library) -> dict[str, str]:
    return {p.name: sha(p) for p in library.media_dir.rglob("*") if p.is_file()}


def stale_wire_jpeg(path: Path) -> Path:
    """A wire picture whose EXIF, IIM and XMP all say something the desk then corrected."""
    exif = Image.Exif()
    exif[0x010E] = "OLD caption"
    exif[0x013B] = "Old Artist"
    exif[0x8298] = "Old copyright"
    return jpeg(
        path,
        size=(320, 200),
        iim_block=iim((2, 120, b"OLD caption"), (2, 80, b"Old Artist"), (2, 110, b"Old credit")),
        exif=exif,
        xmp_packet=xmp(f"<dc:description>{alt('OLD caption')}</dc:description>"),
    )


def corrected(library: Library, src: Path, **extra):
    image = import_image(library, src)
    return library.update_image(image.id, **{**FIELDS, **extra})


def assert_in_sync(tags: dict, *, iim: bool = True) -> None:
    assert tags["XMP-dc:Description"] == CAPTION
    assert tags["IFD0:ImageDescription"] == CAPTION
    assert tags["XMP-dc:Creator"] == ["Zoë Martín", "Bo Lind"]
    assert tags["XMP-photoshop:Credit"] == "Harbour Agency"
    assert tags["XMP-dc:Rights"] == "© 2024 Zoë Martín"
    assert tags["IFD0:Copyright"] == "© 2024 Zoë Martín"
    assert tags["XMP-iptcCore:AltTextAccessibility"] == FIELDS["alt_text"]
    assert tags["XMP-xmpRights:UsageTerms"] == FIELDS["usage_terms"]
    if iim:
        assert tags["IPTC:CodedCharacterSet"] == "UTF8"
        assert tags["IPTC:Caption-Abstract"] == CAPTION
        assert tags["IPTC:By-line"] == ["Zoë Martín", "Bo Lind"]
        assert tags["IPTC:Credit"] == "Harbour Agency"
        assert tags["IPTC:CopyrightNotice"] == "© 2024 Zoë Martín"
    assert "OLD caption" not in json.dumps(tags, ensure_ascii=False)


def test_an_exported_original_carries_the_corrected_fields_in_exif_iim_and_xmp(tmp_path):
    with Library.open(tmp_path / "lib") as library:
        image = corrected(library, stale_wire_jpeg(tmp_path / "wire.jpg"))
        before = media_hashes(library)
        report = export_originals(library, [image], tmp_path / "out")
        assert media_hashes(library) == before  # the library's originals are never touched
        [item] = report.written
        assert item.path == tmp_path / "out" / "wire.jpg" and item.sidecar is None
        tags = exiftool(item.path)
        assert_in_sync(tags)
        # No stale MWG digest: the IIM is not mistaken for an outside edit.
        assert tags.get("Photoshop:IPTCDigest") in (None, tags.get("File:CurrentIPTCDigest"))
        # Our own import reads back the same words, and the pixels are the original's.
        md = read_metadata(item.path)
        assert (md.caption, md.credit, md.alt_text) == (
            CAPTION,
            "Harbour Agency",
            FIELDS["alt_text"],
        )
        with Image.open(item.path) as a, Image.open(library.media_path(image)) as b:
            assert a.size == b.size == (320, 200) and a.tobytes() == b.tobytes()
        assert list((tmp_path / "out").iterdir()) == [item.path]  # no temporary left behind


def test_the_mwg_digest_a_tool_stored_is_brought_in_line_with_the_new_iim(tmp_path):
    src = stale_wire_jpeg(tmp_path / "wire.jpg")
    subprocess.run([EXIFTOOL, "-q", "-overwrite_original", "-IPTCDigest=new", str(src)], check=True)
    assert exiftool(src)["Photoshop:IPTCDigest"]
    with Library.open(tmp_path / "lib") as library:
        image = corrected(library, src)
        [item] = export_originals(library, [image], tmp_path / "out").written
        tags = exiftool(item.path)
        assert tags["Photoshop:IPTCDigest"] == tags["File:CurrentIPTCDigest"]
        assert_in_sync(tags)


@pytest.mark.parametrize(
    ("fmt", "ext", "iim_block"),
    [("PNG", ".png", True), ("TIFF", ".tif", True), ("WEBP", ".webp", False)],
)
def test_other_formats_carry_the_fields_their_format_has_room_for(tmp_path, fmt, ext, iim_block):
    src = tmp_path / f"harbour{ext}"
    Image.new("RGB", (120, 80), "navy").save(src, fmt)
    with Library.open(tmp_path / "lib") as library:
        image = corrected(library, src)
        [item] = export_originals(library, [image], tmp_path / "out").written
        assert item.path.suffix == ext
        assert_in_sync(exiftool(item.path), iim=iim_block)


def test_an_emptied_field_is_removed_from_every_block_not_left_stale_in_one(tmp_path):
    with Library.open(tmp_path / "lib") as library:
        image = corrected(library, stale_wire_jpeg(tmp_path / "wire.jpg"), caption="", creator="")
        [item] = export_originals(library, [image], tmp_path / "out").written
        tags = exiftool(item.path)
        for name in (
            "XMP-dc:Description",
            "IFD0:ImageDescription",
            "IPTC:Caption-Abstract",
            "IPTC:By-line",
            "IFD0:Artist",
            "XMP-dc:Creator",
        ):
            assert name not in tags, name
        assert tags["IPTC:Credit"] == "Harbour Agency"


def test_sidecars_sit_beside_byte_identical_originals(tmp_path):
    with Library.open(tmp_path / "lib") as library:
        image = corrected(library, stale_wire_jpeg(tmp_path / "wire.jpg"))
        [item] = export_originals(library, [image], tmp_path / "out", sidecars=True).written
        assert sha(item.path) == sha(library.media_path(image))
        assert item.sidecar == tmp_path / "out" / "wire.xmp"
        tags = exiftool(item.sidecar)
        assert tags["XMP-dc:Description"] == CAPTION
        assert tags["XMP-dc:Creator"] == ["Zoë Martín", "Bo Lind"]
        assert tags["XMP-photoshop:Credit"] == "Harbour Agency"
        assert tags["XMP-dc:Rights"] == FIELDS["copyright"]
        assert tags["XMP-iptcCore:AltTextAccessibility"] == FIELDS["alt_text"]
        assert tags["XMP-xmpRights:UsageTerms"] == FIELDS["usage_terms"]


def test_a_gif_gets_its_copy_and_a_sidecar_because_it_cannot_carry_metadata(tmp_path):
    src = tmp_path / "map.gif"
    Image.new("P", (40, 30)).save(src, "GIF")
    with Library.open(tmp_path / "lib") as library:
        image = corrected(library, src)
        [item] = export_originals(library, [image], tmp_path / "out").written
        assert sha(item.path) == sha(library.media_path(image))
        assert item.sidecar.name == "map.xmp" and "cannot carry" in item.note
        assert exiftool(item.sidecar)["XMP-dc:Description"] == CAPTION


def test_same_names_and_hostile_names_get_distinct_safe_files(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = jpeg(tmp_path / "a" / "photo.jpg", colour="red")
    two = jpeg(tmp_path / "b" / "photo.jpg", colour="blue")
    with Library.open(tmp_path / "lib") as library:
        images = [import_image(library, one), import_image(library, two)]
        report = export_originals(library, images, tmp_path / "out", sidecars=True)
        names = sorted(p.name for p in (tmp_path / "out").iterdir())
        assert names == ["photo-2.jpg", "photo-2.xmp", "photo.jpg", "photo.xmp"]
        assert len(report.written) == 2
    assert safe_stem("../../etc/passwd", "x") == "passwd"
    assert safe_stem("..\\..\\win.ini", "x") == "win"
    assert safe_stem("\x00\x01.jpg", "abc123") == "abc123"
    assert safe_stem('a:b*c?"d<e>|f.jpg', "x") == "a-b-c-d-e-f"


def test_query_finds_by_uid_file_name_words_or_all(tmp_path):
    with Library.open(tmp_path / "lib") as library:
        a = corrected(library, jpeg(tmp_path / "quay.jpg", colour="red"))
        b = import_image(library, jpeg(tmp_path / "market.jpg", colour="blue"))
        assert [i.uid for i in select_images(library, a.uid)] == [a.uid]
        assert [i.uid for i in select_images(library, "MARKET.jpg")] == [b.uid]
        assert [i.uid for i in select_images(library, "Harbour")] == [a.uid]
        assert {i.uid for i in select_images(library, "all")} == {a.uid, b.uid}
        assert select_images(library, "nothing-like-this") == []


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "newsdesk", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_images_export_on_the_command_line_with_a_relative_out_folder(tmp_path):
    with Library.open(tmp_path / "lib") as library:
        image = corrected(library, stale_wire_jpeg(tmp_path / "wire.jpg"))
        before = media_hashes(library)
    done = run_cli(
        "--library", "lib", "images", "export", image.uid, "--out", "handoff", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "handoff" / "wire.jpg")
    assert_in_sync(exiftool(tmp_path / "handoff" / "wire.jpg"))
    done = run_cli(
        "--library", "lib", "images", "export", "all", "--out", "side", "--sidecars", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "side").iterdir()) == ["wire.jpg", "wire.xmp"]
    with Library.open(tmp_path / "lib") as library:
        assert media_hashes(library) == before


def test_images_export_refuses_bad_queries_and_outputs_in_one_sentence(tmp_path):
    with Library.open(tmp_path / "lib") as library:
        import_image(library, jpeg(tmp_path / "wire.jpg"))
    (tmp_path / "afile").write_text("x")
    for args, words in (
        (("nope", "--out", "o"), "No picture matches 'nope'"),
        (("all", "--out", "afile"), "is a file"),
        (("all", "--out", "lib/media"), "inside the library's media folder"),
    ):
        done = run_cli("--library", "lib", "images", "export", *args, cwd=tmp_path)
        assert done.returncode == 2
        assert words in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


def test_a_picture_whose_file_went_missing_is_reported_and_the_rest_exported(tmp_path):
    with Library.open(tmp_path / "lib") as library:
        gone = import_image(library, jpeg(tmp_path / "gone.jpg", colour="red"))
        kept = import_image(library, jpeg(tmp_path / "kept.jpg", colour="blue"))
        library.media_path(gone).unlink()
    done = run_cli("--library", "lib", "images", "export", "all", "--out", "o", cwd=tmp_path)
    assert done.returncode == 1
    assert "gone.jpg is missing" in done.stderr and "Traceback" not in done.stderr
    assert [p.name for p in (tmp_path / "o").iterdir()] == ["kept.jpg"]
    assert kept.uid
