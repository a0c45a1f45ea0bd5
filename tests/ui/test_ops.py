"""Operations: every write the window makes runs on the library's writer, and changes from elsewhere show up."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from newsdesk.library import Library
from newsdesk.ui.ops import Operations

STORY = """---
headline: Ferry service restored after the storm
byline: By Ana Ruiz
section: News
---
The ferry runs again from Monday.
"""


def test_a_story_imported_on_the_command_line_appears_in_the_open_window(
    qtbot, make_window, library, tmp_path
):
    window = make_window()
    story = tmp_path / "ferry.md"
    story.write_text(STORY, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", str(library.root), "import", str(story)],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )
    assert result.returncode == 0, result.stderr
    imported_at = time.monotonic()

    def listed() -> bool:
        model = window.browser.model
        return any(
            "Ferry service restored" in str(model.index(r, 0).data())
            for r in range(model.rowCount())
        )

    # The window polls every 0.5 s; a few polls on a slow machine, never a restart or a click.
    qtbot.waitUntil(listed, timeout=5000)
    assert time.monotonic() - imported_at < 5.0


def test_a_failed_operation_is_one_sentence_and_the_change_signal_still_says_what_committed(
    qtbot, library
):
    ops = Operations(library)
    heard: list = []
    failures: list[str] = []
    ops.sig_library_changed.connect(lambda changes, who: heard.append((changes, who)))
    ops.sig_failed.connect(failures.append)

    def half_done(lib: Library):
        lib.create_article(headline="Made before the failure")
        lib.update_article(10_000, headline="Gone")  # no such article

    ops.run_op(half_done, initiator="test")
    qtbot.waitUntil(lambda: bool(failures), timeout=10_000)
    assert failures == ["Article 10000 is no longer in the library."]
    [(changes, who)] = heard
    assert who == "test" and len(changes.created_articles) == 1

    ops.run_op(lambda lib: 1 / 0)
    qtbot.waitUntil(lambda: len(failures) == 2, timeout=10_000)
    assert "ZeroDivision" not in failures[1] and failures[1].endswith(".")
