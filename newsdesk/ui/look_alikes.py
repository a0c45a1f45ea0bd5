"""Offering the library's own picture when an import brings in a look-alike (the same photo in another format or size).

The import keeps both (it never waits on a question); then a dialog names
each look-alike beside the picture the library already had and offers to use
that one, which takes the new copy out of the library again as one operation.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from newsdesk.images.near import LookAlike, find_look_alikes
from newsdesk.library import Image, Library
from newsdesk.ui.ops import failure_message

THUMB = 96


def look_alikes_before_import(library: Library, paths: Sequence[Path]) -> list[LookAlike]:
    """On the import's worker: which files look like a library picture (never stops the import)."""
    try:
        return find_look_alikes(library, paths)
    except Exception:  # a hint only: an import must never fail because of it
        return []


def pair_look_alikes(alikes: list[LookAlike], imported: list[Image]) -> list[tuple[Image, Image]]:
    """(new picture, the library's picture it looks like), for the files that were imported."""
    by_name: dict[str, Image] = {}
    for image in imported:
        by_name.setdefault(image.original_name, image)
    pairs = []
    for alike in alikes:
        new = by_name.get(alike.path.name)
        if new is not None and new.sha256 != alike.existing.sha256:
            pairs.append((new, alike.existing))
    return pairs


def _name(image: Image) -> str:
    return image.original_name or image.sha256[:12]


class LookAlikeDialog(QDialog):
    """Each new picture beside the library picture it looks like; use the library's, or keep both."""

    def __init__(
        self,
        pairs: list[tuple[Image, Image]],
        thumbs_dir: Path,
        parent: QWidget | None = None,
        *,
        placed_in_story: bool = False,
    ) -> None:
        super().__init__(parent)
        self.pairs = pairs
        self.setWindowTitle("Already in the library?")
        layout = QVBoxLayout(self)
        grid = QGridLayout()
        for row, (new, old) in enumerate(pairs):
            text = QLabel(f"{_name(new)} looks like a picture already in the library: {_name(old)}")
            text.setWordWrap(True)
            grid.addWidget(self._thumb(thumbs_dir, new), row, 0)
            grid.addWidget(self._thumb(thumbs_dir, old), row, 1)
            grid.addWidget(text, row, 2)
        layout.addLayout(grid)
        buttons = QDialogButtonBox()
        self.keep_button = QPushButton("&Keep both")
        plural = "s" if len(pairs) > 1 else ""
        self.use_button = QPushButton(f"&Use the library's picture{plural}")
        self.use_button.setToolTip(
            "The new copies are taken out of the library again; the pictures it already had stay."
        )
        buttons.addButton(self.keep_button, QDialogButtonBox.ButtonRole.RejectRole)
        if placed_in_story:
            # The new pictures are already in the story: taking them out is the story's undo.
            note = QLabel("They were placed in the story, so both are kept.")
            layout.addWidget(note)
            self.use_button.setEnabled(False)
        buttons.addButton(self.use_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @staticmethod
    def _thumb(thumbs_dir: Path, image: Image) -> QLabel:
        label = QLabel()
        label.setFixedSize(THUMB, THUMB)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        found = sorted(thumbs_dir.glob(f"{image.sha256}-*.jpg"))
        pixmap = QPixmap(str(found[0])) if found else QPixmap()
        if not pixmap.isNull():
            label.setPixmap(
                pixmap.scaled(
                    THUMB,
                    THUMB,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        label.setAccessibleName(_name(image))
        return label


def offer_look_alikes(panel, pairs: list[tuple[Image, Image]], *, placed_in_story: bool):
    """Show the offer without blocking; "use" discards the new copies in one operation."""
    dialog = LookAlikeDialog(
        pairs, panel.library.thumbs_dir, panel, placed_in_story=placed_in_story
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def use() -> None:
        new_ids = [new.id for new, _old in pairs]
        keep = pairs[0][1].id

        def discard(library: Library) -> list[str]:
            return [library.discard_new_image(image_id) for image_id in new_ids]

        def done(_names: list[str]) -> None:
            if not shiboken6.isValid(panel):
                return
            names = ", ".join(_name(old) for _new, old in pairs)
            panel.say(f"Using the library's picture: {names}.")
            panel.reload_library(select=keep)

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(panel):
                panel.say(failure_message(exc))

        panel.ops.run_op(discard, on_success=done, on_failure=failed, initiator=panel)

    dialog.accepted.connect(use)
    # Not modal and not taking the focus: the desk may go on typing a caption while
    # it decides, and a look-alike never interrupts a keystroke.
    dialog.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    dialog.setWindowModality(Qt.WindowModality.NonModal)
    dialog.show()
    return dialog


__all__ = ["LookAlikeDialog", "look_alikes_before_import", "offer_look_alikes", "pair_look_alikes"]
