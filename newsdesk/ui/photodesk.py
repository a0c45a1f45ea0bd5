"""The image panel's photo desk: many pictures edited as one (one undo step), templates, filters.

`PhotoDesk` belongs to an ImagesPanel. When several pictures are selected in
the library grid, the form's edits come here; each becomes one BatchChange
on the panel's undo stack, written as ONE transaction by the library's
serial writer (`ops.run_op`), so the window never waits on 500 pictures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QToolButton, QWidget

from newsdesk.library import Library
from newsdesk.ui.image_form import FIELD_NAMES
from newsdesk.ui.ops import failure_message
from newsdesk.ui.thumbs import ImageItem

if TYPE_CHECKING:
    from newsdesk.ui.images_panel import ImagesPanel

ImageValues = dict[int, dict[str, str]]
NO_TEMPLATE = "No template"
# (query term, button text, tooltip) of the grid's filter buttons.
FILTERS = (
    ("missing:credit", "No credit", "Show only pictures without a credit"),
    ("missing:alt", "No alt", "Show only pictures without default alt text"),
    ("missing:copyright", "No ©", "Show only pictures without a copyright notice"),
)


class BatchChange(QUndoCommand):
    """Many pictures changed at once; undo gives each its own previous values back."""

    def __init__(
        self,
        desk: PhotoDesk,
        text: str,
        ids: list[int],
        write: Callable[[Library], ImageValues],
        shown: dict[str, str] | None = None,
    ) -> None:
        super().__init__(text)
        self.desk, self.ids, self.write, self.shown = desk, ids, write, shown
        # Written on the writer thread by redo, read there by undo (the writer is serial).
        self.previous: ImageValues = {}

    def redo(self) -> None:
        self.desk.run_change(self, undo=False)

    def undo(self) -> None:
        self.desk.run_change(self, undo=True)


class FilterBar(QWidget):
    """Buttons that narrow the library grid to pictures missing a credit, alt text or copyright."""

    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        label = QLabel("Show:")
        label.setForegroundRole(self.palette().ColorRole.PlaceholderText)
        layout.addWidget(label)
        self.buttons: dict[str, QToolButton] = {}
        for term, text, tip in FILTERS:
            button = QToolButton()
            button.setText(text)
            button.setCheckable(True)
            button.setToolTip(f"{tip} (the search {term})")
            button.setAccessibleName(tip)
            button.setObjectName(f"filter-{term.split(':')[1]}")
            button.toggled.connect(lambda _on: self.sig_changed.emit())
            layout.addWidget(button)
            self.buttons[term] = button
        layout.addStretch(1)

    def terms(self) -> str:
        return " ".join(term for term, b in self.buttons.items() if b.isChecked())


class PhotoDesk(QObject):
    """Batch edits, templates and the template asked for on import, for one ImagesPanel."""

    sig_applied = Signal()
    """A batch change (or its undo) reached the library and the grid shows it."""

    def __init__(self, panel: ImagesPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.pending: dict[str, str] = {}
        self.pending_ids: list[int] = []
        self.running = 0

    # ---- what is selected ----------------------------------------------------------------
    def selected_items(self) -> list[ImageItem]:
        """The pictures selected in the library grid, in grid order."""
        view, model = self.panel.library_view, self.panel.library_model
        rows = sorted(i.row() for i in view.selectionModel().selectedIndexes())
        return [model.rows[r].image for r in rows if 0 <= r < len(model.rows)]

    def target_ids(self) -> list[int]:
        """What a template applies to: the selected pictures, else the one in the form."""
        items = self.selected_items()
        if len(items) > 1:
            return [i.id for i in items]
        current = self.panel.current
        return [current.id] if current is not None else [i.id for i in items]

    # ---- edits typed in the form ---------------------------------------------------------
    def field_edited(self, name: str, value: str) -> None:
        ids = [i.id for i in self.panel.form.batch]
        if self.pending and ids != self.pending_ids:
            self.commit()
        self.pending_ids = ids
        self.pending[name] = value

    def commit(self) -> None:
        """The fields typed so far become one undo step for every selected picture."""
        pending, ids = self.pending, self.pending_ids
        self.pending, self.pending_ids = {}, []
        if not pending or not ids:
            return
        if len(pending) == 1:
            what = FIELD_NAMES.get(next(iter(pending)), "field").lower()
        else:
            what = "fields"
        self.panel.undo_stack.push(
            BatchChange(
                self,
                f"Edit {what} of {len(ids)} pictures",
                ids,
                lambda lib, f=dict(pending): lib.update_images(ids, **f),
                shown=dict(pending),
            )
        )

    # ---- templates ------------------------------------------------------------------------
    def apply_template(self, template: int | str, ids: list[int] | None = None) -> None:
        """Apply a template to these pictures (default: the selection), as one undo step."""
        ids = ids if ids is not None else self.target_ids()
        if not ids:
            return
        self.panel.commit_edits()
        n = len(ids)
        self.panel.undo_stack.push(
            BatchChange(
                self,
                f"Apply template to {n} picture{'s' if n != 1 else ''}",
                ids,
                lambda lib: lib.apply_template(ids, template),
            )
        )

    def template_names(self) -> list[str]:
        return [t.name for t in self.panel.library.list_templates()]  # a handful of rows

    def choose_template(self) -> None:
        """Image > Apply Template…: pick one, apply it to the selection."""
        ids = self.target_ids()
        if not ids:
            self.panel.say("Select the pictures to apply a template to first.")
            return
        names = self.template_names()
        if not names:
            self.panel.say("There are no templates yet: make one with Image > Templates….")
            return
        n = len(ids)
        name, ok = QInputDialog.getItem(
            self.panel,
            "Apply template",
            f"Apply which template to {n} picture{'s' if n != 1 else ''}?",
            names,
            0,
            False,
        )
        if ok and name:
            self.apply_template(name, ids)

    def ask_import_template(self) -> tuple[bool, str | None]:
        """Which template new pictures get: (go ahead, name or None); no question without templates."""
        names = self.template_names()
        if not names:
            return True, None
        last = self.panel.last_import_template
        choices = [NO_TEMPLATE, *names]
        start = choices.index(last) if last in choices else 0
        name, ok = QInputDialog.getItem(
            self.panel,
            "Import images",
            "Apply a template to the new pictures?",
            choices,
            start,
            False,
        )
        if not ok:
            return False, None
        self.panel.last_import_template = name
        return True, (None if name == NO_TEMPLATE else name)

    # ---- writing ----------------------------------------------------------------------------
    def run_change(self, change: BatchChange, *, undo: bool) -> None:
        """Show the change at once where it is known, and write it on the library's writer."""
        panel = self.panel
        if change.shown and not undo:
            for image_id in change.ids:
                item = panel._images.get(image_id)
                if item is not None:
                    item.fields.update(change.shown)
            panel.library_model.images_changed(set(change.ids))
            panel.article_model.images_changed(set(change.ids))
        # One writer for every edit: a single-picture edit queued before this batch
        # reaches the library first, without the GUI thread waiting for it.
        ids = list(change.ids)

        def work(lib: Library) -> list[ImageItem]:
            if undo:
                lib.set_image_values(change.previous)
            else:
                change.previous = change.write(lib)
            return [ImageItem.from_image(i) for i in lib.images_by_ids(ids)]

        self.running += 1
        panel._writes_started += 1  # a read begun before this write is read again
        panel.ops.run_op(work, on_success=self._done, on_failure=self._failed, initiator=panel)

    def _done(self, fresh: list[ImageItem]) -> None:
        if not shiboken6.isValid(self):
            return
        self.running -= 1
        self.panel.adopt_batch(fresh, reload_form=not self.pending)
        self.sig_applied.emit()

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.running -= 1
        self.panel.say(f"Not saved: {failure_message(exc)}")
        self.panel.reload_library()
        self.sig_applied.emit()

    @property
    def busy(self) -> bool:
        return bool(self.pending or self.running)
