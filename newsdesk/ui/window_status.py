"""The main window's status bar and title: the save state, the open story's counts (words,
characters, reading time; counted on a worker as people type) and the headline in the title."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

from newsdesk.library import Article
from newsdesk.text import WordTally, char_count, reading_time
from newsdesk.ui.article_form import ArticleForm
from newsdesk.ui.editor import MarkdownEditor
from newsdesk.ui.frame_gate import FrameGate
from newsdesk.ui.workers import run_task

STATS_INTERVAL_MS = 200  # the status bar's counts lag typing by at most about this
# A count is drawn with the next keystroke's own paint, or after this long without one: on
# an X display each separate paint of the window is a whole-window composite (about 15 ms
# of processor time in software OpenGL), and the counts made one for every other key.
STATS_HOLD_MS = 250


class StatusBar:
    """The status bar's words and the title (a mixin for MainWindow, which holds what is declared here)."""

    article: Article | None
    form: ArticleForm
    editor: MarkdownEditor
    frame_gate: FrameGate

    def _build_status_bar(self) -> None:
        """The preview's note on the left; the save state and the counts on the right."""
        self.stats_label = QLabel("")
        self.stats_label.setObjectName("stats")
        self.save_label = QLabel("")
        self.save_label.setObjectName("save-state")
        self.preview_note = QLabel("")
        self.statusBar().addWidget(self.preview_note, 1)
        self.statusBar().addPermanentWidget(self.save_label)
        self.statusBar().addPermanentWidget(self.stats_label)

    def _count_as_typed(self) -> None:
        """The counts follow the body as it is typed (started by MainWindow._on_body_changed)."""
        # A throttle, not a debounce: started only when idle, so the counts follow
        # continuous typing at least every STATS_INTERVAL_MS (counted off the GUI thread).
        self._stats_timer = QTimer(self, singleShot=True, interval=STATS_INTERVAL_MS)
        # (after the key's preview frame: MainWindow.frame_gate)
        self._stats_timer.timeout.connect(lambda: self.frame_gate.defer(self._update_stats))
        self._stats_generation = 0  # only the newest count is shown
        self._stats_running = False
        self._stats_again = False
        self._word_tally = WordTally()  # used by one count at a time (see _update_stats)
        self._stats_held: str | None = None  # a count waiting for the next key's paint
        self._stats_hold = QTimer(self, singleShot=True, interval=STATS_HOLD_MS)
        self._stats_hold.timeout.connect(self.show_held_stats)

    def _show_save_state(self, state: str) -> None:
        text = {
            "saved": "All changes saved",
            "saving": "Saving…",
            "unsaved": "Editing…",
            "conflict": "Changed elsewhere: not saving",
            "error": "Not saved yet (retrying)",
        }.get(state, state)
        self.save_label.setText(text if self.article is not None else "")
        # With no story open the title has no "[*]" to mark (and Qt warns on stderr).
        unsaved = state in ("unsaved", "saving", "conflict", "error")
        self.setWindowModified(self.article is not None and unsaved)

    def _update_title(self) -> None:
        headline = self.form.headline.text().strip() if self.article else ""
        self.setWindowTitle(
            f"{headline or 'Untitled'}[*] — newsdesk" if self.article else "newsdesk"
        )

    def _update_stats(self) -> None:
        """Count the open article's words and characters on a worker; the label follows."""
        self._stats_generation += 1
        if self.article is None:
            self._stats_held = None
            self.stats_label.setText("")
            return
        if self._stats_running:
            self._stats_again = True  # one count at a time; the newest text is counted next
            return
        self._stats_running = True
        text, generation = self.editor.toPlainText(), self._stats_generation

        tally = self._word_tally

        def count() -> tuple[int, int]:
            # Only the paragraphs that changed since the last count are counted again.
            return tally.count(text), char_count(text)

        run_task(
            count,
            on_done=lambda counts: self._show_stats(generation, counts),
            on_error=lambda _exc: self._show_stats(generation, None),
        )

    def _show_stats(self, generation: int, counts: tuple[int, int] | None) -> None:
        self._stats_running = False
        if self._stats_again:
            self._stats_again = False
            self._update_stats()  # the text changed while counting: that count is stale
            return
        if counts is None or generation != self._stats_generation or self.article is None:
            return
        words, chars = counts
        self._stats_held = (
            f"{words:,} word{'s' if words != 1 else ''} · "
            f"{chars:,} character{'s' if chars != 1 else ''} · {reading_time(words)}"
        )
        if not self._stats_hold.isActive():
            self._stats_hold.start()

    def show_held_stats(self) -> None:
        """Draw the newest count now (MainWindow calls this in each key's handling, so the
        label is painted with the key's own change to the editor)."""
        self._stats_hold.stop()
        text, self._stats_held = self._stats_held, None
        if text is not None and text != self.stats_label.text():
            self.stats_label.setText(text)
