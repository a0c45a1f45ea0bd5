"""Readable picture references in a body: `image:harbour-dawn-3f2a9c1e` names a library picture.

A reference is a short name from the picture's title (or file name) and the
first hex digits of its UUID. The name is only for people; the digits decide,
so two laptops never mint the same reference for different pictures (the
UUIDs are random) and renaming a picture never breaks a story. The older
`image:<full UUID>` form keeps working.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePath
from typing import TypeVar

from newsdesk.text import slugify

HEX_DIGITS = 8  # of the UUID: one picture in four billion shares them
NAME_LIMIT = 40
_HEX_TAIL = re.compile(r"(?:^|-)([0-9a-f]{4,32})$")
_FULL_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)

T = TypeVar("T")


def readable_ref(uid: str, title: str = "", original_name: str = "") -> str:
    """'harbour-dawn-3f2a9c1e' for the picture with this UUID, title and file name."""
    source = title.strip() or PurePath(original_name).stem or "picture"
    name = slugify(source, fallback="picture")[:NAME_LIMIT].strip("-") or "picture"
    return f"{name}-{uid.replace('-', '').lower()[:HEX_DIGITS]}"


def ref_digits(ref: str) -> str | None:
    """The UUID digits a reference carries (all 32 for a full UUID), or None if it has none."""
    ref = ref.strip().lower()
    if _FULL_UUID.match(ref):
        return ref.replace("-", "")
    m = _HEX_TAIL.search(ref)
    return m.group(1) if m else None


def ref_matches(ref: str, uid: str) -> bool:
    """The reference names the picture with this UUID."""
    if ref == uid:
        return True
    digits = ref_digits(ref)
    return digits is not None and uid.replace("-", "").lower().startswith(digits)


def resolve_ref(ref: str, candidates: Iterable[tuple[str, T]]) -> T | None:
    """The one candidate (uid, value) the reference names; None when none or several do."""
    found = [value for uid, value in candidates if ref_matches(ref, uid)]
    return found[0] if len(found) == 1 else None
