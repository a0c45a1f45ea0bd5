"""Run by test_kill_recovery: the real main window typing into an article until it is killed.

Usage: python kill_typist.py LIBRARY_DIR ARTICLE_ID
Prints READY once the window shows, then "TYPED n" after typing word n ("w<n> ").
"""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --disable-logging")

TYPE_EVERY_MS = 40


def word(n: int) -> str:
    return f"w{n} "


def main() -> int:
    library_dir, article_id = Path(sys.argv[1]), int(sys.argv[2])
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest

    from newsdesk.app import make_application
    from newsdesk.library import Library
    from newsdesk.ui.main_window import MainWindow

    app = make_application([])
    library = Library.open(library_dir)
    settings = QSettings(str(library_dir / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(library, settings=settings)
    counter = itertools.count()

    def type_a_word() -> None:
        n = next(counter)
        QTest.keyClicks(window.editor, word(n))
        print(f"TYPED {n}", flush=True)

    timer = QTimer(interval=TYPE_EVERY_MS)
    timer.timeout.connect(type_a_word)

    def start_typing(article) -> None:  # the story is read on a worker: type once it is in
        if article is None or article.id != article_id or timer.isActive():
            return
        window.editor.setFocus()
        window.editor.moveCursor(QTextCursor.MoveOperation.End)
        timer.start()
        print("READY", flush=True)

    window.sig_article_opened.connect(start_typing)
    window.show()
    window.open_article(article_id)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
