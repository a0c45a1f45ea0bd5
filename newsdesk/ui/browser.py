"""The library browser: a lazily filled article list, type-ahead search and filters."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from newsdesk.library import ARTICLE_STATUSES, Library
from newsdesk.sync.presence import describe as describe_names
from newsdesk.ui.story_list_view import AllChosen, StoryListView
from newsdesk.ui.workers import run_task

PAGE_SIZE = 100
# Narrower than this, the list leaves out its Section column: at a laptop's default layout the
# headline otherwise got a third of the list ("Night ferry cr…"); the filter and the form still
# show the section, and the column comes back when the list is widened.
NARROW_LIST_PX = 330
SECTION_COLUMN = 2
SEARCH_LIMIT = 200
ANY = ""  # the filter value meaning "no filter"


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the list, whether it came from a page of articles or a search hit."""

    id: int
    headline: str
    status: str
    section: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Filters:
    query: str = ""
    status: str = ANY
    section: str = ANY
    tag: str = ANY


# ---- work done on pool threads (never touches a widget) ------------------------------
def load_page(library: Library, filters: Filters, after: tuple[datetime, int] | None) -> list[Row]:
    """One page of the list for these filters, starting just below `after` (updated_at, id)."""
    summaries = library.list_articles(
        status=filters.status or None,
        section=filters.section or None,
        tag=filters.tag or None,
        limit=PAGE_SIZE,
        after=after,
    )
    return [Row(s.id, s.headline, s.status, s.section, s.updated_at) for s in summaries]


def search_rows(library: Library, filters: Filters) -> list[Row]:
    """The ranked search results for the typed query and the chosen filters."""
    hits = library.search(
        filters.query,
        limit=SEARCH_LIMIT,
        status=filters.status or None,
        section=filters.section or None,
        snippets=False,  # the list shows none
    )
    if filters.tag and hits:
        tagged = library.list_articles(ids=[h.article_id for h in hits], tag=filters.tag)
        keep = {s.id for s in tagged}
        hits = [h for h in hits if h.article_id in keep]
    return [Row(h.article_id, h.headline, h.status, h.section, h.updated_at) for h in hits]


def _when(dt: datetime) -> str:
    local = dt.astimezone()
    now = datetime.now().astimezone()
    if local.date() == now.date():
        return local.strftime("%H:%M")
    if local.year == now.year:
        return local.strftime("%d %b")
    return local.strftime("%d %b %Y")


_PRESENCE_ICON: QIcon | None = None


def presence_icon() -> QIcon:
    """The list's small mark for a story someone else has open: a filled dot in the link colour."""
    global _PRESENCE_ICON
    if _PRESENCE_ICON is None:
        pixmap = QPixmap(16, 16)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QApplication.palette().link())
        painter.drawEllipse(3, 3, 10, 10)
        painter.end()
        _PRESENCE_ICON = QIcon(pixmap)
    return _PRESENCE_ICON


