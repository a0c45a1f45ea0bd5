"""Thumbnail grids of the image panel: image rows, the grid model and view, badges, and an off-thread loader."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6
from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QIcon,
    QImage,
    QKeyEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QWidget

from newsdesk.constants import THUMB_SIZE as THUMB_SOURCE_SIZE  # never made twice
from newsdesk.images import is_image_path, make_thumbnail
from newsdesk.library import Image, Library
from newsdesk.library.library import IMAGE_FIELDS
from newsdesk.ui.workers import run_task

ICON_SIZE = QSize(120, 80)  # 3:2, the shape of most news photographs
GRID_SIZE = QSize(136, 112)
CACHE_LIMIT = 800  # thumbnails kept in memory (about 40 KB each)

MISSING_CREDIT = "Missing credit: say who to credit before this picture is published."
MISSING_ALT = "Missing alt text: describe the picture for readers who cannot see it."


@dataclass(eq=False)
class ImageItem:
    """The panel's own copy of one library image: identity plus its photo-desk fields."""

    id: int
    uid: str
    sha256: str
    filename: str
    original_name: str
    width: int
    height: int
    fields: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_image(cls, image: Image) -> ImageItem:
        return cls(
            id=image.id,
            uid=image.uid,
            sha256=image.sha256,
            filename=image.filename,
            original_name=image.original_name,
            width=image.width,
            height=image.height,
            fields={name: getattr(image, name) or "" for name in IMAGE_FIELDS},
        )

    def get(self, name: str) -> str:
        return self.fields.get(name, "")

    @property
    def missing_credit(self) -> bool:
        return not self.get("credit").strip()

    @property
    def missing_alt(self) -> bool:
        return not self.get("alt_text").strip()

    def problems(self) -> list[str]:
        """What a photo desk still has to fill in, as sentences."""
        out = []
        if self.missing_credit:
            out.append(MISSING_CREDIT)
        if self.missing_alt:
            out.append(MISSING_ALT)
        return out

    def label(self, caption: str = "") -> str:
        """A short name for the grid: the caption's first line, else the file name."""
        text = (caption or self.get("caption")).strip().splitlines()
        return text[0] if text else (self.original_name or self.filename)


@dataclass(eq=False)
class GridRow:
    """One cell of a grid: an image, and its role and this story's words when it is a figure."""

    image: ImageItem
    role: str | None = None  # "hero" / "inline" for the article's figures, None in the library
    caption: str = ""  # this story's caption (the figure's own)
    alt_text: str | None = None  # this story's alt text; None in the library grid

    @property
    def missing_alt(self) -> bool:
        """A figure is described by its story's alt text; a library picture by its default."""
        if self.alt_text is None:
            return self.image.missing_alt
        return not self.alt_text.strip()


# ---- pictures ---------------------------------------------------------------------------
def placeholder_pixmap() -> QPixmap:
    """A neutral card with a small landscape glyph, shown while a thumbnail loads."""
    pm = QPixmap(ICON_SIZE)
    pm.fill(QColor("#dfe3e8"))
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#b7bfc9"))
    w, h = ICON_SIZE.width(), ICON_SIZE.height()
    path = QPainterPath()
    path.moveTo(w * 0.25, h * 0.72)
    path.lineTo(w * 0.43, h * 0.42)
    path.lineTo(w * 0.55, h * 0.6)
    path.lineTo(w * 0.63, h * 0.5)
    path.lineTo(w * 0.77, h * 0.72)
    path.closeSubpath()
    p.drawPath(path)
    p.drawEllipse(QRectF(w * 0.62, h * 0.24, h * 0.14, h * 0.14))
    p.end()
    return pm


def _badge(p: QPainter, x: float, y: float, colour: str, letter: str, font: QFont) -> None:
    r = QRectF(x, y, 18, 18)
    p.setPen(QPen(QColor("white"), 1.5))
    p.setBrush(QColor(colour))
    p.drawEllipse(r)
    p.setPen(QColor("white") if colour != AMBER else QColor("#1f1300"))
    p.setFont(font)
    p.drawText(r, Qt.AlignmentFlag.AlignCenter, letter)


RED = "#c62828"
AMBER = "#f0a202"
HERO_BLUE = "#1d4ed8"


