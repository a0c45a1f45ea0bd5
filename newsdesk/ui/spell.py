"""Spell checking as you type: a worker checks changed text, the fields underline its results.

The GUI thread never checks a word. A highlighter asks the SpellService for a
block's misspellings; the service answers from its cache (per block text) or
queues the text for its one worker thread and answers None. When the worker's
results arrive, the service caches them and the field re-highlights the blocks
that were waiting. The context menu offers suggestions, "Add to newsroom
dictionary" (kept in the library) and "Ignore" (this session).
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QEvent, QObject, QPoint, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QInputMethodEvent,
    QSyntaxHighlighter,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QPlainTextEdit, QWidget

from newsdesk.spelling import SpellChecker, SpellingUnavailable, WordList

# A misspelling: (start in the block, length, the word).
Span = tuple[int, int, str]
UNDERLINE_COLOR = QColor(208, 0, 0)
CACHE_SIZE = 20_000  # block texts; a 20,000-word article has about 700
BATCH = 64  # texts the worker checks before it reports
# A text typed into is checked once the keystroke has been handled (the next pass of the
# event loop), not from inside it: the worker's Python then does not take the interpreter
# in the middle of the key event. A longer delay (50 ms, meant to keep it clear of the
# preview's render) measured no better under load and sometimes worse: not used.
CHECK_DELAY_MS = 0


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits through it (queued across threads)."""

    sig_results = Signal(object)


class _Line:
    """The worker's way back to the GUI thread, cut as the service is deleted.

    The worker may still be loading a dictionary when its window is deleted. An
    emit on a relay being deleted by the GUI thread at that moment crashes the
    process, so emits and the cut take one lock: the cut comes first (the
    service's `destroyed`, before its children go), and later emits do nothing.
    """

    def __init__(self, relay: _Relay) -> None:
        self._relay: _Relay | None = relay
        self._lock = threading.Lock()

    def send(self, message: tuple) -> None:
        with self._lock:
            if self._relay is not None:
                self._relay.sig_results.emit(message)

    def cut(self, *_args) -> None:
        with self._lock:
            self._relay = None


def _reporting(work: Callable[..., None]) -> Callable[..., None]:
    """Work for the worker that says so when it fails (an executor would keep it quiet)."""

    def run(*args) -> None:
        try:
            work(*args)
        except Exception:
            print(f"newsdesk: spell checking failed:\n{traceback.format_exc()}", file=sys.stderr)

    return run


