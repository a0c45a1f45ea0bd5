"""The image panel's field edits: what is typed in the photo-desk form becomes an undoable change,
autosaved after a pause (a picture's fields, and this story's caption and alt text).

`FieldEdits` is a part of `ImagesPanel` (a mixin: it uses the panel's form,
undo stack and writer).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

from newsdesk.ui.image_figures import FiguresChange
from newsdesk.ui.image_form import FIELD_NAMES

if TYPE_CHECKING:
    from newsdesk.ui.images_panel import ImagesPanel


class FieldEdit(QUndoCommand):
    """One field of one image changed; undo writes the old value back."""

    def __init__(self, panel: ImagesPanel, image_id: int, name: str, old: str, new: str) -> None:
        super().__init__(f"Edit {FIELD_NAMES.get(name, name).lower()}")
        self.panel, self.image_id, self.name, self.old, self.new = panel, image_id, name, old, new

    def redo(self) -> None:
        self.panel._apply_field(self.image_id, self.name, self.new)

    def undo(self) -> None:
        self.panel._apply_field(self.image_id, self.name, self.old)


class FieldEdits:
    """Typed edits in the image panel's form, turned into undo steps and written."""

    def _on_field_edited(self: ImagesPanel, name: str, value: str) -> None:
        if self.form.batch:
            self.photo_desk.field_edited(name, value)
            self._autosave.start()
            return
        if self.current is None:
            return
        self._pending_fields[(self.current.id, name)] = value
        self._autosave.start()

    def _on_story_edited(self: ImagesPanel, name: str, text: str) -> None:
        if self.current is None or self.article_id is None:
            return
        self._pending_story.setdefault((self.article_id, self.current.id), {})[name] = text
        self._autosave.start()

    def commit_edits(self: ImagesPanel) -> None:
        """Turn the edits typed so far into undoable changes and start saving them."""
        self._autosave.stop()
        self.photo_desk.commit()
        pending, self._pending_fields = self._pending_fields, {}
        for (image_id, name), value in pending.items():
            item = self._images.get(image_id)
            if item is None or item.get(name) == value:
                continue
            self.undo_stack.push(FieldEdit(self, image_id, name, item.get(name), value))
        stories, self._pending_story = self._pending_story, {}
        for (article_id, image_id), values in stories.items():
            i = self._figure_index(image_id)
            if article_id != self.article_id or i < 0:
                continue
            spec = self.figures[i]
            changed = {k: v for k, v in values.items() if getattr(spec, k) != v}
            if not changed:
                continue
            after = list(self.figures)
            after[i] = replace(spec, **changed)
            what = "caption" if changed.keys() == {"caption"} else "alt text"
            if len(changed) > 1:
                what = "caption and alt text"
            self.undo_stack.push(
                FiguresChange(self, f"Edit {what} in this story", article_id, self.figures, after)
            )

    def _apply_field(self: ImagesPanel, image_id: int, name: str, value: str) -> None:
        """Called by FieldEdit (do and undo): show the value and write it to the library."""
        item = self._images.get(image_id)
        if item is not None:
            item.fields[name] = value
            self.article_model.image_changed(image_id)
            self.library_model.image_changed(image_id)
        if self.current is not None and self.current.id == image_id:
            self._pending_fields.pop((image_id, name), None)
            self.form.set_value(name, value)
        in_article = self._figure_index(image_id) >= 0

        def done(_result: Any) -> None:
            if name in ("credit", "creator"):
                self.refresh_credit_names()
            if in_article:
                self.sig_figures_saved.emit()

        key = (image_id, name)
        self._fields_in_flight[key] = self._fields_in_flight.get(key, 0) + 1

        def settled() -> None:
            left = self._fields_in_flight.pop(key, 1) - 1
            if left:
                self._fields_in_flight[key] = left

        self._write(lambda lib: lib.update_image(image_id, **{name: value}), done, settled)
