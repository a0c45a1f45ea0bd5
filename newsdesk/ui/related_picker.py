"""The related-stories picker: the widget that holds its three lists, their keys and one undo stack.

Its other jobs are mixins, one module each: what it offers (suggestions and
the search, `related_finding.py`) and the picked list with its saving
(`related_picks.py`). Its queries are Qt-free in library/related/picker.py,
and how a row is drawn is in ui/story_rows.py.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QKeyEvent,
    QKeySequence,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from newsdesk.library import Article, Library
from newsdesk.library.related import (
    StoryCard,
    related_problem,
)
from newsdesk.library.related.picker import (
    SearchRequest,
    StoryRow,
    card_from_article,
    run_search,
    run_suggestions,
)
from newsdesk.ui.keys import claim_key
from newsdesk.ui.ops import Operations
from newsdesk.ui.related_finding import (
    DATE_CHOICES,
    STATUS_CHOICES,
    SUGGESTIONS_MAX_AGE_S,
    PickerFinding,
)
from newsdesk.ui.related_picks import PickedList
from newsdesk.ui.story_rows import (
    ROW_ROLE,
    THUMB_SIZE,
    StoryDelegate,
    ThumbnailCache,
    story_list,
)

SEARCH_DELAY_MS = 150  # typing pause before a search starts
BODY_IDLE_MS = 1_200  # typing pause before the suggestions' terms are checked


# ---- the picker --------------------------------------------------------------------------
class RelatedPicker(PickerFinding, PickedList, QWidget):
    """Find, take suggestions for, and order the open article's related stories.

    Searching, suggesting, thumbnails and saving all run on pool threads; the
    lists change at once and the library catches up a moment later, in the
    order the changes were made.
    """

    sig_results_shown = Signal(int)
    """The search results for the current query and filters are in the list (how many)."""
    sig_suggestions_shown = Signal(int)
    """Fresh suggestions are in the list (how many)."""
    sig_saved = Signal()
    """Every change to the picked list so far has reached the library."""

    def __init__(
        self, library: Library, parent: QWidget | None = None, *, ops: Operations | None = None
    ) -> None:
        super().__init__(parent)
        self.library = library
        # Picks are saved as operations on the window's serial writer (or the picker's own).
        self.ops = ops if ops is not None else Operations(library, self)
        self.setObjectName("related-picker")
        self.undo_stack = QUndoStack(self)
        self.article_id: int | None = None
        self._body: str | None = None  # the body as being edited, once it changed
        self._rows: dict[int, StoryRow] = {}  # every story shown so far, for undo
        self._picked: list[int] = []
        self._missing: list[StoryRow] = []  # deleted targets: shown, never saved again
        self._search_pool = QThreadPool(self)
        self._search_pool.setMaxThreadCount(1)
        self._pending_writes = 0
        self._saves_started = 0  # tells a read begun before a save from one begun after
        self._filling = False
        self._search_running: SearchRequest | None = None
        self._search_wanted: SearchRequest | None = None
        self._down_pending = False  # Down pressed before the results arrived
        self._suggest_running = False
        self._suggest_again = False
        self._suggest_force = True
        self._last_terms: list[str] | None = None
        self._last_suggested = 0.0
        self.thumbs = ThumbnailCache(library, self)

        # ---- search
        find_label = QLabel("Find st&ories")
        self.search_field = QLineEdit()
        self.search_field.setObjectName("related-search")
        self.search_field.setPlaceholderText("Search headlines, deks and text…")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setAccessibleName("Search stories to relate")
        find_label.setBuddy(self.search_field)
        self.section_filter = QComboBox()
        self.section_filter.setAccessibleName("Section")
        self.section_filter.addItem("All sections", "")
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Status")
        for label, value in STATUS_CHOICES:
            self.status_filter.addItem(label, value)
        self.date_filter = QComboBox()
        self.date_filter.setAccessibleName("Date")
        for label, value in DATE_CHOICES:
            self.date_filter.addItem(label, value)
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit, name in ((self.date_from, "From date"), (self.date_to, "To date")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(name)
        self.date_from.setDate(QDate.currentDate().addMonths(-1))
        self.date_to.setDate(QDate.currentDate())
        self.date_row = QWidget()
        dr = QHBoxLayout(self.date_row)
        dr.setContentsMargins(0, 0, 0, 0)
        dr.addWidget(QLabel("From"))
        dr.addWidget(self.date_from, 1)
        dr.addWidget(QLabel("to"))
        dr.addWidget(self.date_to, 1)
        self.date_row.hide()
        self.search_note = QLabel("")
        self.search_note.setObjectName("related-search-note")
        self.search_note.setWordWrap(True)
        self.results = story_list(
            "search-results",
            self._delegate("Add", show_dek=True, height=THUMB_SIZE.height() + 54),
        )

        # ---- suggestions
        suggest_label = QLabel("Su&ggested")
        self.suggestions = story_list(
            "suggestions", self._delegate("Add", show_dek=False, height=THUMB_SIZE.height() + 26)
        )
        suggest_label.setBuddy(self.suggestions)
        self.suggest_note = QLabel("")
        self.suggest_note.setObjectName("related-suggest-note")

        # ---- picked
        self.picked_label = QLabel("&Related stories")
        self.picked = story_list(
            "related-stories",
            self._delegate("✕", show_dek=False, height=THUMB_SIZE.height() + 14),
        )
        self.picked_label.setBuddy(self.picked)
        self.picked.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.picked.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.picked.model().rowsMoved.connect(self._on_dragged)
        self.up_button = self._tool("Move up", "▲", "Alt+Up", lambda: self.move_current(-1))
        self.down_button = self._tool("Move down", "▼", "Alt+Down", lambda: self.move_current(1))
        self.remove_button = self._tool("Remove", "✕", "Delete", self.remove_current)
        self.status_line = QLabel("")
        self.status_line.setObjectName("related-status")
        self.status_line.setWordWrap(True)

        # ---- layout
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.section_filter, 1)
        filters.addWidget(self.status_filter, 1)
        filters.addWidget(self.date_filter, 1)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(find_label)
        tl.addWidget(self.search_field)
        tl.addLayout(filters)
        tl.addWidget(self.date_row)
        tl.addWidget(self.search_note)
        tl.addWidget(self.results, 1)
        middle = QWidget()
        ml = QVBoxLayout(middle)
        ml.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(suggest_label)
        head.addStretch(1)
        head.addWidget(self.suggest_note)
        ml.addLayout(head)
        ml.addWidget(self.suggestions, 1)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        ph = QHBoxLayout()
        ph.addWidget(self.picked_label)
        ph.addStretch(1)
        for button in (self.up_button, self.down_button, self.remove_button):
            ph.addWidget(button)
        bl.addLayout(ph)
        bl.addWidget(self.picked, 1)
        bl.addWidget(self.status_line)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        for part in (top, middle, bottom):
            self.splitter.addWidget(part)
        self.splitter.setSizes([380, 220, 200])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.addWidget(self.splitter)

        # ---- timers, signals, keys
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.search_now)
        self._body_timer = QTimer(self)
        self._body_timer.setSingleShot(True)
        self._body_timer.setInterval(BODY_IDLE_MS)
        self._body_timer.timeout.connect(self._body_settled)
        self._body_max_timer = QTimer(self)
        self._body_max_timer.setSingleShot(True)
        self._body_max_timer.setInterval(int(SUGGESTIONS_MAX_AGE_S * 1000))
        self._body_max_timer.timeout.connect(self._body_settled)
        self.search_field.textChanged.connect(self._search_text_changed)
        self.section_filter.currentIndexChanged.connect(self._filters_changed)
        self.status_filter.currentIndexChanged.connect(self._status_changed)
        self.date_filter.currentIndexChanged.connect(self._date_choice_changed)
        self.date_from.dateChanged.connect(self._filters_changed)
        self.date_to.dateChanged.connect(self._filters_changed)
        self.results.itemActivated.connect(lambda item: self.add_row(item.data(ROW_ROLE)))
        self.suggestions.itemActivated.connect(lambda item: self.add_row(item.data(ROW_ROLE)))
        self.picked.currentRowChanged.connect(lambda _r: self._update_buttons())
        # Keys belong to the picker while focus is anywhere in it: Ctrl+Z undoes
        # its last change rather than the editor's (the search field keeps its
        # own text undo).
        for child in self.findChildren(QWidget):
            child.installEventFilter(self)
        self.setEnabled(False)
        self._update_buttons()
        self._load_sections()

    # ---- building blocks ---------------------------------------------------------------
    def _delegate(self, action: str, *, show_dek: bool, height: int) -> StoryDelegate:
        delegate = StoryDelegate(
            self.thumbs, action=action, show_dek=show_dek, height=height, parent=self
        )
        delegate.sig_action.connect(self._chip_clicked)
        return delegate

    def _tool(self, name: str, glyph: str, keys: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton()
        button.setText(glyph)
        button.setAccessibleName(name)
        button.setToolTip(f"{name} ({keys})")
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    def _chip_clicked(self, index: QModelIndex) -> None:
        row: StoryRow | None = index.data(ROW_ROLE)
        if row is None:
            return
        if index.model() is self.picked.model():
            self.remove_ids([row.article_id])
        else:
            self.add_row(row)

    # ---- the open article (the window's Panel protocol) --------------------------------------
    def attach(self, editor: QWidget, spell: object) -> None:
        """The picker takes nothing from the body editor but its text (see body_changed)."""

    def flush(self) -> bool:
        """Picks are saved as they are made: wait for those still on their way."""
        return self.wait_for_saves()

    def set_article(self, article: Article | None) -> None:
        """Show this article's related stories (None: nothing open)."""
        if article is None:
            self.article_id = None
            self.undo_stack.clear()
            self._picked, self._missing = [], []
            self._fill_picked()
            self.suggestions.clear()
            self.results.clear()
            self.setEnabled(False)
            return
        # A read-only library shows its picks greyed like the story's fields: none can be saved.
        self.setEnabled(not getattr(self.library, "read_only", False))
        switched = article.id != self.article_id
        if switched:
            self.article_id = article.id
            self._body = None
            self.undo_stack.clear()
            self._last_terms = None
            # Rows are kept for undo; with the undo history gone, so are they.
            self._rows = {}
        if switched or self._pending_writes == 0:
            # A reload after our own save shows what we already have; anything
            # else (another window, a restored revision) is taken as it is.
            self._take_related(article)
        if switched:
            self._suggest_force = True
            self.refresh_suggestions()
            if self.search_field.text().strip():
                self.search_now()
            else:
                self.results.clear()

    def _take_related(self, article: Article) -> None:
        picked, missing = [], []
        for link in article.related:
            note = related_problem(link)
            if link.target is None:
                card = StoryCard(
                    article_id=-1,
                    slug="",
                    headline=link.target_headline,
                    dek="",
                    section="",
                    status="deleted",
                    published_at=None,
                    updated_at=None,
                    embargo_until=None,
                )
                missing.append(StoryRow(card, missing=note))
                continue
            row = StoryRow(card_from_article(link.target), missing=note)
            self._rows[row.article_id] = row
            picked.append(row.article_id)
        self._picked, self._missing = picked, missing
        self._fill_picked()
        self._mark_picked()

    def body_changed(self, text: str) -> None:
        """The editor's body changed (call freely): suggestions follow once typing settles."""
        if self.article_id is None:
            return
        self._body = text
        self._body_timer.start()
        if not self._body_max_timer.isActive():
            self._body_max_timer.start()

    def _body_settled(self) -> None:
        self._body_timer.stop()
        self._body_max_timer.stop()
        self.refresh_suggestions()

    # ---- keys --------------------------------------------------------------------------------
    def undo(self) -> None:
        self.undo_stack.undo()

    def redo(self) -> None:
        self.undo_stack.redo()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind == QEvent.Type.FocusIn:
            self._bring_to_front()
        if isinstance(event, QKeyEvent) and claim_key(event, self._key_action(watched, event)):
            return True
        return super().eventFilter(watched, event)

    def _key_action(self, watched: QObject, event: QKeyEvent) -> Callable[[], None] | None:
        key, mods = event.key(), event.modifiers()
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            mods & ~Qt.KeyboardModifier.KeypadModifier
        )
        if watched is self.search_field:
            # The field keeps Ctrl+Z for its own text.
            # Arrow keys carry the keypad modifier on some keyboards (and always on macOS).
            if key == Qt.Key.Key_Down and not (mods & ~Qt.KeyboardModifier.KeypadModifier):
                if self.results.count():
                    return self._enter_results
                if self._search_timer.isActive() or self._search_running is not None:
                    # Typed quickly and pressed Down: go to the results when they come.
                    return lambda: setattr(self, "_down_pending", True)
            if enter:
                return self.search_now
            return None
        if event.matches(QKeySequence.StandardKey.Undo):
            return self.undo
        if event.matches(QKeySequence.StandardKey.Redo):
            return self.redo
        if watched is self.results or watched is self.suggestions:
            view: QListWidget = watched  # type: ignore[assignment]
            if enter and view.currentItem() is not None:
                return lambda: self._add_current(view)
            if view is self.results and key == Qt.Key.Key_Up and view.currentRow() <= 0:
                return lambda: self.search_field.setFocus(Qt.FocusReason.TabFocusReason)
        elif watched is self.picked:
            alt = mods == Qt.KeyboardModifier.AltModifier
            if alt and key == Qt.Key.Key_Up:
                return lambda: self.move_current(-1)
            if alt and key == Qt.Key.Key_Down:
                return lambda: self.move_current(1)
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not mods:
                return self.remove_current
        return None

    def _bring_to_front(self) -> None:
        """Focus came in while the picker's dock sits behind another tab: show the picker.

        A tabbed dock that is not in front stays 'visible' to Qt, only moved off
        the window, so keys would work on lists nobody can see.
        """
        if not self.visibleRegion().isEmpty():
            return
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QDockWidget):
            parent = parent.parentWidget()
        if parent is not None:
            parent.raise_()

    def _enter_results(self) -> None:
        self.results.setFocus(Qt.FocusReason.TabFocusReason)
        if self.results.currentRow() < 0:
            self.results.setCurrentRow(0)

    def _add_current(self, view: QListWidget) -> None:
        item = view.currentItem()
        if item is None:
            return
        row = view.currentRow()
        self.add_row(item.data(ROW_ROLE))
        if view is self.results and row < view.count() - 1:
            view.setCurrentRow(row + 1)  # ready for the next Enter
        elif view is self.suggestions and view.count():
            view.setCurrentRow(min(row, view.count() - 1))


__all__ = ["RelatedPicker", "StoryRow", "run_search", "run_suggestions"]
