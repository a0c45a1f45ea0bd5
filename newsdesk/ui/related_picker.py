"""The related-stories picker: search the library, take suggestions, and order the article's related stories.

The widget only: its queries are Qt-free in library/related/picker.py, and how
a row is drawn is in ui/story_rows.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import shiboken6
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
    QUndoCommand,
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
from newsdesk.library.changes import Changes
from newsdesk.library.related import (
    StoryCard,
    related_problem,
    related_problems,
)
from newsdesk.library.related.picker import (
    SearchRequest,
    StoryRow,
    card_from_article,
    run_search,
    run_suggestions,
)
from newsdesk.ui.keys import claim_key
from newsdesk.ui.ops import Operations, failure_message
from newsdesk.ui.story_rows import (
    PICKED_ROLE,
    ROW_ROLE,
    THUMB_SIZE,
    StoryDelegate,
    ThumbnailCache,
    make_item,
    story_list,
)
from newsdesk.ui.workers import run_task

SEARCH_DELAY_MS = 150  # typing pause before a search starts
BODY_IDLE_MS = 1_200  # typing pause before the suggestions' terms are checked
SUGGESTIONS_MAX_AGE_S = 30.0  # while typing on, suggestions are checked at least this often

STATUS_CHOICES = (
    ("Published", "published"),
    ("Any status", ""),
    ("Draft", "draft"),
    ("Editing", "editing"),
    ("Ready", "ready"),
)
DATE_CHOICES = (
    ("Any date", None),
    ("Past week", 7),
    ("Past month", 31),
    ("Past year", 366),
    ("Between…", -1),
)


# ---- undo --------------------------------------------------------------------------------
class SetPicks(QUndoCommand):
    """The picked list changed (add, remove or move); undo puts the previous list back."""

    def __init__(self, picker: RelatedPicker, before: list[int], after: list[int], text: str):
        super().__init__(text)
        self.picker, self.before, self.after = picker, before, after

    def redo(self) -> None:
        self.picker._apply_picks(self.after)

    def undo(self) -> None:
        self.picker._apply_picks(self.before)


# ---- the picker --------------------------------------------------------------------------
class RelatedPicker(QWidget):
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
        self.setEnabled(True)
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

    # ---- suggestions ----------------------------------------------------------------------
    def refresh_suggestions(self) -> None:
        """Check the article's terms in the background; recompute when they (or 30 s) changed."""
        if self.article_id is None:
            return
        if self._suggest_running:
            self._suggest_again = True
            return
        force = self._suggest_force or (
            time.monotonic() - self._last_suggested >= SUGGESTIONS_MAX_AGE_S
        )
        self._suggest_force = False
        self._suggest_running = True
        self.suggest_note.setText("Updating…")
        library, article_id, body = self.library, self.article_id, self._body
        last = None if force else self._last_terms
        include_unpublished = self.status_filter.currentData() != "published"
        exclude = list(self._picked)
        run_task(
            lambda: run_suggestions(
                library,
                article_id,
                body=body,
                last_terms=last,
                include_unpublished=include_unpublished,
                exclude=exclude,
            ),
            on_done=lambda result: self._suggestions_arrived(article_id, result),
            on_error=lambda exc: self._suggestions_failed(article_id, exc),
            pool=self._search_pool,
        )

    def _suggestions_arrived(
        self, article_id: int, result: tuple[list[str], list[StoryRow] | None]
    ) -> None:
        if not shiboken6.isValid(self):
            return
        self._suggest_running = False
        terms, rows = result
        if article_id == self.article_id:
            self._last_terms = terms
            if rows is not None:
                self._last_suggested = time.monotonic()
                for row in rows:
                    self._rows.setdefault(row.article_id, row)
                self._fill(self.suggestions, [r for r in rows if r.article_id not in self._picked])
                self.sig_suggestions_shown.emit(self.suggestions.count())
            self.suggest_note.setText("" if self.suggestions.count() else "No suggestions yet")
        if self._suggest_again:
            self._suggest_again = False
            self.refresh_suggestions()

    def _suggestions_failed(self, article_id: int, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._suggest_running = False
        if article_id == self.article_id:
            self.suggest_note.setText("Suggestions failed")
            self.status_line.setText(f"Suggestions could not be made: {exc}")
        if self._suggest_again:
            self._suggest_again = False
            self.refresh_suggestions()

    # ---- search ------------------------------------------------------------------------------
    def _request(self) -> SearchRequest:
        since = until = None
        days = self.date_filter.currentData()
        if days == -1:
            since = _day_start(self.date_from.date())
            until = _day_start(self.date_to.date().addDays(1))
        elif days:
            since = datetime.now(UTC) - timedelta(days=days)
        return SearchRequest(
            query=self.search_field.text(),
            status=self.status_filter.currentData() or "",
            section=self.section_filter.currentData() or "",
            since=since,
            until=until,
            exclude_id=self.article_id,
        )

    def _search_text_changed(self, _text: str) -> None:
        self._down_pending = False  # typing on: the earlier Down was not for these results
        self._search_timer.start()

    def search_now(self) -> None:
        """Search at once for what the field holds (typing waits a moment first)."""
        self._search_timer.stop()
        request = self._request()
        if not request.query.strip():
            self._search_wanted = None
            self.results.clear()
            self.search_note.setText(self.library.search_note)
            return
        self._search_wanted = request
        if self._search_running is None:
            self._start_search(request)

    def _start_search(self, request: SearchRequest) -> None:
        self._search_running = request
        self.search_note.setText("Searching…")
        library = self.library
        run_task(
            lambda: run_search(library, request),
            on_done=lambda rows: self._results_arrived(request, rows),
            on_error=lambda exc: self._search_failed(request, exc),
            pool=self._search_pool,
        )

    def _results_arrived(self, request: SearchRequest, rows: list[StoryRow]) -> None:
        if not shiboken6.isValid(self):
            return
        self._search_running = None
        if request == self._search_wanted:
            for row in rows:
                if row.article_id not in self._picked:  # keep what preflight said of those
                    self._rows[row.article_id] = row
            keep = self.results.currentRow()
            self._fill(self.results, rows)
            if self.results.hasFocus() and rows:
                self.results.setCurrentRow(min(max(keep, 0), len(rows) - 1))
            note = (
                f"{len(rows)} {'story' if len(rows) == 1 else 'stories'}"
                if rows
                else "No stories found"
            )
            extra = self.library.search_note
            self.search_note.setText(f"{note}. {extra}" if extra else note)
            if self._down_pending and rows and self.search_field.hasFocus():
                self._enter_results()
            self._down_pending = False
            self.sig_results_shown.emit(len(rows))
        elif self._search_wanted is not None:
            self._start_search(self._search_wanted)  # only the newest query is run

    def _search_failed(self, request: SearchRequest, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._search_running = None
        self.search_note.setText(f"Search failed: {exc}")
        if self._search_wanted is not None and self._search_wanted != request:
            self._start_search(self._search_wanted)

    def _filters_changed(self, *_args: Any) -> None:
        if self.search_field.text().strip():
            self.search_now()

    def _status_changed(self, *_args: Any) -> None:
        self._filters_changed()
        # The status filter also says whether unpublished stories may be suggested.
        self._suggest_force = True
        self.refresh_suggestions()

    def _date_choice_changed(self, *_args: Any) -> None:
        self.date_row.setVisible(self.date_filter.currentData() == -1)
        self._filters_changed()

    def _load_sections(self) -> None:
        library = self.library
        run_task(library.sections, on_done=self._sections_arrived, pool=self._search_pool)

    def _sections_arrived(self, sections: list[str]) -> None:
        if not shiboken6.isValid(self):
            return
        current = self.section_filter.currentData()
        self.section_filter.blockSignals(True)
        while self.section_filter.count() > 1:
            self.section_filter.removeItem(1)
        for name in sections:
            self.section_filter.addItem(name, name)
        index = self.section_filter.findData(current)
        self.section_filter.setCurrentIndex(max(index, 0))
        self.section_filter.blockSignals(False)

    # ---- the picked list ------------------------------------------------------------------
    def picked_ids(self) -> list[int]:
        return list(self._picked)

    def add_row(self, row: StoryRow | None) -> None:
        """Add this story at the end of the related stories (once)."""
        if row is None or self.article_id is None or row.article_id in (self.article_id, -1):
            return
        if row.article_id in self._picked:
            self.status_line.setText(f"'{row.card.headline}' is already related.")
            return
        self._rows[row.article_id] = row
        self.undo_stack.push(
            SetPicks(
                self,
                self.picked_ids(),
                [*self._picked, row.article_id],
                f"Add '{row.card.headline}'",
            )
        )
        self.status_line.setText(f"Added '{row.card.headline}'.")

    def remove_ids(self, ids: Sequence[int]) -> None:
        after = [i for i in self._picked if i not in ids]
        if after == self._picked:
            return
        names = ", ".join(f"'{self._rows[i].card.headline}'" for i in ids if i in self._rows)
        self.undo_stack.push(SetPicks(self, self.picked_ids(), after, f"Remove {names}"))
        self.status_line.setText(f"Removed {names}.")

    def remove_current(self) -> None:
        item = self.picked.currentItem()
        if item is None:
            return
        row: StoryRow = item.data(ROW_ROLE)
        if row.article_id == -1:
            return
        position = self.picked.currentRow()
        self.remove_ids([row.article_id])
        if self.picked.count():
            self.picked.setCurrentRow(min(position, self.picked.count() - 1))

    def move_current(self, step: int) -> None:
        """Move the selected related story up (-1) or down (+1)."""
        item = self.picked.currentItem()
        if item is None:
            return
        aid = item.data(ROW_ROLE).article_id
        if aid not in self._picked:
            return
        i = self._picked.index(aid)
        j = i + step
        if not 0 <= j < len(self._picked):
            return
        after = list(self._picked)
        after[i], after[j] = after[j], after[i]
        self.undo_stack.push(SetPicks(self, self.picked_ids(), after, "Move related story"))
        self.picked.setCurrentRow(after.index(aid))

    def _on_dragged(self, *_args: Any) -> None:
        # The view already moved the row; read its order back and record it.
        if self._filling:
            return
        order = []
        for n in range(self.picked.count()):
            row: StoryRow = self.picked.item(n).data(ROW_ROLE)
            if row.article_id != -1:
                order.append(row.article_id)
        if order != self._picked:
            QTimer.singleShot(
                0,
                lambda: self.undo_stack.push(
                    SetPicks(self, self.picked_ids(), order, "Move related story")
                ),
            )

    def _apply_picks(self, ids: list[int]) -> None:
        """Show and save this list of related stories (undo and redo land here too)."""
        current = self.picked.currentItem()
        keep = current.data(ROW_ROLE).article_id if current is not None else None
        self._picked = list(ids)
        self._fill_picked()
        if keep in self._picked:
            self.picked.setCurrentRow(self._picked.index(keep))
        self._mark_picked()
        self._save()

    def _fill_picked(self) -> None:
        keep = self.picked.currentRow()
        # Signals stay on (the view needs the model's), but a refill is not a drag.
        self._filling = True
        self.picked.blockSignals(True)
        self.picked.clear()
        for aid in self._picked:
            row = self._rows.get(aid)
            if row is not None:
                # The related list shows the story itself, not why it was found.
                self.picked.addItem(make_item(StoryRow(row.card, missing=row.missing)))
        for row in self._missing:
            item = make_item(row)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsDragEnabled)
            self.picked.addItem(item)
        if self.picked.count():
            self.picked.setCurrentRow(min(max(keep, 0), self.picked.count() - 1))
        self.picked.blockSignals(False)
        self._filling = False
        self.picked.viewport().update()
        n = len(self._picked)
        self.picked_label.setText(f"&Related stories ({n})" if n else "&Related stories")
        self._update_buttons()

    def _mark_picked(self) -> None:
        picked = set(self._picked)
        for n in range(self.results.count()):
            item = self.results.item(n)
            item.setData(PICKED_ROLE, item.data(ROW_ROLE).article_id in picked)
        for n in reversed(range(self.suggestions.count())):
            if self.suggestions.item(n).data(ROW_ROLE).article_id in picked:
                self.suggestions.takeItem(n)

    def _fill(self, view: QListWidget, rows: list[StoryRow]) -> None:
        picked = set(self._picked)
        view.setUpdatesEnabled(False)
        view.clear()
        for row in rows:
            view.addItem(make_item(row, picked=row.article_id in picked))
        view.setUpdatesEnabled(True)

    def _update_buttons(self) -> None:
        row = self.picked.currentRow()
        real = len(self._picked)
        self.up_button.setEnabled(0 < row < real)
        self.down_button.setEnabled(0 <= row < real - 1)
        self.remove_button.setEnabled(0 <= row < real)

    # ---- saving --------------------------------------------------------------------------------
    def _save(self) -> None:
        if self.article_id is None:
            return
        article_id, ids = self.article_id, list(self._picked)
        self._pending_writes += 1

        def write(library: Library) -> list[str]:
            library.set_related(article_id, ids)
            return related_problems(library, library.get_article(article_id))

        self.ops.run_op(  # one writer: saves land in the order they were made
            write,
            on_success=lambda problems: self._saved(article_id, problems),
            on_failure=lambda exc: self._save_failed(article_id, exc),
            initiator=self,
        )

    def _saved(self, article_id: int, problems: list[str]) -> None:
        if not shiboken6.isValid(self):
            return
        self._pending_writes -= 1
        if article_id != self.article_id:
            return
        if self._pending_writes == 0:
            if self._missing:
                self._missing = []  # set_related dropped the deleted ones
                self._fill_picked()
            if problems:
                self.status_line.setText(" ".join(problems))
            self.sig_saved.emit()  # the window hears of it through ops.sig_library_changed
            self._suggest_force = True
            self.refresh_suggestions()

    def _save_failed(self, article_id: int, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._pending_writes -= 1
        if article_id == self.article_id:
            self.status_line.setText(
                f"The related stories could not be saved: {failure_message(exc)}"
            )
            if self._pending_writes == 0:
                try:
                    self._take_related(self.library.get_article(article_id))
                except Exception:
                    pass

    def wait_for_saves(self, msecs: int = 10_000) -> bool:
        """Block until every save has reached the library (tests and closing use this)."""
        return self.ops.wait(msecs)

    def library_changed(self, changes: Changes, initiator: object) -> None:
        """Another writer changed this article's related stories: show what the library holds."""
        if initiator is self or self.article_id is None or self._pending_writes:
            return
        if self.article_id not in changes.related_of and not changes.deleted_articles:
            return
        library, article_id = self.library, self.article_id

        def arrived(article: Article | None) -> None:
            if (
                shiboken6.isValid(self)
                and article is not None
                and article.id == self.article_id
                and not self._pending_writes
            ):
                self._take_related(article)

        run_task(lambda: library.find_article(article_id), on_done=arrived)

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


def _day_start(day: QDate) -> datetime:
    """Midnight at the start of this local day, as an aware datetime."""
    local = datetime(day.year(), day.month(), day.day()).astimezone()
    return local.astimezone(UTC)


__all__ = ["RelatedPicker", "StoryRow", "run_search", "run_suggestions"]