class SpellService(QObject):
    """The editor's spell checker: the article's language, the newsroom dictionary, a worker."""

    sig_checked = Signal(object)
    """These block texts (a list) have results now: redraw blocks waiting for them."""
    sig_redraw = Signal()
    """What counts as a misspelling changed (language, added or ignored word): redraw all."""
    sig_unavailable = Signal(str)
    """Spell checking cannot run for this language; one sentence for the status bar."""

    def __init__(self, library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.language = ""
        self.problem = ""
        self.checker: SpellChecker | None = None
        self.newsroom = WordList()
        self.ignored = WordList()
        self._checkers: dict[str, SpellChecker | str] = {}  # worker-side, by language
        self._newsroom_loaded = False
        self._cache: OrderedDict[str, tuple[Span, ...]] = OrderedDict()
        self._queue: deque[str] = deque()
        self._queued: set[str] = set()
        self._lock = threading.Lock()
        self._draining = False
        self._generation = 0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spell")
        self._relay = _Relay(self)
        self._relay.sig_results.connect(self._on_results)
        self._line = _Line(self._relay)
        self.destroyed.connect(self._line.cut)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(lambda: self.defer(self._start_checking))
        # How a check is started: at once, or (the main window's FrameGate.defer) once the
        # key that asked for it is on screen in the preview.
        self.defer: Callable[[Callable[[], None]], None] = lambda work: work()

    # ---- language and dictionaries ---------------------------------------------
    def set_language(self, language: str) -> None:
        """Check in this language from now on (loading its dictionary on the worker)."""
        language = (language or "en").strip() or "en"
        if language == self.language:
            return
        with self._lock:
            self.language = language
            self.checker = None
            self._generation += 1
            self._cache.clear()
            self._queue.clear()
            self._queued.clear()
            generation = self._generation
        self._executor.submit(_reporting(self._load), language, generation)
        self.sig_redraw.emit()

    def _load(self, language: str, generation: int) -> None:  # on the worker
        if not self._newsroom_loaded:
            try:
                for word in self.library.newsroom_words():
                    self.newsroom.add(word)
            except Exception as exc:  # a library that cannot answer must not stop checking
                self._line.send(("problem", generation, f"{exc}"))
            self._newsroom_loaded = True
        found = self._checkers.get(language)
        if found is None:
            try:
                found = SpellChecker(language, self.newsroom, ignored=self.ignored)
            except SpellingUnavailable as exc:
                found = str(exc)
            self._checkers[language] = found
        if isinstance(found, str):
            self._line.send(("problem", generation, found))
            return
        with self._lock:
            if generation == self._generation:
                self.checker = found
        self._line.send(("ready", generation, None))

    # ---- what the highlighters ask -------------------------------------------------
    def cached(self, text: str) -> tuple[Span, ...] | None:
        """The misspellings of a block text if they are known; never queues work."""
        return self._cache.get(text)

    def spans_for(self, text: str) -> tuple[Span, ...] | None:
        """The misspellings of a block text, or None while the worker checks it."""
        spans = self._cache.get(text)
        if spans is not None:
            return spans
        if self.problem or not any(c.isalpha() for c in text):
            return ()
        with self._lock:
            if text not in self._queued:
                self._queued.add(text)
                self._queue.append(text)
        if not self._check_timer.isActive():
            self._check_timer.start()  # not restarted: a long burst of typing still gets checked
        return None

    def _start_checking(self) -> None:
        with self._lock:
            if self._queue and not self._draining and self.checker is not None:
                self._draining = True
                self._executor.submit(_reporting(self._drain), self._generation, len(self._queue))

    def _drain(self, generation: int, count: int | None = None) -> None:  # on the worker
        """Check the texts queued (the first `count` of them): texts asked for meanwhile
        wait for the next check, which starts after the results arrive."""
        while count is None or count > 0:
            with self._lock:
                checker = self.checker
                if generation != self._generation or checker is None or not self._queue:
                    self._draining = False
                    return
                take = min(BATCH, len(self._queue), BATCH if count is None else count)
                batch = [self._queue.popleft() for _ in range(take)]
            if count is not None:
                count -= take
            results = [
                (t, tuple((w.start, len(w.text), w.text) for w in checker.misspelled(t)))
                for t in batch
            ]
            self._line.send(("checked", generation, results))
        with self._lock:
            self._draining = False
            if self._queue:
                self._line.send(("more", generation, None))

    def _on_results(self, message: tuple) -> None:  # on the GUI thread
        kind, generation, payload = message
        if generation != self._generation:
            return
        if kind == "problem":
            self.problem = payload
            self.sig_unavailable.emit(payload)
            self.sig_redraw.emit()
            return
        if kind == "more":  # texts asked for while the last check ran
            if not self._check_timer.isActive():
                self._check_timer.start()
            return
        if kind == "ready":
            self.problem = ""
            with self._lock:  # texts asked for while the dictionary loaded
                if self._queue and not self._draining:
                    self._draining = True
                    self._executor.submit(_reporting(self._drain), self._generation)
            return
        texts = []
        with self._lock:
            for text, spans in payload:
                self._queued.discard(text)
                # A word added or ignored while the worker was busy is already known.
                self._cache[text] = tuple(s for s in spans if not self._known_now(s[2]))
                texts.append(text)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        self.sig_checked.emit(texts)

    def _known_now(self, word: str) -> bool:
        return word in self.newsroom or word in self.ignored

    # ---- the user's choices ------------------------------------------------------------
    def suggestions(self, word: str) -> list[str]:
        checker = self.checker
        return checker.suggest(word) if checker is not None else []

    def add_to_dictionary(self, word: str) -> None:
        """Known in every story from now on, and kept in the library (written off the GUI thread)."""
        from newsdesk.ui.workers import run_task

        self.newsroom.add(word)
        self._forget(word)
        run_task(
            lambda: self.library.add_newsroom_word(word),
            on_error=lambda exc: self.sig_unavailable.emit(
                f"Could not keep {word!r} in the newsroom dictionary: {exc}"
            ),
        )

    def ignore(self, word: str) -> None:
        """Not a misspelling anywhere until the editor closes."""
        self.ignored.add(word)
        self._forget(word)

    def _forget(self, word: str) -> None:
        with self._lock:
            for text, spans in self._cache.items():
                kept = tuple(s for s in spans if not self._known_now(s[2]))
                if len(kept) != len(spans):
                    self._cache[text] = kept
        self.sig_redraw.emit()

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


# ---- underlining -----------------------------------------------------------------------
def spell_format() -> QTextCharFormat:
    f = QTextCharFormat()
    f.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
    f.setUnderlineColor(UNDERLINE_COLOR)
    return f


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch in "'’-"


def carried_over(old_text: str, old_spans: tuple[Span, ...], text: str) -> tuple[Span, ...]:
    """The misspellings of old_text that the edit to text left whole, moved with it.

    While the worker checks a block just typed into, the words the edit did not touch
    keep their underlines (they do not blink off and on with each key), and when the
    check agrees nothing is drawn again.
    """
    if not old_spans:
        return ()
    limit = min(len(old_text), len(text))
    head = 0
    while head < limit and old_text[head] == text[head]:
        head += 1
    tail = 0
    while tail < limit - head and old_text[-1 - tail] == text[-1 - tail]:
        tail += 1
    shift = len(text) - len(old_text)
    kept = []
    for start, length, word in old_spans:
        end = start + length
        if end < head or (end == head and not _word_continues(text, end)):
            at = start  # before the edit
        elif start > len(old_text) - tail or (
            start == len(old_text) - tail and not _word_continues(text, start + shift - 1)
        ):
            at = start + shift  # after it
        else:
            continue  # the edit is in this word or touches it: the check decides
        if (
            text[at : at + length] == word
            and not _word_continues(text, at - 1)
            and not _word_continues(text, at + length)
        ):
            kept.append((at, length, word))
    return tuple(kept)


def _word_continues(text: str, index: int) -> bool:
    return 0 <= index < len(text) and _is_word_char(text[index])


class BlockSpelling(QObject):
    """Underlines misspellings in one QSyntaxHighlighter's document, from the service's cache.

    The highlighter calls underline() at the end of its highlightBlock(); a block
    whose text the worker has not checked yet keeps the underlines its edit left
    whole (carried_over) meanwhile, and is highlighted again when its results
    arrive, only if they differ from what is drawn.
    """

    def __init__(self, highlighter: QSyntaxHighlighter, service: SpellService) -> None:
        super().__init__(highlighter)
        self.highlighter = highlighter
        self.service = service
        self._pending: dict[str, list[QTextBlock]] = {}
        # What each block (by number) was last drawn with: (its text, the spans underlined).
        self._drawn: dict[int, tuple[str, tuple[Span, ...]]] = {}
        self.redrawn = 0  # blocks highlighted again for their results (tests count them)
        service.sig_checked.connect(self._on_checked)
        service.sig_redraw.connect(self._on_redraw)

    def underline(self, text: str) -> None:
        h = self.highlighter
        number = h.currentBlock().blockNumber()
        spans = self.service.spans_for(text)
        if spans is None:
            self._pending.setdefault(text, []).append(h.currentBlock())
            before = self._drawn.get(number)
            spans = carried_over(before[0], before[1], text) if before is not None else ()
        self._drawn[number] = (text, spans)
        for start, length, _word in spans:
            # Keep the Markdown colours: add the underline to each run's own format.
            pos, end = start, start + length
            while pos < end:
                base = h.format(pos)
                run = pos + 1
                while run < end and h.format(run) == base:
                    run += 1
                f = QTextCharFormat(base)
                f.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
                f.setUnderlineColor(UNDERLINE_COLOR)
                h.setFormat(pos, run - pos, f)
                pos = run

    def _on_checked(self, texts: list[str]) -> None:
        for text in texts:
            spans = self.service.cached(text)
            for block in self._pending.pop(text, ()):
                if not block.isValid() or block.text() != text:
                    continue
                if self._drawn.get(block.blockNumber()) == (text, spans):
                    continue  # drawn with these underlines already (carried over)
                self.redrawn += 1
                self.highlighter.rehighlightBlock(block)

    def _on_redraw(self) -> None:
        self._pending.clear()
        self._drawn.clear()
        self.highlighter.rehighlight()


class SpellHighlighter(QSyntaxHighlighter):
    """Only underlines misspellings: for plain-text fields such as captions."""

    def __init__(self, document: QTextDocument, service: SpellService) -> None:
        super().__init__(document)
        self.spelling = BlockSpelling(self, service)

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt override)
        self.spelling.underline(text)


