"""The published page in its own language: gettext catalogues, locale dates and numbers, direction.

Page strings live in `resources/locale/<lang>/LC_MESSAGES/newsdesk.po` (Babel
extracts them from the templates: `make messages`). The .po files are what we
ship; each is compiled in memory the first time a page in that language is
rendered, so `make run`, the wheel and the PyInstaller bundle carry the same
catalogues without a build step. A language we have no catalogue for gets the
English strings, but still its own dates and numbers from Babel's CLDR data.
"""

from __future__ import annotations

import gettext
import io
import unicodedata
from datetime import datetime
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal

from newsdesk.paths import resource
from newsdesk.render import dates
from newsdesk.text import reading_minutes

DOMAIN = "newsdesk"
# The languages whose page strings we translate (reviewed line by line against the English).
CATALOGUES = ("en", "fr", "de", "es", "pt", "it", "ar", "he")
# Scripts written right to left; a page in one of these languages gets dir="rtl".
RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ku", "ps", "sd", "ug", "ur", "yi"}
)


def primary(lang: str) -> str:
    """'pt-BR' -> 'pt'; the empty tag is English."""
    return (lang or "en").replace("_", "-").split("-")[0].lower() or "en"


def is_rtl(lang: str) -> bool:
    return primary(lang) in RTL_LANGUAGES


@lru_cache(maxsize=64)
def locale(lang: str) -> Locale:
    """Babel's locale for a BCP 47 tag ('pt-BR', 'ar'); English when Babel does not know it."""
    try:
        return Locale.parse((lang or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        try:
            return Locale.parse(primary(lang))
        except (UnknownLocaleError, ValueError, TypeError):
            return Locale.parse("en")


@lru_cache(maxsize=64)
def og_locale(lang: str) -> str:
    """Open Graph's language_TERRITORY: 'ar' -> 'ar_EG', 'pt-BR' -> 'pt_BR', 'en' -> 'en_US'."""
    loc = locale(lang)
    if loc.territory:
        return f"{loc.language}_{loc.territory}"
    likely = get_global("likely_subtags").get(loc.language, "")
    parts = [p for p in likely.split("_") if len(p) == 2 and p.isupper()]
    return f"{loc.language}_{parts[0]}" if parts else f"{loc.language}_US"


@lru_cache(maxsize=32)
def translations(lang: str) -> gettext.NullTranslations:
    """The page strings for a language: its catalogue compiled in memory, or English."""
    code = primary(lang)
    po = resource("locale") / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if code == "en" or not po.is_file():
        return gettext.NullTranslations()
    # Only a page in another language compiles a catalogue: an English site never loads
    # Babel's catalogue machinery (difflib, email, its PO parser) at start-up.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=code, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def gettext_for(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


# Babel formats a date or a number in a fraction of a millisecond, which every page pays
# several times (its published and updated dates are most often the same moment, its
# reading time one of a few dozen numbers): the texts are kept, as the same arguments
# always give the same text.
@lru_cache(maxsize=512)
def human_date(dt: datetime, *, language: str = "en", tz_name: str = "UTC", with_time=True) -> str:
    """'26 novembre 2026, 14:05': the locale's long date, and its 24-hour time, in the page's zone."""
    when = dates.local(dt, tz_name)
    loc = locale(language)
    day = format_date(when, "long", locale=loc)
    if not with_time:
        return day
    hm = format_skeleton("Hm", when, locale=loc)
    pattern = loc.datetime_formats.get("medium", "{1}, {0}")
    return str(pattern).replace("{1}", day).replace("{0}", hm)


@lru_cache(maxsize=512)
def number(n: int, lang: str) -> str:
    return format_decimal(n, locale=locale(lang))


def reading_time(words: int, lang: str = "en") -> str:
    """'2 min read' in the page's language, with its plural form and digits."""
    minutes = reading_minutes(words)
    text = translations(lang).ngettext("%(num)s min read", "%(num)s min read", minutes)
    return text % {"num": number(minutes, lang)}


def month_name(year: int, month: int, lang: str) -> str:
    """'November 2026' as the locale says a month of a year (for the archive)."""
    return format_skeleton("yMMMM", datetime(year, month, 1), locale=locale(lang))


_LATIN_SCRIPT_LANGUAGES = frozenset(
    {"en", "fr", "de", "es", "pt", "it", "nl", "sv", "da", "nb", "nn", "no", "fi", "pl", "cs"}
    | {"sk", "sl", "hr", "ro", "hu", "tr", "ca", "eu", "gl", "ga", "cy", "id", "ms", "vi", "sq"}
)


def latin_only(text: str) -> bool:
    """True when every letter of `text` is a Latin letter (and there is at least one)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(
        c.isascii() or "LATIN" in (unicodedata.name(c, "")) for c in letters
    )


def foreign_run(text: str, page_lang: str) -> str:
    """The language of a run of text on a page in another script: 'en' for a Latin-script name
    on an Arabic or Hebrew page, '' when the run is in the page's own script."""
    if primary(page_lang) in _LATIN_SCRIPT_LANGUAGES:
        return ""
    return "en" if latin_only(text) else ""
