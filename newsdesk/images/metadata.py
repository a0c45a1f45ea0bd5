"""Reading caption, credit and the other photo-desk fields from IPTC-IIM, XMP and EXIF."""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from .model import ImageError, ImageMetadata
from .pixels import not_a_picture, unreadable
from .values import date_time, position, real_text, xmp_date_time
from .xmp import (
    DC,
    EXIF_NS,
    IPTC_CORE,
    PHOTOSHOP,
    XMP_RIGHTS,
    XmpError,
    XmpProps,
    parse_xmp,
    xmp_list,
    xmp_text,
)

# --- IPTC-IIM --------------------------------------------------------------

IRB_IIM = 0x0404  # Photoshop image resource holding the IIM block
IRB_DIGEST = 0x0425  # MD5 of the IIM block, written by MWG-aware tools

# IIM dataset numbers (record 2, the "application record").
IIM_TITLE = 5  # Object Name
IIM_KEYWORDS = 25  # repeatable
IIM_INSTRUCTIONS = 40
IIM_DATE = 55
IIM_TIME = 60  # HHMMSS±HHMM
IIM_CREATOR = 80  # By-line, repeatable
IIM_CITY = 90
IIM_COUNTRY = 101
IIM_JOB_ID = 103  # Original Transmission Reference
IIM_HEADLINE = 105
IIM_CREDIT = 110
IIM_SOURCE = 115
IIM_COPYRIGHT = 116
IIM_CAPTION = 120
IIM_WRITER = 122


@dataclass
class _Iim:
    """The parsed IIM block: datasets by (record, number), plus the raw bytes for the digest."""

    raw: bytes = b""
    datasets: dict[tuple[int, int], list[bytes]] = field(default_factory=dict)

    def _decode(self, value: bytes) -> str:
        charset = b"".join(self.datasets.get((1, 90), []))
        if b"\x1b%G" in charset:
            return value.decode("utf-8", errors="replace")
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            # No 1:90 and not UTF-8: what older newsroom tools write on Windows.
            # Latin-1 would turn its curly quotes, dashes and € into invisible
            # C1 control characters; the five bytes cp1252 leaves undefined are
            # dropped rather than shown as such characters.
            return value.decode("cp1252", errors="ignore")

    def text(self, dataset: int) -> str:
        values = self.datasets.get((2, dataset), [])
        return _clean(self._decode(values[0])) if values else ""

    def texts(self, dataset: int) -> list[str]:
        out = [_clean(self._decode(v)) for v in self.datasets.get((2, dataset), [])]
        return [v for v in out if v]


def parse_iim(raw: bytes) -> _Iim:
    """Walk IIM datasets (0x1C, record, number, length) until the data stops looking like IIM."""
    iim = _Iim(raw=raw)
    pos, end = 0, len(raw)
    while pos + 5 <= end and raw[pos] == 0x1C:
        record, number = raw[pos + 1], raw[pos + 2]
        length = struct.unpack(">H", raw[pos + 3 : pos + 5])[0]
        pos += 5
        if length & 0x8000:  # extended dataset: the low bits give the size of the length field
            nbytes = length & 0x7FFF
            if nbytes > 4 or pos + nbytes > end:
                break
            length = int.from_bytes(raw[pos : pos + nbytes], "big")
            pos += nbytes
        if pos + length > end:
            break  # truncated block: keep what was complete
        iim.datasets.setdefault((record, number), []).append(raw[pos : pos + length])
        pos += length
    return iim


def parse_irb(data: bytes) -> dict[int, bytes]:
    """Photoshop image resource blocks ('8BIM', id, Pascal name, size, data) as {id: data}."""
    out: dict[int, bytes] = {}
    pos, end = 0, len(data)
    while pos + 12 <= end and data[pos : pos + 4] == b"8BIM":
        rid = struct.unpack(">H", data[pos + 4 : pos + 6])[0]
        name_len = data[pos + 6]
        pos += 6 + 1 + name_len
        pos += pos % 2  # the Pascal name is padded to an even length
        if pos + 4 > end:
            break
        size = struct.unpack(">I", data[pos : pos + 4])[0]
        pos += 4
        out.setdefault(rid, data[pos : pos + size])
        pos += size + (size % 2)
    return out


def _png_raw_profile(text: str) -> bytes:
    """Decode ImageMagick's 'Raw profile type' text chunks ("\\nname\\n  length\\nhex...")."""
    lines = text.strip().split("\n", 2)
    if len(lines) < 3:
        return b""
    try:
        return bytes.fromhex("".join(lines[2].split()))
    except ValueError:
        return b""


