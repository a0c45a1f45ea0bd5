"""Reading XMP packets into flat properties, and building the small packet renditions carry."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_NS = "http://www.w3.org/XML/1998/namespace"
DC = "http://purl.org/dc/elements/1.1/"
PHOTOSHOP = "http://ns.adobe.com/photoshop/1.0/"
XMP_RIGHTS = "http://ns.adobe.com/xap/1.0/rights/"
IPTC_CORE = "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
EXIF_NS = "http://ns.adobe.com/exif/1.0/"

# A property value: plain text, or the items of an rdf:Seq / rdf:Bag.
XmpValue = str | list[str]
XmpProps = dict[tuple[str, str], XmpValue]

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*\?>")


class XmpError(ValueError):
    """The XMP packet is not well-formed XML or not RDF."""


def _decode_packet(raw: bytes | str) -> str:
    """Decode a packet whatever its Unicode encoding (XMP allows UTF-8, UTF-16 and UTF-32)."""
    if isinstance(raw, str):
        return raw
    # Sniff the encoding from the byte pattern of the first '<' (the packet
    # wrapper's BOM sits inside the begin= attribute, so it is often not a prefix).
    if raw.startswith((b"\x00\x00\xfe\xff", b"\x00\x00\x00<")):
        encoding, unit = "utf-32-be", 4
    elif raw.startswith((b"\xff\xfe\x00\x00", b"<\x00\x00\x00")):
        encoding, unit = "utf-32-le", 4
    elif raw.startswith((b"\xfe\xff", b"\x00<")):
        encoding, unit = "utf-16-be", 2
    elif raw.startswith((b"\xff\xfe", b"<\x00")):
        encoding, unit = "utf-16-le", 2
    else:
        encoding, unit = "utf-8", 1
    # Writers pad packets to their block size; cut a dangling half character.
    text = raw[: len(raw) // unit * unit].decode(encoding, errors="strict")
    return text.lstrip("\ufeff").rstrip("\x00 \r\n\t")


def parse_xmp(raw: bytes | str) -> XmpProps:
    """Flatten the top-level rdf:Description properties of a packet; raises XmpError if broken."""
    try:
        text = _decode_packet(raw)
    except UnicodeDecodeError as exc:
        raise XmpError(f"not valid Unicode text ({exc.reason})") from exc
    # Re-encode as UTF-8 and drop any XML declaration, because a declaration
    # naming UTF-16 would contradict the bytes we hand to the parser.
    data = _XML_DECL.sub(b"", text.encode("utf-8"), count=1)
    try:
        root = SafeET.fromstring(data)
    except Exception as exc:  # ParseError, or defusedxml refusing entities/DTDs
        raise XmpError(str(exc) or exc.__class__.__name__) from exc
    rdf_roots = [root] if root.tag == f"{{{RDF}}}RDF" else list(root.iter(f"{{{RDF}}}RDF"))
    if not rdf_roots:
        raise XmpError("no rdf:RDF element")
    props: XmpProps = {}
    for rdf_root in rdf_roots:
        # Only top-level descriptions: nested ones belong to structures (contact
        # info, locations) whose City is not the picture's City.
        for desc in rdf_root.findall(f"{{{RDF}}}Description"):
            _collect(desc, props)
    return props


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _collect(desc: Element, props: XmpProps) -> None:
    # Simple properties may be written as attributes of the description ...
    for name, value in desc.attrib.items():
        ns, local = _split(name)
        if ns in (RDF, XML_NS) or not ns:
            continue
        props.setdefault((ns, local), value.strip())
    # ... or as child elements.
    for child in desc:
        key = _split(child.tag)
        if key[0] == RDF:
            continue
        value = _element_value(child)
        if value is not None:
            props.setdefault(key, value)


def _element_value(el: Element) -> XmpValue | None:
    for container in el:
        ctag = container.tag
        if ctag == f"{{{RDF}}}Alt":
            return _pick_lang_alt(container)
        if ctag in (f"{{{RDF}}}Seq", f"{{{RDF}}}Bag"):
            items = [(li.text or "").strip() for li in container.findall(f"{{{RDF}}}li")]
            return [item for item in items if item]
        # A nested rdf:Description or other element means a structure: not a text field.
        return None
    if el.get(f"{{{RDF}}}resource") is not None or el.get(f"{{{RDF}}}parseType") == "Resource":
        return None
    return (el.text or "").strip()


def _pick_lang_alt(alt: Element) -> str:
    """Prefer the x-default entry of a language alternative, else the first one."""
    items = alt.findall(f"{{{RDF}}}li")
    for li in items:
        if li.get(f"{{{XML_NS}}}lang", "").lower() == "x-default":
            return (li.text or "").strip()
    return (items[0].text or "").strip() if items else ""


def xmp_text(props: XmpProps, ns: str, local: str) -> str:
    """A property as one string (lists are joined with '; ')."""
    value = props.get((ns, local), "")
    if isinstance(value, list):
        return "; ".join(value)
    return value


def xmp_list(props: XmpProps, ns: str, local: str) -> list[str]:
    """A property as a list of strings (a plain string becomes one item)."""
    value = props.get((ns, local), "")
    if isinstance(value, list):
        return list(value)
    return [value] if value else []


# Characters XML 1.0 cannot carry at all, even escaped; dropping them is the only
# way to keep a caption pasted from a word processor from breaking the packet.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _esc(text: str) -> str:
    text = _XML_ILLEGAL.sub("", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


def build_xmp(
    *, caption: str, credit: str, creator: str, copyright: str, alt_text: str = ""
) -> bytes:
    """A compact UTF-8 XMP packet with description, creator(s), rights, credit line and alt text."""
    parts: list[str] = []
    if caption:
        parts.append(
            '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
            f"{_esc(caption)}</rdf:li></rdf:Alt></dc:description>"
        )
    creators = [c.strip() for c in creator.split(";") if c.strip()]
    if creators:
        items = "".join(f"<rdf:li>{_esc(c)}</rdf:li>" for c in creators)
        parts.append(f"<dc:creator><rdf:Seq>{items}</rdf:Seq></dc:creator>")
    if copyright:
        parts.append(
            '<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">'
            f"{_esc(copyright)}</rdf:li></rdf:Alt></dc:rights>"
        )
    if credit:
        parts.append(f"<photoshop:Credit>{_esc(credit)}</photoshop:Credit>")
    if alt_text:
        parts.append(
            '<Iptc4xmpCore:AltTextAccessibility><rdf:Alt><rdf:li xml:lang="x-default">'
            f"{_esc(alt_text)}</rdf:li></rdf:Alt></Iptc4xmpCore:AltTextAccessibility>"
        )
    body = "".join(parts)
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        f'<rdf:RDF xmlns:rdf="{RDF}">'
        f'<rdf:Description rdf:about="" xmlns:dc="{DC}" xmlns:photoshop="{PHOTOSHOP}"'
        f' xmlns:Iptc4xmpCore="{IPTC_CORE}">'
        f"{body}</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="r"?>'
    )
    return packet.encode("utf-8")
