"""Full-size copies of originals (or XMP sidecars beside them) carrying the library's corrected fields.

The photo desk corrects captions, credits and rights in the library; an agency
or an archive needs the original file with those corrections inside it. Each
copy gets the same values in EXIF, IPTC-IIM (UTF-8, declared in 1:90) and XMP,
so whichever block a reader prefers it sees the same words; a field the library
has emptied is removed from all three rather than left stale in one. The
library's own files are never opened for writing: pyexiv2 (Exiv2, a maintained
metadata writer) edits a temporary copy in the destination folder, which then
replaces the target in one rename.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from .model import ImageError

# 1:90 "coded character set": ESC % G declares UTF-8 for the IIM block.
IIM_UTF8 = "\x1b%G"
X_DEFAULT = 'lang="x-default"'
# An empty packet that Exiv2 opens as an XMP sidecar and then fills in.
EMPTY_XMP = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"/>\n<?xpacket end="w"?>'
)
# Formats whose files Exiv2 can write all three blocks into (WebP has no place for
# IIM: EXIF and XMP only); anything else (GIF) gets a copy plus a sidecar.
EMBEDS = {".jpg": "all", ".png": "all", ".tif": "all", ".webp": "exif+xmp"}


@dataclass
class OriginalFields:
    """The photo-desk fields a copy carries, as the library holds them after correction."""

    caption: str = ""
    creators: list[str] = field(default_factory=list)
    credit: str = ""
    copyright: str = ""
    source: str = ""
    usage_terms: str = ""
    alt_text: str = ""
    headline: str = ""
    title: str = ""
    instructions: str = ""
    city: str = ""
    country: str = ""
    keywords: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, image: Any) -> OriginalFields:
        """From a library Image record (creators are stored "; "-joined, keywords one a line)."""

        def text(name: str) -> str:
            return (getattr(image, name, "") or "").strip()

        return cls(
            caption=text("caption"),
            creators=[c.strip() for c in text("creator").split(";") if c.strip()],
            credit=text("credit"),
            copyright=text("copyright"),
            source=text("source"),
            usage_terms=text("usage_terms"),
            alt_text=text("alt_text"),
            headline=text("headline"),
            title=text("title"),
            instructions=text("instructions"),
            city=text("city"),
            country=text("country"),
            keywords=[k.strip() for k in text("keywords").splitlines() if k.strip()],
        )


def _or_none(value: str) -> str | None:
    # None tells pyexiv2 to delete the tag: an emptied field must not survive in one block.
    return value or None


def _alt(value: str) -> dict[str, str] | None:
    return {X_DEFAULT: value} if value else None


def exif_values(f: OriginalFields) -> dict[str, Any]:
    return {
        "Exif.Image.ImageDescription": _or_none(f.caption),
        "Exif.Image.Artist": _or_none("; ".join(f.creators)),
        "Exif.Image.Copyright": _or_none(f.copyright),
    }


def iptc_values(f: OriginalFields) -> dict[str, Any]:
    return {
        "Iptc.Envelope.CharacterSet": IIM_UTF8,
        "Iptc.Application2.Caption": _or_none(f.caption),
        "Iptc.Application2.Byline": f.creators or None,
        "Iptc.Application2.Credit": _or_none(f.credit),
        "Iptc.Application2.Copyright": _or_none(f.copyright),
        "Iptc.Application2.Source": _or_none(f.source),
        "Iptc.Application2.Headline": _or_none(f.headline),
        "Iptc.Application2.ObjectName": _or_none(f.title),
        "Iptc.Application2.SpecialInstructions": _or_none(f.instructions),
        "Iptc.Application2.City": _or_none(f.city),
        "Iptc.Application2.CountryName": _or_none(f.country),
        "Iptc.Application2.Keywords": f.keywords or None,
    }


def xmp_values(f: OriginalFields) -> dict[str, Any]:
    return {
        "Xmp.dc.description": _alt(f.caption),
        "Xmp.dc.creator": f.creators or None,
        "Xmp.photoshop.Credit": _or_none(f.credit),
        "Xmp.dc.rights": _alt(f.copyright),
        "Xmp.photoshop.Source": _or_none(f.source),
        "Xmp.xmpRights.UsageTerms": _alt(f.usage_terms),
        # Exiv2 spells the IPTC Core namespace's prefix "iptc" (Iptc4xmpCore).
        "Xmp.iptc.AltTextAccessibility": _alt(f.alt_text),
        "Xmp.photoshop.Headline": _or_none(f.headline),
        "Xmp.dc.title": _alt(f.title),
        "Xmp.photoshop.Instructions": _or_none(f.instructions),
        "Xmp.photoshop.City": _or_none(f.city),
        "Xmp.photoshop.Country": _or_none(f.country),
        "Xmp.dc.subject": f.keywords or None,
        # XMP's mirrors of the EXIF fields: stale copies here would contradict the rest.
        "Xmp.tiff.ImageDescription": None,
        "Xmp.tiff.Artist": None,
        "Xmp.tiff.Copyright": None,
    }


def _pyexiv2():
    try:
        import pyexiv2
    except ImportError as exc:  # a broken install, not bad input
        raise ImageError(
            "The metadata writer (pyexiv2) is not installed; reinstall newsdesk to export originals."
        ) from exc
    return pyexiv2


def write_embedded(path: Path, fields: OriginalFields, *, iim: bool = True) -> None:
    """Write EXIF, IIM (when the format has room for it) and XMP into the file at `path`."""
    pyexiv2 = _pyexiv2()
    with pyexiv2.Image(str(path)) as img:
        img.modify_exif(exif_values(fields))
        if iim:
            img.modify_iptc(iptc_values(fields), encoding="utf-8")
        img.modify_xmp(xmp_values(fields))
    if iim:
        fix_iptc_digest(path)


def write_sidecar(path: Path, fields: OriginalFields) -> None:
    """Write an XMP sidecar (a standalone .xmp file) holding the fields."""
    pyexiv2 = _pyexiv2()
    path.write_text(EMPTY_XMP, encoding="utf-8")
    values = {k: v for k, v in xmp_values(fields).items() if v is not None}
    with pyexiv2.Image(str(path)) as img:
        img.modify_xmp(values)


def fix_iptc_digest(path: Path) -> None:
    """Bring a JPEG's Photoshop IPTC digest (IRB 0x0425) in line with its IIM block.

    Exiv2 rewrites the IIM but leaves a digest an earlier tool stored; MWG
    readers (Photoshop, Lightroom, our own import) would then take the IIM for
    an outside edit. The digest is 16 bytes, so it is patched in place.
    """
    data = bytearray(path.read_bytes())
    if data[:2] != b"\xff\xd8":  # not a JPEG (TIFF keeps its resources in a tag)
        return
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker, size = data[pos + 1], int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker in (0xDA, 0xD9):  # image data starts: no more metadata segments
            return
        body = pos + 4
        if marker == 0xED and data[body : body + 14] == b"Photoshop 3.0\x00":
            blocks = _irb_blocks(data, body + 14, pos + 2 + size)
            if 0x0404 in blocks and 0x0425 in blocks:
                start, end = blocks[0x0404]
                d_start, d_end = blocks[0x0425]
                if d_end - d_start == 16:
                    data[d_start:d_end] = hashlib.md5(bytes(data[start:end])).digest()
                    path.write_bytes(bytes(data))
            return
        pos += 2 + size


def _irb_blocks(data: bytearray, pos: int, end: int) -> dict[int, tuple[int, int]]:
    """Photoshop resources ('8BIM', id, Pascal name, size, data) as {id: (start, end)}."""
    out: dict[int, tuple[int, int]] = {}
    while pos + 12 <= end and data[pos : pos + 4] == b"8BIM":
        rid = int.from_bytes(data[pos + 4 : pos + 6], "big")
        name_len = data[pos + 6]
        pos += 6 + ((name_len + 2) & ~1)  # the name and its length byte, padded to even
        size = int.from_bytes(data[pos : pos + 4], "big")
        out[rid] = (pos + 4, pos + 4 + size)
        pos += 4 + size + (size & 1)
    return out


# --- exporting ---------------------------------------------------------------

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_stem(original_name: str, fallback: str) -> str:
    """A file name stem from the picture's original name, safe on every file system."""
    stem = Path(original_name.replace("\\", "/")).stem if original_name else ""
    stem = _UNSAFE.sub("-", stem).strip(" .-")[:120]
    return stem or fallback