def _irb_and_iim(im: Image.Image) -> tuple[dict[int, bytes], _Iim | None]:
    irb: dict[int, bytes] = {}
    iim_raw: bytes | None = None
    photoshop = im.info.get("photoshop")
    if isinstance(photoshop, dict):  # JPEG: Pillow already split APP13 into resources
        irb = {k: v for k, v in photoshop.items() if isinstance(v, bytes)}
    elif isinstance(photoshop, bytes):
        irb = parse_irb(photoshop)
    tags = getattr(im, "tag_v2", None)
    if tags is not None:  # TIFF: IIM in tag 33723, resources in tag 34377
        if not irb and isinstance(tags.get(34377), bytes):
            irb = parse_irb(tags[34377])
        iptc_tag = tags.get(33723)
        if isinstance(iptc_tag, bytes):
            iim_raw = iptc_tag
        elif isinstance(iptc_tag, tuple) and iptc_tag:
            # Some writers declare it LONG; Pillow then hands back integers.
            fmt = "<" if getattr(im, "_endian", ">") == "<" else ">"
            iim_raw = struct.pack(f"{fmt}{len(iptc_tag)}L", *iptc_tag)
    if im.format == "PNG":
        for key, value in im.info.items():
            if not isinstance(value, str) or not key.lower().startswith("raw profile type"):
                continue
            blob = _png_raw_profile(value)
            if blob.startswith(b"8BIM"):
                irb = irb or parse_irb(blob)
            elif blob.startswith(b"\x1c"):
                iim_raw = iim_raw or blob
    if iim_raw is None and IRB_IIM in irb:
        iim_raw = irb[IRB_IIM]
    return irb, (parse_iim(iim_raw) if iim_raw else None)


# --- EXIF ------------------------------------------------------------------

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825


