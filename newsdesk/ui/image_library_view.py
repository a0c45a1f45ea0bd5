"""The image panel's picture library: the grid searched on a worker, and the library's values taken
in when this or another writer changed a picture shown here or the open article's figures.

`LibraryView` is a part of `ImagesPanel` (a mixin: it uses the panel's grids,
form and search row).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6

from newsdesk.library import Article, figure_specs
from newsdesk.library.changes import Changes
from newsdesk.library.image_query import SEARCH_HELP, QueryError
from newsdesk.ui.image_form import FIELD_NAMES
from newsdesk.ui.ops import failure_message
from newsdesk.ui.thumbs import GridRow, ImageItem
from newsdesk.ui.workers import run_task

if TYPE_CHECKING:
    from newsdesk.ui.images_panel import ImagesPanel


class LibraryView:
    """The picture library grid of the image panel, and the one copy of each picture it shows."""

    def reload_library(self: ImagesPanel, *, select: int | None = None) -> None:
        """Load the library grid for the search text, off the GUI thread."""
        self._search_generation += 1
        generation, library = self._search_generation, self.library
        query = f"{self.search.text()} {self.filters.terms()}".strip()

        def load() -> list[ImageItem]:
            return [ImageItem.from_image(i) for i in library.search_images(query)]

        def show(items: list[ImageItem]) -> None:
            if not shiboken6.isValid(self) or generation != self._search_generation:
                return
            self.search.setToolTip(SEARCH_HELP)
            self._show_library([self._adopt(item) for item in items], select=select)

        def refused(exc: BaseException) -> None:
            if not shiboken6.isValid(self) or generation != self._search_generation:
                return
            message = str(exc) if isinstance(exc, QueryError) else failure_message(exc)
            self.library_count.setText("Search not understood")
            self.search.setToolTip(message)
            self.say(message)

        run_task(load, on_done=show, on_error=refused)

    def _show_library(
        self: ImagesPanel, items: list[ImageItem], *, select: int | None = None
    ) -> None:
        self.library_model.set_rows([GridRow(item) for item in items])
        n = len(items)
        self.library_count.setText(f"{n} picture{'s' if n != 1 else ''}")
        searched = f"{self.search.text()} {self.filters.terms()}".strip()
        self.library_view.set_empty_text(
            "No picture matches this search."
            if searched
            else "No pictures yet: Import… or drop picture files here."
        )
        if select is not None:
            self.select_image(select)
        elif self.current is not None:
            self._select_in(self.library_view, self.library_model, self.current.id, quiet=True)
        self.sig_library_shown.emit()

    def library_changed(self: ImagesPanel, changes: Changes, initiator: object) -> None:
        """Another writer changed pictures shown here or the open article's figures: show the library's.

        The panel's own operations (and its photo desk's) are shown before they
        are written, so they are not read back here.
        """
        if initiator is self or not shiboken6.isValid(self):
            return
        known = changes.images & self._images.keys()
        article_id = self.article_id
        figures = article_id is not None and article_id in changes.figures_of
        if changes.images - known and not self.importing:
            self._search_timer.start()  # new pictures: the search decides where they show
        if not known and not figures:
            return
        library, writes = self.library, self._writes_started

        def load() -> tuple[list[ImageItem], Article | None]:
            items = [ImageItem.from_image(i) for i in library.images_by_ids(sorted(known))]
            return items, (library.find_article(article_id) if figures and article_id else None)

        def show(loaded: tuple[list[ImageItem], Article | None]) -> None:
            if not shiboken6.isValid(self):
                return
            if self._writes_started != writes:
                # One of our writes went in while this was read: the copy may predate it,
                # and would put back the figures or fields it replaced. Read again.
                self.library_changed(changes, initiator)
                return
            items, article = loaded
            for item in items:
                self._adopt(item)
            if (
                article is not None
                and article.id == self.article_id
                and not self._pending_writes
                and not self._pending_story
            ):
                for fig in article.figures:
                    self._adopt(ImageItem.from_image(fig.image))
                self.figures = figure_specs(article)
                self._show_figures()
                self._load_form()
            if any(item.get("credit") for item in items):
                self.refresh_credit_names()

        run_task(load, on_done=show)

    def _adopt(self: ImagesPanel, fresh: ImageItem) -> ImageItem:
        """The panel's one copy of an image; the library's values win unless an edit is in flight.

        A field being typed in keeps what was typed; the picture's other fields
        take the library's values.
        """
        known = self._images.get(fresh.id)
        if known is None:
            self._images[fresh.id] = fresh
            return fresh
        if self._pending_writes:
            return known  # our own writes are landing; their results come back through here
        typing = {name for image_id, name in self._pending_fields if image_id == fresh.id}
        merged = {**fresh.fields, **{n: known.get(n) for n in typing}}
        if known.fields != merged:
            changed = {
                n for n in merged.keys() | known.fields.keys() if merged.get(n) != known.get(n)
            }
            known.fields = merged
            self.article_model.image_changed(fresh.id)
            self.library_model.image_changed(fresh.id)
            if self.current is known:
                for name in FIELD_NAMES:
                    if name in changed:
                        self.form.set_value(name, known.get(name))
        return known

    def adopt_batch(self: ImagesPanel, fresh: list[ImageItem], *, reload_form: bool = True) -> None:
        """Pictures a batch change (or its undo) wrote: the library's values, shown everywhere."""
        # A field typed in one picture since (being typed, or its save still on the writer
        # behind this batch) keeps what was typed; the batch's answer is older than it.
        kept = self._pending_fields.keys() | self._fields_in_flight.keys()
        for item in fresh:
            known = self._images.setdefault(item.id, item)
            keep = {n for i, n in kept if i == item.id}
            known.fields = {**item.fields, **{n: known.get(n) for n in keep if n in known.fields}}
        ids = {item.id for item in fresh}
        self.article_model.images_changed(ids)
        self.library_model.images_changed(ids)
        in_article = any(s.image_id in ids for s in self.figures)
        current = self.current
        typing = {n for i, n in self._pending_fields if current is not None and i == current.id}
        if reload_form and typing and current is not None and current.id in ids:
            for name in FIELD_NAMES:  # the form keeps the field being typed in as it is
                if name not in typing:
                    self.form.set_value(name, current.get(name))
        elif reload_form:
            self._load_form()
        self.refresh_credit_names()
        if in_article:
            self.sig_figures_saved.emit()

    def refresh_credit_names(self: ImagesPanel) -> None:
        library = self.library

        def done(names: list[str]) -> None:
            if shiboken6.isValid(self):
                self.form.set_credit_names(names)

        run_task(library.credits_in_use, on_done=done)
