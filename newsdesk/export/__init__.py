"""Exporting the library as a static site: article pages, listings, feed, sitemaps and renditions."""

from __future__ import annotations

from newsdesk.export.assets import ExportAssets, SiteImage
from newsdesk.export.site import (
    ArticleOutcome,
    ExportReport,
    export_articles,
    export_site,
    preflight_messages,
)
from newsdesk.export.writer import MANIFEST_NAME, ExportCancelled, ExportError

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
