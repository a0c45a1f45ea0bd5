"""The library browser: a lazily filled article list, type-ahead search and filters."""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from newsdesk.library import ARTICLE_STATUSES, Library
from newsdesk.ui.article_list_model import (
    ANY,
    ArticleListModel,
    Filters,
)
from newsdesk.ui.story_list_view import AllChosen, StoryListView
from newsdesk.ui.workers import NewestRead

# Narrower than this, the list leaves out its Section column: at a laptop's default layout the
# headline otherwise got a third of the list ("Night ferry cr…"); the filter and the form still
# show the section, and the column comes back when the list is widened.
NARROW_LIST_PX = 330
SECTION_COLUMN = 2


class LibraryBrowser(QWidget):
    """Search box, filters and the article list; picking a row opens that article."""

    sig_article_selected = Signal(int)
    """The user picked this article id in the list."""
    sig_open_requested = Signal(int)
    """Return on a row: open this article and go to its body."""
    sig_selection_changed = Signal(int)
    """How many stories are selected now (Shift/Ctrl-click, Ctrl+A: all the filters match)."""

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self._choices = NewestRead()  # sections and tags
        self.setObjectName("library-browser")
        self.search = QLineEdit(placeholderText="Search articles…")
        self.search.setAccessibleName("Search articles")
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Filter by status")
        self.status_filter.addItem("Status", ANY)
        for s in ARTICLE_STATUSES:
            self.status_filter.addItem(s.capitalize(), s)
        self.section_filter = QComboBox()
        self.section_filter.setAccessibleName("Filter by section")
        self.tag_filter = QComboBox()
        self.tag_filter.setAccessibleName("Filter by tag")
        self.tag_filter.setEditable(True)
        self.tag_filter.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.tag_filter.lineEdit().setPlaceholderText("Tag")
        self.count_label = QLabel("")
        self.count_label.setAccessibleName("Articles shown")

        self.model = ArticleListModel(library, self)
        self.view = StoryListView()
        self.view.setObjectName("article-list")
        self.view.setAccessibleName("Articles")
        self.view.setModel(self.model)
        # Ctrl+A chooses every story the filters match, the unloaded pages too.
        self.all_chosen = AllChosen(self.view, self.model)
        self.all_chosen.sig_changed.connect(self._emit_count)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several at once (Shift/Ctrl-click, Ctrl+A) for Move to Trash, Set Section, Export;
        # the editor shows the current row's story only.
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        # Tab leaves the list (arrows move within it), rather than walking it cell by cell.
        self.view.setTabKeyNavigation(False)
        self.view.installEventFilter(self)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        # Fixed row heights let the view skip measuring 100,000 rows.
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setHighlightSections(False)
        # Size the columns to the rows on screen only: by default Qt measures up to 1,000
        # rows on every change, and each autosave changes a row (tens of ms on the GUI thread).
        header.setResizeContentsPrecision(0)

        filters = QHBoxLayout()
        filters.setSpacing(4)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.section_filter)
        filters.addWidget(self.tag_filter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)

        # Type-ahead: wait for a short pause in typing, then search off the GUI thread.
        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self._apply_filters)
        self.search.textChanged.connect(lambda: self._search_timer.start())
        self.search.returnPressed.connect(self._focus_results)
        self.status_filter.currentIndexChanged.connect(self._apply_filters)
        self.section_filter.currentIndexChanged.connect(self._apply_filters)
        self.tag_filter.lineEdit().editingFinished.connect(self._apply_filters)
        self.tag_filter.activated.connect(self._apply_filters)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.modelReset.connect(self._on_selection_changed)
        self.model.rowsRemoved.connect(self._on_selection_changed)
        self.model.sig_reset_done.connect(self._after_reset)
        # The columns sized to contents are measured again once rows arrive: measured on
        # the empty list alone they fit only their titles, and "published" showed as "publi…".
        self.model.sig_loading.connect(lambda loading: loading or header.resizeSections())
        self.model.rowsInserted.connect(self._update_count)
        self.model.modelReset.connect(self._update_count)
        self._pending_select: int | None = None
        self._pending_chosen: set[int] = set()  # chosen before a refresh, chosen again after
        self._pending_all = False  # every match chosen before a refresh: all again after
        self._suppress_selection = False

    # ---- filters ------------------------------------------------------------
    def load(self) -> None:
        """Fill the filter choices and the first page (both off the GUI thread)."""
        self.refresh_choices()
        self._apply_filters(force=True)

    def refresh_choices(self) -> None:
        library = self.library
        self._choices.run(lambda: (library.sections(), library.tags()), self._set_choices)

    def _set_choices(self, result: tuple[list[str], list[str]]) -> None:
        sections, tags = result
        current_section = self.section_filter.currentData() or ANY
        self.section_filter.blockSignals(True)
        self.section_filter.clear()
        self.section_filter.addItem("Section", ANY)
        for s in sections:
            self.section_filter.addItem(s, s)
        i = self.section_filter.findData(current_section)
        self.section_filter.setCurrentIndex(max(i, 0))
        self.section_filter.blockSignals(False)
        current_tag = self.tag_filter.currentText()
        self.tag_filter.blockSignals(True)
        self.tag_filter.clear()
        self.tag_filter.addItem("")
        self.tag_filter.addItems(tags[:500])
        self.tag_filter.setEditText(current_tag)
        self.tag_filter.blockSignals(False)

    def current_filters(self) -> Filters:
        return Filters(
            query=self.search.text().strip(),
            status=self.status_filter.currentData() or ANY,
            section=self.section_filter.currentData() or ANY,
            tag=self.tag_filter.currentText().strip(),
        )

    def _apply_filters(self, *_args, force: bool = False) -> None:
        filters = self.current_filters()
        if not force and filters == self.model.filters:
            return
        self.model.set_filters(filters)

    def refresh(self) -> None:
        """Reload from the library (after a new article, an import, a deletion).

        The highlighted row and the chosen ones are chosen again when they are still
        listed: the open story's row never loses its highlight (focusing the list would
        otherwise open the top story instead).
        """
        current = self.view.currentIndex()
        if current.isValid() and self._pending_select is None:
            self._pending_select = self.model.rows[current.row()].id
        self._pending_chosen = set(self.selected_ids())
        self._pending_all = self.all_chosen.active
        self.model.refresh()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _focus_results(self) -> None:
        self._search_timer.stop()
        self._apply_filters()
        self.view.setFocus()
        if self.model.rowCount() and not self.view.currentIndex().isValid():
            self.view.setCurrentIndex(self.model.index(0, 0))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.view.setColumnHidden(SECTION_COLUMN, self.width() < NARROW_LIST_PX)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if (
            watched is self.view
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.view.currentIndex().isValid()
        ):
            self.sig_open_requested.emit(self.model.rows[self.view.currentIndex().row()].id)
            return True
        return super().eventFilter(watched, event)

    def _update_count(self, *_args) -> None:
        n = self.model.rowCount()
        more = "" if self.model._exhausted else "+"
        noun = "result" if self.model.filters.query else "article"
        self.count_label.setText(f"{n}{more} {noun}{'' if n == 1 else 's'}")

    # ---- selection ------------------------------------------------------------
    def select_article(self, article_id: int) -> None:
        """Highlight the article's row without re-opening it (the window already has it open).

        A row already current keeps the selection around it: Shift-click opens the
        clicked story and leaves every story chosen still chosen.
        """
        row = self.model.row_of(article_id)
        if row < 0:
            self._pending_select = article_id  # selected when its page arrives
            return
        self._pending_select = None
        self._suppress_selection = True
        try:
            index = self.model.index(row, 0)
            current = self.view.currentIndex()
            chosen = self.view.selectionModel().isRowSelected(row)
            if not (current.isValid() and current.row() == row and chosen):
                # Explicitly this row alone: the view's own choice would read the keyboard's
                # modifiers, and a Ctrl still held would add the row to the selection.
                flags = QItemSelectionModel.SelectionFlag
                self.view.selectionModel().setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
            self.view.scrollTo(index)
        finally:
            self._suppress_selection = False

    def selected_ids(self) -> list[int]:
        """The selected stories' ids, in the list's order."""
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.rows[r].id for r in rows if r < len(self.model.rows)]

    def selected_count(self) -> int:
        """How many stories are chosen: every match when all are (once counted)."""
        if self.all_chosen.active and self.all_chosen.count is not None:
            return self.all_chosen.count
        return len(self.view.selectionModel().selectedRows())

    def with_chosen_ids(self, use) -> None:
        """Call use(ids) with the chosen stories' ids; read on a worker when all are chosen
        and some are not loaded (the list never loads them all to act on them)."""
        self.all_chosen.resolve(self.selected_ids(), use)

    def _on_selection_changed(self, *_args) -> None:
        self.all_chosen.selection_changed()
        self._emit_count()

    def _emit_count(self) -> None:
        self.sig_selection_changed.emit(self.selected_count())

    def remove_article(self, article_id: int) -> None:
        """Take a story's row out of the list; the row after it becomes current but is not
        opened (the user chooses what to open next)."""
        self._suppress_selection = True
        try:
            self.model.remove(article_id)
        finally:
            self._suppress_selection = False
        self._update_count()

    def clear_selection(self) -> None:
        """No row highlighted (no story is open)."""
        self._suppress_selection = True
        try:
            self.view.clearSelection()
        finally:
            self._suppress_selection = False

    def _after_reset(self) -> None:
        self._update_count()
        if self._pending_select is not None:
            self.select_article(self._pending_select)  # still pending if not on this page
        chosen, self._pending_chosen = self._pending_chosen, set()
        every, self._pending_all = self._pending_all, False
        rows = [r for r in map(self.model.row_of, chosen) if r >= 0]
        if every and rows:
            self.view.selectAll()  # all that match now (a refresh can change which)
        elif len(rows) > 1:
            selection = QItemSelection()
            for row in rows:
                selection.select(self.model.index(row, 0), self.model.index(row, 3))
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
            self.view.selectionModel().select(selection, flags)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._suppress_selection or not current.isValid():
            return
        self.sig_article_selected.emit(self.model.rows[current.row()].id)
