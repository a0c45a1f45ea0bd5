"""Human dates in a publication's language and time zone, and ISO 8601 for machines."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "de": [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    "it": [
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ],
    "pt": [
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ],
    "nl": [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
}
PATTERNS = {
    "en": "{d} {month} {y}, {hm}",
    "de": "{d}. {month} {y}, {hm}",
    "es": "{d} de {month} de {y}, {hm}",
    "pt": "{d} de {month} de {y}, {hm}",
}


# Dates a story may carry. Every time zone can show any moment between these
# (year 1 or 9999 in one zone is out of range in another), and no newsroom
# writes about publishing before 1900 or after 9000.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)  # exclusive
SUPPORTED_RANGE_TEXT = "between the years 1900 and 8999"


def in_supported_range(dt: datetime) -> bool:
    """True when `dt` (time-zone aware) lies where every time zone can show it."""
    try:
        return EARLIEST <= dt.astimezone(UTC) < LATEST
    except OverflowError:
        return False


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(dt: datetime, tz_name: str) -> datetime:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        return dt.astimezone(zone(tz_name))
    except OverflowError:
        # A date at the very edge of the calendar (stored before imports refused
        # them) has no local time in this zone; show it in UTC rather than fail.
        return dt.astimezone(UTC)


def iso(dt: datetime, tz_name: str = "UTC") -> str:
    """ISO 8601 with the publication's offset, to the second."""
    return local(dt, tz_name).isoformat(timespec="seconds")


def human_date(
    dt: datetime, *, language: str = "en", tz_name: str = "UTC", with_time: bool = True
) -> str:
    """'26 November 2026, 14:05' in the publication's language (English when not known)."""
    lang = (language or "en").split("-")[0].lower()
    months = MONTHS.get(lang, MONTHS["en"])
    when = local(dt, tz_name)
    pattern = PATTERNS.get(lang, "{d} {month} {y}, {hm}")
    if not with_time:
        pattern = pattern.split(",")[0]
    return pattern.format(
        d=when.day, month=months[when.month - 1], y=when.year, hm=when.strftime("%H:%M")
    )
