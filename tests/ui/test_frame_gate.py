"""Work a keystroke starts besides the preview (spell checking, counting, saving) waits for
the key's preview frame, so it does not compete with it (newsdesk.ui.frame_gate)."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest

from newsdesk.ui.window_status import STATS_HOLD_MS
from tests.ui.conftest import open_in_window, wait_preview_ready

BODY = "The market opens earlier this winter.\n\nStallholders welcomed the change.\n"


def typing_window(qtbot, make_window, library):
    article = library.create_article(headline="Market", body=BODY)
    window = make_window()
    open_in_window(qtbot, window, article.id)
    wait_preview_ready(qtbot, window)
    # The story's own text checked and counted before the test types: a check still running
    # would be taken for the typed paragraph's.
    spell = window.spell
    qtbot.waitUntil(
        lambda: (
            all(spell.cached(line) is not None for line in BODY.splitlines() if line)
            and not spell._queue
            and not spell._draining
            and "words" in window.stats_label.text()
            and window.frame_gate.holding == 0
        )
    )
    window.editor.setFocus()
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    return window


def test_a_typed_paragraph_is_checked_after_its_preview_frame_not_before(
    qtbot, make_window, library
):
    window = typing_window(qtbot, make_window, library)
    service, pane = window.spell, window.preview
    # The gate gives up after MAX_WAIT_MS whatever happens; a loaded machine's frame can take
    # longer than that, and then the check rightly starts first. Here the frame decides.
    window.frame_gate._deadline.setInterval(60_000)
    seen: list[tuple[int, bool]] = []  # (version drawn, the new text still waiting unchecked)

    def on_frame(version: int, _at: float) -> None:
        text = window.editor.document().lastBlock().text()
        seen.append((version, text in service._queue and not service._draining))

    pane.sig_frame.connect(on_frame)
    QTest.keyClicks(window.editor, "Parking is fre")
    typed = pane.text_version
    qtbot.waitUntil(lambda: any(v >= typed for v, _ in seen), timeout=10_000)
    last = next(waiting for v, waiting in seen if v >= typed)
    assert last, "the paragraph's check started before its preview frame was drawn"
    qtbot.waitUntil(
        lambda: service.cached("Parking is fre") is not None, timeout=10_000
    )  # and it is checked straight after
    assert window.frame_gate.holding == 0


def test_with_the_preview_hidden_the_counts_and_checks_still_follow_the_typing(
    qtbot, make_window, library
):
    window = typing_window(qtbot, make_window, library)
    window.toggle_preview(False)
    qtbot.wait(100)
    QTest.keyClicks(window.editor, "Parking is fre")
    qtbot.waitUntil(lambda: window.spell.cached("Parking is fre") is not None, timeout=10_000)
    qtbot.waitUntil(lambda: window.stats_label.text().startswith("13 words"), timeout=10_000)
    qtbot.waitUntil(lambda: not window.autosave.dirty, timeout=10_000)
    assert library.get_article(window.article.id).body.endswith("Parking is fre")


def test_a_finished_count_is_drawn_with_the_next_keys_own_paint(qtbot, make_window, library):
    # On an X display every separate paint of the window is a whole-window composite: the
    # counts wait for the next key (or a pause in typing) rather than paint on their own.
    window = typing_window(qtbot, make_window, library)
    before = window.stats_label.text()
    # Held until the next key, however slowly this machine gets there (STATS_HOLD_MS is the
    # pause after which it is drawn anyway: checked below).
    window._stats_hold.setInterval(60_000)
    QTest.keyClicks(window.editor, "Parking is free")
    qtbot.waitUntil(lambda: window._stats_held is not None)
    assert window.stats_label.text() == before, "the count was drawn on its own"
    QTest.keyClick(window.editor, "!")
    assert window.stats_label.text().startswith("13 words"), window.stats_label.text()
    # With no key to go with (text put in, not typed), it is drawn after a short pause.
    window._stats_hold.setInterval(STATS_HOLD_MS)
    window.editor.insertPlainText(" Buses too.")
    qtbot.waitUntil(lambda: window.stats_label.text().startswith("15 words"))
    assert window._stats_held is None
