"""Exporting the library as a static site: article pages, listings, feed, sitemaps and renditions.

The names below load with the module that holds them, on first use: a render
worker imports newsdesk.export.render (and with it this package) and renders
from plain data, so it never loads the export's own machinery or the
library's database layer (a third of a second of every worker process).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsdesk.export.assets import ExportAssets, SiteImage
    from newsdesk.export.site import (
        ArticleOutcome,
        ExportReport,
        export_articles,
        export_site,
        preflight_messages,
    )
    from newsdesk.export.writer import MANIFEST_NAME, ExportCancelled, ExportError

_HOMES = {
    "ExportAssets": "assets",
    "SiteImage": "assets",
    "ArticleOutcome": "site",
    "ExportReport": "site",
    "export_articles": "site",
    "export_site": "site",
    "preflight_messages": "site",
    "MANIFEST_NAME": "writer",
    "ExportCancelled": "writer",
    "ExportError": "writer",
}

__all__ = [
    "MANIFEST_NAME",
    "ArticleOutcome",
    "ExportAssets",
    "ExportCancelled",
    "ExportError",
    "ExportReport",
    "SiteImage",
    "export_articles",
    "export_site",
    "preflight_messages",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:  # a submodule not imported yet, or no such name
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
