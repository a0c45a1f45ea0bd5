"""The main window when the open article changes elsewhere: another window's or process's save,
a sync, a restored revision — taken in quietly when nothing here is unsaved, merged when the edits
touch different fields, and otherwise the user chooses (keep mine, load theirs, save mine as a copy)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from newsdesk.library import Article, Library
from newsdesk.ui.article_form import ArticleForm
from newsdesk.ui.autosave import Autosaver
from newsdesk.ui.browser import LibraryBrowser
from newsdesk.ui.editor import MarkdownEditor
from newsdesk.ui.editor_merge import EDITED_FIELDS, apply_text, edited_fields
from newsdesk.ui.guarded import guard_against_typing
from newsdesk.ui.history import HistoryDialog
from newsdesk.ui.ops import Operations
from newsdesk.ui.workers import run_task


class ConflictHandling:
    """Changes to the open article from elsewhere (a mixin for MainWindow, which holds what is
    declared here; `merge_into_editor` and `_pulled_by_sync` come from SyncActions)."""

    library: Library
    ops: Operations
    article: Article | None
    form: ArticleForm
    editor: MarkdownEditor
    autosave: Autosaver
    browser: LibraryBrowser
    conflict_box: QMessageBox | None
    history_dialog: HistoryDialog | None
    _loading: bool
    _pulled_by_sync: bool

    # ---- history ---------------------------------------------------------------------
    def show_history(self) -> None:
        if self.article is None:
            return
        self.autosave.flush()  # the diff and a restore start from what the editor shows
        dialog = HistoryDialog(
            self.library,
            self.article.id,
            headline=self.form.headline.text(),
            dek=self.form.dek.text(),
            body=self.editor.toPlainText(),
            parent=self,
            ops=self.ops,
        )
        dialog.sig_restored.connect(self.apply_restored)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.history_dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "history_dialog", None))
        dialog.open()

    def apply_restored(self, article: Article) -> None:
        """Show a restored revision; Ctrl+Z in the editor still brings the replaced text back."""
        self._replace_with(article)
        self.statusBar().showMessage(
            "Revision restored; the replaced text is kept in History.", 5000
        )

    def _replace_with(self, article: Article) -> None:
        """Show the library's copy of the open article, keeping the editor's undo history."""
        self._loading = True
        try:
            self.form.load(article)
            # Only what differs is replaced (one undo step), so the cursor stays where it was.
            apply_text(self.editor, article.body)
        finally:
            self._loading = False
        self.article = article
        self.autosave.adopt(article)
        self.browser.model.patch(article.id, headline=article.headline, status=article.status)
        self._update_title()
        self._update_stats()
        if self.preview is not None:
            self.preview.show_article(article)

    # ---- two windows on one library ------------------------------------------------------
    def _on_conflict(self, article_id: int) -> None:
        """Autosave was refused: the library's copy is newer. Read it on a worker, then merge or ask."""
        if self.article is None or article_id != self.article.id or self.conflict_box is not None:
            return
        library = self.library

        def arrived(theirs: Article | None) -> None:
            if (
                self.article is None
                or self.article.id != article_id
                or self.conflict_box is not None
                or not self.autosave.conflicted
            ):
                return  # another story opened, or the conflict was settled meanwhile
            if theirs is not None and self.merge_into_editor(theirs):
                # Saved elsewhere (a sync, another window), but not what was typed here: both kept.
                self.statusBar().showMessage(self._pulled_words(), 5000)
                return
            self._ask_what_to_keep()

        run_task(lambda: library.find_article(article_id), on_done=arrived)

    def _ask_what_to_keep(self) -> None:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Article changed elsewhere")
        box.setText(
            "A sync brought changes to what you are editing in this article."
            if self._pulled_by_sync
            else "Another window saved this article after you opened it."
        )
        box.setInformativeText(
            "Autosave has stopped for it until you choose. Your text is still in the editor."
        )
        self.keep_mine_button = box.addButton("Keep mine", QMessageBox.ButtonRole.AcceptRole)
        self.load_theirs_button = box.addButton(
            "Load theirs", QMessageBox.ButtonRole.DestructiveRole
        )
        self.save_copy_button = box.addButton(
            "Save mine as a copy", QMessageBox.ButtonRole.ActionRole
        )
        box.setDefaultButton(self.save_copy_button)
        box.buttonClicked.connect(self._conflict_chosen)
        self.conflict_box = box
        # It appears while the user types: a typed space must not choose for them.
        self.conflict_guard = guard_against_typing(box)
        box.open()

    def _conflict_chosen(self, button: QPushButton) -> None:
        self.conflict_box = None
        if button is self.keep_mine_button:
            self.keep_mine()
        elif button is self.load_theirs_button:
            self.load_theirs()
        else:
            self.save_mine_as_copy()

    def keep_mine(self) -> None:
        if self.autosave.keep_mine():
            self.statusBar().showMessage("Your version was saved over the other window's.", 5000)

    def load_theirs(self) -> None:
        """Show the other window's save; Ctrl+Z brings this window's text back.

        What the user types while their copy is read is theirs to keep: it is merged into the
        other copy as a sync's changes are, and where it touches what that copy changed,
        nothing is replaced and the user is asked again.
        """
        if self.article is None:
            return
        library, article_id = self.library, self.article.id
        asked = self._edited_now()  # the editor when the user chose to load theirs

        def arrived(theirs: Article | None) -> None:
            if self.article is None or self.article.id != article_id:
                return  # another story opened meanwhile
            if theirs is None:
                self.statusBar().showMessage(
                    "The other copy is no longer in the library; yours is still here.", 8000
                )
            elif self._edited_now() == asked:
                self._replace_with(theirs)
            elif self.merge_into_editor(theirs, base=asked):
                self.statusBar().showMessage(
                    "Their copy is loaded, with what you typed while it loaded.", 8000
                )
            else:
                self.statusBar().showMessage(
                    "Their copy was not loaded: you typed where it differs from yours. "
                    "Choose again what to keep.",
                    8000,
                )
                if self.conflict_box is None and self.autosave.conflicted:
                    self._ask_what_to_keep()

        run_task(lambda: library.find_article(article_id), on_done=arrived)

    def _edited_now(self) -> dict[str, Any]:
        """The open story's fields as the form and editor show them now."""
        shown = edited_fields(self.article)  # type: ignore[arg-type]
        values = self._snapshot()
        return {k: values.get(k, shown[k]) for k in EDITED_FIELDS}

    def save_mine_as_copy(self) -> Article | None:
        """Keep both: this window's text becomes a new article; the original stays as saved."""
        if self.article is None:
            return None
        values = self._snapshot()
        values.pop("slug", None)
        tags = values.pop("tags", [])
        values["headline"] = f"{values['headline']} (copy)".strip()
        # Waits for the writer: this runs on close too, when nothing may be lost.
        copy = self.ops.call(lambda library: library.create_article(tags=tags, **values))
        self.autosave.attach(None)  # leave the original as the other window saved it
        self.browser.refresh()
        # The writer answered with the whole story: nothing to read again.
        self._set_article(copy)  # type: ignore[attr-defined]
        self.browser.select_article(copy.id)
        self.statusBar().showMessage(f"Your version was saved as {copy.headline!r}.", 5000)
        return copy

    def _check_changed_elsewhere(self, *, any_change: bool = False) -> None:
        """Pick up another window's or process's save of the open article if nothing here is unsaved.

        With any_change, a change that left the text's version alone (figures,
        related stories) is shown too.
        """
        if self.article is None or self.autosave.busy or self.autosave.conflicted:
            return  # a save in flight meets the change itself (see _on_conflict)
        library, article_id, version = self.library, self.article.id, self.autosave.version

        def newer() -> Article | None:
            article = library.find_article(article_id)
            if article is None or (article.version == version and not any_change):
                return None
            return article

        def apply(article: Article | None) -> None:
            if (
                article is None
                or self.article is None
                or article.id != self.article.id
                or self.autosave.version != version
                or self.autosave.busy
                or self.autosave.conflicted
            ):
                return
            if not self.autosave.dirty:
                self._replace_with(article)
            elif article.version == version or not self.merge_into_editor(article):
                return  # the same field typed here: the next save says it is a conflict
            self.statusBar().showMessage(self._pulled_words(), 5000)

        # Not read (the shared library not answering): nothing to tell; saving says it, if needed.
        run_task(newer, on_done=apply, on_error=lambda _exc: None)

    def _pulled_words(self) -> str:
        if self._pulled_by_sync:
            return "Updated with changes from the shared library; your edits are kept."
        return "Updated with changes saved in another window."
