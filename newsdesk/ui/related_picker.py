"""The related-stories picker: search the library, take suggestions, and order the article's related stories."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QImageReader,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QTextDocument,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from newsdesk.constants import THUMB_SIZE as THUMB_SOURCE_SIZE
from newsdesk.images import make_thumbnail
from newsdesk.library import Article, Library
from newsdesk.library.changes import Changes
from newsdesk.library.related import (
    StoryCard,
    related_problem,
    related_problems,
    story_cards,
    suggest_related,
    top_terms,
)
from newsdesk.rules import under_embargo
from newsdesk.ui.keys import claim_key
from newsdesk.ui.ops import Operations, failure_message
from newsdesk.ui.thumbs import PixmapCache
from newsdesk.ui.workers import run_task

SEARCH_DELAY_MS = 150  # typing pause before a search starts
SEARCH_LIMIT = 50
BODY_IDLE_MS = 1_200  # typing pause before the suggestions' terms are checked
SUGGESTIONS_MAX_AGE_S = 30.0  # while typing on, suggestions are checked at least this often
SUGGESTION_LIMIT = 10
THUMB_SIZE = QSize(72, 48)  # 3:2, the shape of most news photographs
THUMB_CACHE = 300
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
PICKED_ROLE = Qt.ItemDataRole.UserRole + 2

STATUS_CHOICES = (
    ("Published", "published"),
    ("Any status", ""),
    ("Draft", "draft"),
    ("Editing", "editing"),
    ("Ready", "ready"),
)
DATE_CHOICES = (
    ("Any date", None),
    ("Past week", 7),
    ("Past month", 31),
    ("Past year", 366),
    ("Between…", -1),
)


@dataclass(frozen=True, slots=True)
class StoryRow:
    """One row of the picker's lists: the story's card plus why it is in that list."""

    card: StoryCard
    snippet_html: str = ""  # search: the body around the matched words, marked
    reasons: tuple[str, ...] = ()  # suggestions: why it was suggested
    missing: str = ""  # picked: what preflight will say about it ("" when fine)

    @property
    def article_id(self) -> int:
        return self.card.article_id


@dataclass(frozen=True, slots=True)
class SearchRequest:
    query: str
    status: str
    section: str
    since: datetime | None
    until: datetime | None
    exclude_id: int | None


def short_date(when: datetime | None) -> str:
    if when is None:
        return ""
    local = when.astimezone()
    return f"{local.day} {local:%b %Y}"


def card_from_article(article: Article) -> StoryCard:
    """A card straight from a loaded article (its hero figure loaded too): no database trip."""
    hero = article.hero
    image = hero.image if hero is not None else None
    return StoryCard(
        article_id=article.id,
        slug=article.slug,
        headline=article.headline,
        dek=article.dek,
        section=article.section,
        status=article.status,
        published_at=article.published_at,
        updated_at=article.updated_at,
        embargo_until=article.embargo_until,
        hero_sha256=image.sha256 if image is not None else "",
        hero_filename=image.filename if image is not None else "",
        hero_alt=hero.alt_text if hero is not None else "",  # that story's own words
    )


# ---- work done on pool threads (never touches a widget) ------------------------------
def run_search(library: Library, request: SearchRequest) -> list[StoryRow]:
    """Ranked search with the picker's filters; dates are checked here, over a deeper list."""
    dated = request.since is not None or request.until is not None
    depth = SEARCH_LIMIT * (4 if dated else 2)
    section = request.section or None
    if request.status == "published":
        # Most of a library is published, and ranking without the status filter
        # is several times cheaper at 100,000 stories; the rest are dropped here,
        # and only when too few remain does the filtered query run.
        hits = library.search(request.query, section=section, limit=depth)
        deep = len(hits) == depth
        hits = [h for h in hits if h.status == "published"]
        if deep and len(hits) < SEARCH_LIMIT:
            hits = library.search(request.query, status="published", section=section, limit=depth)
    else:
        hits = library.search(
            request.query, status=request.status or None, section=section, limit=depth
        )
    kept = []
    for hit in hits:
        if hit.article_id == request.exclude_id:
            continue
        when = hit.published_at or hit.updated_at
        if request.since is not None and when < request.since:
            continue
        if request.until is not None and when >= request.until:
            continue
        kept.append(hit)
        if len(kept) == SEARCH_LIMIT:
            break
    cards = story_cards(library, [h.article_id for h in kept])
    return [
        StoryRow(cards[h.article_id], snippet_html=h.snippet_html)
        for h in kept
        if h.article_id in cards
    ]