def decorate(base: QPixmap, *, hero: bool, missing_credit: bool, missing_alt: bool) -> QPixmap:
    """The thumbnail centred on an icon-sized canvas, with hero and missing-field badges drawn on."""
    pm = QPixmap(ICON_SIZE)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    # Always fit the canvas (small originals are scaled up) so every cell and
    # its badges line up the same way.
    scaled = base.scaled(
        ICON_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    x = (ICON_SIZE.width() - scaled.width()) // 2
    y = (ICON_SIZE.height() - scaled.height()) // 2
    p.drawPixmap(x, y, scaled)
    # A hairline frame, so a white or pale picture still reads as a picture.
    p.setPen(QPen(QColor(0, 0, 0, 60), 1))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(QRectF(x + 0.5, y + 0.5, scaled.width() - 1, scaled.height() - 1))
    font = QFont()
    font.setPixelSize(11)
    font.setBold(True)
    if hero:
        pill = QRectF(x + 3, y + scaled.height() - 19, 40, 16)  # bottom: badges sit on top
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(HERO_BLUE))
        p.drawRoundedRect(pill, 8, 8)
        p.setPen(QColor("white"))
        p.setFont(font)
        p.drawText(pill, Qt.AlignmentFlag.AlignCenter, "HERO")
    right = x + scaled.width() - 21
    if missing_credit:
        _badge(p, right, y + 3, RED, "C", font)
        right -= 21
    if missing_alt:
        _badge(p, right, y + 3, AMBER, "A", font)
    p.end()
    return pm


