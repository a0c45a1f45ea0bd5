"""The crop editor: a larger view of one picture where the photo desk sets its focal point and crop boxes.

One tab per ratio (16:9, 4:3, 1:1 and the 1.91:1 social card). A click sets
the focal point; a drag draws the ratio's box (constrained to the ratio), a
drag inside the box moves it. The keyboard does all of it too: arrows move
the box (Shift: ten times as far); a corner dragged resizes it, + and - resize it, Ctrl+arrows move the
focal point, Delete goes back to the automatic crop. Every change is one
operation on the library's writer (ui/ops.run_op) and one undo step.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QImageReader,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QShortcut,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from newsdesk.crops import (
    ALL_RATIOS,
    OG,
    WIDE_ENOUGH,
    Box,
    auto_crop,
    clamp_focal,
    fit_box,
    parse_crops,
    ratio_label,
    valid_box,
)
from newsdesk.library import Image, Library
from newsdesk.library.framing import Framing
from newsdesk.ui.ops import Operations, failure_message

PREVIEW_LONG_SIDE = 1400  # the view decodes at most this much: enough for a large screen
DRAG_THRESHOLD = 4  # screen pixels a press must travel to be a drag, not a click
CORNER_GRAB = 12  # screen pixels around a corner of the box that resize it
NUDGE = 0.01  # arrow keys move by 1% of the picture (Shift: 10%)
TAB_NAMES = [*(n for n in ALL_RATIOS if n != OG), OG]


def _load_preview(path: Path) -> QImage:
    """The picture upright (EXIF orientation applied), decoded small when the format allows."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > PREVIEW_LONG_SIDE:
        scaled = size.scaled(
            QSize(PREVIEW_LONG_SIDE, PREVIEW_LONG_SIDE), Qt.AspectRatioMode.KeepAspectRatio
        )
        reader.setScaledSize(scaled)
    return reader.read()