def run_suggestions(
    library: Library,
    article_id: int,
    *,
    body: str | None,
    last_terms: list[str] | None,
    include_unpublished: bool,
    exclude: Sequence[int],
) -> tuple[list[str], list[StoryRow] | None]:
    """The article's top terms, and fresh suggestions unless those terms did not change."""
    terms = top_terms(library, article_id, body=body)
    if last_terms is not None and terms == last_terms:
        return terms, None
    found = suggest_related(
        library,
        article_id,
        limit=SUGGESTION_LIMIT,
        include_unpublished=include_unpublished,
        body=body,
        exclude=exclude,
    )
    cards = story_cards(library, [s.article_id for s in found])
    rows = [
        StoryRow(cards[s.article_id], reasons=tuple(s.reasons))
        for s in found
        if s.article_id in cards
    ]
    return terms, rows


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


# ---- undo --------------------------------------------------------------------------------
class SetPicks(QUndoCommand):
    """The picked list changed (add, remove or move); undo puts the previous list back."""

    def __init__(self, picker: RelatedPicker, before: list[int], after: list[int], text: str):
        super().__init__(text)
        self.picker, self.before, self.after = picker, before, after

    def redo(self) -> None:
        self.picker._apply_picks(self.after)

    def undo(self) -> None:
        self.picker._apply_picks(self.before)


