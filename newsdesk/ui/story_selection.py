"""Several stories chosen in the list at once: the status bar counts them ("3 stories selected"),
Edit > Set Section… moves them all into one section in one transaction, and File > Export
Selected… exports them. (Move to Trash for the selection is in ui/trash.py.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from newsdesk.library.errors import Cancelled
from newsdesk.ui.bulk_progress import BulkProgress
from newsdesk.ui.ops import failure_message
from newsdesk.ui.trash_view import stories_phrase
from newsdesk.ui.workers import run_task

if TYPE_CHECKING:
    from newsdesk.ui.main_window import MainWindow


class SectionDialog(QDialog):
    """Set Section…: one section, typed or picked from those in use, for every chosen story; or
    "No section", which takes them out of theirs (a story may have none)."""

    def __init__(self, count: int, sections: list[str], current: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set Section")
        self.setObjectName("set-section-dialog")
        layout = QVBoxLayout(self)
        what = "the story" if count == 1 else f"the {stories_phrase(count)}"
        self.prompt = QLabel(f"Put {what} in the &section:")
        layout.addWidget(self.prompt)
        self.section = QComboBox()
        self.section.setEditable(True)
        self.section.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.section.setAccessibleName("Section")
        self.section.addItems(sections)
        self.section.setEditText(current)
        self.section.lineEdit().selectAll()
        self.prompt.setBuddy(self.section)
        layout.addWidget(self.section)
        self.no_section = QCheckBox("&No section (take them out of their section)")
        if count == 1:
            self.no_section.setText("&No section (take it out of its section)")
        self.no_section.toggled.connect(self._no_section_toggled)
        layout.addWidget(self.no_section)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Set Section")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.section.editTextChanged.connect(self._enable)
        self._enable()
        self.setMinimumWidth(360)

    def chosen(self) -> str:
        """The section to set; "" is no section."""
        return "" if self.no_section.isChecked() else self.section.currentText().strip()

    def _no_section_toggled(self, on: bool) -> None:
        self.section.setEnabled(not on)
        self.ok_button.setText("Clear Section" if on else "Set Section")
        self._enable()

    def _enable(self, *_args) -> None:
        self.ok_button.setEnabled(self.no_section.isChecked() or bool(self.chosen()))


class SelectionActions(QObject):
    """The main window's commands for the stories selected in the list."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: SectionDialog | None = None
        self.set_section_action = QAction("Set &Section…", window)
        self.set_section_action.triggered.connect(self.ask_section)
        self.export_action = QAction("E&xport Selected…", window)
        self.export_action.triggered.connect(self.export_selected)
        self.count_label = QLabel("")
        self.count_label.setObjectName("selection-count")
        self.count_label.hide()
        # First of the right-hand words (index 1: after the one stretching left-hand label,
        # the preview's note), apart from the open story's counts it is not one of.
        self.count_label.setContentsMargins(0, 0, 12, 0)
        window.statusBar().insertPermanentWidget(1, self.count_label)
        window.browser.sig_selection_changed.connect(self._selection_changed)
        window.sig_article_opened.connect(
            lambda _article: self._selection_changed(window.browser.selected_count())
        )
        self._selection_changed(0)

    def add_to_menus(self, file_menu: QMenu, edit_menu: QMenu) -> None:
        """File > Export Selected… after Export…; Edit > Set Section… after Move to Trash."""
        export = self.window.actions_by_name["export"]
        actions = file_menu.actions()
        after = actions[actions.index(export) + 1] if export in actions[:-1] else None
        file_menu.insertAction(after, self.export_action)
        edit_menu.addAction(self.set_section_action)
        self.window.actions_by_name["set_section"] = self.set_section_action
        self.window.actions_by_name["export_selected"] = self.export_action

    def with_ids(self, use: Callable[[list[int]], None]) -> None:
        """Call use(ids) with the stories these commands act on: the selected ones (every
        match when all are chosen, read on a worker), else the open story."""
        window = self.window
        if window.browser.selected_ids():
            window.browser.with_chosen_ids(use)
        else:
            use([window.article.id] if window.article is not None else [])

    def _selection_changed(self, n: int) -> None:
        every = self.window.browser.all_chosen
        if not every.active:
            self.count_label.setText(f"{stories_phrase(n)} selected")
        elif every.count is None:
            self.count_label.setText("All matching stories selected (counting…)")
        else:
            self.count_label.setText(f"All {stories_phrase(n)} selected")
        # One story: the editor already says which.
        self.count_label.setVisible(n > 1 or (every.active and every.count is None))
        has_any = n > 0 or self.window.article is not None
        self.set_section_action.setEnabled(has_any and not self.window.read_only)
        self.export_action.setEnabled(has_any)
        self.set_section_action.setText(f"Set &Section ({n:,})…" if n > 1 else "Set &Section…")
        self.export_action.setText(f"E&xport Selected ({n:,})…" if n > 1 else "E&xport Selected…")

    # ---- Set Section… ------------------------------------------------------------------
    def ask_section(self) -> SectionDialog | None:
        """Ask for the section (the choices read on a worker), then move every chosen story."""
        window = self.window
        browser = window.browser
        loaded = browser.selected_ids() or ([window.article.id] if window.article else [])
        if not loaded or window.read_only:
            return None
        count = browser.selected_count() if browser.selected_ids() else 1
        if browser.all_chosen.unloaded:
            # Not every chosen row is loaded: only a section filter says they share one.
            current = browser.model.filters.section
        else:
            rows = {row.id: row for row in browser.model.rows}
            in_use = {rows[i].section for i in loaded if i in rows}
            current = in_use.pop() if len(in_use) == 1 else ""
        dialog = SectionDialog(count, [], current, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._chose_section(dialog.chosen()))
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog

        def fill(sections: list[str]) -> None:
            if self.dialog is dialog:
                typed = dialog.section.currentText()
                dialog.section.addItems(sections)
                dialog.section.setEditText(typed)

        library = window.library
        run_task(library.sections, on_done=fill)
        dialog.open()
        return dialog

    def _chose_section(self, section: str) -> None:
        # The section is read now: the dialog is gone by the time the ids are.
        self.with_ids(lambda ids: self.set_section(ids, section))

    def set_section(self, ids: list[int], section: str) -> None:
        """Move these stories into the section in ONE transaction (all or none)."""
        window = self.window
        section = section.strip()  # "" takes them out of their section
        if not ids or window.read_only:
            return
        open_id = window.article.id if window.article is not None else None
        if open_id in ids and not window._leave_current():
            return  # the open story's unsaved words first; a conflict waits for the user

        where = f"into {section}" if section else "out of their section"
        run = BulkProgress(window, f"Moving {stories_phrase(len(ids))} {where}…", len(ids))

        def move(library) -> tuple[int, dict[int, str]]:
            before = library.sections_of(ids)  # for Undo: each story back where it was
            return library.set_section(ids, section, progress=run.report), before

        def done(result: tuple[int, dict[int, str]]) -> None:
            run.finish()
            moved, before = result
            self._after_moving(ids)
            kept = len(ids) - moved
            if section:
                said = f"Moved {stories_phrase(moved)} to {section}."
                if kept:
                    said += f" {stories_phrase(kept)} already there."
            else:
                said = f"Took {stories_phrase(moved)} out of their section."
                if kept:
                    said += f" {stories_phrase(kept)} had none."
            if not moved:
                window.statusBar().showMessage(said, 5000)
                return
            back = {i: s for i, s in before.items() if s != section}
            said += (
                " Undo (Ctrl+Z) puts them back." if moved > 1 else " Undo (Ctrl+Z) puts it back."
            )
            window.trash.offer_undo(lambda: self._put_back(back), said)

        window.ops.run_op(
            move,
            on_success=done,
            on_failure=lambda exc: self._failed(run, exc, "No section was changed"),
            initiator=self,
        )

    def _failed(
        self,
        run: BulkProgress,
        exc: BaseException,
        nothing: str,
        undo: Callable[[], None] | None = None,
    ) -> None:
        """Say why nothing moved; a cancelled Undo is offered again (nothing was undone)."""
        run.finish()
        if not isinstance(exc, Cancelled):
            self.window.statusBar().showMessage(f"{nothing}: {failure_message(exc)}", 8000)
            return
        said = f"Cancelled; {nothing[0].lower()}{nothing[1:]}."
        if undo is None:
            self.window.statusBar().showMessage(said, 8000)
        else:
            self.window.trash.offer_undo(undo, f"{said} Undo (Ctrl+Z) is still there.")

    def _after_moving(self, ids: list[int]) -> None:
        window = self.window
        browser = window.browser
        # Read again, not patched: they were updated just now (newest first) and may
        # leave a list filtered by section; the highlighted and chosen rows stay chosen.
        browser.refresh()
        browser.refresh_choices()
        window.form.refresh_choices()
        # Which story is open is asked now, not when the move began: one opened (or still
        # being read) meanwhile may have been read before the move.
        if window.article is not None and window.article.id in ids:
            self._show_new_section(window.article.id)
        if window._opening in ids:
            window.read_opening_again()

    def _put_back(self, before: dict[int, str]) -> None:
        """Undo of Set Section…: each story back in the section it had, in one transaction."""
        window = self.window
        ids = list(before)
        # The story open now (perhaps not the one open when they were moved) is saved first.
        open_id = window.article.id if window.article is not None else None
        if open_id in ids and not window._leave_current():
            return

        run = BulkProgress(window, f"Putting {stories_phrase(len(ids))} back…", len(ids))

        def done(moved: int) -> None:
            run.finish()
            self._after_moving(ids)
            window.statusBar().showMessage(
                f"Put {stories_phrase(moved)} back in {'its' if moved == 1 else 'their'} section.",
                5000,
            )

        window.ops.run_op(
            lambda library: library.set_sections(before, progress=run.report),
            on_success=done,
            on_failure=lambda exc: self._failed(
                run, exc, "No section was changed back", lambda: self._put_back(before)
            ),
            initiator=self,
        )

    def _show_new_section(self, article_id: int) -> None:
        """The open story was one of them: its form takes the library's copy (our own change,
        so nothing says "changed elsewhere"); typed meanwhile, it merges like any change."""
        window, library = self.window, self.window.library

        def apply(article) -> None:
            if article is None or window.article is None or window.article.id != article_id:
                return
            if window.autosave.dirty or window.autosave.busy:
                window._check_changed_elsewhere()
            else:
                window._replace_with(article)

        run_task(lambda: library.find_article(article_id), on_done=apply)

    # ---- Export Selected… -----------------------------------------------------------------
    def export_selected(self) -> None:
        from newsdesk.ui.export_dialog import show_export

        window = self.window
        window.save_everything()  # the pages show what the editor shows

        def show(ids: list[int]) -> None:
            if window.article is not None and ids == [window.article.id]:
                window.export_dialog = show_export(window)  # just the open story
                window.export_dialog.this_article.setChecked(True)
            else:
                window.export_dialog = show_export(window, selected_ids=ids)

        self.with_ids(show)
