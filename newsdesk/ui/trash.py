"""Deleting stories in the window: Edit > Move to Trash (Delete in the list, Ctrl+Z brings the
story back), the list's context menu, and View > Trash with Restore and Empty Trash.

Every write is an operation (ui/ops.run_op); the library keeps a tombstone of each story,
even after the trash is emptied, so a shared library learns of the deletion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from newsdesk.library import Library
from newsdesk.library.changes import Changes
from newsdesk.ui.autosave import refused_by_server
from newsdesk.ui.guarded import guard_against_typing
from newsdesk.ui.ops import Operations, failure_message
from newsdesk.ui.workers import run_task

if TYPE_CHECKING:
    from newsdesk.ui.main_window import MainWindow

UNDO_SHOWN_MS = 15_000  # how long the status bar offers "Undo" after a deletion


@dataclass(frozen=True, slots=True)
class TrashedStory:
    """One row of the Trash view (plain data, read on a worker)."""

    id: int
    headline: str
    slug: str
    deleted_at: datetime
    deleted_by: str


def trashed_stories(library: Library) -> list[TrashedStory]:
    return [
        TrashedStory(a.id, a.headline, a.slug, a.deleted_at, a.deleted_by or "")
        for a in library.trashed_articles()
        if a.deleted_at is not None
    ]


def stories_phrase(n: int) -> str:
    return f"{n} stor{'y' if n == 1 else 'ies'}"


class TrashDialog(QDialog):
    """View > Trash: the deleted stories, newest first, who deleted each and when.

    Select one or many (Shift/Ctrl-click, Ctrl+A): Restore brings them all back
    in one transaction (Undo, or Ctrl+Z, puts them back in the trash as they
    were); Delete for Good… (or the Delete key) removes them for good, all or
    none, after asking; Empty Trash… removes everything in it.
    """

    def __init__(self, library: Library, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library, self.ops = library, ops
        self.rows: list[TrashedStory] = []
        self.confirm_box: QMessageBox | None = None
        self.confirm_button: QPushButton | None = None
        self.undoable: list[TrashedStory] = []  # the stories the last Restore brought back
        self._generation = 0
        self.setWindowTitle("Trash")
        self.setObjectName("trash-dialog")
        self.resize(720, 440)
        layout = QVBoxLayout(self)
        self.summary = QLabel("Reading the trash…")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, 3)
        self.table.setAccessibleName("Deleted stories")
        self.table.setAccessibleDescription(
            "Select several with Shift or Ctrl, or all with Ctrl+A; Enter restores them, "
            "Delete removes them for good after asking."
        )
        self.table.setHorizontalHeaderLabels(["Headline", "Deleted", "Deleted by"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        # What the last Restore or Delete did, with Undo after a Restore.
        said = QHBoxLayout()
        self.outcome = QLabel("")
        self.outcome.setObjectName("trash-outcome")
        self.outcome.setWordWrap(True)
        said.addWidget(self.outcome, 1)
        self.undo_button = QPushButton("&Undo")
        self.undo_button.setObjectName("undo-restore")
        self.undo_button.setToolTip("Put the stories just restored back in the trash (Ctrl+Z)")
        self.undo_button.hide()
        self.undo_button.clicked.connect(self.undo)
        said.addWidget(self.undo_button)
        layout.addLayout(said)
        note = QLabel(
            "Deleting for good removes the stories' text and history; a record that each "
            "was deleted is kept, so a shared library learns of it."
        )
        note.setWordWrap(True)
        note.setForegroundRole(self.palette().ColorRole.PlaceholderText)
        layout.addWidget(note)
        buttons = QDialogButtonBox()
        self.restore_button = QPushButton("&Restore")
        self.delete_button = QPushButton("&Delete for Good…")
        self.empty_button = QPushButton("&Empty Trash…")
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(self.empty_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.restore_button.clicked.connect(self.restore_selected)
        self.delete_button.clicked.connect(self.ask_delete_selected)
        self.empty_button.clicked.connect(self.ask_empty)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemActivated.connect(lambda _item: self.restore_selected())
        # Delete in the table asks to delete the selection for good; Ctrl+Z undoes a restore.
        delete_key = QAction(self.table)
        delete_key.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete_key.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.triggered.connect(self.ask_delete_selected)
        self.table.addAction(delete_key)
        undo_key = QAction(self)
        undo_key.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        undo_key.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        undo_key.triggered.connect(self.undo)
        self.addAction(undo_key)
        ops.sig_library_changed.connect(self._on_library_changed)
        self._update_buttons()
        self.reload()

    # ---- reading -----------------------------------------------------------------
    def reload(self) -> None:
        self._generation += 1
        library, generation = self.library, self._generation
        run_task(
            lambda: trashed_stories(library), on_done=lambda rows: self._show(generation, rows)
        )

    def _show(self, generation: int, rows: list[TrashedStory]) -> None:
        if generation != self._generation:
            return  # an older read, overtaken by a newer one
        selected = {r.id for r in self.selected()}
        self.rows = rows
        self.table.setRowCount(len(rows))
        selection = QItemSelection()
        model = self.table.model()
        for i, row in enumerate(rows):
            when = row.deleted_at.astimezone()
            who = row.deleted_by or "someone unnamed"
            tip = f"{row.slug}\nMoved to the trash by {who} on {when:%Y-%m-%d at %H:%M}."
            headline = QTableWidgetItem(row.headline or "(no headline)")
            headline.setData(Qt.ItemDataRole.UserRole, row.id)
            cells = (headline, QTableWidgetItem(f"{when:%Y-%m-%d %H:%M}"), QTableWidgetItem(who))
            if not row.deleted_by:
                cells[2].setForeground(self.palette().placeholderText())
            for column, cell in enumerate(cells):
                cell.setToolTip(tip)
                self.table.setItem(i, column, cell)
            if row.id in selected:
                selection.select(model.index(i, 0), model.index(i, 2))
        self.table.selectionModel().select(
            selection, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self._update_buttons()

    def _summary_text(self) -> str:
        if not self.rows:
            return "The trash is empty."
        return (
            f"{stories_phrase(len(self.rows))} in the trash. Select one or many "
            "(Shift, Ctrl, Ctrl+A) to restore them or delete them for good."
        )

    def _on_library_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.article_list_changed:
            self.reload()

    def selected(self) -> list[TrashedStory]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.rows[r] for r in rows if r < len(self.rows)]

    def _update_buttons(self) -> None:
        read_only = bool(getattr(self.library, "read_only", False))
        n = len(self.selected())
        self.restore_button.setEnabled(bool(n) and not read_only)
        self.delete_button.setEnabled(bool(n) and not read_only)
        self.restore_button.setText(f"&Restore ({n})" if n > 1 else "&Restore")
        self.delete_button.setText(f"&Delete for Good ({n})…" if n > 1 else "&Delete for Good…")
        self.empty_button.setEnabled(bool(self.rows) and not read_only)
        self.summary.setText(self._summary_text())

    def _say(self, text: str, *, undo: bool = False) -> None:
        self.outcome.setText(text)
        self.undo_button.setHidden(not undo)

    # ---- restoring (and undoing it) ----------------------------------------------------
    def restore_selected(self) -> None:
        """Restore every selected story in ONE transaction: all come back, or none."""
        stories = self.selected()
        if not stories or getattr(self.library, "read_only", False):
            return
        ids = [s.id for s in stories]

        def done(n: int) -> None:
            self.undoable = stories
            self._say(f"Restored {stories_phrase(n)}.", undo=True)

        self.ops.run_op(
            lambda library: library.restore_articles(ids),
            on_success=done,
            on_failure=lambda exc: self._say(f"Nothing was restored: {failure_message(exc)}"),
            initiator=self,
        )

    def undo(self) -> None:
        """Put the stories the last Restore brought back into the trash again, as they were."""
        stories, self.undoable = self.undoable, []
        if not stories:
            return
        before = {s.id: (s.deleted_at, s.deleted_by) for s in stories}
        self.ops.run_op(
            lambda library: library.trash_articles(list(before), as_before=before),
            on_success=lambda n: self._say(f"Put {stories_phrase(n)} back in the trash."),
            on_failure=lambda exc: self._say(failure_message(exc)),
            initiator=self,
        )

    # ---- deleting for good -----------------------------------------------------------
    def ask_delete_selected(self) -> None:
        """Delete for Good…: asks first, naming the story (or how many)."""
        stories = self.selected()
        if not stories or getattr(self.library, "read_only", False):
            return
        if len(stories) == 1:
            question = f"Delete “{stories[0].headline or stories[0].slug}” for good?"
            label = "Delete for Good"
        else:
            question = f"Delete {stories_phrase(len(stories))} for good?"
            label = f"Delete for Good ({len(stories)})"
        ids = [s.id for s in stories]
        self._confirm(question, label, lambda: self.delete_for_good(ids))

    def delete_for_good(self, ids: list[int]) -> None:
        """Remove these stories for good in ONE transaction: all of them, or none."""
        self.undoable = []

        self.ops.run_op(
            lambda library: library.empty_trash(ids),
            on_success=lambda n: self._say(f"Deleted {stories_phrase(n)} for good."),
            on_failure=lambda exc: self._say(f"Nothing was deleted: {failure_message(exc)}"),
            initiator=self,
        )

    def ask_empty(self) -> None:
        """Empty Trash…: asks first, naming how many stories go for good."""
        n = len(self.rows)
        if not n:
            return
        self._confirm(
            f"Remove {stories_phrase(n)} in the trash for good?",
            f"Empty Trash ({n})",
            self.empty_trash,
        )

    def _confirm(self, question: str, label: str, then) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete for Good" if label.startswith("Delete") else "Empty Trash",
            question,
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setInformativeText(
            "Their text, pictures' places and history cannot be restored afterwards. "
            "A record that they were deleted is kept, so other libraries learn of it."
        )
        confirm = box.addButton(label, QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        guard_against_typing(box)  # destructive: never answered by a stray key
        box.buttonClicked.connect(lambda button: then() if button is confirm else None)
        box.finished.connect(lambda _r: setattr(self, "confirm_box", None))
        self.confirm_box, self.confirm_button = box, confirm
        box.open()

    @property
    def confirm_empty_button(self) -> QPushButton | None:
        """The confirming button of the box asking now (what the tests press)."""
        return self.confirm_button

    def empty_trash(self) -> None:
        self.undoable = []

        def done(counts: tuple[int, int]) -> None:
            n, left = counts
            text = f"Emptied the trash: {stories_phrase(n)} removed for good."
            if left:  # on the shared library a reporter empties only their own stories
                text += (
                    f" {left} other stor{'y stays' if left == 1 else 'ies stay'} in the trash: "
                    "only their owner or an editor may empty them."
                )
            self._say(text)

        self.ops.run_op(
            lambda library: (library.empty_trash(), len(library.trashed_articles())),
            on_success=done,
            on_failure=lambda exc: self._say(failure_message(exc)),
            initiator=self,
        )


class TrashActions(QObject):
    """The main window's delete, undo-delete and trash commands."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: TrashDialog | None = None
        self.undoable: tuple[int, str, bool] | None = None  # id, headline, was it open
        view = window.browser.view
        self.delete_action = QAction("&Delete (Move to Trash)", window)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        # Only in the list: everywhere else Delete deletes text.
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.triggered.connect(self.delete_current)
        view.addAction(self.delete_action)
        self.trash_action = QAction("&Trash…", window)
        self.trash_action.triggered.connect(self.show_trash)
        self.open_action = QAction("&Open", window)
        self.open_action.triggered.connect(self._open_current)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._context_menu)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setObjectName("undo-delete")
        self.undo_button.setFlat(True)
        self.undo_button.hide()
        self.undo_button.clicked.connect(self.undo)
        window.statusBar().addPermanentWidget(self.undo_button)
        window.statusBar().messageChanged.connect(lambda text: text or self.undo_button.hide())
        window.ops.sig_library_changed.connect(self._on_library_changed)
        if window.read_only:
            self.delete_action.setEnabled(False)

    def add_to_menus(self, edit_menu: QMenu, view_menu: QMenu) -> None:
        edit_menu.addSeparator()
        edit_menu.addAction(self.delete_action)
        view_menu.addSeparator()
        view_menu.addAction(self.trash_action)
        window = self.window
        window.actions_by_name["delete"] = self.delete_action
        window.actions_by_name["trash"] = self.trash_action

    # ---- deleting ---------------------------------------------------------------------
    def current_id(self) -> int | None:
        """The story Delete acts on: the list's current row, else the open story."""
        view = self.window.browser.view
        index = view.currentIndex()
        if index.isValid() and index.row() < len(self.window.browser.model.rows):
            return self.window.browser.model.rows[index.row()].id
        return self.window.article.id if self.window.article is not None else None

    def delete_current(self) -> None:
        article_id = self.current_id()
        if article_id is not None:
            self.delete_article(article_id)

    def delete_article(self, article_id: int) -> None:
        """Move a story to the trash; the open story is saved, then closed, first."""
        window = self.window
        if window.read_only:
            window.statusBar().showMessage("This library is read-only: nothing can be deleted.")
            return
        model = window.browser.model
        row = model.row_of(article_id)
        headline = model.rows[row].headline if row >= 0 else ""
        was_open = window.article is not None and window.article.id == article_id
        if was_open:
            headline = window.form.headline.text() or headline
            if not window._leave_current():  # its last words reach the library first
                return
            window.close_article()

        def done(_article) -> None:
            window.browser.remove_article(article_id)
            if window.article is None:
                window.browser.clear_selection()  # no row looks open when none is
            self.undoable = (article_id, headline, was_open)
            name = f"“{headline}”" if headline else "The story"
            window.statusBar().showMessage(
                f"{name} moved to the trash. Undo (Ctrl+Z) brings it back.", UNDO_SHOWN_MS
            )
            self.undo_button.show()

        def failed(exc: BaseException) -> None:
            window.browser.refresh()
            if not refused_by_server(exc):
                window.statusBar().showMessage(failure_message(exc), 8000)
                return
            # A reporter on the shared library, someone else's story: the box says
            # why, and the story stays where it was (open again if it was open).
            window.show_refusal(f"{failure_message(exc)} The story stays in the list.")
            if was_open and window.article is None:
                window.open_article(article_id)

        window.ops.run_op(
            lambda library: library.trash_article(article_id),
            on_success=done,
            on_failure=failed,
            initiator=self,
        )

    # ---- undo ----------------------------------------------------------------------
    def can_undo(self) -> bool:
        return self.undoable is not None

    def undo(self) -> None:
        """Bring back the story deleted last (and reopen it if it was open)."""
        if self.undoable is None:
            return
        article_id, headline, was_open = self.undoable
        self.undoable = None
        self.undo_button.hide()
        self.restore(article_id, reopen=was_open)

    def restore(self, article_id: int, *, reopen: bool = False) -> None:
        window = self.window

        def done(article) -> None:
            window.browser.refresh()
            window.statusBar().showMessage(f"Restored “{article.headline}”.", 5000)
            if reopen and window.article is None:
                window.open_article(article.id)

        def failed(exc: BaseException) -> None:
            if refused_by_server(exc):
                window.show_refusal(f"{failure_message(exc)} The story stays in the trash.")
            else:
                window.statusBar().showMessage(failure_message(exc), 8000)

        window.ops.run_op(
            lambda library: library.restore_article(article_id),
            on_success=done,
            on_failure=failed,
            initiator=self,
        )

    # ---- the trash view, the context menu ---------------------------------------------
    def show_trash(self) -> TrashDialog:
        if self.dialog is None:
            self.dialog = TrashDialog(self.window.library, self.window.ops, self.window)
            self.dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
            self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        else:
            self.dialog.reload()
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    def _open_current(self) -> None:
        article_id = self.current_id()
        if article_id is not None:
            self.window.open_article(article_id)

    def context_menu(self) -> QMenu:
        menu = QMenu(self.window)
        menu.addAction(self.open_action)
        menu.addSeparator()
        menu.addAction(self.delete_action)
        menu.addAction(self.trash_action)
        has_row = self.window.browser.view.currentIndex().isValid()
        self.open_action.setEnabled(has_row)
        self.delete_action.setEnabled(has_row and not self.window.read_only)
        return menu

    def _context_menu(self, pos: QPoint) -> None:
        view = self.window.browser.view
        index = view.indexAt(pos)
        if index.isValid():
            view.setCurrentIndex(index)  # the row under the pointer is the one acted on
        menu = self.context_menu()
        menu.aboutToHide.connect(lambda: self.delete_action.setEnabled(not self.window.read_only))
        menu.popup(view.viewport().mapToGlobal(pos))

    # ---- deleted elsewhere --------------------------------------------------------------
    def _on_library_changed(self, changes: Changes, initiator: object) -> None:
        """Another process (or sync, or the Trash view's Undo) moved the open story to the trash:
        close it. The Trash view's restores come back into the list."""
        window = self.window
        from_trash_view = isinstance(initiator, TrashDialog)
        if from_trash_view and changes.article_list_changed:
            window.browser.refresh()  # the window's own saves patch their row; these do not
        if (initiator is not None and not from_trash_view) or window.article is None:
            return
        if not changes.touches_article(window.article.id, window.article.uid):
            return
        library, article_id = window.library, window.article.id

        def check() -> bool:
            found = library.find_article(article_id)
            return found is None or found.deleted_at is not None

        def apply(gone: bool) -> None:
            if gone and window.article is not None and window.article.id == article_id:
                window._leave_current()
                window.close_article()
                window.statusBar().showMessage(
                    "The open story was moved to the trash elsewhere, so it was closed.", 8000
                )

        run_task(check, on_done=apply)