# ---- the picker --------------------------------------------------------------------------
class RelatedPicker(QWidget):
    """Find, take suggestions for, and order the open article's related stories.

    Searching, suggesting, thumbnails and saving all run on pool threads; the
    lists change at once and the library catches up a moment later, in the
    order the changes were made.
    """

    sig_article_edited = Signal()
    """The article's related stories were saved to the library (reload and re-render it)."""
    sig_results_shown = Signal(int)
    """The search results for the current query and filters are in the list (how many)."""
    sig_suggestions_shown = Signal(int)
    """Fresh suggestions are in the list (how many)."""
    sig_saved = Signal()
    """Every change to the picked list so far has reached the library."""

    def __init__(
        self, library: Library, parent: QWidget | None = None, *, ops: Operations | None = None
    ) -> None:
        super().__init__(parent)
        self.library = library
        # Picks are saved as operations on the window's serial writer (or the picker's own).
        self.ops = ops if ops is not None else Operations(library, self)
        self.setObjectName("related-picker")
        self.undo_stack = QUndoStack(self)
        self.article_id: int | None = None
        self._body: str | None = None  # the body as being edited, once it changed
        self._rows: dict[int, StoryRow] = {}  # every story shown so far, for undo
        self._picked: list[int] = []
        self._missing: list[StoryRow] = []  # deleted targets: shown, never saved again
        self._search_pool = QThreadPool(self)
        self._search_pool.setMaxThreadCount(1)
        self._pending_writes = 0
        self._filling = False
        self._search_running: SearchRequest | None = None
        self._search_wanted: SearchRequest | None = None
        self._down_pending = False  # Down pressed before the results arrived
        self._suggest_running = False
        self._suggest_again = False
        self._suggest_force = True
        self._last_terms: list[str] | None = None
        self._last_suggested = 0.0
        self.thumbs = ThumbnailCache(library, self)

        # ---- search
        find_label = QLabel("Find &stories")
        self.search_field = QLineEdit()
        self.search_field.setObjectName("related-search")
        self.search_field.setPlaceholderText("Search headlines, deks and text…")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setAccessibleName("Search stories to relate")
        find_label.setBuddy(self.search_field)
        self.section_filter = QComboBox()
        self.section_filter.setAccessibleName("Section")
        self.section_filter.addItem("All sections", "")
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Status")
        for label, value in STATUS_CHOICES:
            self.status_filter.addItem(label, value)
        self.date_filter = QComboBox()
        self.date_filter.setAccessibleName("Date")
        for label, value in DATE_CHOICES:
            self.date_filter.addItem(label, value)
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit, name in ((self.date_from, "From date"), (self.date_to, "To date")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(name)
        self.date_from.setDate(QDate.currentDate().addMonths(-1))
        self.date_to.setDate(QDate.currentDate())
        self.date_row = QWidget()
        dr = QHBoxLayout(self.date_row)
        dr.setContentsMargins(0, 0, 0, 0)
        dr.addWidget(QLabel("From"))
        dr.addWidget(self.date_from, 1)
        dr.addWidget(QLabel("to"))
        dr.addWidget(self.date_to, 1)
        self.date_row.hide()
        self.search_note = QLabel("")
        self.search_note.setObjectName("related-search-note")
        self.search_note.setWordWrap(True)
        self.results = story_list(
            "search-results",
            self._delegate("Add", show_dek=True, height=THUMB_SIZE.height() + 54),
        )

        # ---- suggestions
        suggest_label = QLabel("Su&ggested")
        self.suggestions = story_list(
            "suggestions", self._delegate("Add", show_dek=False, height=THUMB_SIZE.height() + 26)
        )
        suggest_label.setBuddy(self.suggestions)
        self.suggest_note = QLabel("")
        self.suggest_note.setObjectName("related-suggest-note")

        # ---- picked
        self.picked_label = QLabel("&Related stories")
        self.picked = story_list(
            "related-stories",
            self._delegate("✕", show_dek=False, height=THUMB_SIZE.height() + 14),
        )
        self.picked_label.setBuddy(self.picked)
        self.picked.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.picked.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.picked.model().rowsMoved.connect(self._on_dragged)
        self.up_button = self._tool("Move up", "▲", "Alt+Up", lambda: self.move_current(-1))
        self.down_button = self._tool("Move down", "▼", "Alt+Down", lambda: self.move_current(1))
        self.remove_button = self._tool("Remove", "✕", "Delete", self.remove_current)
        self.status_line = QLabel("")
        self.status_line.setObjectName("related-status")
        self.status_line.setWordWrap(True)

        # ---- layout
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.section_filter, 1)
        filters.addWidget(self.status_filter, 1)
        filters.addWidget(self.date_filter, 1)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(find_label)
        tl.addWidget(self.search_field)
        tl.addLayout(filters)
        tl.addWidget(self.date_row)
        tl.addWidget(self.search_note)
        tl.addWidget(self.results, 1)
        middle = QWidget()
        ml = QVBoxLayout(middle)
        ml.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(suggest_label)
        head.addStretch(1)
        head.addWidget(self.suggest_note)
        ml.addLayout(head)
        ml.addWidget(self.suggestions, 1)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        ph = QHBoxLayout()
        ph.addWidget(self.picked_label)
        ph.addStretch(1)
        for button in (self.up_button, self.down_button, self.remove_button):
            ph.addWidget(button)
        bl.addLayout(ph)
        bl.addWidget(self.picked, 1)
        bl.addWidget(self.status_line)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        for part in (top, middle, bottom):
            self.splitter.addWidget(part)
        self.splitter.setSizes([380, 220, 200])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.addWidget(self.splitter)

        # ---- timers, signals, keys
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.search_now)
        self._body_timer = QTimer(self)
        self._body_timer.setSingleShot(True)
        self._body_timer.setInterval(BODY_IDLE_MS)
        self._body_timer.timeout.connect(self._body_settled)
        self._body_max_timer = QTimer(self)
        self._body_max_timer.setSingleShot(True)
        self._body_max_timer.setInterval(int(SUGGESTIONS_MAX_AGE_S * 1000))
        self._body_max_timer.timeout.connect(self._body_settled)
        self.search_field.textChanged.connect(self._search_text_changed)
        self.section_filter.currentIndexChanged.connect(self._filters_changed)
        self.status_filter.currentIndexChanged.connect(self._status_changed)
        self.date_filter.currentIndexChanged.connect(self._date_choice_changed)
        self.date_from.dateChanged.connect(self._filters_changed)
        self.date_to.dateChanged.connect(self._filters_changed)
        self.results.itemActivated.connect(lambda item: self.add_row(item.data(ROW_ROLE)))
        self.suggestions.itemActivated.connect(lambda item: self.add_row(item.data(ROW_ROLE)))
        self.picked.currentRowChanged.connect(lambda _r: self._update_buttons())
        # Keys belong to the picker while focus is anywhere in it: Ctrl+Z undoes
        # its last change rather than the editor's (the search field keeps its
        # own text undo).
        for child in self.findChildren(QWidget):
            child.installEventFilter(self)
        self.setEnabled(False)
        self._update_buttons()
        self._load_sections()

    # ---- building blocks ---------------------------------------------------------------
    def _delegate(self, action: str, *, show_dek: bool, height: int) -> StoryDelegate:
        delegate = StoryDelegate(
            self.thumbs, action=action, show_dek=show_dek, height=height, parent=self
        )
        delegate.sig_action.connect(self._chip_clicked)
        return delegate

    def _tool(self, name: str, glyph: str, keys: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton()
        button.setText(glyph)
        button.setAccessibleName(name)
        button.setToolTip(f"{name} ({keys})")
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    def _chip_clicked(self, index: QModelIndex) -> None:
        row: StoryRow | None = index.data(ROW_ROLE)
        if row is None:
            return
        if index.model() is self.picked.model():
            self.remove_ids([row.article_id])
        else:
            self.add_row(row)

    # ---- the open article ------------------------------------------------------------------
    def set_article(self, article: Article | None) -> None:
        """Show this article's related stories (None: nothing open)."""
        if article is None:
            self.article_id = None
            self.undo_stack.clear()
            self._picked, self._missing = [], []
            self._fill_picked()
            self.suggestions.clear()
            self.results.clear()
            self.setEnabled(False)
            return
        self.setEnabled(True)
        switched = article.id != self.article_id
        if switched:
            self.article_id = article.id
            self._body = None
            self.undo_stack.clear()
            self._last_terms = None
            # Rows are kept for undo; with the undo history gone, so are they.
            self._rows = {}
        if switched or self._pending_writes == 0:
            # A reload after our own save shows what we already have; anything
            # else (another window, a restored revision) is taken as it is.
            self._take_related(article)
        if switched:
            self._suggest_force = True
            self.refresh_suggestions()
            if self.search_field.text().strip():
                self.search_now()
            else:
                self.results.clear()

    def _take_related(self, article: Article) -> None:
        picked, missing = [], []
        for link in article.related:
            note = related_problem(link)
            if link.target is None:
                card = StoryCard(
                    article_id=-1,
                    slug="",
                    headline=link.target_headline,
                    dek="",
                    section="",
                    status="deleted",
                    published_at=None,
                    updated_at=None,
                    embargo_until=None,
                )
                missing.append(StoryRow(card, missing=note))
                continue
            row = StoryRow(card_from_article(link.target), missing=note)
            self._rows[row.article_id] = row
            picked.append(row.article_id)
        self._picked, self._missing = picked, missing
        self._fill_picked()
        self._mark_picked()

    def body_changed(self, text: str) -> None:
        """The editor's body changed (call freely): suggestions follow once typing settles."""
        if self.article_id is None:
            return
        self._body = text
        self._body_timer.start()
        if not self._body_max_timer.isActive():
            self._body_max_timer.start()

    def _body_settled(self) -> None:
        self._body_timer.stop()
        self._body_max_timer.stop()
        self.refresh_suggestions()

    # ---- suggestions ----------------------------------------------------------------------
    def refresh_suggestions(self) -> None:
        """Check the article's terms in the background; recompute when they (or 30 s) changed."""
        if self.article_id is None:
            return
        if self._suggest_running:
            self._suggest_again = True
            return
        force = self._suggest_force or (
            time.monotonic() - self._last_suggested >= SUGGESTIONS_MAX_AGE_S
        )
        self._suggest_force = False
        self._suggest_running = True
        self.suggest_note.setText("Updating…")
        library, article_id, body = self.library, self.article_id, self._body
        last = None if force else self._last_terms
        include_unpublished = self.status_filter.currentData() != "published"
        exclude = list(self._picked)
        run_task(
            lambda: run_suggestions(
                library,
                article_id,
                body=body,
                last_terms=last,
                include_unpublished=include_unpublished,
                exclude=exclude,
            ),
            on_done=lambda result: self._suggestions_arrived(article_id, result),
            on_error=lambda exc: self._suggestions_failed(article_id, exc),
            pool=self._search_pool,
        )

    def _suggestions_arrived(
        self, article_id: int, result: tuple[list[str], list[StoryRow] | None]
    ) -> None:
        if not shiboken6.isValid(self):
            return
        self._suggest_running = False
        terms, rows = result
        if article_id == self.article_id:
            self._last_terms = terms
            if rows is not None:
                self._last_suggested = time.monotonic()
                for row in rows:
                    self._rows.setdefault(row.article_id, row)
                self._fill(self.suggestions, [r for r in rows if r.article_id not in self._picked])
                self.sig_suggestions_shown.emit(self.suggestions.count())
            self.suggest_note.setText("" if self.suggestions.count() else "No suggestions yet")
        if self._suggest_again:
            self._suggest_again = False
            self.refresh_suggestions()

    def _suggestions_failed(self, article_id: int, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._suggest_running = False
        if article_id == self.article_id:
            self.suggest_note.setText("Suggestions failed")
            self.status_line.setText(f"Suggestions could not be made: {exc}")
        if self._suggest_again:
            self._suggest_again = False
            self.refresh_suggestions()

    # ---- search ------------------------------------------------------------------------------
    def _request(self) -> SearchRequest:
        since = until = None
        days = self.date_filter.currentData()
        if days == -1:
            since = _day_start(self.date_from.date())
            until = _day_start(self.date_to.date().addDays(1))
        elif days:
            since = datetime.now(UTC) - timedelta(days=days)
        return SearchRequest(
            query=self.search_field.text(),
            status=self.status_filter.currentData() or "",
            section=self.section_filter.currentData() or "",
            since=since,
            until=until,
            exclude_id=self.article_id,
        )

    def _search_text_changed(self, _text: str) -> None:
        self._down_pending = False  # typing on: the earlier Down was not for these results
        self._search_timer.start()

    def search_now(self) -> None:
        """Search at once for what the field holds (typing waits a moment first)."""
        self._search_timer.stop()
        request = self._request()
        if not request.query.strip():
            self._search_wanted = None
            self.results.clear()
            self.search_note.setText(self.library.search_note)
            return
        self._search_wanted = request
        if self._search_running is None:
            self._start_search(request)

    def _start_search(self, request: SearchRequest) -> None:
        self._search_running = request
        self.search_note.setText("Searching…")
        library = self.library
        run_task(
            lambda: run_search(library, request),
            on_done=lambda rows: self._results_arrived(request, rows),
            on_error=lambda exc: self._search_failed(request, exc),
            pool=self._search_pool,
        )

    def _results_arrived(self, request: SearchRequest, rows: list[StoryRow]) -> None:
        if not shiboken6.isValid(self):
            return
        self._search_running = None
        if request == self._search_wanted:
            for row in rows:
                if row.article_id not in self._picked:  # keep what preflight said of those
                    self._rows[row.article_id] = row
            keep = self.results.currentRow()
            self._fill(self.results, rows)
            if self.results.hasFocus() and rows:
                self.results.setCurrentRow(min(max(keep, 0), len(rows) - 1))
            note = (
                f"{len(rows)} {'story' if len(rows) == 1 else 'stories'}"
                if rows
                else "No stories found"
            )
            extra = self.library.search_note
            self.search_note.setText(f"{note}. {extra}" if extra else note)
            if self._down_pending and rows and self.search_field.hasFocus():
                self._enter_results()
            self._down_pending = False
            self.sig_results_shown.emit(len(rows))
        elif self._search_wanted is not None:
            self._start_search(self._search_wanted)  # only the newest query is run

    def _search_failed(self, request: SearchRequest, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._search_running = None
        self.search_note.setText(f"Search failed: {exc}")
        if self._search_wanted is not None and self._search_wanted != request:
            self._start_search(self._search_wanted)

    def _filters_changed(self, *_args: Any) -> None:
        if self.search_field.text().strip():
            self.search_now()

    def _status_changed(self, *_args: Any) -> None:
        self._filters_changed()
        # The status filter also says whether unpublished stories may be suggested.
        self._suggest_force = True
        self.refresh_suggestions()

    def _date_choice_changed(self, *_args: Any) -> None:
        self.date_row.setVisible(self.date_filter.currentData() == -1)
        self._filters_changed()

    def _load_sections(self) -> None:
        library = self.library
        run_task(library.sections, on_done=self._sections_arrived, pool=self._search_pool)

    def _sections_arrived(self, sections: list[str]) -> None:
        if not shiboken6.isValid(self):
            return
        current = self.section_filter.currentData()
        self.section_filter.blockSignals(True)
        while self.section_filter.count() > 1:
            self.section_filter.removeItem(1)
        for name in sections:
            self.section_filter.addItem(name, name)
        index = self.section_filter.findData(current)
        self.section_filter.setCurrentIndex(max(index, 0))
        self.section_filter.blockSignals(False)

    # ---- the picked list ------------------------------------------------------------------
    def picked_ids(self) -> list[int]:
        return list(self._picked)

    def add_row(self, row: StoryRow | None) -> None:
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

    def remove_ids(self, ids: Sequence[int]) -> None:
        after = [i for i in self._picked if i not in ids]
        if after == self._picked:
            return
        names = ", ".join(f"'{self._rows[i].card.headline}'" for i in ids if i in self._rows)
        self.undo_stack.push(SetPicks(self, self.picked_ids(), after, f"Remove {names}"))
        self.status_line.setText(f"Removed {names}.")

    def remove_current(self) -> None:
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

    def move_current(self, step: int) -> None:
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

    def _on_dragged(self, *_args: Any) -> None:
        # The view already moved the row; read its order back and record it.
        if self._filling:
            return
        order = []
        for n in range(self.picked.count()):
            row: StoryRow = self.picked.item(n).data(ROW_ROLE)
            if row.article_id != -1:
                order.append(row.article_id)
        if order != self._picked:
            QTimer.singleShot(
                0,
                lambda: self.undo_stack.push(
                    SetPicks(self, self.picked_ids(), order, "Move related story")
                ),
            )

    def _apply_picks(self, ids: list[int]) -> None:
        """Show and save this list of related stories (undo and redo land here too)."""
        current = self.picked.currentItem()
        keep = current.data(ROW_ROLE).article_id if current is not None else None
        self._picked = list(ids)
        self._fill_picked()
        if keep in self._picked:
            self.picked.setCurrentRow(self._picked.index(keep))
        self._mark_picked()
        self._save()

    def _fill_picked(self) -> None:
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

    def _mark_picked(self) -> None:
        picked = set(self._picked)
        for n in range(self.results.count()):
            item = self.results.item(n)
            item.setData(PICKED_ROLE, item.data(ROW_ROLE).article_id in picked)
        for n in reversed(range(self.suggestions.count())):
            if self.suggestions.item(n).data(ROW_ROLE).article_id in picked:
                self.suggestions.takeItem(n)

    def _fill(self, view: QListWidget, rows: list[StoryRow]) -> None:
        picked = set(self._picked)
        view.setUpdatesEnabled(False)
        view.clear()
        for row in rows:
            view.addItem(make_item(row, picked=row.article_id in picked))
        view.setUpdatesEnabled(True)

    def _update_buttons(self) -> None:
        row = self.picked.currentRow()
        real = len(self._picked)
        self.up_button.setEnabled(0 < row < real)
        self.down_button.setEnabled(0 <= row < real - 1)
        self.remove_button.setEnabled(0 <= row < real)

    # ---- saving --------------------------------------------------------------------------------
    def _save(self) -> None:
        if self.article_id is None:
            return
        article_id, ids = self.article_id, list(self._picked)
        self._pending_writes += 1

        def write(library: Library) -> list[str]:
            library.set_related(article_id, ids)
            return related_problems(library, library.get_article(article_id))

        self.ops.run_op(  # one writer: saves land in the order they were made
            write,
            on_success=lambda problems: self._saved(article_id, problems),
            on_failure=lambda exc: self._save_failed(article_id, exc),
            initiator=self,
        )

    def _saved(self, article_id: int, problems: list[str]) -> None:
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
            self.sig_saved.emit()
            self.sig_article_edited.emit()
            self._suggest_force = True
            self.refresh_suggestions()

    def _save_failed(self, article_id: int, exc: BaseException) -> None:
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

    def wait_for_saves(self, msecs: int = 10_000) -> bool:
        """Block until every save has reached the library (tests and closing use this)."""
        return self.ops.wait(msecs)

    def library_changed(self, changes: Changes, initiator: object) -> None:
        """Another writer changed this article's related stories: show what the library holds."""
        if initiator is self or self.article_id is None or self._pending_writes:
            return
        if self.article_id not in changes.related_of and not changes.deleted_articles:
            return
        library, article_id = self.library, self.article_id

        def arrived(article: Article | None) -> None:
            if (
                shiboken6.isValid(self)
                and article is not None
                and article.id == self.article_id
                and not self._pending_writes
            ):
                self._take_related(article)

        run_task(lambda: library.find_article(article_id), on_done=arrived)

    # ---- keys --------------------------------------------------------------------------------
    def undo(self) -> None:
        self.undo_stack.undo()

    def redo(self) -> None:
        self.undo_stack.redo()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind == QEvent.Type.FocusIn:
            self._bring_to_front()
        if isinstance(event, QKeyEvent) and claim_key(event, self._key_action(watched, event)):
            return True
        return super().eventFilter(watched, event)

    def _key_action(self, watched: QObject, event: QKeyEvent) -> Callable[[], None] | None:
        key, mods = event.key(), event.modifiers()
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            mods & ~Qt.KeyboardModifier.KeypadModifier
        )
        if watched is self.search_field:
            # The field keeps Ctrl+Z for its own text.
            # Arrow keys carry the keypad modifier on some keyboards (and always on macOS).
            if key == Qt.Key.Key_Down and not (mods & ~Qt.KeyboardModifier.KeypadModifier):
                if self.results.count():
                    return self._enter_results
                if self._search_timer.isActive() or self._search_running is not None:
                    # Typed quickly and pressed Down: go to the results when they come.
                    return lambda: setattr(self, "_down_pending", True)
            if enter:
                return self.search_now
            return None
        if event.matches(QKeySequence.StandardKey.Undo):
            return self.undo
        if event.matches(QKeySequence.StandardKey.Redo):
            return self.redo
        if watched is self.results or watched is self.suggestions:
            view: QListWidget = watched  # type: ignore[assignment]
            if enter and view.currentItem() is not None:
                return lambda: self._add_current(view)
            if view is self.results and key == Qt.Key.Key_Up and view.currentRow() <= 0:
                return lambda: self.search_field.setFocus(Qt.FocusReason.TabFocusReason)
        elif watched is self.picked:
            alt = mods == Qt.KeyboardModifier.AltModifier
            if alt and key == Qt.Key.Key_Up:
                return lambda: self.move_current(-1)
            if alt and key == Qt.Key.Key_Down:
                return lambda: self.move_current(1)
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not mods:
                return self.remove_current
        return None

    def _bring_to_front(self) -> None:
        """Focus came in while the picker's dock sits behind another tab: show the picker.

        A tabbed dock that is not in front stays 'visible' to Qt, only moved off
        the window, so keys would work on lists nobody can see.
        """
        if not self.visibleRegion().isEmpty():
            return
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QDockWidget):
            parent = parent.parentWidget()
        if parent is not None:
            parent.raise_()

    def _enter_results(self) -> None:
        self.results.setFocus(Qt.FocusReason.TabFocusReason)
        if self.results.currentRow() < 0:
            self.results.setCurrentRow(0)

    def _add_current(self, view: QListWidget) -> None:
        item = view.currentItem()
        if item is None:
            return
        row = view.currentRow()
        self.add_row(item.data(ROW_ROLE))
        if view is self.results and row < view.count() - 1:
            view.setCurrentRow(row + 1)  # ready for the next Enter
        elif view is self.suggestions and view.count():
            view.setCurrentRow(min(row, view.count() - 1))


def _day_start(day: QDate) -> datetime:
    """Midnight at the start of this local day, as an aware datetime."""
    local = datetime(day.year(), day.month(), day.day()).astimezone()
    return local.astimezone(UTC)


__all__ = ["RelatedPicker", "StoryRow", "run_search", "run_suggestions"]
