"""The main window's newsroom actions: new stories (ui/new_story.py), publishing behind
preflight, update notes and corrections, importing Markdown, and the desk's notes dock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from newsdesk.library import Article, Library
from newsdesk.library.models import ArticleNote
from newsdesk.preflight import preflight, publish_article
from newsdesk.ui.autosave import refused_by_server
from newsdesk.ui.new_story import NewStories
from newsdesk.ui.ops import failure_message
from newsdesk.ui.workers import run_task


class PublishRefusedDialog(QDialog):
    """Preflight failed: its reasons, and publishing anyway only with a reason that is kept."""

    def __init__(self, reasons: list[str], previous: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Not ready to publish")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Preflight found problems, so the story was not published:"))
        self.reasons = QPlainTextEdit("\n".join(f"• {r}" for r in reasons))
        self.reasons.setReadOnly(True)
        self.reasons.setAccessibleName("Preflight problems")
        layout.addWidget(self.reasons)
        layout.addWidget(QLabel("To publish anyway, say why (kept in the story's history):"))
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason for publishing anyway")
        layout.addWidget(self.reason)
        buttons = QDialogButtonBox()
        self.keep_button = buttons.addButton(
            f"Keep as {previous}", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.publish_button = buttons.addButton(
            "Publish anyway", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.publish_button.setEnabled(False)
        self.reason.textChanged.connect(lambda t: self.publish_button.setEnabled(bool(t.strip())))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class NotesPanel(QWidget):
    """The desk's notes on the open story: a list, with add, resolve/reopen and delete."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.list = QListWidget()
        self.list.setAccessibleName("Notes")
        self.list.setWordWrap(True)
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.resolve_button = QPushButton("Resolve")
        self.delete_button = QPushButton("Delete")
        row.addWidget(self.resolve_button)
        row.addWidget(self.delete_button)
        layout.addLayout(row)
        self.hint = QLabel("Select words in the body and press Ctrl+Alt+M to leave a note.")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)


