"""The sample library a new user starts with: our own articles and illustrations."""

from __future__ import annotations

from newsdesk import settings
from newsdesk.importing import import_markdown_files
from newsdesk.library import Library
from newsdesk.paths import resource

SEEDED_KEY = settings.SAMPLE_SEEDED.key
SAMPLE_ORDER = ("harbour-market-opens-earlier.md", "night-ferry-crews-rehearse-for-winter.md")
SAMPLE_SLUG = "night-ferry-crews-rehearse-for-winter"


def seed_if_new(library: Library) -> bool:
    """Fill a brand-new, empty library with the sample articles; never touches one in use."""
    if library.get_setting(SEEDED_KEY) or library.count_articles() > 0:
        return False
    folder = resource("sample")
    import_markdown_files(library, [folder / name for name in SAMPLE_ORDER])
    library.set_setting(SEEDED_KEY, True)
    return True
