"""Publish mode: keep a site current by republishing, incrementally, after every save to the library."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import jinja2

from newsdesk.export.incremental import publish
from newsdesk.export.site import ExportReport
from newsdesk.export.writer import ExportError
from newsdesk.library import Library
from newsdesk.library.changes import ChangeWatch
from newsdesk.library.pg import ServerUnreachable

# How often the change log is looked at: a save is published within this plus
# the time the publish takes.
POLL_SECONDS = 0.05
# Even with no save, embargoes end and stories age out of the news sitemap.
RECHECK_SECONDS = 30.0
# How often a shared library's server that went out of reach is tried again.
RETRY_SECONDS = 2.0


def watch(
    library: Library,
    out_dir: str | Path,
    *,
    stop: threading.Event,
    on_report: Callable[[ExportReport], None],
    on_error: Callable[[str], None],
    describe: Callable[[BaseException], str] = str,
    on_notice: Callable[[str], None] = lambda _message: None,
) -> None:
    """Publish now, then after every commit to the library by any process, until stop is set.

    A publish that cannot be done (the folder is busy or gone, a template of
    the publication is broken) is reported through on_error in one sentence
    (describe words a template failure) and tried again after the next save.
    A shared library whose server goes out of reach (restarted, the network
    gone) is said once; publishing waits for it and resumes by itself.
    """
    watcher: ChangeWatch | None = None
    out_of_reach = False
    try:
        last = 0.0
        pending = True
        while not stop.is_set():
            try:
                if watcher is None:
                    watcher = library.watch_changes()
                if watcher.poll() is not None:
                    pending = True
                if pending or time.monotonic() - last >= RECHECK_SECONDS:
                    pending = False
                    last = time.monotonic()
                    try:
                        on_report(publish(library, out_dir))
                    except ExportError as exc:  # the folder may come back; keep watching
                        on_error(str(exc))
                    except jinja2.TemplateError as exc:  # the template may be fixed
                        on_error(describe(exc))
                if out_of_reach:
                    out_of_reach = False
                    on_notice("The shared library answers again; publishing resumed.")
            except ServerUnreachable as exc:
                if not out_of_reach:
                    on_error(f"{exc} Publishing resumes by itself when it answers again.")
                out_of_reach, pending = True, True
                if watcher is not None:
                    _close_quietly(watcher)
                    watcher = None
                stop.wait(RETRY_SECONDS)
                continue
            stop.wait(POLL_SECONDS)
    finally:
        if watcher is not None:
            _close_quietly(watcher)


def _close_quietly(watcher: ChangeWatch) -> None:
    """Close a watcher whose connection may be gone with its server."""
    try:
        watcher.close()
    except Exception:  # noqa: BLE001 (a dead connection has nothing left to close)
        pass
