"""New stories in the main window: Ctrl+N gives an empty story that is saved at its first keystroke,
and every word typed into it reaches the library, even when the user leaves it (for another story,
another Ctrl+N, or by closing the window) before that first save answered."""

from __future__ import annotations

from typing import Any

from newsdesk.library import Article, Library, SlugTaken
from newsdesk.ui.ops import failure_message


def _has_words(values: dict[str, Any]) -> bool:
    return any(str(values.get(k) or "").strip() for k in ("headline", "dek", "byline", "body"))


def _save_into_new(library: Library, article: Article, values: dict[str, Any]) -> Article:
    """Save the form's values into a story just created from its first keys (on the writer)."""
    fields = dict(values)
    if fields.get("status") == "published":
        fields["status"] = article.status  # publishing goes through preflight, never here
    try:
        return library.update_article(article.id, expected_version=article.version, **fields)
    except SlugTaken:  # taken meanwhile: keep the slug the story was given
        fields.pop("slug", None)
        return library.update_article(article.id, expected_version=article.version, **fields)


def _create_whole(library: Library, values: dict[str, Any]) -> Article:
    """Create a new story from all the form's values at once (on the writer)."""
    fields = dict(values)
    fields.pop("slug", None)  # a free one is made from the headline
    tags = fields.pop("tags", [])
    if fields.get("status") == "published":
        fields["status"] = "draft"  # publishing goes through preflight, never here
    return library.create_article(tags=tags, **fields)


