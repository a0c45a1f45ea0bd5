"""Turning raw metadata values into photo-desk fields: camera filler, dates with time and zone, GPS."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

from newsdesk.paths import resource

# --- camera filler ---------------------------------------------------------------------

FILLER_RESOURCE = ("metadata", "camera_filler.txt")
_WS = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip().casefold()


@lru_cache(maxsize=1)
def _filler() -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    """The filler list, read once from its resource file (phrases, and `re:` patterns)."""
    phrases: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    try:
        lines = resource(*FILLER_RESOURCE).read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []  # a broken install only means filler may show; never stop an import
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("re:"):
            try:
                patterns.append(re.compile(line[3:], re.IGNORECASE))
            except re.error:
                continue
        else:
            phrases.add(_norm(line))
    return frozenset(phrases), tuple(patterns)


def is_filler(text: str) -> bool:
    """True for text a camera or library wrote in place of a caption (or for no text at all)."""
    value = _norm(text)
    if not value:
        return True
    phrases, patterns = _filler()
    return value in phrases or any(p.fullmatch(value) for p in patterns)


def real_text(text: str) -> str:
    """The text, or "" when it is only camera filler."""
    return "" if is_filler(text) else text


# --- dates ------------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{4})(?:[-:]?(\d{2}))?(?:[-:]?(\d{2}))?")
_TIME = re.compile(
    r"^(\d{2}):?(\d{2})(?::?(\d{2}))?(?:[.,]\d+)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$", re.IGNORECASE
)


def iso_date(text: str) -> str:
    """IIM 'CCYYMMDD', XMP '2017-10-27…' or EXIF '2017:10:27 …' as an ISO date ('' if unusable)."""
    m = _DATE.match(text.strip())
    if not m:
        return ""
    year, month, day = m.group(1), m.group(2), m.group(3)
    if year == "0000":
        return ""
    # IIM and EXIF use 00 for an unknown month or day: keep the precision we have.
    if not month or month == "00" or not 1 <= int(month) <= 12:
        return year
    if not day or day == "00" or not 1 <= int(day) <= 31:
        return f"{year}-{month}"
    return f"{year}-{month}-{day}"


def _zone(text: str | None) -> str:
    if not text:
        return ""
    text = text.strip().upper()
    if text == "Z":
        return "Z"
    m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})?", text)
    if not m or int(m.group(2)) > 14 or int(m.group(3) or 0) > 59:
        return ""
    return f"{m.group(1)}{m.group(2)}:{m.group(3) or '00'}"


def iso_time(text: str, zone: str = "") -> str:
    """'HHMMSS±HHMM' (IIM), 'HH:MM:SS' (EXIF) as 'HH:MM:SS±HH:MM'; zone is used when text has none."""
    m = _TIME.match(text.strip())
    if not m:
        return ""
    hh, mm, ss = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if hh > 23 or mm > 59 or ss > 60:
        return ""
    return f"{hh:02d}:{mm:02d}:{ss:02d}" + (_zone(m.group(4)) or _zone(zone))


def date_time(date_text: str, time_text: str = "", zone: str = "") -> str:
    """A date with its time and zone when the file has them: '2004-02-26T14:30:00+05:00'.

    Keeps the precision the file gives: a date alone stays a date, a time
    without a zone stays local, and a time is only kept beside a whole date.
    """
    date = iso_date(date_text)
    if len(date) != 10:
        return date
    time = iso_time(time_text, zone) if time_text.strip() else ""
    return f"{date}T{time}" if time else date


def xmp_date_time(text: str) -> str:
    """An XMP date ('2017-10-27', '2017-10-27T10:22', '2017-10-27T10:22:33.5+02:00')."""
    text = text.strip()
    date_part, _, time_part = text.partition("T")
    if not time_part and " " in date_part.strip():
        date_part, _, time_part = date_part.partition(" ")
    return date_time(date_part, time_part)


# --- GPS ----------------------------------------------------------------------------------

_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")


def _as_float(value: Any) -> float | None:
    try:
        result = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return None if math.isnan(result) or math.isinf(result) else result


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1", errors="replace")
    return value if isinstance(value, str) else ""


def coordinate(value: Any, ref: Any = "", negative: str = "S") -> float | None:
    """One GPS coordinate from any form writers use, in signed decimal degrees.

    EXIF rationals (d, m, s); text such as "51.5074", "51 30 26.6", "51°30'26.6\\"N",
    "51,30.444N" (the XMP form, with the hemisphere letter inside); None if unusable.
    """
    parts: list[float] = []
    hemisphere = _text(ref).strip().upper()[:1]
    if isinstance(value, tuple | list):
        for x in value:
            f = _as_float(x)
            if f is None:
                return None
            parts.append(f)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        f = _as_float(value)
        if f is None:
            return None
        parts.append(f)
    else:
        text = _text(value).strip()
        if not text:
            return None
        # A hemisphere letter on its own ("51.5 N", "51,30.4N"), not the E of "deg".
        letter = re.search(r"(?<![A-Z])[NSEW](?![A-Z])", text.upper())
        if letter:
            hemisphere = letter.group(0)
        if re.fullmatch(r"[-+]?\d+,\d+(?:\.\d+)?[NSEW]", text.upper()) or text.count(",") >= 2:
            # XMP "DDD,MM.mmk" / "DDD,MM,SSk": commas separate parts, not decimals.
            numbers = re.findall(r"[-+]?\d+(?:\.\d+)?", text)
        else:
            numbers = [n.replace(",", ".") for n in _NUMBER.findall(text)]
        for n in numbers[:3]:
            f = _as_float(n)
            if f is None:
                return None
            parts.append(f)
    if not parts:
        return None
    sign = -1.0 if parts[0] < 0 else 1.0
    parts[0] = abs(parts[0])
    if any(p < 0 for p in parts[1:]) or any(p >= 60 for p in parts[1:]):
        return None
    result = parts[0] + sum(p / 60**i for i, p in enumerate(parts[1:], 1))
    if hemisphere == negative:
        sign = -1.0
    return sign * result


def position(lat: Any, lat_ref: Any, lon: Any, lon_ref: Any) -> tuple[float, float] | None:
    """(latitude, longitude) rounded to 7 places, or None when either is missing or impossible."""
    la = coordinate(lat, lat_ref, "S")
    lo = coordinate(lon, lon_ref, "W")
    if la is None or lo is None or abs(la) > 90 or abs(lo) > 180:
        return None
    return (round(la, 7), round(lo, 7))
