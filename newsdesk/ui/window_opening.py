"""Opening a story in the main window: the one being left is saved, the new one is read on a worker
(the GUI thread waits for neither), and keys typed meanwhile are held and reach the new story,
never the one on screen."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QWidget

from newsdesk.library import Article, Library, LibraryError, NotFound, StaleArticleError
from newsdesk.ui.autosave import Autosaver
from newsdesk.ui.browser import LibraryBrowser
from newsdesk.ui.ops import failure_message
from newsdesk.ui.workers import run_task

# What a person types: held while a story is read, handed on when it opens.
_TYPING = (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.InputMethod)


class Trashed(Exception):
    """The story asked for was in the trash by the time it was read."""


class HeldTyping(QObject):
    """Keys typed into the editor or the fields while a story is being read, kept in order.

    The story on screen stays as it is (nothing is cleared or greyed out, so
    opening does not flash), but it takes no typing: `hold` catches the keys
    meant for it, and `release` hands them, once the new story is in, to the
    widget they were typed into.
    """

    def __init__(self, targets: list[QWidget], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._targets = targets
        self._watched: list[QWidget] = []
        self._held: list[tuple[QWidget, QEvent]] = []
        self.holding = False

    def hold(self) -> None:
        if self.holding:
            return
        self.holding = True
        # On the widgets themselves, only while holding: a filter on the whole application
        # would see every event of every object (and costs every keystroke a Python call).
        self._watched = []
        for target in self._targets:
            self._watched += [target, *target.findChildren(QWidget)]
        for widget in self._watched:
            widget.installEventFilter(self)

    def release(self, *, replay: bool) -> None:
        """Stop holding; with replay, give each held key to the widget it was typed into."""
        if not self.holding:
            return
        self.holding = False
        for widget in self._watched:
            if shiboken6.isValid(widget):
                widget.removeEventFilter(self)
        self._watched = []
        held, self._held = self._held, []
        if replay:
            for widget, event in held:
                if shiboken6.isValid(widget):
                    QCoreApplication.sendEvent(widget, event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if self.holding and event.type() in _TYPING and isinstance(watched, QWidget):
            self._held.append((watched, event.clone()))
            return True
        return False


class StoryOpening:
    """Opening stories (a mixin for MainWindow, which holds what is declared here and provides
    `_set_article`, `focus_editor` and `statusBar`)."""

    library: Library
    article: Article | None
    autosave: Autosaver
    browser: LibraryBrowser
    _open_generation: int
    _held_typing: HeldTyping
    _opening: int | None  # the id being read for opening, if any
    _saving_to_leave: bool  # the story being left is being saved before the other is read

    def open_initial(self) -> None:
        """The article open when the window last closed, or the newest one.

        Read here, before the window is shown: it must be in the editor when the
        window first appears, so that keys typed at once reach its body (nothing
        is on screen yet to keep responsive).
        """
        uid = self._last_article_uid()  # type: ignore[attr-defined]
        article = self.library.find_article(str(uid)) if uid else None
        if article is None or article.deleted_at is not None:  # never reopen the trash
            newest = self.library.list_articles(limit=1)
            article = self.library.find_article(newest[0].id) if newest else None
        if article is not None:
            self._set_article(article)  # type: ignore[attr-defined]
            self.browser.select_article(article.id)

    def open_article(self, article_id: int) -> bool:
        """Save the open article, then read this one on a worker and show it.

        Returns False when the article being left cannot be left (it could not
        be saved, or a conflict waits for the user); True when this one is open
        or on its way (`sig_article_opened` says when it is in). While it is
        read, the story on screen stays but takes no typing: keys are held for
        the new one.
        """
        if self._opening == article_id:
            return True
        if self.article is not None and self.article.id == article_id:
            self._cancel_opening()  # back to the story on screen before the other one came
            return True
        if self.article is not None and self.autosave.conflicted:
            self.statusBar().showMessage(  # type: ignore[attr-defined]
                "Choose what to keep for this article before opening another.", 5000
            )
            return False
        self._keep_new_story_words()  # type: ignore[attr-defined]
        self._opening = article_id
        self._held_typing.hold()
        self._save_then_read(article_id)
        return True

    def _save_then_read(self, article_id: int) -> None:
        """Save the story being left on the writer, then read the new one; the GUI thread waits
        for neither. Not saved (a server that stopped answering, a conflict): the story on
        screen stays, with the keys typed meanwhile, and the user reads why."""
        self._open_generation += 1
        generation = self._open_generation
        self._saving_to_leave = True

        def saved() -> None:
            if generation == self._open_generation:
                self._saving_to_leave = False
                self._read_for_opening(article_id)

        def not_saved(exc: BaseException) -> None:
            if generation != self._open_generation:
                return
            if isinstance(exc, NotFound):
                saved()  # deleted elsewhere: nothing left to save it into
                return
            self._saving_to_leave = False
            self._cancel_opening()
            if isinstance(exc, StaleArticleError):
                message = "Choose what to keep for this article before opening another."
            else:
                message = f"Not saved yet, so this story stays open: {failure_message(exc)}"
            self.statusBar().showMessage(message, 8000)  # type: ignore[attr-defined]
            if self.article is not None:
                self.browser.select_article(self.article.id)

        self.autosave.save_then(saved, not_saved)

    def read_opening_again(self) -> None:
        """The story being opened was changed by one of our own operations: its read may
        predate the change, so it is read again (the first answer is dropped)."""
        if self._opening is not None and not self._saving_to_leave:
            self._read_for_opening(self._opening)

    def _read_for_opening(self, article_id: int) -> None:
        self._open_generation += 1
        generation, library = self._open_generation, self.library

        def opened(article: Article) -> None:
            if generation != self._open_generation:
                return  # another story was asked for meanwhile
            if article.deleted_at is not None:  # moved to the trash before it was read
                failed(Trashed())
                return
            self._opening = None
            self._set_article(article)  # type: ignore[attr-defined]
            self.browser.select_article(article.id)
            self._held_typing.release(replay=True)

        def failed(exc: BaseException) -> None:
            if generation != self._open_generation:
                return
            self._opening = None
            self._held_typing.release(replay=True)  # the story on screen takes them after all
            if isinstance(exc, Trashed):
                message = "That story was moved to the trash; Trash… brings it back."
                self.browser.refresh()
            elif isinstance(exc, NotFound):
                message = "That story is no longer in the library; it was deleted elsewhere."
                self.browser.refresh()
            elif isinstance(exc, LibraryError):
                message = str(exc)
            else:
                message = "That story could not be read; try opening it again."
            self.statusBar().showMessage(message, 8000)  # type: ignore[attr-defined]
            if self.article is not None:
                self.browser.select_article(self.article.id)

        run_task(lambda: library.get_article(article_id), on_done=opened, on_error=failed)

    def _cancel_opening(self) -> None:
        """Forget a story still being read (the one on screen was asked for again, or another
        was put in the editor meanwhile); what was typed goes to the story now on screen."""
        if self._opening is None:
            return
        self._opening = None
        self._saving_to_leave = False
        self._open_generation += 1
        self._held_typing.release(replay=True)

    def _leave_current(self) -> bool:
        """Save the article being left; a conflict keeps the user on it until they choose."""
        if self.article is None:
            self._keep_new_story_words()  # type: ignore[attr-defined]
            return True
        try:
            saved = self.autosave.flush()
        except NotFound:
            return True  # deleted elsewhere: nothing left to save it into
        except LibraryError as exc:
            self.statusBar().showMessage(f"Could not save this article: {exc}", 8000)  # type: ignore[attr-defined]
            return False
        if not saved and self.autosave.conflicted:
            self.statusBar().showMessage(  # type: ignore[attr-defined]
                "Choose what to keep for this article before opening another.", 5000
            )
            return False
        return True

    def _open_from_list(self, article_id: int) -> None:
        """Return in the list: open the article and start writing in its body.

        The body takes the focus at once; what is typed before the story is in
        is held for it.
        """
        if self.open_article(article_id):
            self.focus_editor()  # type: ignore[attr-defined]

    def _on_browser_pick(self, article_id: int) -> None:
        if not self.open_article(article_id) and self.article is not None:
            self.browser.select_article(self.article.id)
