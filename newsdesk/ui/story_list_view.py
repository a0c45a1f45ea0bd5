"""The story list's table, and what "select all" means in it: every story the filters match, not
only the pages loaded so far (the list loads 100 rows at a time, and a library holds 100,000).

Choosing all keeps no list of ids: the count is read on a worker for the status bar ("All 2,431
stories selected"), and the ids are read on a worker only when a command acts on them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, QObject, Signal
from PySide6.QtWidgets import QTableView

from newsdesk.ui.workers import run_task

if TYPE_CHECKING:
    from newsdesk.ui.article_list_model import ArticleListModel


class StoryListView(QTableView):
    """The article list's table: Ctrl+A (its own key, or Edit > Select All) says so."""

    sig_select_all = Signal()

    def selectAll(self) -> None:  # noqa: N802 (Qt override: the view's Ctrl+A calls it)
        super().selectAll()
        self.sig_select_all.emit()


class AllChosen(QObject):
    """Whether the user chose every matching story, and how many that is."""

    sig_changed = Signal()
    """Chosen or unchosen, or the count arrived."""

    def __init__(self, view: StoryListView, model: ArticleListModel) -> None:
        super().__init__(view)
        self.view = view
        self.model = model
        self.active = False
        self.count: int | None = None  # None while it is being counted
        self._extending = False
        self._asked = 0  # which count is awaited; an older answer is dropped
        view.sig_select_all.connect(self.choose)
        model.rowsInserted.connect(self._rows_arrived)

    def choose(self) -> None:
        """Every story matching the list's filters, loaded or not."""
        self.active = True
        self._asked += 1
        if self.model._exhausted:  # every matching story is in the list already
            self.count = self.model.rowCount()
        else:
            self.count = None
            asked, f, library = self._asked, self.model.filters, self.model.library
            run_task(
                lambda: library.count_articles(
                    status=f.status or None, section=f.section or None, tag=f.tag or None
                ),
                on_done=lambda n: self._counted(asked, n),
            )
        self.sig_changed.emit()

    def _counted(self, asked: int, n: int) -> None:
        if asked == self._asked and self.active:
            self.count = n
            self.sig_changed.emit()

    def selection_changed(self) -> None:
        """The user chose rows some other way (a click, a new filter): no longer all."""
        if self._extending or not self.active:
            return
        self.active = False
        self.count = None
        self._asked += 1
        self.sig_changed.emit()

    def _rows_arrived(self, _parent: QModelIndex, first: int, last: int) -> None:
        """A later page scrolled in while all are chosen: its rows show as chosen too."""
        if not self.active:
            return
        selection = QItemSelection(
            self.model.index(first, 0), self.model.index(last, self.model.columnCount() - 1)
        )
        self._extending = True
        try:
            self.view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.Select)
        finally:
            self._extending = False

    @property
    def unloaded(self) -> bool:
        """All are chosen and some of them are not in the list yet."""
        return self.active and not self.model._exhausted

    def resolve(self, loaded_ids: list[int], use: Callable[[list[int]], None]) -> None:
        """Hand `use` the chosen ids: the loaded ones, or every match read on a worker."""
        if not self.unloaded:
            use(loaded_ids)
            return
        f, library = self.model.filters, self.model.library
        run_task(
            lambda: library.article_ids(
                status=f.status or None, section=f.section or None, tag=f.tag or None
            ),
            on_done=use,
        )
