"""The window shown while a library is upgraded to this version's schema before the editor opens.

An upgrade can take minutes on a large archive (a migration that rebuilds the
search index of 100,000 stories takes about two). It runs on its own thread;
the GUI thread shows what it is doing, so the editor is never a blank,
unanswering start-up. The backup the upgrade makes first is said in the window.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QLabel, QProgressDialog

from newsdesk.library import Library, database

SHOW_AFTER_MS = 400  # a quick upgrade (most are) shows no window at all
HEADLINE = (
    "Upgrading the library for this version of newsdesk. A copy of it as it was is kept "
    "beside it first; large libraries take a few minutes."
)


def upgrade_with_window(root: Path) -> QProgressDialog:
    """Upgrade the library at `root` on a thread while a progress window says so.

    Returns the window (closed) for whoever wants to know what it said; raises
    what `Library.open` raises (a LibraryError or an OSError), on this thread.
    """
    said: queue.SimpleQueue[str] = queue.SimpleQueue()
    failure: list[BaseException] = []

    def upgrade() -> None:
        try:
            Library.open(root, create=False).close()
        except BaseException as exc:  # handed to the GUI thread, which raises it
            failure.append(exc)

    dialog = QProgressDialog(HEADLINE, "", 0, 0)
    label = QLabel(HEADLINE)
    label.setWordWrap(True)
    label.setFixedWidth(460)
    dialog.setLabel(label)  # the default label grows the window as wide as the longest line
    dialog.setWindowTitle("newsdesk — upgrading the library")
    dialog.setCancelButton(None)  # an upgrade is one transaction: it finishes or leaves the old
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    dialog.setValue(0)  # starts the minimum-duration clock
    hear = said.put
    database.NOTICE_LISTENERS.append(hear)
    worker = threading.Thread(target=upgrade, name="newsdesk-upgrade", daemon=False)
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(50)

    def look() -> None:
        while not said.empty():
            line = said.get()
            dialog.setLabelText(f"{HEADLINE}\n\n{line[:1].upper()}{line[1:]}")
        if not worker.is_alive():
            loop.quit()

    poll.timeout.connect(look)
    try:
        worker.start()
        poll.start()
        loop.exec()
    finally:
        poll.stop()
        worker.join()
        database.NOTICE_LISTENERS.remove(hear)
        look()  # the last line said
        dialog.close()
    if failure:
        raise failure[0]
    return dialog