class ArticleListModel(QAbstractTableModel):
    """Articles newest first, fetched a page at a time from the library as the view scrolls.

    Pages and searches are loaded on the thread pool; a reset bumps a generation
    number so late answers for an older query are dropped.
    """

    sig_loading = Signal(bool)
    """A page or search is being fetched (True) or has arrived (False)."""
    sig_reset_done = Signal()
    """The first page (or the search results) for the current filters arrived."""

    COLUMNS = ("Headline", "Status", "Section", "Updated")

    def __init__(self, library: Library, parent=None) -> None:
        super().__init__(parent)
        self.library = library
        self.filters = Filters()
        self.rows: list[Row] = []
        self._exhausted = True
        self._fetching = False
        self._generation = 0
        self.pages_fetched = 0
        # The (updated_at, id) of the last row fetched: the next page starts
        # below it. Kept apart from the rows, which edits patch and reorder.
        self._cursor: tuple[datetime, int] | None = None
        # Stories with an open sync conflict: marked in the headline column.
        self.conflicted: frozenset[int] = frozenset()
        # Stories others have open on the shared library (id → names): marked too.
        self.present: dict[int, list[str]] = {}

    def set_present(self, others: dict[int, list[str]]) -> None:
        """Mark the stories others have open (ui/presence.py); {} clears every mark."""
        if others == self.present:
            return
        self.present = dict(others)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 0))

    def set_conflicted(self, article_ids: frozenset[int]) -> None:
        """Mark these stories as waiting for a sync conflict to be settled."""
        if article_ids == self.conflicted:
            return
        self.conflicted = frozenset(article_ids)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 0))

    # ---- Qt model ---------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008 (Qt override)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008 (Qt override)
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return row.headline or "(no headline)"
            if col == 1:
                return row.status
            if col == 2:
                return row.section
            return _when(row.updated_at)
        conflicted = col == 0 and row.id in self.conflicted
        open_by = self.present.get(row.id) if col == 0 else None
        if role == Qt.ItemDataRole.DecorationRole:
            if conflicted:
                return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            if open_by:
                return presence_icon()
        if role == Qt.ItemDataRole.AccessibleTextRole and (conflicted or open_by):
            said = [row.headline or "(no headline)"]
            if conflicted:
                said.append("(sync conflict)")
            if open_by:
                said.append(f"(open by {describe_names(open_by)})")
            return " ".join(said)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 3:
                return row.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
            lines = [row.headline] if col == 0 else []
            if conflicted:
                lines.append("Sync conflict: choose what to keep (File > Sync Conflicts…).")
            if open_by:
                lines.append(f"Open by {describe_names(open_by)}")
            if lines:
                return "\n".join(lines)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802, B008 (Qt override)
        return not parent.isValid() and not self._exhausted and not self._fetching

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802, B008 (Qt override)
        if parent.isValid() or self._exhausted or self._fetching:
            return
        self._fetch_page()

    # ---- loading ----------------------------------------------------------
    def set_filters(self, filters: Filters) -> None:
        """Start over for new filters or a new search; the first page arrives asynchronously."""
        self.filters = filters
        self.refresh()

    def refresh(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self.rows = []
        self._exhausted = False
        self._fetching = False
        self.pages_fetched = 0
        self._cursor = None
        self.endResetModel()
        if self.filters.query.strip():
            self._run_search()
        else:
            self._fetch_page()

    def _fetch_page(self) -> None:
        self._fetching = True
        self.sig_loading.emit(True)
        gen, f, after, library = self._generation, self.filters, self._cursor, self.library
        run_task(
            lambda: load_page(library, f, after), on_done=lambda rows: self._page_arrived(gen, rows)
        )

    def _page_arrived(self, gen: int, rows: list[Row]) -> None:
        if gen != self._generation:
            return
        self._fetching = False
        self.pages_fetched += 1
        if len(rows) < PAGE_SIZE:
            self._exhausted = True
        if rows:
            # An article edited or created meanwhile is newer than the cursor,
            # so it never comes round again in a later page.
            self._cursor = (rows[-1].updated_at, rows[-1].id)
        # A story put first while the page was read (a new one) is listed once, where it is.
        shown = {row.id for row in self.rows}
        rows = [row for row in rows if row.id not in shown]
        if rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()
        self.sig_loading.emit(False)
        if self.pages_fetched == 1:
            self.sig_reset_done.emit()

    def _run_search(self) -> None:
        self._fetching = True
        self._exhausted = True  # search results come in one ranked batch
        self.sig_loading.emit(True)
        gen, f, library = self._generation, self.filters, self.library
        run_task(
            lambda: search_rows(library, f), on_done=lambda rows: self._search_arrived(gen, rows)
        )

    def _search_arrived(self, gen: int, rows: list[Row]) -> None:
        if gen != self._generation:
            return
        self._fetching = False
        self.pages_fetched = 1
        # The ranked results replace whatever was put first meanwhile.
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()
        self.sig_loading.emit(False)
        self.sig_reset_done.emit()

    # ---- live edits ---------------------------------------------------------
    def row_of(self, article_id: int) -> int:
        for i, row in enumerate(self.rows):
            if row.id == article_id:
                return i
        return -1

    def patch(self, article_id: int, **fields) -> None:
        """Show an edit (headline, status, section, updated time) in the row without reloading."""
        i = self.row_of(article_id)
        if i < 0:
            return
        self.rows[i] = replace(self.rows[i], **fields)
        self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.COLUMNS) - 1))

    def remove(self, article_id: int) -> None:
        """A story left the list (moved to the trash) without reloading it."""
        i = self.row_of(article_id)
        if i < 0:
            return
        self.beginRemoveRows(QModelIndex(), i, i)
        del self.rows[i]
        self.endRemoveRows()

    def put_first(self, row: Row) -> None:
        """A new article goes to the top (newest first) without reloading the list."""
        i = self.row_of(row.id)
        if i >= 0:
            self.beginRemoveRows(QModelIndex(), i, i)
            del self.rows[i]
            self.endRemoveRows()
        self.beginInsertRows(QModelIndex(), 0, 0)
        self.rows.insert(0, row)
        self.endInsertRows()


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
        run_task(lambda: (library.sections(), library.tags()), on_done=self._set_choices)

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
