"""Publish mode: keep a site current by republishing, incrementally, after every save to the library."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from newsdesk.export.incremental import publish
from newsdesk.export.site import ExportReport
from newsdesk.export.writer import ExportError
from newsdesk.library import Library

# How often the change log is looked at: a save is published within this plus
# the time the publish takes.
POLL_SECONDS = 0.05
# Even with no save, embargoes end and stories age out of the news sitemap.
RECHECK_SECONDS = 30.0


def watch(
    library: Library,
    out_dir: str | Path,
    *,
    stop: threading.Event,
    on_report: Callable[[ExportReport], None],
    on_error: Callable[[str], None],
) -> None:
    """Publish now, then after every commit to the library by any process, until stop is set."""
    watcher = library.watch_changes()
    try:
        last = 0.0
        pending = True
        while not stop.is_set():
            if watcher.poll() is not None:
                pending = True
            if pending or time.monotonic() - last >= RECHECK_SECONDS:
                pending = False
                last = time.monotonic()
                try:
                    on_report(publish(library, out_dir))
                except ExportError as exc:  # the folder may come back; keep watching
                    on_error(str(exc))
            stop.wait(POLL_SECONDS)
    finally:
        watcher.close()