class CropView(QWidget):
    """The picture, the current ratio's box (outside dimmed) and the focal point."""

    sig_focal_chosen = Signal(float, float)
    sig_box_chosen = Signal(object)  # a Box in picture pixels

    def __init__(self, image: QImage, width: int, height: int, parent=None) -> None:
        super().__init__(parent)
        self.picture = image
        self.pic_w, self.pic_h = max(1, width), max(1, height)
        self.ratio = (16, 9)
        self.box = Box(0, 0, self.pic_w, self.pic_h)
        self.focal = (0.5, 0.5)
        self._press: QPointF | None = None
        self._drag_mode = ""  # "draw" or "move"
        self._drag_box: Box | None = None
        self._move_from: Box | None = None
        self._anchor: tuple[float, float] | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(False)
        self.setMinimumSize(320, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Picture: click to set the focal point, drag to draw the crop")

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(760, 520)

    # ---- geometry between screen and picture ------------------------------------------
    def image_rect(self) -> QRectF:
        """Where the picture is drawn: fitted and centred in the widget."""
        w, h = self.width() - 16, self.height() - 16
        scale = min(w / self.pic_w, h / self.pic_h)
        dw, dh = self.pic_w * scale, self.pic_h * scale
        return QRectF((self.width() - dw) / 2, (self.height() - dh) / 2, dw, dh)

    def _scale(self) -> float:
        return self.image_rect().width() / self.pic_w

    def to_picture(self, p: QPointF) -> tuple[float, float]:
        r = self.image_rect()
        s = self._scale()
        x = min(max((p.x() - r.x()) / s, 0.0), float(self.pic_w))
        y = min(max((p.y() - r.y()) / s, 0.0), float(self.pic_h))
        return x, y

    def to_screen(self, box: Box) -> QRectF:
        r, s = self.image_rect(), self._scale()
        return QRectF(r.x() + box.x * s, r.y() + box.y * s, box.w * s, box.h * s)

    # ---- painting -------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.fillRect(self.rect(), QColor(40, 40, 40))
        r = self.image_rect()
        if not self.picture.isNull():
            p.drawImage(r, self.picture)
        box = self.to_screen(self._drag_box or self.box)
        shade = QPainterPath()
        shade.addRect(r)
        inner = QPainterPath()
        inner.addRect(box)
        p.fillPath(shade.subtracted(inner), QColor(0, 0, 0, 150))
        pen = QPen(QColor(255, 255, 255), 2)
        if self.hasFocus():
            pen.setStyle(Qt.PenStyle.DashLine)  # the keyboard is on the box
        p.setPen(pen)
        p.drawRect(box)
        # Thirds inside the box, as a framing aid.
        p.setPen(QPen(QColor(255, 255, 255, 90), 1))
        for i in (1, 2):
            x = box.x() + box.width() * i / 3
            y = box.y() + box.height() * i / 3
            p.drawLine(QPointF(x, box.y()), QPointF(x, box.bottom()))
            p.drawLine(QPointF(box.x(), y), QPointF(box.right(), y))
        fx = r.x() + self.focal[0] * r.width()
        fy = r.y() + self.focal[1] * r.height()
        p.setPen(QPen(QColor(0, 0, 0), 4))
        p.drawEllipse(QPointF(fx, fy), 9, 9)
        p.setPen(QPen(QColor(255, 210, 0), 2))
        p.drawEllipse(QPointF(fx, fy), 9, 9)
        p.drawLine(QPointF(fx - 14, fy), QPointF(fx + 14, fy))
        p.drawLine(QPointF(fx, fy - 14), QPointF(fx, fy + 14))
        p.end()

    # ---- mouse ------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._press = event.position()
        screen = self.to_screen(self.box)
        corners = {
            "tl": (screen.topLeft(), (self.box.x + self.box.w, self.box.y + self.box.h)),
            "tr": (screen.topRight(), (self.box.x, self.box.y + self.box.h)),
            "bl": (screen.bottomLeft(), (self.box.x + self.box.w, self.box.y)),
            "br": (screen.bottomRight(), (self.box.x, self.box.y)),
        }
        self._anchor = None
        for corner, anchor in corners.values():
            if (corner - event.position()).manhattanLength() <= CORNER_GRAB:
                self._anchor = anchor  # resize: the opposite corner stays put
                break
        if self._anchor is not None:
            self._drag_mode = "resize"
        else:
            self._drag_mode = "move" if screen.contains(event.position()) else "draw"
        self._move_from = self.box

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self._press is None:
            return
        delta = event.position() - self._press
        if self._drag_box is None and delta.manhattanLength() < DRAG_THRESHOLD:
            return
        if self._drag_mode == "move" and self._move_from is not None:
            s = self._scale()
            b = self._move_from
            self._drag_box = fit_box(
                self.pic_w, self.pic_h, self.ratio, b.x + delta.x() / s, b.y + delta.y() / s, b.w
            )
        else:
            x0, y0 = self._anchor if self._drag_mode == "resize" else self.to_picture(self._press)
            x1, y1 = self.to_picture(event.position())
            self._drag_box = self._box_between(x0, y0, x1, y1)
        self.update()

    def _box_between(self, x0: float, y0: float, x1: float, y1: float) -> Box | None:
        """The ratio's box spanning the drag: as wide as the drag, or as tall, whichever is more."""
        rw, rh = self.ratio
        w = max(abs(x1 - x0), abs(y1 - y0) * rw / rh, 8.0)
        h = w * rh / rw
        x = x0 if x1 >= x0 else x0 - w
        y = y0 if y1 >= y0 else y0 - h
        return fit_box(self.pic_w, self.pic_h, self.ratio, x, y, w)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            return
        dragged, self._drag_box = self._drag_box, None
        self._press = None
        if dragged is not None:
            self.sig_box_chosen.emit(dragged)
        else:
            x, y = self.to_picture(event.position())
            self.sig_focal_chosen.emit(x / self.pic_w, y / self.pic_h)
        self.update()

    # ---- keyboard -------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        key, mods = event.key(), event.modifiers()
        arrows = {
            Qt.Key.Key_Left: (-1, 0),
            Qt.Key.Key_Right: (1, 0),
            Qt.Key.Key_Up: (0, -1),
            Qt.Key.Key_Down: (0, 1),
        }
        step = NUDGE * (10 if mods & Qt.KeyboardModifier.ShiftModifier else 1)
        if key in arrows and mods & Qt.KeyboardModifier.ControlModifier:
            dx, dy = arrows[key]
            fx, fy = clamp_focal(self.focal[0] + dx * step, self.focal[1] + dy * step)
            self.sig_focal_chosen.emit(fx, fy)
        elif key in arrows:
            dx, dy = arrows[key]
            b = self.box
            moved = fit_box(
                self.pic_w,
                self.pic_h,
                self.ratio,
                b.x + dx * step * self.pic_w,
                b.y + dy * step * self.pic_h,
                b.w,
            )
            if moved is not None and moved != b:
                self.sig_box_chosen.emit(moved)
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal, Qt.Key.Key_Minus):
            grow = 1 if key != Qt.Key.Key_Minus else -1
            b = self.box
            w = b.w * (1 + grow * max(step, 0.05))
            # Resize about the box's centre.
            cx, cy = b.x + b.w / 2, b.y + b.h / 2
            h = w * self.ratio[1] / self.ratio[0]
            resized = fit_box(self.pic_w, self.pic_h, self.ratio, cx - w / 2, cy - h / 2, w)
            if resized is not None and resized != b:
                self.sig_box_chosen.emit(resized)
        else:
            super().keyPressEvent(event)
            return
        event.accept()