@dataclass
class ExportedOriginal:
    """One picture written: the file (and the sidecar, when one was written)."""

    uid: str
    path: Path
    sidecar: Path | None = None
    note: str = ""  # e.g. why a format got a sidecar beside its copy


@dataclass
class OriginalsReport:
    written: list[ExportedOriginal] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # one sentence each; the rest went on


def _atomic_copy(src: Path, dest: Path, edit=None) -> None:
    """Copy src to dest through a temporary file in dest's folder, edited before the rename."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(src, tmp)
        if edit is not None:
            edit(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def export_originals(
    library: Any, images: Iterable[Any], out_dir: Path, *, sidecars: bool = False
) -> OriginalsReport:
    """Write each picture's original, full size, into out_dir with the library's fields.

    With `sidecars`, the original is copied byte for byte and NAME.xmp beside it
    holds the fields. A picture whose file is missing is reported and skipped.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = OriginalsReport()
    taken: set[str] = set()
    for image in images:
        src = Path(library.media_path(image))
        if not src.is_file():
            report.problems.append(
                f"The file of {image.original_name or image.uid} is missing from the library's "
                "media folder; run `newsdesk repair` or import the picture again."
            )
            continue
        stem = safe_stem(image.original_name, image.sha256[:12])
        # Unique by stem (case-folded), so NAME.xmp never serves two pictures.
        base, n = stem, 2
        while stem.casefold() in taken:
            stem, n = f"{base}-{n}", n + 1
        taken.add(stem.casefold())
        ext = image.ext.lower()
        dest = out_dir / f"{stem}{ext}"
        fields = OriginalFields.of(image)
        embeds = None if sidecars else EMBEDS.get(ext)
        try:
            if embeds is None:
                _atomic_copy(src, dest)
                sidecar = out_dir / f"{stem}.xmp"
                _atomic_copy_text(sidecar, fields)
                note = (
                    ""
                    if sidecars
                    else f"{dest.name}: this format cannot carry metadata; it is in {sidecar.name}."
                )
                report.written.append(ExportedOriginal(image.uid, dest, sidecar, note))
            else:
                iim = embeds == "all"
                _atomic_copy(src, dest, partial(write_embedded, fields=fields, iim=iim))
                report.written.append(ExportedOriginal(image.uid, dest))
        except RuntimeError as exc:  # Exiv2 refused the file (damaged metadata blocks)
            report.problems.append(
                f"The metadata of {image.original_name or image.uid} could not be rewritten "
                f"({exc}); export it with --sidecars instead."
            )
    return report


def _atomic_copy_text(dest: Path, fields: OriginalFields) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".xmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write_sidecar(tmp, fields)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def select_images(library: Any, query: str) -> list[Any]:
    """QUERY for `images export`: `all`, a picture's uid or SHA-256, its file name, or words."""
    query = query.strip()
    everything = library.list_images()
    if query.lower() == "all":
        return list(reversed(everything))  # oldest first: a stable order for the copies
    by_key = [i for i in everything if query in (i.uid, i.sha256)]
    if by_key:
        return by_key
    by_name = [i for i in everything if i.original_name and i.original_name == query]
    if not by_name:
        by_name = [i for i in everything if i.original_name.casefold() == query.casefold()]
    if by_name:
        return by_name
    return library.list_images(query=query) if query else []