def _load_thumbnail(library: Library, item: ImageItem) -> QImage:
    """Runs on a pool thread: the cached (or freshly made) thumbnail, scaled for the grid."""
    path = make_thumbnail(
        library.media_dir / item.filename,
        library.thumbs_dir,
        size=THUMB_SOURCE_SIZE,
        sha256=item.sha256,
    )
    image = QImage(str(path))
    if image.isNull():
        raise OSError(f"Cannot read the thumbnail {path.name}.")
    return image.scaled(
        ICON_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


class PixmapCache(QObject):
    """Pixmaps by content hash, loaded on pool threads and kept for the most recently shown.

    The disk cache (make_thumbnail) is shared with import; this keeps the small
    pixmaps a view draws in memory. Subclasses say how one is loaded.
    """

    sig_loaded = Signal(str)
    """The pixmap for this SHA-256 is ready (or failed; it stays blank)."""

    def __init__(
        self, library: Library, parent: QObject | None = None, *, limit: int = CACHE_LIMIT
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.limit = limit
        self._pool = QThreadPool(self)
        # Two threads: thumbnails appear quickly, yet never take every core from an import.
        self._pool.setMaxThreadCount(2)
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        self._loading: set[str] = set()
        self._failed: set[str] = set()

    def request(self, sha: str, load: Callable[[], QImage]) -> QPixmap | None:
        """The pixmap if it is in memory; otherwise None, and `load` runs on a pool thread."""
        pm = self._cache.get(sha)
        if pm is not None:
            self._cache.move_to_end(sha)
            return pm
        if sha not in self._loading and sha not in self._failed:
            self._loading.add(sha)
            run_task(
                load,
                on_done=lambda image: self._arrived(sha, image),
                on_error=lambda _exc: self._arrived(sha, None),
                pool=self._pool,
            )
        return None

    @property
    def idle(self) -> bool:
        """Nothing is being loaded."""
        return not self._loading

    def is_loaded(self, sha256: str) -> bool:
        return sha256 in self._cache

    def wait(self, msecs: int = 10_000) -> bool:
        return self._pool.waitForDone(msecs)

    def _arrived(self, sha: str, image: QImage | None) -> None:
        if not shiboken6.isValid(self):
            return
        self._loading.discard(sha)
        if image is None:
            self._failed.add(sha)
        else:
            self._cache[sha] = QPixmap.fromImage(image)
            while len(self._cache) > self.limit:
                self._cache.popitem(last=False)
        self.sig_loaded.emit(sha)


class ThumbnailLoader(PixmapCache):
    """The image grids' thumbnails, plus their decorated icons (hero mark, badges)."""

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(library, parent)
        self._decorated: OrderedDict[tuple, QPixmap] = OrderedDict()
        self.placeholder = placeholder_pixmap()

    def pixmap(self, item: ImageItem) -> QPixmap | None:
        """The thumbnail if it is in memory; otherwise None, and it starts loading."""
        library = self.library
        return self.request(item.sha256, lambda: _load_thumbnail(library, item))

    def icon(
        self, item: ImageItem, *, hero: bool = False, missing_alt: bool | None = None
    ) -> QPixmap:
        """The decorated grid icon: thumbnail (or placeholder) with its badges."""
        base = self.pixmap(item)
        if missing_alt is None:
            missing_alt = item.missing_alt
        key = (item.sha256 if base is not None else "", hero, item.missing_credit, missing_alt)
        pm = self._decorated.get(key)
        if pm is None:
            pm = decorate(
                base if base is not None else self.placeholder,
                hero=hero,
                missing_credit=item.missing_credit,
                missing_alt=missing_alt,
            )
            self._decorated[key] = pm
            while len(self._decorated) > CACHE_LIMIT:
                self._decorated.popitem(last=False)
        else:
            self._decorated.move_to_end(key)
        return pm


# ---- model and view ------------------------------------------------------------------------
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


class ImageGridModel(QAbstractListModel):
    """Rows of images for a thumbnail grid; reorderable rows for the article's figures."""

    sig_reordered = Signal()
    """The user dragged a row to a new place; read `rows` for the new order."""

    def __init__(
        self, loader: ThumbnailLoader, *, reorderable: bool = False, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.loader = loader
        self.reorderable = reorderable
        self.rows: list[GridRow] = []
        loader.sig_loaded.connect(self._thumbnail_loaded)

    # ---- contents
    def set_rows(self, rows: list[GridRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_of(self, image_id: int) -> int:
        return next((i for i, r in enumerate(self.rows) if r.image.id == image_id), -1)

    def image_changed(self, image_id: int) -> None:
        """Redraw every cell showing this image (its caption or badges changed)."""
        for i, row in enumerate(self.rows):
            if row.image.id == image_id:
                idx = self.index(i)
                self.dataChanged.emit(idx, idx)

    def images_changed(self, image_ids: set[int]) -> None:
        """Redraw the cells of many images at once (a batch edit): one signal, one pass."""
        rows = [i for i, row in enumerate(self.rows) if row.image.id in image_ids]
        if rows:
            self.dataChanged.emit(self.index(min(rows)), self.index(max(rows)))

    def _thumbnail_loaded(self, sha: str) -> None:
        for i, row in enumerate(self.rows):
            if row.image.sha256 == sha:
                idx = self.index(i)
                self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole])

    # ---- Qt model API
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        item = row.image
        if role == Qt.ItemDataRole.DisplayRole:
            return item.label(row.caption)
        if role == Qt.ItemDataRole.DecorationRole:
            # An icon, not the pixmap: each grid draws it at its own size (a narrow panel's
            # library grid smaller, so it shows several rows).
            return QIcon(
                self.loader.icon(item, hero=row.role == "hero", missing_alt=row.missing_alt)
            )
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole):
            return self.describe(row)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            prefix = "Hero picture: " if row.role == "hero" else ""
            return prefix + item.label(row.caption)
        if role == ROW_ROLE:
            return row
        return None

    @staticmethod
    def describe(row: GridRow) -> str:
        """Everything the badges say, in words (tooltip and accessible description)."""
        item = row.image
        lines = [item.label(row.caption)]
        if row.role == "hero":
            lines.append("Hero picture of this article.")
        credit = item.get("credit").strip()
        lines.append(f"Credit: {credit}" if credit else MISSING_CREDIT)
        if row.missing_alt:
            lines.append(MISSING_ALT)
        lines.append(f"{item.original_name or item.filename} · {item.width}×{item.height}")
        return "\n".join(lines)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            # Drops land between items (on the root), never onto one.
            return Qt.ItemFlag.ItemIsDropEnabled if self.reorderable else Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        return base | Qt.ItemFlag.ItemIsDragEnabled if self.reorderable else base

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction if self.reorderable else Qt.DropAction.IgnoreAction

    def moveRows(  # noqa: N802 (Qt override; QListView calls it for an internal drag)
        self,
        source_parent: QModelIndex | QPersistentModelIndex,
        source_row: int,
        count: int,
        destination_parent: QModelIndex | QPersistentModelIndex,
        destination_child: int,
    ) -> bool:
        if not self.reorderable or count != 1 or source_parent.isValid():
            return False
        if not self.beginMoveRows(
            QModelIndex(), source_row, source_row, QModelIndex(), destination_child
        ):
            return False
        row = self.rows.pop(source_row)
        target = destination_child - 1 if destination_child > source_row else destination_child
        self.rows.insert(target, row)
        self.endMoveRows()
        self.sig_reordered.emit()
        return True


class ThumbGrid(QListView):
    """A thumbnail grid (icon mode); with `reorderable`, drag or Alt+arrow keys move items."""

    sig_move_requested = Signal(int)
    """Alt+Up/Left (-1) or Alt+Down/Right (+1) on the selected item."""
    sig_delete_requested = Signal()
    """Delete was pressed on the selected item."""
    sig_files_dropped = Signal(list)
    """Picture files (paths) from outside were dropped on this grid."""

    def __init__(self, *, reorderable: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(ICON_SIZE)
        self.setGridSize(GRID_SIZE)
        self.setUniformItemSizes(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSpacing(0)
        if reorderable:
            # Static movement + InternalMove: a drag moves the row in the model
            # (moveRows), not just the icon's position on screen.
            self.setMovement(QListView.Movement.Static)
            self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
            self.setDefaultDropAction(Qt.DropAction.MoveAction)
            self.setDropIndicatorShown(True)
            # setMovement(Static) turned drops off on the viewport, where they arrive.
            self.viewport().setAcceptDrops(True)
        else:
            self.setMovement(QListView.Movement.Static)
            self.setDragDropMode(QAbstractItemView.DragDropMode.NoDragDrop)
        self.reorderable = reorderable
        self._empty_text = ""
        self._min_columns = 0  # fit_to_width's: 0 keeps the full-size cells

    def set_cell(self, icon: QSize) -> None:
        """Draw the pictures at this size (3:2), each with its one-line label below."""
        label = GRID_SIZE.height() - ICON_SIZE.height()
        margin = GRID_SIZE.width() - ICON_SIZE.width()
        self.setIconSize(icon)
        self.setGridSize(QSize(icon.width() + margin, icon.height() + label))

    def fit_to_width(self, min_columns: int) -> None:
        """Size the cells so at least this many columns fit: smaller pictures in a narrow panel
        (a photo desk sees several rows, not one and a half), full size once it is wide."""
        self._min_columns = min_columns
        self._fit()

    def _fit(self) -> None:
        if not self._min_columns:
            return
        # The scroll bar's room is always kept, so its coming and going never re-fits the grid.
        scroll_bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        width = self.width() - 2 * self.frameWidth() - scroll_bar - 1
        columns = max(self._min_columns, width // GRID_SIZE.width())
        margin = GRID_SIZE.width() - ICON_SIZE.width()
        icon_w = max(48, min(ICON_SIZE.width(), width // columns - margin))
        icon = QSize(icon_w, icon_w * ICON_SIZE.height() // ICON_SIZE.width())
        if icon != self.iconSize():
            self.set_cell(icon)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._fit()
        super().resizeEvent(event)

    def set_empty_text(self, text: str) -> None:
        """What the grid says while it holds nothing (drawn inside it, so it needs no room of its own)."""
        if text != self._empty_text:
            self._empty_text = text
            self.setAccessibleDescription(text)
            self.viewport().update()

    def empty_text(self) -> str:
        return self._empty_text

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        super().paintEvent(event)
        model = self.model()
        if self._empty_text and (model is None or model.rowCount() == 0):
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(self.palette().ColorRole.PlaceholderText))
            painter.drawText(
                self.viewport().rect().adjusted(8, 4, -8, -4),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self._empty_text,
            )
            painter.end()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        alt = event.modifiers() & Qt.KeyboardModifier.AltModifier
        if self.reorderable and alt and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Left):
            self.sig_move_requested.emit(-1)
            return
        if self.reorderable and alt and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Right):
            self.sig_move_requested.emit(1)
            return
        if self.reorderable and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.sig_delete_requested.emit()
            return
        super().keyPressEvent(event)

    # Files dragged in from outside: an InternalMove view would refuse them.
    @staticmethod
    def _external_files(event: QDropEvent | QDragMoveEvent | QDragEnterEvent) -> list[Path]:
        mime = event.mimeData()
        if event.source() is not None or mime is None or not mime.hasUrls():
            return []
        paths = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
        return [p for p in paths if p.is_dir() or is_image_path(p)]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        if self._external_files(event):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            return
        super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 (Qt override)
        if self._external_files(event):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            return
        super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        paths = self._external_files(event)
        if paths:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            self.sig_files_dropped.emit(paths)
            return
        super().dropEvent(event)

    def selected_row(self) -> int:
        rows = self.selectionModel().selectedRows() if self.selectionModel() else []
        return rows[0].row() if rows else -1
