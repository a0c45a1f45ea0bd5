"""The story list's model: rows a page at a time (keyset), search hits, and who has each open."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
)

from newsdesk.library import Library
from newsdesk.sync.presence import describe as describe_names
from newsdesk.ui.workers import run_task

PAGE_SIZE = 100
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
