"""Deleting stories in the window: Edit > Move to Trash (Delete in the list, for every selected
story at once; Ctrl+Z brings them back), the list's context menu, and View > Trash.

Every write is an operation (ui/ops.run_op); the library keeps a tombstone of each story,
even after the trash is emptied, so a shared library learns of the deletion. The Trash view
itself (Restore, Delete for Good, Empty Trash) is ui/trash_view.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QPushButton

from newsdesk.library.changes import Changes
from newsdesk.library.errors import Cancelled
from newsdesk.ui.autosave import refused_by_server
from newsdesk.ui.bulk_progress import BulkProgress
from newsdesk.ui.ops import failure_message
from newsdesk.ui.trash_view import TrashDialog, stories_phrase
from newsdesk.ui.workers import run_task

if TYPE_CHECKING:
    from newsdesk.ui.main_window import MainWindow

UNDO_SHOWN_MS = 15_000  # how long the status bar offers "Undo" after a deletion


@dataclass(frozen=True, slots=True)
class Deleted:
    """What the last Move to Trash did, for Ctrl+Z: the stories, in list order."""

    ids: tuple[int, ...]
    headline: str  # the one story's headline ("" for several)
    open_id: int | None  # the story that was open in the editor, if it was one of them


class TrashActions(QObject):
    """The main window's delete, undo-delete and trash commands."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: TrashDialog | None = None
        # What Ctrl+Z in the list (or Undo in the status bar) takes back: the last Move to
        # Trash, or another list command that offered its undo (Set Section…).
        self.undoable: Deleted | Callable[[], None] | None = None
        view = window.browser.view
        self.delete_action = QAction("&Move to Trash", window)
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
        window.browser.sig_selection_changed.connect(self._name_the_count)
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

    def _name_the_count(self, n: int) -> None:
        """The menu says how many stories Move to Trash takes: "Move to Trash (3)"."""
        self.delete_action.setText(f"&Move to Trash ({n:,})" if n > 1 else "&Move to Trash")

    # ---- deleting ---------------------------------------------------------------------
    def current_id(self) -> int | None:
        """The story the list's current row shows, else the open story."""
        view = self.window.browser.view
        index = view.currentIndex()
        if index.isValid() and index.row() < len(self.window.browser.model.rows):
            return self.window.browser.model.rows[index.row()].id
        return self.window.article.id if self.window.article is not None else None

    def target_ids(self) -> list[int]:
        """The stories Delete acts on: the list's selected rows, else the current or open one."""
        selected = self.window.browser.selected_ids()
        if selected:
            return selected
        current = self.current_id()
        return [] if current is None else [current]

    def delete_current(self) -> None:
        if self.window.browser.selected_ids():
            # Every chosen story; all that match when all are chosen (read on a worker).
            self.window.browser.with_chosen_ids(self.delete_articles)
        else:
            self.delete_articles(self.target_ids())

    def delete_article(self, article_id: int) -> None:
        self.delete_articles([article_id])

    def delete_articles(self, article_ids: list[int]) -> None:
        """Move these stories to the trash in one transaction; the open one is saved, then
        closed, first. Ctrl+Z (or Undo in the status bar) brings them all back."""
        window = self.window
        if not article_ids:
            return
        if window.read_only:
            window.statusBar().showMessage("This library is read-only: nothing can be deleted.")
            return
        ids = tuple(dict.fromkeys(article_ids))
        model = window.browser.model
        headline = ""
        if len(ids) == 1:
            row = model.row_of(ids[0])
            headline = model.rows[row].headline if row >= 0 else ""
        if window._opening in ids:
            window._cancel_opening()  # not shown once read; keys typed go to the one on screen
        open_id = window.article.id if window.article is not None else None
        if open_id not in ids:
            open_id = None
        if open_id is not None:
            if len(ids) == 1:
                headline = window.form.headline.text() or headline
            if not window._leave_current():  # its last words reach the library first
                return
            window.close_article()
        # Over a few hundred stories: progress with Cancel (cancelled, nothing moves).
        run = BulkProgress(window, f"Moving {stories_phrase(len(ids))} to the trash…", len(ids))

        def done(moved: int) -> None:
            run.finish()
            browser = window.browser
            if len(ids) > len(browser.model.rows) or browser.all_chosen.active:
                browser.clear_selection()  # nothing chosen is left to choose again
                browser.refresh()  # more went than are loaded: read the list again
            else:
                for article_id in ids:
                    browser.remove_article(article_id)
            if window.article is None:
                window.browser.clear_selection()  # no row looks open when none is
            self.undoable = Deleted(ids, headline, open_id)
            if len(ids) == 1:
                name = f"“{headline}”" if headline else "The story"
                said = f"{name} moved to the trash. Undo (Ctrl+Z) brings it back."
            else:
                said = (
                    f"{stories_phrase(moved)} moved to the trash. Undo (Ctrl+Z) brings them back."
                )
            window.statusBar().showMessage(said, UNDO_SHOWN_MS)
            self.undo_button.show()

        def failed(exc: BaseException) -> None:
            run.finish()
            window.browser.refresh()
            it = "The story stays" if len(ids) == 1 else "The stories stay"
            if isinstance(exc, Cancelled):
                window.statusBar().showMessage(
                    "Move to Trash cancelled; nothing was moved to the trash.", 8000
                )
            elif not refused_by_server(exc):
                window.statusBar().showMessage(
                    f"Nothing was moved to the trash: {failure_message(exc)}", 8000
                )
            else:
                # A reporter on the shared library, someone else's story: the box says
                # why, and the stories stay where they were (open again if one was open).
                window.show_refusal(f"{failure_message(exc)} {it} in the list.")
            if open_id is not None and window.article is None:
                window.open_article(open_id)

        window.ops.run_op(
            lambda library: library.trash_articles(list(ids), progress=run.report),
            on_success=done,
            on_failure=failed,
            initiator=self,
        )

    # ---- undo ----------------------------------------------------------------------
    def can_undo(self) -> bool:
        return self.undoable is not None

    def offer_undo(self, undo: Callable[[], None], said: str) -> None:
        """Another list command's undo, offered as a deletion's is: the status bar says `said`
        with an Undo button, and Ctrl+Z in the list calls `undo`."""
        self.undoable = undo
        self.window.statusBar().showMessage(said, UNDO_SHOWN_MS)
        self.undo_button.show()

    def undo(self) -> None:
        """Bring back the stories deleted last (and reopen the one that was open), or take
        back the list command that offered its undo last."""
        if self.undoable is None:
            return
        last, self.undoable = self.undoable, None
        self.undo_button.hide()
        if not isinstance(last, Deleted):
            last()
            return
        self.restore(list(last.ids), reopen=last.open_id, headline=last.headline, undone=last)

    def restore(
        self,
        article_ids: list[int],
        *,
        reopen: int | None = None,
        headline: str = "",
        undone: Deleted | None = None,
    ) -> None:
        """Take these stories out of the trash in one transaction; reopen one if asked.
        `undone`: the deletion this undoes, offered again if the user cancels."""
        window = self.window
        count = len(article_ids)
        run = BulkProgress(window, f"Bringing back {stories_phrase(count)}…", count)

        def done(n: int) -> None:
            run.finish()
            window.browser.refresh()
            if len(article_ids) == 1:
                said = f"Restored “{headline}”." if headline else "Restored the story."
            else:
                said = f"Restored {stories_phrase(n)}."
            window.statusBar().showMessage(said, 5000)
            if reopen is not None and window.article is None:
                window.open_article(reopen)

        def failed(exc: BaseException) -> None:
            run.finish()
            it = "The story stays" if len(article_ids) == 1 else "The stories stay"
            if isinstance(exc, Cancelled):
                if undone is not None:  # still there to undo
                    self.undoable = undone
                    self.undo_button.show()
                said = f"Undo cancelled; {it.lower()} in the trash."
                window.statusBar().showMessage(said, UNDO_SHOWN_MS)
            elif refused_by_server(exc):
                window.show_refusal(f"{failure_message(exc)} {it} in the trash.")
            else:
                window.statusBar().showMessage(failure_message(exc), 8000)

        window.ops.run_op(
            lambda library: library.restore_articles(article_ids, progress=run.report),
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
        """Open, Move to Trash, Set Section…, Export Selected… (for the selection), Trash…."""
        window = self.window
        menu = QMenu(window)
        menu.addAction(self.open_action)
        menu.addSeparator()
        menu.addAction(self.delete_action)
        for name in ("set_section", "export_selected"):  # ui/story_selection.py
            if name in window.actions_by_name:
                menu.addAction(window.actions_by_name[name])
        menu.addSeparator()
        menu.addAction(self.trash_action)
        has_row = window.browser.view.currentIndex().isValid()
        self.open_action.setEnabled(has_row)
        self.delete_action.setEnabled(has_row and not window.read_only)
        return menu

    def _context_menu(self, pos: QPoint) -> None:
        view = self.window.browser.view
        index = view.indexAt(pos)
        if index.isValid() and not view.selectionModel().isRowSelected(index.row()):
            # The row under the pointer is the one acted on; one already selected keeps
            # the selection it belongs to (right-click on three chosen stories acts on three).
            view.setCurrentIndex(index)
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