class LineEditSpelling(QObject):
    """Underlines misspellings in a QLineEdit (headline, dek).

    A QLineEdit has no highlighter; the one public way to format its text is an
    input-method event carrying text formats, which it draws until the next one.
    """

    def __init__(self, edit: QLineEdit, service: SpellService) -> None:
        super().__init__(edit)
        self.edit = edit
        self.service = service
        self.spans: tuple[Span, ...] = ()
        edit.textChanged.connect(self.refresh)
        service.sig_checked.connect(self._on_checked)
        service.sig_redraw.connect(self.refresh)

    def refresh(self) -> None:
        spans = self.service.spans_for(self.edit.text())
        if spans is not None:
            self._apply(spans)

    def _on_checked(self, texts: list[str]) -> None:
        if self.edit.text() in texts:
            self.refresh()

    def _apply(self, spans: tuple[Span, ...]) -> None:
        if spans == self.spans and spans == ():
            return
        self.spans = spans
        if self.edit.isReadOnly():
            return
        cursor = self.edit.cursorPosition()
        fmt = spell_format()
        attributes = [
            QInputMethodEvent.Attribute(
                QInputMethodEvent.AttributeType.TextFormat, start - cursor, length, fmt
            )
            for start, length, _ in spans
        ]
        QApplication.sendEvent(self.edit, QInputMethodEvent("", attributes))


