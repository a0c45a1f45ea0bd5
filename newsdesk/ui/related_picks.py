"""The related-stories picker's picked list: stories added, removed and ordered, each change one
undo step, saved on the library's writer in the order it was made.

`PickedList` is a part of `RelatedPicker` (a mixin: it uses the picker's
lists, undo stack and writer).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QListWidget

from newsdesk.library import Article, Library
from newsdesk.library.changes import Changes
from newsdesk.library.related import related_problems
from newsdesk.library.related.picker import StoryRow
from newsdesk.ui.ops import failure_message
from newsdesk.ui.story_rows import PICKED_ROLE, ROW_ROLE, make_item
from newsdesk.ui.workers import run_task

if TYPE_CHECKING:
    from newsdesk.ui.related_picker import RelatedPicker


class SetPicks(QUndoCommand):
    """The picked list changed (add, remove or move); undo puts the previous list back."""

    def __init__(self, picker: RelatedPicker, before: list[int], after: list[int], text: str):
        super().__init__(text)
        self.picker, self.before, self.after = picker, before, after

    def redo(self) -> None:
        self.picker._apply_picks(self.after)

    def undo(self) -> None:
        self.picker._apply_picks(self.before)


class PickedList:
    """The open story's related stories as the picker holds them, and their saving."""

    # ---- the picked list ------------------------------------------------------------------
    def picked_ids(self: RelatedPicker) -> list[int]:
        return list(self._picked)

    def add_row(self: RelatedPicker, row: StoryRow | None) -> None:
        """Add this story at the end of the related stories (once)."""
        if row is None or self.article_id is None or row.article_id in (self.article_id, -1):
            return
        if row.article_id in self._picked:
            self.status_line.setText(f"'{row.card.headline}' is already related.")
            return
        self._rows[row.article_id] = row
        self.undo_stack.push(
            SetPicks(
                self,
                self.picked_ids(),
                [*self._picked, row.article_id],
                f"Add '{row.card.headline}'",
            )
        )
        self.status_line.setText(f"Added '{row.card.headline}'.")

    def remove_ids(self: RelatedPicker, ids: Sequence[int]) -> None:
        after = [i for i in self._picked if i not in ids]
        if after == self._picked:
            return
        names = ", ".join(f"'{self._rows[i].card.headline}'" for i in ids if i in self._rows)
        self.undo_stack.push(SetPicks(self, self.picked_ids(), after, f"Remove {names}"))
        self.status_line.setText(f"Removed {names}.")

    def remove_current(self: RelatedPicker) -> None:
        item = self.picked.currentItem()
        if item is None:
            return
        row: StoryRow = item.data(ROW_ROLE)
        if row.article_id == -1:
            return
        position = self.picked.currentRow()
        self.remove_ids([row.article_id])
        if self.picked.count():
            self.picked.setCurrentRow(min(position, self.picked.count() - 1))

    def move_current(self: RelatedPicker, step: int) -> None:
        """Move the selected related story up (-1) or down (+1)."""
        item = self.picked.currentItem()
        if item is None:
            return
        aid = item.data(ROW_ROLE).article_id
        if aid not in self._picked:
            return
        i = self._picked.index(aid)
        j = i + step
        if not 0 <= j < len(self._picked):
            return
        after = list(self._picked)
        after[i], after[j] = after[j], after[i]
        self.undo_stack.push(SetPicks(self, self.picked_ids(), after, "Move related story"))
        self.picked.setCurrentRow(after.index(aid))

    def _on_dragged(self: RelatedPicker, *_args: Any) -> None:
        # The view already moved the row; read its order back and record it.
        if self._filling:
            return
        order = []
        for n in range(self.picked.count()):
            row: StoryRow = self.picked.item(n).data(ROW_ROLE)
            if row.article_id != -1:
                order.append(row.article_id)
        if order != self._picked:
            QTimer.singleShot(  # the picker as context: dropped if it is deleted first
                0,
                self,
                lambda: self.undo_stack.push(
                    SetPicks(self, self.picked_ids(), order, "Move related story")
                ),
            )

    def _apply_picks(self: RelatedPicker, ids: list[int]) -> None:
        """Show and save this list of related stories (undo and redo land here too)."""
        current = self.picked.currentItem()
        keep = current.data(ROW_ROLE).article_id if current is not None else None
        self._picked = list(ids)
        self._fill_picked()
        if keep in self._picked:
            self.picked.setCurrentRow(self._picked.index(keep))
        self._mark_picked()
        self._save()

    def _fill_picked(self: RelatedPicker) -> None:
        keep = self.picked.currentRow()
        # Signals stay on (the view needs the model's), but a refill is not a drag.
        self._filling = True
        self.picked.blockSignals(True)
        self.picked.clear()
        for aid in self._picked:
            row = self._rows.get(aid)
            if row is not None:
                # The related list shows the story itself, not why it was found.
                self.picked.addItem(make_item(StoryRow(row.card, missing=row.missing)))
        for row in self._missing:
            item = make_item(row)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsDragEnabled)
            self.picked.addItem(item)
        if self.picked.count():
            self.picked.setCurrentRow(min(max(keep, 0), self.picked.count() - 1))
        self.picked.blockSignals(False)
        self._filling = False
        self.picked.viewport().update()
        n = len(self._picked)
        self.picked_label.setText(f"&Related stories ({n})" if n else "&Related stories")
        self._update_buttons()

    def _mark_picked(self: RelatedPicker) -> None:
        picked = set(self._picked)
        for n in range(self.results.count()):
            item = self.results.item(n)
            item.setData(PICKED_ROLE, item.data(ROW_ROLE).article_id in picked)
        for n in reversed(range(self.suggestions.count())):
            if self.suggestions.item(n).data(ROW_ROLE).article_id in picked:
                self.suggestions.takeItem(n)

    def _fill(self: RelatedPicker, view: QListWidget, rows: list[StoryRow]) -> None:
        picked = set(self._picked)
        view.setUpdatesEnabled(False)
        view.clear()
        for row in rows:
            view.addItem(make_item(row, picked=row.article_id in picked))
        view.setUpdatesEnabled(True)

    def _update_buttons(self: RelatedPicker) -> None:
        row = self.picked.currentRow()
        real = len(self._picked)
        self.up_button.setEnabled(0 < row < real)
        self.down_button.setEnabled(0 <= row < real - 1)
        self.remove_button.setEnabled(0 <= row < real)

    # ---- saving --------------------------------------------------------------------------------
    def _save(self: RelatedPicker) -> None:
        if self.article_id is None:
            return
        article_id, ids = self.article_id, list(self._picked)
        self._pending_writes += 1
        self._saves_started += 1

        def write(library: Library) -> list[str]:
            library.set_related(article_id, ids)
            return related_problems(library, library.get_article(article_id))

        self.ops.run_op(  # one writer: saves land in the order they were made
            write,
            on_success=lambda problems: self._saved(article_id, problems),
            on_failure=lambda exc: self._save_failed(article_id, exc),
            initiator=self,
        )

    def _saved(self: RelatedPicker, article_id: int, problems: list[str]) -> None:
        if not shiboken6.isValid(self):
            return
        self._pending_writes -= 1
        if article_id != self.article_id:
            return
        if self._pending_writes == 0:
            if self._missing:
                self._missing = []  # set_related dropped the deleted ones
                self._fill_picked()
            if problems:
                self.status_line.setText(" ".join(problems))
            self.sig_saved.emit()  # the window hears of it through ops.sig_library_changed
            self._suggest_force = True
            self.refresh_suggestions()

    def _save_failed(self: RelatedPicker, article_id: int, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._pending_writes -= 1
        if article_id == self.article_id:
            self.status_line.setText(
                f"The related stories could not be saved: {failure_message(exc)}"
            )
            if self._pending_writes == 0:
                try:
                    self._take_related(self.library.get_article(article_id))
                except Exception:
                    pass

    def wait_for_saves(self: RelatedPicker, msecs: int = 10_000) -> bool:
        """Block until every save has reached the library (tests and closing use this)."""
        return self.ops.wait(msecs)

    def library_changed(self: RelatedPicker, changes: Changes, initiator: object) -> None:
        """Another writer changed this article's related stories: show what the library holds."""
        if initiator is self or self.article_id is None or self._pending_writes:
            return
        if self.article_id not in changes.related_of and not changes.deleted_articles:
            return
        library, article_id, saves = self.library, self.article_id, self._saves_started

        def arrived(article: Article | None) -> None:
            if not shiboken6.isValid(self) or article is None or article.id != self.article_id:
                return
            if self._saves_started != saves:
                # A pick was saved while this was read: the copy may predate it (showing
                # it would drop the pick from the list, and the next save from the
                # library). Read again; while picks are still saving, theirs is the word.
                self.library_changed(changes, initiator)
                return
            if not self._pending_writes:
                self._take_related(article)

        run_task(lambda: library.find_article(article_id), on_done=arrived)