class _FramingCommand(QUndoCommand):
    """One change of focal point or crop box: redo writes `after`, undo writes `before`."""

    def __init__(self, editor: CropEditor, text: str, before: Framing, after: Framing) -> None:
        super().__init__(text)
        self.editor, self.before, self.after = editor, before, after

    def redo(self) -> None:
        self.editor.write(self.after)

    def undo(self) -> None:
        self.editor.write(self.before)


class CropEditor(QDialog):
    """Focal point and crop boxes of one picture; every change saved at once, and undoable."""

    sig_saved = Signal()

    def __init__(
        self, library: Library, ops: Operations, image: Image, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.library, self.ops = library, ops
        self.image_id = image.id
        self.pic_w, self.pic_h = max(1, image.width), max(1, image.height)
        self.framing = Framing.of(image)
        self._pending = 0
        self.setWindowTitle(f"Crops — {image.original_name or image.sha256[:12]}")
        self.undo_stack = QUndoStack(self)

        self.tabs = QTabBar()
        self.tabs.setAccessibleName("Crop ratio")
        for name in TAB_NAMES:
            self.tabs.addTab("Social card 1.91:1" if name == OG else name)
        self.tabs.currentChanged.connect(self._show_ratio)
        preview = _load_preview(library.media_path(image))
        self.view = CropView(preview, self.pic_w, self.pic_h)
        self.view.sig_focal_chosen.connect(self.set_focal)
        self.view.sig_box_chosen.connect(self.set_box)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.auto_button = QPushButton("&Automatic crop")
        self.auto_button.setToolTip(
            "Forget this ratio's box: the largest box around the focal point (Delete)"
        )
        self.auto_button.clicked.connect(self.reset_box)
        self.undo_button = QPushButton("&Undo")
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_button.setEnabled(False)
        self.redo_button = QPushButton("&Redo")
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.redo_button.setEnabled(False)
        help_text = QLabel(
            "Click: focal point · Drag: draw the crop · Drag inside: move it · "
            "Arrows: move · +/−: size · Ctrl+arrows: focal point · Delete: automatic"
        )
        help_text.setWordWrap(True)
        help_text.setForegroundRole(self.palette().ColorRole.PlaceholderText)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        row = QHBoxLayout()
        row.addWidget(self.auto_button)
        row.addWidget(self.undo_button)
        row.addWidget(self.redo_button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        layout.addWidget(help_text)
        layout.addLayout(row)

        for seq, slot in (
            (QKeySequence.StandardKey.Undo, self.undo_stack.undo),
            (QKeySequence.StandardKey.Redo, self.undo_stack.redo),
            (QKeySequence(Qt.Key.Key_Delete), self.reset_box),
            (QKeySequence("Ctrl+Tab"), lambda: self._next_tab(1)),
            (QKeySequence("Ctrl+Shift+Tab"), lambda: self._next_tab(-1)),
        ):
            QShortcut(seq, self, activated=slot)
        self._show_ratio(0)
        self.view.setFocus()

    # ---- what is shown ----------------------------------------------------------------------
    @property
    def ratio_name(self) -> str:
        return TAB_NAMES[self.tabs.currentIndex()]

    def current_box(self) -> tuple[Box, bool]:
        """The current ratio's box and whether it is the desk's own (else automatic)."""
        ratio = ALL_RATIOS[self.ratio_name]
        own = parse_crops(self.framing.crops).get(self.ratio_name)
        if own is not None and valid_box(own, self.pic_w, self.pic_h, ratio):
            return own, True
        focal = (self.framing.focal_x, self.framing.focal_y)
        return auto_crop(self.pic_w, self.pic_h, ratio, focal), False

    def _next_tab(self, step: int) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def _show_ratio(self, _index: int) -> None:
        self.view.ratio = ALL_RATIOS[self.ratio_name]
        self._refresh()

    def _refresh(self) -> None:
        box, own = self.current_box()
        self.view.box = box
        self.view.focal = (self.framing.focal_x, self.framing.focal_y)
        self.view.update()
        label = ratio_label(self.ratio_name)
        how = "your crop" if own else "automatic, around the focal point"
        reach = (
            f"published {min(box.w, WIDE_ENOUGH)} px wide"
            if box.w >= WIDE_ENOUGH
            else f"only {box.w} px wide: less than the {WIDE_ENOUGH} px search engines want"
        )
        self.status.setText(f"{label}: {box.w}×{box.h} at {box.x}, {box.y} ({how}); {reach}.")
        self.auto_button.setEnabled(own)
        self.view.setAccessibleDescription(self.status.text())

    # ---- changes ------------------------------------------------------------------------------
    def set_focal(self, x: float, y: float) -> None:
        fx, fy = clamp_focal(x, y)
        after = Framing(fx, fy, self.framing.crops)
        self._change("Set focal point", after)

    def set_box(self, box: Box) -> None:
        boxes = parse_crops(self.framing.crops)
        boxes[self.ratio_name] = box
        self._change(f"Crop {ratio_label(self.ratio_name)}", self._with_boxes(boxes))

    def reset_box(self) -> None:
        boxes = parse_crops(self.framing.crops)
        if boxes.pop(self.ratio_name, None) is None:
            return
        self._change(f"Automatic {ratio_label(self.ratio_name)} crop", self._with_boxes(boxes))

    def _with_boxes(self, boxes: dict[str, Box]) -> Framing:
        from newsdesk.crops import dump_crops

        return Framing(self.framing.focal_x, self.framing.focal_y, dump_crops(boxes))

    def _change(self, text: str, after: Framing) -> None:
        if after == self.framing:
            return
        self.undo_stack.push(_FramingCommand(self, text, self.framing, after))

    def write(self, framing: Framing) -> None:
        """Show it at once and save it as one operation on the library's writer."""
        self.framing = framing
        self._refresh()
        self._pending += 1
        image_id = self.image_id

        def save(library: Library) -> None:
            library.restore_framing(image_id, framing)

        def done(_result) -> None:
            self._settled()

        def failed(exc: BaseException) -> None:
            self._settled()
            if shiboken6.isValid(self):
                self.status.setText(f"Not saved: {failure_message(exc)}")

        self.ops.run_op(save, on_success=done, on_failure=failed, initiator=self)

    def _settled(self) -> None:
        self._pending -= 1
        if self._pending == 0 and shiboken6.isValid(self):
            self.sig_saved.emit()

    @property
    def busy(self) -> bool:
        return self._pending > 0


__all__ = ["CropEditor", "CropView"]
