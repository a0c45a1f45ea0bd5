"""View > Trash: the deleted stories, newest first, with Restore (and its undo), Delete for Good
and Empty Trash. Every write is an operation (ui/ops.run_op), all or none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from newsdesk.library import Library
from newsdesk.library.changes import Changes
from newsdesk.library.errors import Cancelled
from newsdesk.ui.bulk_progress import BulkProgress
from newsdesk.ui.guarded import guard_against_typing
from newsdesk.ui.ops import Operations, failure_message
from newsdesk.ui.workers import run_task


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
    return f"{n:,} stor{'y' if n == 1 else 'ies'}"


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
        run = BulkProgress(self, f"Restoring {stories_phrase(len(ids))}…", len(ids))

        def done(n: int) -> None:
            run.finish()
            self.undoable = stories
            self._say(f"Restored {stories_phrase(n)}.", undo=True)

        def failed(exc: BaseException) -> None:
            run.finish()
            if isinstance(exc, Cancelled):
                self._say("Restore cancelled; nothing was restored.")
            else:
                self._say(f"Nothing was restored: {failure_message(exc)}")

        self.ops.run_op(
            lambda library: library.restore_articles(ids, progress=run.report),
            on_success=done,
            on_failure=failed,
            initiator=self,
        )

    def undo(self) -> None:
        """Put the stories the last Restore brought back into the trash again, as they were."""
        stories, self.undoable = self.undoable, []
        if not stories:
            return
        before = {s.id: (s.deleted_at, s.deleted_by) for s in stories}
        run = BulkProgress(self, f"Putting {stories_phrase(len(before))} back…", len(before))

        def done(n: int) -> None:
            run.finish()
            self._say(f"Put {stories_phrase(n)} back in the trash.")

        def failed(exc: BaseException) -> None:
            run.finish()
            if isinstance(exc, Cancelled):
                self.undoable = stories  # nothing was undone: it can be asked for again
                self._say("Undo cancelled; the stories stay restored.", undo=True)
            else:
                self._say(failure_message(exc))

        self.ops.run_op(
            lambda library: library.trash_articles(
                list(before), as_before=before, progress=run.report
            ),
            on_success=done,
            on_failure=failed,
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
