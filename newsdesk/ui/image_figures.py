"""The image panel's figure strip: the open article's figures shown, placed, ordered and made hero,
each change one undoable step written in one transaction.

`FigureStrip` is a part of `ImagesPanel` (a mixin: it uses the panel's
widgets, undo stack and writer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from newsdesk.library import Article, FigureSpec, figure_specs
from newsdesk.ui.image_import import image_markdown
from newsdesk.ui.thumbs import GridRow, ImageItem

if TYPE_CHECKING:
    from newsdesk.ui.images_panel import ImagesPanel


def new_figure(item: ImageItem, role: str = "inline") -> FigureSpec:
    """A figure about to be placed: it starts from the picture's default caption and alt text."""
    return FigureSpec(item.id, role, item.get("caption"), item.get("alt_text"))


class FiguresChange(QUndoCommand):
    """The article's figures changed (hero, order, added, removed, this story's caption or alt)."""

    def __init__(
        self,
        panel: ImagesPanel,
        text: str,
        article_id: int,
        before: Sequence[FigureSpec],
        after: Sequence[FigureSpec],
    ) -> None:
        super().__init__(text)
        self.panel, self.article_id = panel, article_id
        self.before, self.after = list(before), list(after)

    def redo(self) -> None:
        self.panel._apply_figures(self.article_id, self.after)

    def undo(self) -> None:
        self.panel._apply_figures(self.article_id, self.before)


class FigureStrip:
    """The article's figures in the image panel, and every change to them."""

    def _show_figures(self: ImagesPanel) -> None:
        keep = self.current.id if self.current is not None else None
        self.article_model.set_rows(
            [
                GridRow(self._images[s.image_id], s.role, s.caption or "", s.alt_text)
                for s in self.figures
                if s.image_id in self._images
            ]
        )
        if self.article_id is None:
            note = "Open an article to place pictures in it."
        elif not self.figures:
            note = (
                "No pictures yet: pick one in the library and choose Set as hero or Add to article."
            )
        else:
            note = ""
        self.article_view.set_empty_text(note)  # inside the empty strip: it takes no room
        self.article_view.setEnabled(self.article_id is not None)
        self.article_label.setText(
            f"In this article ({len(self.figures)})" if self.article_id else "In this article"
        )
        if keep is not None and self.current is not None:
            self._select_in(self.article_view, self.article_model, keep, quiet=True)
        self._update_buttons()

    def _figure_index(self: ImagesPanel, image_id: int) -> int:
        return next((i for i, s in enumerate(self.figures) if s.image_id == image_id), -1)

    def _apply_figures(self: ImagesPanel, article_id: int, specs: Sequence[FigureSpec]) -> None:
        """Called by FiguresChange (do and undo): show the figures and write them."""
        if article_id == self.article_id:
            self.figures = list(specs)
            self._show_figures()
            self._load_form()
        wanted = list(specs)

        def done(article: Article) -> None:
            if article.id != self.article_id:
                return
            for fig in article.figures:
                self._adopt(ImageItem.from_image(fig.image))
            if self._pending_writes == 0 and figure_specs(article) != self.figures:
                self.figures = figure_specs(article)  # the library had the last word
                self._show_figures()
            self.sig_figures_saved.emit()

        # One transaction: an undo is all of the change or none of it.
        self._write(lambda lib: lib.set_figures(article_id, wanted), done)

    def _change_figures(self: ImagesPanel, text: str, after: list[FigureSpec]) -> None:
        if self.article_id is None or after == self.figures:
            return
        self.commit_edits()
        self.undo_stack.push(FiguresChange(self, text, self.article_id, self.figures, after))

    def set_hero(self: ImagesPanel) -> None:
        """Make the selected image the article's hero (the first figure)."""
        item = self.current
        if item is None or self.article_id is None:
            return
        self.commit_edits()  # a default typed a moment ago is what a new figure starts from
        i = self._figure_index(item.id)
        spec = self.figures[i] if i >= 0 else new_figure(item)
        rest = [replace(s, role="inline") for j, s in enumerate(self.figures) if j != i]
        self._change_figures("Set hero picture", [replace(spec, role="hero"), *rest])

    def add_to_article(self: ImagesPanel) -> None:
        item = self.current
        if item is None or self.article_id is None or self._figure_index(item.id) >= 0:
            return
        self.commit_edits()
        self._change_figures("Add picture to article", [*self.figures, new_figure(item)])

    def remove_from_article(self: ImagesPanel) -> None:
        item = self.current
        if item is None:
            return
        i = self._figure_index(item.id)
        if i < 0:
            return
        self._change_figures(
            "Remove picture from article", self.figures[:i] + self.figures[i + 1 :]
        )

    def insert_into_body(self: ImagesPanel) -> None:
        """Ask the editor to insert the picture at its cursor; it becomes a figure if it is not one."""
        item = self.current
        if item is None or self.article_id is None:
            return
        self.commit_edits()
        i = self._figure_index(item.id)
        if i < 0:
            # The page resolves `image:` references through the article's figures.
            self._change_figures("Add picture to article", [*self.figures, new_figure(item)])
            i = self._figure_index(item.id)
        # The body describes the picture in this story's words.
        self.sig_insert_markdown.emit(image_markdown(item, self.figures[i].alt_text or ""))

    def move_selected_figure(self: ImagesPanel, delta: int) -> None:
        """Move the figure selected in the strip one place earlier (-1) or later (+1)."""
        row = self.article_view.selected_row()
        target = row + delta
        if row < 0 or not 0 <= target < len(self.figures):
            return
        after = list(self.figures)
        after[row], after[target] = after[target], after[row]
        self._change_figures("Reorder pictures", after)
        self._select_in(self.article_view, self.article_model, after[target].image_id, quiet=True)

    def _dragged(self: ImagesPanel) -> None:
        order = [row.image.id for row in self.article_model.rows]
        by_image: dict[int, list[FigureSpec]] = {}
        for spec in self.figures:
            by_image.setdefault(spec.image_id, []).append(spec)
        after = [by_image[i].pop(0) for i in order if by_image.get(i)]
        if len(after) == len(self.figures):
            self._change_figures("Reorder pictures", after)