def _exif_text(value: Any) -> str:
    """EXIF ASCII as text: UTF-8 first (what most software writes today), else Latin-1."""
    if isinstance(value, bytes):
        raw = value
    elif isinstance(value, str):
        try:
            # Pillow decodes ASCII tags as Latin-1, which is lossless, so this
            # recovers the original bytes and lets us try UTF-8 on them.
            raw = value.encode("latin-1")
        except UnicodeEncodeError:
            return _clean(value)
    else:
        return ""
    # Copyright may hold "photographer\0editor"; keep both parts.
    parts = [p for p in raw.split(b"\x00") if p.strip()]
    out = []
    for part in parts:
        try:
            out.append(part.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(part.decode("latin-1"))
    return _clean("; ".join(out))


def _gps(gps: dict[int, Any]) -> tuple[float, float] | None:
    """The position in the GPS IFD, whether written as rationals or (by some tools) as text."""
    return position(gps.get(2), gps.get(1), gps.get(4), gps.get(3))


# --- helpers -----------------------------------------------------------------

_WS = re.compile(r"\s+")


def _clean(text: str) -> str:
    # Strip NUL padding and collapse the line breaks some tools leave in
    # single-line fields; a caption is shown in one line on the page anyway.
    return _WS.sub(" ", text.replace("\x00", "")).strip()


def _first(*values: str) -> str:
    for value in values:
        if value:
            return value
    return ""


# --- the reader ----------------------------------------------------------------


def metadata_from_image(im: Image.Image, name: str) -> ImageMetadata:
    """Read every store from an opened Pillow image and reconcile them (MWG rules)."""
    md = ImageMetadata()

    # XMP: a broken packet must not stop the import, so it only adds a warning.
    props: XmpProps = {}
    xmp_raw = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp")
    if xmp_raw:
        try:
            props = parse_xmp(xmp_raw)
        except XmpError:
            md.warnings.append(
                f"The XMP metadata in {name} is damaged and was ignored; fill in its fields by hand."
            )

    try:
        irb, iim = _irb_and_iim(im)
    except Exception:  # a malformed resource block is data, not a reason to fail
        irb, iim = {}, None
        md.warnings.append(
            f"The IPTC metadata in {name} is damaged and was ignored; fill in its fields by hand."
        )
    iim = iim or _Iim()

    exif_desc = exif_artist = exif_copy = exif_date = ""
    try:
        exif = im.getexif()
        # Camera filler is not a caption, and under the MWG rule it would hide the real one.
        exif_desc = real_text(_exif_text(exif.get(270)))
        exif_artist = _exif_text(exif.get(315))
        exif_copy = _exif_text(exif.get(33432))
        orientation = exif.get(274)
        if isinstance(orientation, int) and 1 <= orientation <= 8:
            md.orientation = orientation
        exif_ifd = exif.get_ifd(_EXIF_IFD)
        # DateTimeOriginal, with OffsetTimeOriginal (EXIF 2.31) as its zone.
        original = _exif_text(exif_ifd.get(36867))
        date_part, _, time_part = original.partition(" ")
        exif_date = date_time(date_part, time_part, _exif_text(exif_ifd.get(36881)))
        md.gps = _gps(exif.get_ifd(_GPS_IFD))
    except Exception:  # Pillow raises assorted errors on damaged TIFF structures
        md.warnings.append(
            f"The EXIF metadata in {name} is damaged and was ignored; fill in its fields by hand."
        )

    # MWG: XMP is preferred when there is no IIM digest, or when the digest
    # matches the IIM block (so the XMP was written by a tool that saw it).
    # A mismatch means an older tool edited the IIM after the XMP was
    # written, so the IIM is the newer truth.
    digest = irb.get(IRB_DIGEST)
    xmp_first = digest is None or not iim.raw or digest == hashlib.md5(iim.raw).digest()

    def pick(xmp_value: str, iim_value: str) -> str:
        return _first(xmp_value, iim_value) if xmp_first else _first(iim_value, xmp_value)

    def xt(ns: str, local: str) -> str:
        return _clean(xmp_text(props, ns, local))

    md.caption = exif_desc or pick(
        real_text(xt(DC, "description")), real_text(iim.text(IIM_CAPTION))
    )
    md.copyright = exif_copy or pick(xt(DC, "rights"), iim.text(IIM_COPYRIGHT))
    if exif_artist:
        md.creators = [c.strip() for c in exif_artist.split(";") if c.strip()]
    else:
        xmp_creators = [_clean(c) for c in xmp_list(props, DC, "creator") if _clean(c)]
        iim_creators = iim.texts(IIM_CREATOR)
        md.creators = (
            (xmp_creators or iim_creators) if xmp_first else (iim_creators or xmp_creators)
        )
    md.credit = pick(xt(PHOTOSHOP, "Credit"), iim.text(IIM_CREDIT))
    md.source = pick(xt(PHOTOSHOP, "Source"), iim.text(IIM_SOURCE))
    md.headline = pick(xt(PHOTOSHOP, "Headline"), iim.text(IIM_HEADLINE))
    md.title = pick(xt(DC, "title"), iim.text(IIM_TITLE))
    md.city = pick(_first(xt(PHOTOSHOP, "City"), xt(IPTC_CORE, "City")), iim.text(IIM_CITY))
    md.country = pick(
        _first(xt(PHOTOSHOP, "Country"), xt(IPTC_CORE, "CountryName")), iim.text(IIM_COUNTRY)
    )
    md.instructions = pick(xt(PHOTOSHOP, "Instructions"), iim.text(IIM_INSTRUCTIONS))
    md.description_writer = pick(xt(PHOTOSHOP, "CaptionWriter"), iim.text(IIM_WRITER))
    md.job_id = pick(xt(PHOTOSHOP, "TransmissionReference"), iim.text(IIM_JOB_ID))
    md.usage_terms = xt(XMP_RIGHTS, "UsageTerms")
    md.alt_text = xt(IPTC_CORE, "AltTextAccessibility")
    xmp_keywords = [_clean(k) for k in xmp_list(props, DC, "subject") if _clean(k)]
    iim_keywords = iim.texts(IIM_KEYWORDS)
    keywords = (xmp_keywords or iim_keywords) if xmp_first else (iim_keywords or xmp_keywords)
    md.keywords = list(dict.fromkeys(keywords))  # once each, in the file's order
    # MWG maps IPTC Date Created to EXIF DateTimeOriginal, which wins like the text fields.
    xmp_date = xmp_date_time(_first(xt(PHOTOSHOP, "DateCreated"), xt(IPTC_CORE, "DateCreated")))
    iim_date = date_time(iim.text(IIM_DATE), iim.text(IIM_TIME))
    md.date_created = exif_date or pick(xmp_date, iim_date)
    if md.gps is None:
        # XMP carries the same EXIF GPS properties as text ("51,30.444N").
        md.gps = position(
            xt(EXIF_NS, "GPSLatitude"),
            xt(EXIF_NS, "GPSLatitudeRef"),
            xt(EXIF_NS, "GPSLongitude"),
            xt(EXIF_NS, "GPSLongitudeRef"),
        )
    return md


def read_metadata(path: str | Path) -> ImageMetadata:
    """Read an image file's photo-desk metadata; raises ImageError if it is not a readable image."""
    p = Path(path)
    try:
        with Image.open(p) as im:
            if im.format == "PNG":
                # PNG text chunks may follow the pixel data; Pillow only sees them after load.
                im.load()
            return metadata_from_image(im, p.name)
    except FileNotFoundError as exc:
        raise ImageError(
            f"{p.name} does not exist (it was moved or deleted); find the file and try again."
        ) from exc
    except Image.UnidentifiedImageError as exc:
        raise not_a_picture(p.name) from exc
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise unreadable(p.name, exc) from exc
