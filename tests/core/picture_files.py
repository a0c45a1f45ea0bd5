"""Building real picture files for tests, byte by byte: IIM blocks, EXIF, XMP, as other tools write them."""

from __future__ import annotations

import io
import struct
from pathlib import Path

from PIL import Image

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def iim(*datasets: tuple[int, int, bytes]) -> bytes:
    """An IPTC-IIM block: 0x1C, record, dataset number, 2-byte length, data."""
    out = b""
    for record, number, data in datasets:
        out += bytes([0x1C, record, number]) + struct.pack(">H", len(data)) + data
    return out


def app13(iim_block: bytes) -> bytes:
    """A JPEG APP13 segment holding the IIM block as Photoshop resource 0x0404."""
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iim_block))
    resource += iim_block + (b"\x00" if len(iim_block) % 2 else b"")
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def xmp(body: str, namespaces: str = "") -> bytes:
    """A complete XMP packet whose rdf:Description holds `body`."""
    ns = (
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
        'xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/" '
        'xmlns:exif="http://ns.adobe.com/exif/1.0/" ' + namespaces
    )
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        f'<rdf:RDF xmlns:rdf="{RDF}"><rdf:Description rdf:about="" {ns}>{body}'
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def alt(text: str) -> str:
    return f'<rdf:Alt><rdf:li xml:lang="x-default">{text}</rdf:li></rdf:Alt>'


def jpeg(
    path: Path,
    *,
    iim_block: bytes | None = None,
    exif: Image.Exif | None = None,
    xmp_packet: bytes | None = None,
    size: tuple[int, int] = (64, 48),
    colour: str = "teal",
) -> Path:
    """A real JPEG with the given stores; the IIM block is spliced in right after SOI."""
    buf = io.BytesIO()
    kwargs: dict = {}
    if exif is not None:
        kwargs["exif"] = exif
    if xmp_packet is not None:
        kwargs["xmp"] = xmp_packet
    Image.new("RGB", size, colour).save(buf, "JPEG", quality=90, **kwargs)
    data = buf.getvalue()
    if iim_block is not None:
        data = data[:2] + app13(iim_block) + data[2:]
    path.write_bytes(data)
    return path


def _entry(tag: int, value: str | tuple[tuple[int, int], ...]) -> tuple[int, int, int, bytes]:
    """(tag, type, count, data) for an ASCII string or a list of RATIONALs."""
    if isinstance(value, str):
        data = value.encode("latin-1") + b"\x00"
        return tag, 2, len(data), data
    data = b"".join(struct.pack("<II", n, d) for n, d in value)
    return tag, 5, len(value), data


def gps_exif(entries: dict[int, str | tuple[tuple[int, int], ...]]) -> bytes:
    """Raw EXIF (for Pillow's exif=) whose GPS IFD holds the given tags exactly as typed.

    Pillow's own writer forces each GPS tag to its standard type; tools that
    write GPS as text do not, so these bytes are built by hand.
    """
    gps = [_entry(tag, value) for tag, value in sorted(entries.items())]
    ifd0_offset = 8
    ifd0_size = 2 + 12 + 4
    gps_offset = ifd0_offset + ifd0_size
    gps_size = 2 + 12 * len(gps) + 4
    data_offset = gps_offset + gps_size
    head = b"II*\x00" + struct.pack("<I", ifd0_offset)
    ifd0 = struct.pack("<H", 1) + struct.pack("<HHII", 0x8825, 4, 1, gps_offset) + b"\x00" * 4
    gps_ifd = struct.pack("<H", len(gps))
    extra = b""
    for tag, typ, count, data in gps:
        if len(data) <= 4:
            gps_ifd += struct.pack("<HHI", tag, typ, count) + data.ljust(4, b"\x00")
        else:
            gps_ifd += struct.pack("<HHII", tag, typ, count, data_offset + len(extra))
            extra += data + (b"\x00" if len(data) % 2 else b"")
    gps_ifd += b"\x00" * 4
    return b"Exif\x00\x00" + head + ifd0 + gps_ifd + extra
