"""The publication's settings as people type them: defaults, and the checks each value must pass.

The command line (`newsdesk publication`) and Preferences both save through
these, so a value one accepts the other accepts too. Each check returns the
tidied value or raises ValueError with one sentence naming what is wrong.
"""

from __future__ import annotations

import re
import zoneinfo
from urllib.parse import urlsplit

from newsdesk import settings

DEFAULT_NAME = settings.PUBLICATION_NAME.default
DEFAULT_LANGUAGE = settings.PUBLICATION_LANGUAGE.default
DEFAULT_TIMEZONE = settings.PUBLICATION_TIMEZONE.default
# What older versions wrote into every new library. No one publishes there, so
# a library still holding it (and never edited) is treated as having no base URL.
INVENTED_BASE_URL = "https://example.org/"

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def clean_name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise ValueError("The publication needs a name.")
    if len(name) > 200:
        raise ValueError(f"The publication's name is {len(name)} characters; keep it under 200.")
    return name


def clean_base_url(value: str) -> str:
    """An absolute http(s) address ending in '/', or '' for none (pages without absolute links)."""
    url = value.strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = None, False
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or not port_ok
    ):
        raise ValueError(
            f"The base URL {url!r} must start with https:// (or http://) and a host, "
            "such as https://news.example.org/."
        )
    if any(c.isspace() for c in url) or parts.username or parts.password:
        raise ValueError(
            f"The base URL {url!r} may not contain spaces or a user name; "
            "give the address readers open, such as https://news.example.org/."
        )
    if parts.query or parts.fragment:
        raise ValueError(
            f"The base URL {url!r} has a '?' or '#' part; pages are joined onto it, "
            "so give only the site's address, such as https://news.example.org/news/."
        )
    if len(url) > 400:
        raise ValueError("The base URL is longer than 400 characters; give the site's address.")
    if not url.endswith("/"):
        url += "/"  # pages are joined onto it; without the slash the last part is lost
    return url


def clean_language(value: str) -> str:
    language = value.strip()
    if not LANGUAGE_TAG.match(language):
        raise ValueError(f"{language!r} is not a language tag such as en, en-GB or de.")
    return language


def clean_timezone(value: str) -> str:
    tz = value.strip()
    if tz not in zoneinfo.available_timezones():
        raise ValueError(f"{tz!r} is not a time zone; pick one such as Europe/London.")
    return tz
