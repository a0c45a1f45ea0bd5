"""How the related picker draws a story row: thumbnail, headline, meta line, dek and its action chip."""

from __future__ import annotations

from datetime import datetime
from html import escape

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QImageReader,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from newsdesk.constants import THUMB_SIZE as THUMB_SOURCE_SIZE
from newsdesk.images import make_thumbnail
from newsdesk.library import Library
from newsdesk.library.related import (
    StoryCard,
)
from newsdesk.library.related.picker import (
    StoryRow,
)
from newsdesk.rules import under_embargo
from newsdesk.ui.thumbs import PixmapCache

THUMB_SIZE = QSize(72, 48)  # 3:2, the shape of most news photographs
THUMB_CACHE = 300
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
PICKED_ROLE = Qt.ItemDataRole.UserRole + 2


def short_date(when: datetime | None) -> str:
    if when is None:
        return ""
    local = when.astimezone()
    return f"{local.day} {local:%b %Y}"


def load_thumbnail(library: Library, card: StoryCard) -> QImage:
    """The story's hero, cropped to the row's thumbnail shape."""
    source = library.media_dir / card.hero_filename
    image = QImage()
    try:
        path = make_thumbnail(
            source, library.thumbs_dir, size=THUMB_SOURCE_SIZE, sha256=card.hero_sha256
        )
        image = QImage(str(path))
    except Exception:  # a picture Pillow cannot read: let Qt try the original, scaled as read
        reader = QImageReader(str(source))
        reader.setAutoTransform(True)
        size = reader.size()
        if size.isValid():
            reader.setScaledSize(size.scaled(THUMB_SIZE * 2, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
    if image.isNull():
        raise OSError(f"Cannot read the picture {card.hero_filename}.")
    scaled = image.scaled(
        THUMB_SIZE,
        Qt.AspectRatioMode.KeepAspectRatioByExpanding,
        Qt.TransformationMode.SmoothTransformation,
    )
    x = (scaled.width() - THUMB_SIZE.width()) // 2
    y = (scaled.height() - THUMB_SIZE.height()) // 2
    return scaled.copy(QRect(QPoint(x, y), THUMB_SIZE))


class ThumbnailCache(PixmapCache):
    """Hero thumbnails of story rows, cropped to the row's shape."""

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(library, parent, limit=THUMB_CACHE)

    def pixmap(self, card: StoryCard) -> QPixmap | None:
        if not card.hero_sha256:
            return None
        library = self.library
        return self.request(card.hero_sha256, lambda: load_thumbnail(library, card))


# ---- drawing rows ----------------------------------------------------------------------
class StoryDelegate(QStyledItemDelegate):
    """Draws a story row: thumbnail, headline, section and date, then dek, snippet or reasons.

    A small action chip on the right ("Add", "Remove") is clickable; the same
    action is on Enter (or Delete) for keyboard use.
    """

    sig_action = Signal(QModelIndex)
    """The row's action chip was clicked."""

    def __init__(
        self,
        thumbs: ThumbnailCache,
        *,
        action: str,
        show_dek: bool,
        height: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.thumbs = thumbs
        self.action = action
        self.show_dek = show_dek
        self.height = height

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        return QSize(200, self.height)

    def _chip_rect(self, rect: QRect) -> QRect:
        width = 44 if len(self.action) > 1 else 26
        return QRect(rect.right() - width - 6, rect.top() + 8, width, 22)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        row: StoryRow | None = index.data(ROW_ROLE)
        if row is None:
            return super().paint(painter, option, index)
        picked = bool(index.data(PICKED_ROLE))
        widget = option.widget
        style = widget.style() if widget is not None else None
        painter.save()
        if style is not None:
            style.drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget
            )
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        text_colour = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        rect = option.rect.adjusted(6, 6, -6, -6)
        thumb_rect = QRect(rect.topLeft(), THUMB_SIZE)
        card = row.card
        if card.hero_sha256:
            pm = self.thumbs.pixmap(card)
            if pm is not None:
                painter.drawPixmap(thumb_rect, pm)
            else:
                painter.fillRect(thumb_rect, palette.color(QPalette.ColorRole.Midlight))
        # A story without a hero shows no picture: the space stays empty.
        chip = self._chip_rect(option.rect)
        show_chip = bool(self.action) and not picked
        text_left = thumb_rect.right() + 10
        text_right = (chip.left() - 6) if show_chip else rect.right()
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setDocumentMargin(0)
        doc.setTextWidth(max(40, text_right - text_left))
        doc.setHtml(
            self.html(
                row,
                picked=picked,
                colour=text_colour,
                font=option.font,
                width=text_right - text_left,
                selected=selected,
            )
        )
        painter.translate(text_left, rect.top() - 1)
        clip = QRect(0, 0, text_right - text_left, rect.height() + 2)
        painter.setClipRect(clip)
        doc.drawContents(painter, clip.toRectF())
        painter.restore()
        if show_chip:
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
            painter.setBrush(palette.color(QPalette.ColorRole.Button))
            painter.drawRoundedRect(chip, 5, 5)
            painter.setPen(palette.color(QPalette.ColorRole.ButtonText))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, self.action)
            painter.restore()

    def html(
        self,
        row: StoryRow,
        *,
        picked: bool,
        colour: QColor,
        font: QFont,
        width: int,
        selected: bool = False,
    ) -> str:
        """The row's text; headline and dek keep to one line each, so every row shows its end."""
        card = row.card
        bold = QFont(font)
        bold.setBold(True)

        def one_line(text: str, f: QFont) -> str:
            return escape(QFontMetrics(f).elidedText(text, Qt.TextElideMode.ElideRight, width))

        base = QColor(255, 255, 255) if colour.lightness() < 128 else QColor(0, 0, 0)
        soft = QColor(
            (colour.red() * 3 + base.red() * 2) // 5,
            (colour.green() * 3 + base.green() * 2) // 5,
            (colour.blue() * 3 + base.blue() * 2) // 5,
        )
        # On a selected row the highlight colour is already strong: keep the text plain.
        muted = f"color:{(colour if selected else soft).name()}"
        meta = [card.section, short_date(card.date)]
        if card.status != "published":
            meta.append(card.status)
        elif under_embargo(card):
            meta.append("embargoed")
        if picked:
            meta.append("✓ related")
        parts = [
            f'<div style="color:{colour.name()}"><b>{one_line(card.headline or "(untitled)", bold)}</b></div>',
            f'<div style="{muted}; font-size:small">{escape(" · ".join(m for m in meta if m))}</div>',
        ]
        if self.show_dek and card.dek:
            parts.append(f'<div style="color:{colour.name()}">{one_line(card.dek, font)}</div>')
        if row.snippet_html:
            parts.append(f'<div style="{muted}; font-size:small">{row.snippet_html}</div>')
        if row.reasons:
            parts.append(
                f'<div style="{muted}; font-size:small">{escape("; ".join(row.reasons))}</div>'
            )
        if row.missing:
            parts.append(f'<div style="color:#b3261e; font-size:small">{escape(row.missing)}</div>')
        return "".join(parts)

    def editorEvent(self, event: QEvent, model, option: QStyleOptionViewItem, index) -> bool:  # noqa: N802
        if (
            self.action
            and event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
            and not index.data(PICKED_ROLE)
            and self._chip_rect(option.rect).contains(event.position().toPoint())
        ):
            self.sig_action.emit(QModelIndex(index))
            return True
        return super().editorEvent(event, model, option, index)


def story_list(name: str, delegate: StoryDelegate) -> QListWidget:
    view = QListWidget()
    view.setObjectName(name)
    view.setAccessibleName(name.replace("-", " ").capitalize())
    view.setItemDelegate(delegate)
    view.setUniformItemSizes(True)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setMouseTracking(True)
    delegate.thumbs.sig_loaded.connect(lambda _sha: view.viewport().update())
    return view


def make_item(row: StoryRow, *, picked: bool = False) -> QListWidgetItem:
    item = QListWidgetItem()
    item.setData(ROW_ROLE, row)
    item.setData(PICKED_ROLE, picked)
    item.setData(Qt.ItemDataRole.DisplayRole, row.card.headline)
    details = [row.card.headline, row.card.section, short_date(row.card.date)]
    if row.reasons:
        details.append("; ".join(row.reasons))
    if row.missing:
        details.append(row.missing)
    item.setData(Qt.ItemDataRole.AccessibleTextRole, ". ".join(d for d in details if d))
    item.setToolTip(row.card.dek or row.card.headline)
    return item
