"""Human dates in a publication's language and time zone, and ISO 8601 for machines."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