class NewsroomActions(NewStories):
    """Mixed into MainWindow (which provides library, ops, form, editor, article, …)."""

    library: Library
    article: Article | None

    # ---- set-up ---------------------------------------------------------------
    def _build_newsroom(self, file_menu, article_menu) -> None:
        a = self._action  # type: ignore[attr-defined]
        self._init_new_stories()
        self.publish_dialog: PublishRefusedDialog | None = None
        self.import_box: QMessageBox | None = None
        self.notes: list[ArticleNote] = []
        self._notes_generation = 0  # only the newest read of the notes is listed
        self._notes_article_id: int | None = None  # whose notes are listed
        file_menu.insertAction(
            self.actions_by_name["export"],  # type: ignore[attr-defined]
            a(file_menu, "Import &articles…", self.import_articles_dialog, name="import_articles"),
        )
        article_menu.addSeparator()
        a(article_menu, "Add &update note…", self.ask_update_note, name="add_update")
        a(article_menu, "Add corr&ection…", self.ask_correction, name="add_correction")
        a(article_menu, "Add &note on selection…", self.ask_note, "Ctrl+Alt+M", name="add_note")
        self.notes_panel = NotesPanel()
        dock = QDockWidget("Notes", self)  # type: ignore[arg-type]
        dock.setObjectName("dock-notes")
        dock.setWidget(self.notes_panel)
        self.docks["notes"] = dock  # type: ignore[attr-defined]
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)  # type: ignore[attr-defined]
        # A tab beside the other panels, so it takes none of their room.
        self.tabifyDockWidget(self.docks["related"], dock)  # type: ignore[attr-defined]
        self.docks["images"].raise_()  # type: ignore[attr-defined]
        self.notes_dock = dock
        self.notes_panel.resolve_button.clicked.connect(self.toggle_selected_note)
        self.notes_panel.delete_button.clicked.connect(self.delete_selected_note)
        self.notes_panel.list.itemActivated.connect(self._go_to_note)

    # ---- publishing runs preflight ----------------------------------------------------
    def _status_chosen(self, status: str) -> bool:
        """The status box changed; True when the change may be saved as it is."""
        if status != "published" or self.article is None or self.article.status == "published":
            return True
        previous = self.article.status
        # The box shows the old status while the check runs: the flush below saves
        # the form as it is, and "published" must not reach the library unchecked.
        self._show_status(previous)
        self.autosave.flush()  # type: ignore[attr-defined]  # check the text as the editor shows it
        article = self.library.get_article(self.article.id)
        article.status = "published"
        problems = [p for p in preflight(self.library, article) if p.is_error]
        if not problems:
            self._show_status("published")
            return True
        dialog = PublishRefusedDialog([p.message for p in problems], previous, self)  # type: ignore[arg-type]
        dialog.accepted.connect(lambda: self._publish_anyway(dialog.reason.text()))
        dialog.finished.connect(lambda _r: setattr(self, "publish_dialog", None))
        self.publish_dialog = dialog
        dialog.open()
        return False

    def _show_status(self, status: str) -> None:
        self._loading = True  # type: ignore[attr-defined]
        try:
            self.form.status.setCurrentText(status)  # type: ignore[attr-defined]
        finally:
            self._loading = False  # type: ignore[attr-defined]

    def _publish_anyway(self, reason: str) -> None:
        if self.article is None:
            return
        article_id = self.article.id
        self.autosave.flush()  # type: ignore[attr-defined]

        def done(article: Article) -> None:
            if self.article is None or self.article.id != article.id:
                return
            self.article = article
            self.autosave.adopt(article)  # type: ignore[attr-defined]
            self._show_status("published")
            self.browser.model.patch(article.id, status="published")  # type: ignore[attr-defined]
            self.statusBar().showMessage("Published; your reason is kept in History.", 5000)  # type: ignore[attr-defined]

        def refused(exc: BaseException) -> None:
            message = failure_message(exc)
            if refused_by_server(exc):  # a reporter on the shared library: the box says why
                self._on_save_refused(article_id, message)  # type: ignore[attr-defined]
            else:
                self.statusBar().showMessage(message, 8000)  # type: ignore[attr-defined]

        self.ops.run_op(  # type: ignore[attr-defined]
            lambda library: publish_article(library, article_id, override_reason=reason),
            on_success=done,
            on_failure=refused,
            initiator=self,
        )

    # ---- update notes and corrections ----------------------------------------------
    def ask_update_note(self) -> None:
        self._ask_dated("update", "Add update note", "What changed in this story?")

    def ask_correction(self) -> None:
        self._ask_dated("correction", "Add correction", "What was wrong, and what is right?")

    def _ask_dated(self, kind: str, title: str, label: str) -> None:
        if self.article is None:
            return
        text, ok = QInputDialog.getMultiLineText(self, title, label)  # type: ignore[arg-type]
        if ok and text.strip():
            self.add_dated_note(kind, text)

    def add_dated_note(self, kind: str, text: str) -> None:
        """Record an update note or a correction on the open story (the page shows it)."""
        if self.article is None:
            return
        article_id = self.article.id
        # The preview shows it once the library says so (see MainWindow._on_library_changed).
        self.ops.run_op(  # type: ignore[attr-defined]
            lambda library: library.add_update(article_id, text, kind=kind),
            initiator=self,
        )

    # ---- importing Markdown ----------------------------------------------------------
    def import_articles_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,  # type: ignore[arg-type]
            "Import articles",
            "",
            "Markdown (*.md *.markdown *.txt)",
        )
        if files:
            self.import_articles([Path(f) for f in files])

    def import_articles(self, paths: list[Path]) -> None:
        """Import Markdown files off the GUI thread: the good files go in (each all or nothing),
        and the report lists every file left out with one sentence on what to fix."""
        from newsdesk.importing import ImportProblem, import_markdown_files, report_lines

        def work(library: Library) -> tuple[list[str], list[str]]:
            problems: list = []
            try:
                results = import_markdown_files(library, paths, problems=problems)
            except ImportProblem as exc:  # a failure while writing: none of the good files went in
                return [], [f"Nothing was imported: {exc}"]
            return report_lines(results), [p.sentence() for p in problems]

        self.ops.run_op(work, on_success=self._show_import_report, initiator=self)  # type: ignore[attr-defined]

    def _show_import_report(self, report: tuple[list[str], list[str]]) -> None:
        lines, problems = report
        if not lines and len(problems) == 1 and not problems[0].startswith("Nothing was"):
            text = f"Nothing was imported: {problems[0]}"
        elif not lines and problems and problems[0].startswith("Nothing was"):
            text = problems[0]
        else:
            text = "\n".join(lines)
            if problems:
                n = len(problems)
                head = "Nothing was imported." if not lines else ""
                left = f"{n} file{'' if n == 1 else 's'} not imported (fix and import again):"
                text = "\n\n".join(t for t in (text, head, left) if t)
                text += "\n" + "\n".join(f"• {p}" for p in problems)
        # Anything left out is a problem to fix (a warning), not news (information).
        icon = QMessageBox.Icon.Warning if problems else QMessageBox.Icon.Information
        box = QMessageBox(icon, "Import articles", text)
        box.setParent(self, box.windowFlags())  # type: ignore[arg-type]
        self.import_box = box
        self.browser.refresh()  # type: ignore[attr-defined]
        box.open()

    # ---- the desk's notes --------------------------------------------------------------
    def ask_note(self) -> None:
        cursor = self.editor.textCursor()  # type: ignore[attr-defined]
        if self.article is None or not cursor.hasSelection():
            self.statusBar().showMessage("Select the words the note is about first.", 4000)  # type: ignore[attr-defined]
            return
        text, ok = QInputDialog.getText(self, "Add note", "Note for the reporter:")  # type: ignore[arg-type]
        if ok and text.strip():
            self.add_note(cursor.selectionStart(), cursor.selectionEnd(), text)

    def add_note(self, start: int, end: int, text: str) -> None:
        if self.article is None:
            return
        article_id, body = self.article.id, self.editor.toPlainText()  # type: ignore[attr-defined]
        self.ops.run_op(  # type: ignore[attr-defined]
            lambda library: library.add_note(article_id, body, start, end, text),
            on_success=lambda _n: self.load_notes(),
            on_failure=lambda exc: self.statusBar().showMessage(failure_message(exc), 5000),  # type: ignore[attr-defined]
            initiator=self,
        )

    def load_notes(self) -> None:
        """Read the open story's notes on a worker, then list them.

        Another story's notes go at once; this story's stay listed until the new ones come.
        """
        self._notes_generation += 1
        article_id = self.article.id if self.article is not None else None
        if article_id != self._notes_article_id:
            self._notes_article_id = article_id
            self.notes = []
            self.show_notes()
        if article_id is None:
            return
        library = self.library
        generation = self._notes_generation

        def show(notes: list[ArticleNote]) -> None:
            if generation != self._notes_generation or not shiboken6.isValid(self):
                return  # another story opened meanwhile, or the window closed
            self.notes = notes
            self.show_notes()

        run_task(lambda: library.notes(article_id), on_done=show)

    def show_notes(self) -> None:
        """List the notes and highlight each open note's passage where it is now."""
        body = self.editor.toPlainText()  # type: ignore[attr-defined]
        lst = self.notes_panel.list
        lst.clear()
        selections = []
        for note in self.notes:
            where = self.library.locate_note(note, body)
            state = "resolved" if note.resolved else ("passage gone" if where is None else "open")
            item = QListWidgetItem(f"“{note.quote[:60]}” — {note.text}  ({state})")
            item.setData(Qt.ItemDataRole.UserRole, note.id)
            lst.addItem(item)
            if where is not None and not note.resolved:
                sel = QTextEdit.ExtraSelection()
                fmt = QTextCharFormat()
                fmt.setBackground(QColor(255, 226, 120))
                fmt.setToolTip(note.text)
                sel.format = fmt
                cursor = QTextCursor(self.editor.document())  # type: ignore[attr-defined]
                cursor.setPosition(where[0])
                cursor.setPosition(where[1], QTextCursor.MoveMode.KeepAnchor)
                sel.cursor = cursor
                selections.append(sel)
        self.editor.setExtraSelections(selections)  # type: ignore[attr-defined]

    def _selected_note(self) -> ArticleNote | None:
        item = self.notes_panel.list.currentItem()
        if item is None:
            return None
        note_id = item.data(Qt.ItemDataRole.UserRole)
        return next((n for n in self.notes if n.id == note_id), None)

    def toggle_selected_note(self) -> None:
        note = self._selected_note()
        if note is None:
            return
        self.ops.run_op(  # type: ignore[attr-defined]
            lambda library: library.set_note_resolved(note.id, not note.resolved),
            on_success=lambda _n: self.load_notes(),
            initiator=self,
        )

    def delete_selected_note(self) -> None:
        note = self._selected_note()
        if note is None:
            return
        self.ops.run_op(  # type: ignore[attr-defined]
            lambda library: library.delete_note(note.id),
            on_success=lambda _n: self.load_notes(),
            initiator=self,
        )

    def _go_to_note(self, item: QListWidgetItem) -> None:
        note = self._selected_note()
        if note is None:
            return
        where = self.library.locate_note(note, self.editor.toPlainText())  # type: ignore[attr-defined]
        if where is not None:
            cursor = self.editor.textCursor()  # type: ignore[attr-defined]
            cursor.setPosition(where[0])
            cursor.setPosition(where[1], QTextCursor.MoveMode.KeepAnchor)
            self.editor.setTextCursor(cursor)  # type: ignore[attr-defined]


__all__ = ["NewsroomActions", "NotesPanel", "PublishRefusedDialog", "Any"]