# ---- the context menu ------------------------------------------------------------------
def _span_at(spans: tuple[Span, ...] | None, offset: int) -> Span | None:
    for span in spans or ():
        if span[0] <= offset <= span[0] + span[1]:
            return span
    return None


class SpellMenu(QObject):
    """Puts suggestions, "Add to newsroom dictionary" and "Ignore" atop a field's context menu."""

    def __init__(self, widget: QPlainTextEdit | QLineEdit, service: SpellService) -> None:
        super().__init__(widget)
        self.widget = widget
        self.service = service
        target = widget.viewport() if isinstance(widget, QPlainTextEdit) else widget
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.ContextMenu and isinstance(event, QContextMenuEvent):
            menu = self.menu_at(event.pos())
            menu.exec(event.globalPos())
            menu.deleteLater()
            return True
        return False

    def misspelling_at(self, pos: QPoint) -> tuple[Callable[[str], None], Span] | None:
        """(a function replacing the word, the misspelling) under a widget position, or None."""
        w = self.widget
        if isinstance(w, QPlainTextEdit):
            cursor = w.cursorForPosition(pos)
            block = cursor.block()
            span = _span_at(self.service.cached(block.text()), cursor.positionInBlock())
            if span is None:
                return None

            def replace(text: str, block=block, span=span) -> None:
                c = QTextCursor(block)
                c.setPosition(block.position() + span[0])
                c.setPosition(block.position() + span[0] + span[1], QTextCursor.MoveMode.KeepAnchor)
                c.beginEditBlock()  # one undo step
                c.insertText(text)
                c.endEditBlock()

            return replace, span
        span = _span_at(self.service.cached(w.text()), w.cursorPositionAt(pos))
        if span is None:
            return None

        def replace_in_line(text: str, span=span) -> None:
            w.setSelection(span[0], span[1])
            w.insert(text)  # undoable with Ctrl+Z, like typing
            w.textEdited.emit(w.text())  # the form saves what the user changed

        return replace_in_line, span

    def menu_at(self, pos: QPoint) -> QMenu:
        """The context menu for a click at pos: spelling first, then the standard entries."""
        w = self.widget
        menu = w.createStandardContextMenu() if isinstance(w, QLineEdit) else None
        if menu is None:
            menu = w.createStandardContextMenu(w.mapToGlobal(pos))
        found = self.misspelling_at(pos)
        if found is None:
            return menu
        replace, (_start, _length, word) = found
        first = menu.actions()[0] if menu.actions() else None
        spelling: list[QAction] = []
        for suggestion in self.service.suggestions(word)[:6]:
            action = QAction(suggestion, menu)
            action.triggered.connect(lambda _=False, s=suggestion: replace(s))
            spelling.append(action)
        if not spelling:
            none = QAction("No suggestions", menu)
            none.setEnabled(False)
            spelling.append(none)
        add = QAction(f"Add “{word}” to Newsroom Dictionary", menu)
        add.setObjectName("spell-add")
        add.triggered.connect(lambda: self.service.add_to_dictionary(word))
        ignore = QAction(f"Ignore “{word}”", menu)
        ignore.setObjectName("spell-ignore")
        ignore.triggered.connect(lambda: self.service.ignore(word))
        menu.insertActions(first, [*spelling, add, ignore])
        menu.insertSeparator(first)
        return menu


def attach_spelling(
    widget: QWidget, service: SpellService, highlighter: QSyntaxHighlighter | None = None
) -> QObject:
    """Check a field as the user types: underlines plus the spelling context menu.

    A QPlainTextEdit that already has a highlighter passes it, and calls the
    returned BlockSpelling's underline() at the end of its highlightBlock().
    """
    if isinstance(widget, QLineEdit):
        spelling: QObject = LineEditSpelling(widget, service)
        widget.setProperty("spell_checked", True)
    elif isinstance(widget, QPlainTextEdit):
        if highlighter is None:
            highlighter = SpellHighlighter(widget.document(), service)
            spelling = highlighter.spelling  # type: ignore[attr-defined]
        else:
            spelling = BlockSpelling(highlighter, service)
    else:
        raise TypeError(f"cannot spell check a {type(widget).__name__}")
    widget.setProperty("spell_checked", True)
    widget._spell_menu = SpellMenu(widget, service)  # type: ignore[attr-defined]
    widget._spelling = spelling  # type: ignore[attr-defined]
    return spelling