class NewStories:
    """Mixed into MainWindow through NewsroomActions (the window provides library, ops, form,
    editor, article, autosave, browser, _snapshot, _set_article, _opening, …).

    Each Ctrl+N is a story of its own, with a token: a first save that answers after the user
    left its story must not take the editor (it would save the other story's text into it).
    """

    library: Library
    article: Article | None

    def _init_new_stories(self) -> None:
        self.pending_new = False  # Ctrl+N was pressed; nothing typed yet, nothing saved
        self._new_token = 0  # the new story in the form (if pending_new)
        self._creating_tokens: set[int] = set()  # new stories whose first save is in flight
        # What was typed into a new story when the user left it while its first save was in
        # flight, by token: saved into it once that save answers (or on closing).
        self._left_new: dict[int, dict[str, Any]] = {}
        # Each first save as the writer made it, by token (closing waits there for it).
        self._created_new: dict[int, Article] = {}

    @property
    def _creating(self) -> bool:
        """The first save of the new story in the form is in flight."""
        return self._new_token in self._creating_tokens

    def begin_new_article(self) -> None:
        """Ctrl+N: an empty story to type into; it is saved (and listed) at the first keystroke."""
        if not self._leave_current():  # type: ignore[attr-defined]
            return
        self._set_article(None)  # type: ignore[attr-defined]
        self.pending_new = True
        self._new_token += 1
        self.editor.setEnabled(not self.read_only)  # type: ignore[attr-defined]
        self.form.headline.setPlaceholderText("Untitled")  # type: ignore[attr-defined]
        self.statusBar().showMessage(  # type: ignore[attr-defined]
            "New story: it is saved as soon as you type.", 4000
        )
        self.focus_headline()  # type: ignore[attr-defined]

    def _maybe_create_pending(self) -> None:
        """Something was typed into the new story: save it now (once)."""
        if not self.pending_new or self._creating or self.article is not None:
            return
        values = self._snapshot()  # type: ignore[attr-defined]
        if not _has_words(values):
            return
        token = self._new_token
        self._creating_tokens.add(token)
        fields = {"headline": values["headline"], "body": values["body"], "status": "draft"}

        def create(library: Library) -> Article:
            article = library.create_article(**fields)
            self._created_new[token] = article  # on the writer: closing waits there for it
            return article

        def created(article: Article) -> None:
            self._creating_tokens.discard(token)
            self._created_new.pop(token, None)
            left = self._left_new.pop(token, None)
            if not self.pending_new or token != self._new_token or self._opening is not None:  # type: ignore[attr-defined]
                # The user left this story meanwhile: the story on screen keeps the editor, and
                # this one is listed, with every word typed into it before it was left.
                self._list_new(article)
                if left is not None:
                    self._save_left(lambda library: _save_into_new(library, article, left))
                return
            self.pending_new = False
            self.article = article
            self.autosave.attach(article)  # type: ignore[attr-defined]
            self.autosave.mark_dirty()  # type: ignore[attr-defined]  # what was typed meanwhile
            self._adopt_new(article)

        def failed(exc: BaseException) -> None:
            self._creating_tokens.discard(token)
            left = self._left_new.pop(token, None)
            if left is not None:  # left before this answered: one more try, with all its words
                self._save_left(lambda library: _create_whole(library, left))
                return
            self.statusBar().showMessage(f"Not saved yet: {failure_message(exc)}", 8000)  # type: ignore[attr-defined]

        self.ops.run_op(create, on_success=created, on_failure=failed, initiator=self)  # type: ignore[attr-defined]

    def _keep_new_story_words(self) -> None:
        """The user leaves the new story in the form (opening another, or Ctrl+N again): what
        they typed into it reaches the library, even when its first save has not answered."""
        if self.article is not None or not self.pending_new:
            return
        values = self._snapshot()  # type: ignore[attr-defined]
        if not _has_words(values):
            return
        if self._creating:
            self._left_new[self._new_token] = values  # saved into it once its first save answers
        else:  # never saved (its first save failed): all of it at once
            self._save_left(lambda library: _create_whole(library, values))

    def _save_left(self, work) -> None:
        """Save a new story the user has left (work runs on the writer); it is listed after."""

        def failed(exc: BaseException) -> None:
            message = f"A new story you left was not saved: {failure_message(exc)}"
            self.statusBar().showMessage(message, 8000)  # type: ignore[attr-defined]

        self.ops.run_op(work, on_success=self._list_new, on_failure=failed, initiator=self)  # type: ignore[attr-defined]

    def save_new_story_now(self) -> None:
        """Closing: every new story still waiting for its first save, and the one in the form,
        reach the library now (waiting on the writer for those first saves)."""
        if self.read_only:  # type: ignore[attr-defined]
            return
        waiting = dict(self._left_new)
        self._left_new.clear()  # their first saves, answering after this, only list them
        if self.pending_new and self.article is None:
            values = self._snapshot()  # type: ignore[attr-defined]
            if _has_words(values):
                waiting[self._new_token] = values
            self.pending_new = False
            self._new_token += 1
        for token, values in waiting.items():
            in_flight = token in self._creating_tokens

            def finish(library: Library, token=token, values=values, in_flight=in_flight):
                article = self._created_new.get(token) if in_flight else None
                if article is None:  # never saved, or its first save failed
                    return _create_whole(library, values)
                return _save_into_new(library, article, values)

            self.ops.call(finish)  # type: ignore[attr-defined]

    def _list_new(self, article: Article) -> None:
        from newsdesk.ui.article_list_model import Row

        self.browser.model.put_first(  # type: ignore[attr-defined]
            Row(article.id, article.headline, article.status, article.section, article.updated_at)
        )

    def _adopt_new(self, article: Article) -> None:
        self._list_new(article)
        self.browser.select_article(article.id)  # type: ignore[attr-defined]
        for name in ("save", "history", "preflight", "reload"):
            self.actions_by_name[name].setEnabled(True)  # type: ignore[attr-defined]
        self._remember_last_article(article.uid)  # type: ignore[attr-defined]
        self.panels_follow(article)  # type: ignore[attr-defined]
        self._show_in_preview()  # type: ignore[attr-defined]
        self._update_title()  # type: ignore[attr-defined]
        self.sig_article_opened.emit(article)  # type: ignore[attr-defined]
