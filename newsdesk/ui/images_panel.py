"""The image panel: the article's figures and the picture library, the photo-desk form, import and undo."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, QObject, QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import (
    QClipboard,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from newsdesk.images import IMAGE_EXTENSIONS, ImportFailure, is_image_path
from newsdesk.images.library_import import ImportReport, import_images
from newsdesk.library import Article, FigureSpec, Library, figure_specs
from newsdesk.library.image_query import SEARCH_HELP, QueryError
from newsdesk.picture_refs import readable_ref
from newsdesk.ui.codes import CodeExpander
from newsdesk.ui.image_form import FIELD_NAMES, ImageForm
from newsdesk.ui.keys import claim_key
from newsdesk.ui.ops import Operations, failure_message
from newsdesk.ui.photodesk import FilterBar, PhotoDesk
from newsdesk.ui.thumbs import GridRow, ImageGridModel, ImageItem, ThumbGrid, ThumbnailLoader
from newsdesk.ui.workers import run_task

AUTOSAVE_MS = 700  # a pause this long in typing saves the field
SEARCH_DELAY_MS = 200
REPORT_LIMIT = 12  # failures listed in the panel; the tooltip holds them all
REPORT_MAX_HEIGHT = 200  # a longer import report scrolls instead of pushing the grids away
DRAG_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)
NAME_FILTER = "Images ({})".format(" ".join(f"*{e}" for e in sorted(IMAGE_EXTENSIONS)))


def new_figure(item: ImageItem, role: str = "inline") -> FigureSpec:
    """A figure about to be placed: it starts from the picture's default caption and alt text."""
    return FigureSpec(item.id, role, item.get("caption"), item.get("alt_text"))


def image_markdown(item: ImageItem, alt_text: str) -> str:
    """The body Markdown for a library image: `![alt](image:harbour-dawn-3f2a9c1e)`.

    The reference is readable (see picture_refs.py); the alt text is
    this story's own. The editor puts it on a paragraph of its own.
    """
    alt = " ".join(alt_text.split())
    alt = alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    ref = readable_ref(item.uid, item.get("title") or "", item.original_name)
    return f"![{alt}](image:{ref})"


# ---- undo commands --------------------------------------------------------------------------
class FieldEdit(QUndoCommand):
    """One field of one image changed; undo writes the old value back."""

    def __init__(self, panel: ImagesPanel, image_id: int, name: str, old: str, new: str) -> None:
        super().__init__(f"Edit {FIELD_NAMES.get(name, name).lower()}")
        self.panel, self.image_id, self.name, self.old, self.new = panel, image_id, name, old, new

    def redo(self) -> None:
        self.panel._apply_field(self.image_id, self.name, self.new)

    def undo(self) -> None:
        self.panel._apply_field(self.image_id, self.name, self.old)


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


@dataclass
class _ImportJob:
    paths: list[Path]
    clipboard_images: list[QImage]
    add_to_article: bool
    skipped: list[ImportFailure]
    insert_into_body: bool = False  # pasted or dropped into the body: placed there too
    template: str | None = None  # the photo-desk template new pictures get


def _local_image_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[ImportFailure]]:
    """Files to import (folders opened one level deep) and those skipped, with why."""
    files: list[Path] = []
    skipped: list[ImportFailure] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(p for p in sorted(path.iterdir()) if p.is_file() and is_image_path(p))
        elif is_image_path(path):
            files.append(path)
        else:
            kinds = ", ".join(sorted(e.lstrip(".") for e in IMAGE_EXTENSIONS))
            skipped.append(
                ImportFailure(
                    path, f"{path.name} is not a picture file newsdesk imports ({kinds})."
                )
            )
    return files, skipped


class ReportArea(QScrollArea):
    """The import report: a wrapped label shown whole, scrolling only past REPORT_MAX_HEIGHT.

    A word-wrapped label in a row of a splitter pane gets its one-line-wide size
    hint, not the height its wrapped text needs, and the last lines were cut
    off; this area asks the label how tall it is at the width it has.
    """

    def __init__(self, label: QLabel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        # Height the panel found room for (see ImagesPanel._make_room_for_report):
        # the report keeps at least this much while the rest keeps its minimum.
        self.granted = 0
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(label)

    def fit(self) -> None:
        """Ask for the height the label's text needs at this width (up to the cap).

        The minimum stays at a few lines: when the pane is short of room the
        report scrolls rather than being clipped by its row.
        """
        needed = self.label.heightForWidth(self.viewport().width())
        if needed < 0:
            needed = self.label.sizeHint().height()
        wanted = min(needed, REPORT_MAX_HEIGHT)
        floor = min(wanted, max(self.fontMetrics().lineSpacing() * 3, self.granted))
        if (self.minimumHeight(), self.maximumHeight()) != (floor, wanted):
            self.setMinimumHeight(floor)
            self.setMaximumHeight(wanted)
            self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(super().sizeHint().width(), self.maximumHeight())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.fit()


def _urls_to_paths(mime) -> list[Path]:
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]


class ImagesPanel(QWidget):
    """Pictures for the open article: place, order and credit them; import new ones.

    Every library write runs on one serial worker thread, in the order the
    user made the changes; the grids and the form change at once and the
    library catches up a moment later.
    """

    sig_article_edited = Signal()
    """Figures, hero or captions of the open article changed in the library."""
    sig_insert_markdown = Signal(str)
    """Insert this Markdown at the editor's cursor."""
    sig_import_finished = Signal(object)
    """A batch import ended; the ImportReport (with skipped files among its failures)."""
    sig_saved = Signal()
    """Every change made so far has reached the library."""
    sig_library_shown = Signal()
    """The library grid shows the results for the current search."""

    def __init__(
        self,
        library: Library,
        parent: QWidget | None = None,
        *,
        ops: Operations | None = None,
        codes: CodeExpander | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.setObjectName("images-panel")
        # Batch edits and templates go through the library's one writer (the main
        # window's); a panel on its own makes its own.
        self.ops = ops if ops is not None else Operations(library, self)
        self.codes = codes
        if codes is None:
            self.codes = CodeExpander(self)
            self.codes.load(library)
        self.photo_desk = PhotoDesk(self)
        self.last_import_template: str | None = None
        self.setAcceptDrops(True)
        self.undo_stack = QUndoStack(self)
        self._writer = QThreadPool(self)
        self._writer.setMaxThreadCount(1)  # writes land in the order they were made
        self._pending_writes = 0
        self._images: dict[int, ImageItem] = {}
        self.article_id: int | None = None
        self.figures: list[FigureSpec] = []
        self.current: ImageItem | None = None
        self._pending_fields: dict[tuple[int, str], str] = {}
        # This story's caption / alt text typed but not yet an undo step: (article, image) -> fields.
        self._pending_story: dict[tuple[int, int], dict[str, str]] = {}
        self._search_generation = 0
        self._import_job: _ImportJob | None = None
        self._import_queue: list[_ImportJob] = []
        self._cancel: threading.Event | None = None
        self.last_report: ImportReport | None = None

        self.loader = ThumbnailLoader(library, self)
        self.article_model = ImageGridModel(self.loader, reorderable=True, parent=self)
        self.library_model = ImageGridModel(self.loader, parent=self)

        # ---- top: import row, progress, report
        self.import_button = QPushButton("Import Ima&ges…")
        self.import_button.setToolTip(
            "Import picture files (or drop them here, or paste a picture with Ctrl+V)"
        )
        self.import_button.clicked.connect(self.choose_files)
        self.export_originals_button = QPushButton("Export &Originals…")
        self.export_originals_button.setToolTip(
            "Write full-size originals carrying the library's captions, credits and rights"
        )
        self.export_originals_button.clicked.connect(self.export_originals)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        self.progress.setFormat("%v of %m")
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.clicked.connect(self.cancel_import)
        self.progress_row = QWidget()
        pr = QHBoxLayout(self.progress_row)
        pr.setContentsMargins(0, 0, 0, 0)
        pr.addWidget(self.progress, 1)
        pr.addWidget(self.cancel_button)
        self.progress_row.hide()
        self.report = QLabel("")
        self.report.setObjectName("import-report")
        self.report.setWordWrap(True)
        self.report.setTextFormat(Qt.TextFormat.RichText)
        self.report.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.report_close = QToolButton()
        self.report_close.setText("✕")
        self.report_close.setAccessibleName("Dismiss the import report")
        self.report_close.setAutoRaise(True)
        self.report_close.clicked.connect(self._dismiss_report)
        self.report_row = QWidget()
        rr = QHBoxLayout(self.report_row)
        rr.setContentsMargins(0, 0, 0, 0)
        self.report_area = ReportArea(self.report)
        rr.addWidget(self.report_area, 1)
        rr.addWidget(self.report_close, 0, Qt.AlignmentFlag.AlignTop)
        self.report_row.hide()

        # ---- the article's figures
        self.article_label = QLabel("In this article")
        self.article_label.setObjectName("panel-heading")
        self.article_view = ThumbGrid(reorderable=True)
        self.article_view.setObjectName("article-figures")
        self.article_view.setAccessibleName("Pictures in this article")
        self.article_view.setModel(self.article_model)
        self.article_view.setFlow(ThumbGrid.Flow.LeftToRight)
        self.article_view.setWrapping(False)  # one strip, read left to right like the page
        self.article_view.setFixedHeight(self.article_view.gridSize().height() + 24)
        self.article_view.setToolTip("Drag, or press Alt+Left/Right, to change the order")
        self.article_label.setBuddy(self.article_view)
        self.empty_article_note = QLabel("")
        self.empty_article_note.setWordWrap(True)
        self.empty_article_note.setForegroundRole(self.palette().ColorRole.PlaceholderText)

        self.hero_button = QPushButton("Set as hero")
        self.add_button = QPushButton("Add to article")
        self.insert_button = QPushButton("Insert into body")
        self.remove_button = QPushButton("Remove from article")
        self.hero_button.clicked.connect(self.set_hero)
        self.add_button.clicked.connect(self.add_to_article)
        self.insert_button.clicked.connect(self.insert_into_body)
        self.remove_button.clicked.connect(self.remove_from_article)
        self.insert_button.setToolTip("Place the picture in the body at the editor's cursor")
        buttons = QGridLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(4)
        buttons.addWidget(self.hero_button, 0, 0)
        buttons.addWidget(self.add_button, 0, 1)
        buttons.addWidget(self.insert_button, 1, 0)
        buttons.addWidget(self.remove_button, 1, 1)

        # ---- the library
        self.library_label = QLabel("Library")
        self.library_label.setObjectName("panel-heading")
        self.search = QLineEdit()
        self.search.setObjectName("image-search")
        self.search.setPlaceholderText('Search, or credit:"…" city:… keyword:… missing:alt')
        self.search.setToolTip(SEARCH_HELP)
        self.search.setAccessibleName("Search the picture library")
        self.search.setClearButtonEnabled(True)
        self.library_label.setBuddy(self.search)
        self.library_view = ThumbGrid()
        self.library_view.setObjectName("library-images")
        self.library_view.setAccessibleName("Picture library")
        self.library_view.setModel(self.library_model)
        # Shift/Ctrl+click, Ctrl+A and a rubber band select many: the form then edits them all.
        self.library_view.setSelectionMode(ThumbGrid.SelectionMode.ExtendedSelection)
        self.filters = FilterBar()
        self.library_count = QLabel("")
        self.library_count.setForegroundRole(self.palette().ColorRole.PlaceholderText)

        # ---- the form
        self.form = ImageForm()
        self.form.sig_field_edited.connect(self._on_field_edited)
        self.form.sig_story_caption_edited.connect(
            lambda text: self._on_story_edited("caption", text)
        )
        self.form.sig_story_alt_edited.connect(lambda text: self._on_story_edited("alt_text", text))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.form)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(6, 6, 6, 0)
        tl.setSpacing(4)
        import_row = QHBoxLayout()
        import_row.addWidget(self.import_button, 1)
        import_row.addWidget(self.export_originals_button)
        tl.addLayout(import_row)
        tl.addWidget(self.progress_row)
        tl.addWidget(self.report_row)
        tl.addWidget(self.article_label)
        tl.addWidget(self.article_view)
        tl.addWidget(self.empty_article_note)
        tl.addLayout(buttons)
        heading = QHBoxLayout()
        heading.addWidget(self.library_label)
        heading.addStretch(1)
        heading.addWidget(self.library_count)
        tl.addLayout(heading)
        tl.addWidget(self.search)
        tl.addWidget(self.filters)
        tl.addWidget(self.library_view, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(top)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        # ---- wiring
        self._autosave = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self._autosave.timeout.connect(self.commit_edits)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload_library)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.filters.sig_changed.connect(self.reload_library)
        self.library_view.selectionModel().selectionChanged.connect(
            lambda *_: self._library_selection_changed()
        )
        for field_editor in self.form.text_fields():
            self.codes.attach(field_editor)
        self.article_view.selectionModel().currentChanged.connect(
            lambda cur, _prev: self._picked(self.article_model, cur)
        )
        self.library_view.selectionModel().currentChanged.connect(
            lambda cur, _prev: self._picked(self.library_model, cur)
        )
        self.article_view.clicked.connect(lambda idx: self._picked(self.article_model, idx))
        self.library_view.clicked.connect(lambda idx: self._picked(self.library_model, idx))
        self.article_view.sig_move_requested.connect(self.move_selected_figure)
        self.article_view.sig_delete_requested.connect(self.remove_from_article)
        self.article_view.sig_files_dropped.connect(
            lambda paths: self.import_files(paths, add_to_article=self.article_id is not None)
        )
        self.article_model.sig_reordered.connect(self._dragged, Qt.ConnectionType.QueuedConnection)
        self.undo_stack.indexChanged.connect(lambda _i: self._update_buttons())
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._on_quit)
        # Ctrl+Z / Ctrl+V belong to the panel while focus is anywhere in it (but
        # the search box keeps its own text undo and paste).
        for child in self.findChildren(QWidget):
            if child is not self.search:
                child.installEventFilter(self)
        self.set_article(None)
        self.reload_library()
        self.refresh_credit_names()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(330, 760)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        # Two grid columns and the form's labels fit; narrower and text clips.
        return QSize(300, 420)

    # ---- the open article ------------------------------------------------------------------
    def set_article(self, article: Article | None) -> None:
        """Show this article's figures (None: no article open)."""
        self.commit_edits()
        same = article is not None and article.id == self.article_id
        if same and self._pending_writes:
            return  # our own writes are still landing; their result resyncs the strip
        self.article_id = article.id if article is not None else None
        self.figures = figure_specs(article) if article is not None else []
        if article is not None:
            for fig in article.figures:
                self._adopt(ImageItem.from_image(fig.image))
        self._show_figures()
        if self.current is not None:
            self._select_in(self.article_view, self.article_model, self.current.id, quiet=True)
        self._load_form()

    def _show_figures(self) -> None:
        keep = self.current.id if self.current is not None else None
        self.article_model.set_rows(
            [
                GridRow(self._images[s.image_id], s.role, s.caption or "", s.alt_text)
                for s in self.figures
                if s.image_id in self._images
            ]
        )
        if self.article_id is None:
            self.empty_article_note.setText("Open an article to place pictures in it.")
        elif not self.figures:
            self.empty_article_note.setText(
                "No pictures yet: pick one in the library and choose Set as hero or Add to article."
            )
        else:
            self.empty_article_note.setText("")
        self.empty_article_note.setVisible(bool(self.empty_article_note.text()))
        self.article_view.setEnabled(self.article_id is not None)
        self.article_label.setText(
            f"In this article ({len(self.figures)})" if self.article_id else "In this article"
        )
        if keep is not None and self.current is not None:
            self._select_in(self.article_view, self.article_model, keep, quiet=True)
        self._update_buttons()

    def _figure_index(self, image_id: int) -> int:
        return next((i for i, s in enumerate(self.figures) if s.image_id == image_id), -1)

    # ---- picking an image ----------------------------------------------------------------
    def _picked(self, model: ImageGridModel, index: QModelIndex) -> None:
        if not index.isValid():
            return
        row: GridRow = model.rows[index.row()]
        if self.current is not None and self.current.id == row.image.id:
            return
        self.commit_edits()
        self.current = row.image
        other = self.library_view if model is self.article_model else self.article_view
        other_model = self.library_model if model is self.article_model else self.article_model
        self._select_in(other, other_model, row.image.id, quiet=True)
        self._load_form()

    def select_image(self, image_id: int) -> bool:
        """Show this image in the form, selected in the grids that hold it."""
        item = self._images.get(image_id)
        if item is None:
            return False
        self.commit_edits()
        self.current = item
        self._select_in(self.article_view, self.article_model, image_id, quiet=True)
        self._select_in(self.library_view, self.library_model, image_id, quiet=True)
        self._load_form()
        return True

    @staticmethod
    def _select_in(view: ThumbGrid, model: ImageGridModel, image_id: int, *, quiet: bool) -> None:
        row = model.row_of(image_id)
        selection = view.selectionModel()
        blocker = [selection.blockSignals(True)] if quiet else []
        try:
            if row < 0:
                selection.clearSelection()
                selection.setCurrentIndex(QModelIndex(), selection.SelectionFlag.NoUpdate)
            else:
                idx = model.index(row)
                selection.setCurrentIndex(idx, selection.SelectionFlag.ClearAndSelect)
                view.scrollTo(idx)
        finally:
            if blocker:
                selection.blockSignals(False)
                view.viewport().update()

    def _library_selection_changed(self) -> None:
        batch = self.photo_desk.selected_items()
        was_batch = bool(self.form.batch)
        if len(batch) > 1 or was_batch:
            self.commit_edits()
            self._load_form()

    def _load_form(self) -> None:
        batch = self.photo_desk.selected_items()
        if len(batch) > 1:
            self.form.load_many(batch)
            self._update_buttons()
            return
        item = self.current
        caption = alt = None
        if item is not None and self.article_id is not None:
            i = self._figure_index(item.id)
            if i >= 0:
                caption = self.figures[i].caption or ""
                alt = self.figures[i].alt_text or ""
        # One stat on the GUI thread: a picture whose file was deleted must say so.
        missing = item is not None and not (self.library.media_dir / item.filename).is_file()
        self.form.load(item, story_caption=caption, story_alt=alt, file_missing=missing)
        self._update_buttons()

    def _update_buttons(self) -> None:
        item, has_article = self.current, self.article_id is not None
        if self.form.batch:
            item = None  # one picture's buttons wait until one picture is selected
        placed = item is not None and self._figure_index(item.id) >= 0
        is_hero = (
            placed and item is not None and self.figures[self._figure_index(item.id)].role == "hero"
        )
        self.hero_button.setEnabled(item is not None and has_article and not is_hero)
        self.add_button.setEnabled(item is not None and has_article and not placed)
        self.insert_button.setEnabled(item is not None and has_article)
        self.remove_button.setEnabled(placed)
        why = "" if has_article else "Open an article first"
        for button in (self.hero_button, self.add_button, self.insert_button):
            button.setStatusTip(why)

    # ---- field edits, autosaved and undoable -------------------------------------------
    def _on_field_edited(self, name: str, value: str) -> None:
        if self.form.batch:
            self.photo_desk.field_edited(name, value)
            self._autosave.start()
            return
        if self.current is None:
            return
        self._pending_fields[(self.current.id, name)] = value
        self._autosave.start()

    def _on_story_edited(self, name: str, text: str) -> None:
        if self.current is None or self.article_id is None:
            return
        self._pending_story.setdefault((self.article_id, self.current.id), {})[name] = text
        self._autosave.start()

    def commit_edits(self) -> None:
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

    def _apply_field(self, image_id: int, name: str, value: str) -> None:
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
        library = self.library

        def write() -> None:
            library.update_image(image_id, **{name: value})

        def done(_result: Any) -> None:
            if name in ("credit", "creator"):
                self.refresh_credit_names()
            if in_article:
                self.sig_article_edited.emit()

        self._write(write, done)

    # ---- figure changes ----------------------------------------------------------------------
    def _apply_figures(self, article_id: int, specs: Sequence[FigureSpec]) -> None:
        """Called by FiguresChange (do and undo): show the figures and write them."""
        if article_id == self.article_id:
            self.figures = list(specs)
            self._show_figures()
            self._load_form()
        library, wanted = self.library, list(specs)

        def done(article: Article) -> None:
            if article.id != self.article_id:
                return
            for fig in article.figures:
                self._adopt(ImageItem.from_image(fig.image))
            if self._pending_writes == 0 and figure_specs(article) != self.figures:
                self.figures = figure_specs(article)  # the library had the last word
                self._show_figures()
            self.sig_article_edited.emit()

        # One transaction: an undo is all of the change or none of it.
        self._write(lambda: library.set_figures(article_id, wanted), done)

    def _change_figures(self, text: str, after: list[FigureSpec]) -> None:
        if self.article_id is None or after == self.figures:
            return
        self.commit_edits()
        self.undo_stack.push(FiguresChange(self, text, self.article_id, self.figures, after))

    def set_hero(self) -> None:
        """Make the selected image the article's hero (the first figure)."""
        item = self.current
        if item is None or self.article_id is None:
            return
        self.commit_edits()  # a default typed a moment ago is what a new figure starts from
        i = self._figure_index(item.id)
        spec = self.figures[i] if i >= 0 else new_figure(item)
        rest = [replace(s, role="inline") for j, s in enumerate(self.figures) if j != i]
        self._change_figures("Set hero picture", [replace(spec, role="hero"), *rest])

    def add_to_article(self) -> None:
        item = self.current
        if item is None or self.article_id is None or self._figure_index(item.id) >= 0:
            return
        self.commit_edits()
        self._change_figures("Add picture to article", [*self.figures, new_figure(item)])

    def remove_from_article(self) -> None:
        item = self.current
        if item is None:
            return
        i = self._figure_index(item.id)
        if i < 0:
            return
        self._change_figures(
            "Remove picture from article", self.figures[:i] + self.figures[i + 1 :]
        )

    def insert_into_body(self) -> None:
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

    def move_selected_figure(self, delta: int) -> None:
        """Move the figure selected in the strip one place earlier (-1) or later (+1)."""
        row = self.article_view.selected_row()
        target = row + delta
        if row < 0 or not 0 <= target < len(self.figures):
            return
        after = list(self.figures)
        after[row], after[target] = after[target], after[row]
        self._change_figures("Reorder pictures", after)
        self._select_in(self.article_view, self.article_model, after[target].image_id, quiet=True)

    def _dragged(self) -> None:
        order = [row.image.id for row in self.article_model.rows]
        by_image: dict[int, list[FigureSpec]] = {}
        for spec in self.figures:
            by_image.setdefault(spec.image_id, []).append(spec)
        after = [by_image[i].pop(0) for i in order if by_image.get(i)]
        if len(after) == len(self.figures):
            self._change_figures("Reorder pictures", after)

    # ---- undo ------------------------------------------------------------------------------
    def undo(self) -> None:
        self.commit_edits()
        self.undo_stack.undo()

    def redo(self) -> None:
        self.commit_edits()
        self.undo_stack.redo()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        strip = (self.article_view, self.article_view.viewport())
        if kind in DRAG_EVENTS and watched not in strip and self._droppable(event):  # type: ignore[arg-type]
            if kind == QEvent.Type.Drop:
                self.dropEvent(event)  # type: ignore[arg-type]
            else:
                self.dragEnterEvent(event)  # type: ignore[arg-type]
            return True
        if isinstance(event, QKeyEvent) and claim_key(event, self._key_action(watched, event)):
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        action = self._key_action(self, event)
        if action is not None:
            action()
            return
        super().keyPressEvent(event)

    def _key_action(self, watched: QObject, event: QKeyEvent) -> Callable[[], None] | None:
        if event.matches(QKeySequence.StandardKey.Undo):
            return self.undo
        if event.matches(QKeySequence.StandardKey.Redo):
            return self.redo
        text_field = isinstance(watched, QLineEdit) or watched.inherits("QPlainTextEdit")
        if event.matches(QKeySequence.StandardKey.Paste) and not text_field:
            return self.paste_from_clipboard
        return None

    # ---- handing on originals ----------------------------------------------------------------
    def export_originals(self) -> None:
        """Export Originals…: the selected picture or all the grid shows, with their metadata."""
        from newsdesk.ui.originals import ExportOriginalsDialog, export_from_panel

        self.commit_edits()  # what was typed last is what the copies carry
        self.flush()
        name = (self.current.original_name or self.current.uid) if self.current else None
        dialog = ExportOriginalsDialog(
            current_name=name, shown=len(self.library_model.rows), parent=self
        )
        if dialog.exec() == dialog.DialogCode.Accepted:
            export_from_panel(self, dialog)

    # ---- writing to the library -------------------------------------------------------------
    def _write(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None) -> None:
        """Run a library write on the panel's serial writer thread."""
        self._pending_writes += 1

        def finished(result: Any) -> None:
            if not shiboken6.isValid(self):
                return
            self._pending_writes -= 1
            if on_done is not None:
                on_done(result)
            if self._pending_writes == 0:
                self.sig_saved.emit()

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self):
                return
            self._pending_writes -= 1
            self._show_report(f"<b>Not saved:</b> {_esc(str(exc))}")
            if self._pending_writes == 0:
                self.sig_saved.emit()

        run_task(fn, on_done=finished, on_error=failed, pool=self._writer)

    @property
    def busy(self) -> bool:
        """Edits or writes have not all reached the library yet."""
        return bool(
            self._pending_fields
            or self._pending_story
            or self._pending_writes
            or self.photo_desk.busy
        )

    def flush(self, timeout_ms: int = 10_000) -> bool:
        """Save everything now and wait for it (closing, quitting, switching libraries)."""
        self.commit_edits()
        return self._writer.waitForDone(timeout_ms) and self.ops.wait(timeout_ms)

    def wait_for_writes(self, timeout_ms: int = 10_000) -> None:
        """Let the single-picture writes already queued reach the library (a batch follows them)."""
        if self._pending_writes:
            self._writer.waitForDone(timeout_ms)

    def say(self, text: str) -> None:
        """One sentence for the user, in the panel's report line."""
        self._show_report(_esc(text), tooltip=text)

    def adopt_batch(self, fresh: list[ImageItem], *, reload_form: bool = True) -> None:
        """Pictures a batch change (or its undo) wrote: the library's values, shown everywhere."""
        for item in fresh:
            self._images.setdefault(item.id, item).fields = item.fields
        ids = {item.id for item in fresh}
        self.article_model.images_changed(ids)
        self.library_model.images_changed(ids)
        in_article = any(s.image_id in ids for s in self.figures)
        if reload_form:
            self._load_form()
        self.refresh_credit_names()
        if in_article:
            self.sig_article_edited.emit()

    def apply_template(self, template: int | str) -> None:
        """Apply a photo-desk template to the selected pictures (one undo step)."""
        self.photo_desk.apply_template(template)

    def choose_template(self) -> None:
        """Image > Apply Template…"""
        self.photo_desk.choose_template()

    def _on_quit(self) -> None:
        if shiboken6.isValid(self):
            self.flush()

    # ---- the library grid ------------------------------------------------------------------
    def reload_library(self, *, select: int | None = None) -> None:
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

    def _show_library(self, items: list[ImageItem], *, select: int | None = None) -> None:
        self.library_model.set_rows([GridRow(item) for item in items])
        n = len(items)
        self.library_count.setText(f"{n} picture{'s' if n != 1 else ''}")
        if select is not None:
            self.select_image(select)
        elif self.current is not None:
            self._select_in(self.library_view, self.library_model, self.current.id, quiet=True)
        self.sig_library_shown.emit()

    def _adopt(self, fresh: ImageItem) -> ImageItem:
        """The panel's one copy of an image; the library's values win unless an edit is in flight."""
        known = self._images.get(fresh.id)
        if known is None:
            self._images[fresh.id] = fresh
            return fresh
        editing = any(image_id == fresh.id for image_id, _ in self._pending_fields)
        if not editing and not self._pending_writes and known.fields != fresh.fields:
            known.fields = fresh.fields
            self.article_model.image_changed(fresh.id)
            self.library_model.image_changed(fresh.id)
            if self.current is known:
                for name in FIELD_NAMES:
                    self.form.set_value(name, known.get(name))
        return known

    def refresh_credit_names(self) -> None:
        library = self.library

        def done(names: list[str]) -> None:
            if shiboken6.isValid(self):
                self.form.set_credit_names(names)

        run_task(library.credits_in_use, on_done=done)

    # ---- import --------------------------------------------------------------------------------
    def choose_files(self) -> None:
        """Import Images…: pick files in a dialog, then import them in the background."""
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import images", "", f"{NAME_FILTER};;All files (*)"
        )
        if not paths:
            return
        go, template = self.photo_desk.ask_import_template()
        if go:
            self.import_files(paths, template=template)

    def import_files(
        self,
        paths: Iterable[str | Path],
        *,
        add_to_article: bool = False,
        template: str | None = None,
    ) -> bool:
        """Import these files (folders: their pictures) in the background; False if none qualify.

        template: a photo-desk template's name, applied to the new pictures.
        """
        files, skipped = _local_image_files(paths)
        if not files and not skipped:
            return False
        self._queue_import(_ImportJob(files, [], add_to_article, skipped, template=template))
        return True

    def import_into_body(self, paths: list[Path], image: QImage | None = None) -> bool:
        """Pictures pasted or dropped into the body: imported, made figures, inserted there."""
        if self.article_id is None:
            self._show_report("Open a story before pasting a picture into its body.")
            return False
        files, skipped = _local_image_files(paths)
        images = [QImage(image)] if image is not None and not image.isNull() else []
        if not files and not images:
            self._show_report("There was no picture to import in what was pasted.")
            return False
        self._queue_import(_ImportJob(files, images, True, skipped, insert_into_body=True))
        return True

    def import_clipboard_image(self, image: QImage) -> None:
        """Import a picture that is not a file yet (a pasted screenshot): saved as PNG first."""
        self._queue_import(_ImportJob([], [QImage(image)], False, []))

    def paste_from_clipboard(self) -> bool:
        """Ctrl+V in the panel: import the clipboard's picture files, or its picture."""
        clipboard = QGuiApplication.clipboard()
        mime = clipboard.mimeData(QClipboard.Mode.Clipboard)
        if mime is None:
            return False
        if mime.hasUrls():
            files = [p for p in _urls_to_paths(mime) if p.is_dir() or is_image_path(p)]
            if files:
                return self.import_files(files)
        if mime.hasImage():
            image = clipboard.image()
            if not image.isNull():
                self.import_clipboard_image(image)
                return True
        self._show_report("The clipboard holds no picture to import.")
        return False

    def cancel_import(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.progress.setFormat("Cancelling…")
        self._import_queue.clear()

    @property
    def importing(self) -> bool:
        return self._import_job is not None

    def _queue_import(self, job: _ImportJob) -> None:
        self._import_queue.append(job)
        if self._import_job is None:
            self._start_next_import()

    def _start_next_import(self) -> None:
        if not self._import_queue:
            return
        job = self._import_queue.pop(0)
        self._import_job = job
        self._cancel = cancel = threading.Event()
        total = len(job.paths) + len(job.clipboard_images)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        self.progress.setFormat("Importing %v of %m…")
        self.cancel_button.setEnabled(True)
        self.progress_row.setVisible(total > 0)
        self.report_row.hide()
        library = self.library
        paths, images, template = list(job.paths), list(job.clipboard_images), job.template

        def work(report_progress: Callable[[Any], None]) -> ImportReport:
            # A pool thread: QImage may be saved here, but no widget is touched.
            temp = Path(tempfile.mkdtemp(prefix="newsdesk-paste-"))
            try:
                stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
                for n, image in enumerate(images, 1):
                    path = temp / f"pasted-{stamp}-{n}.png"
                    if image.save(str(path), "PNG"):
                        paths.append(path)
                if not paths:
                    return ImportReport()
                return import_images(
                    library,
                    paths,
                    progress=lambda done, total: report_progress((done, total)),
                    cancel=cancel,
                    template=template,
                )
            finally:
                shutil.rmtree(temp, ignore_errors=True)

        run_task(
            work,
            on_done=self._import_done,
            on_error=self._import_failed,
            on_progress=self._import_progress,
        )

    def _import_progress(self, value: tuple[int, int]) -> None:
        if not shiboken6.isValid(self):
            return
        done, total = value
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _import_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        job = self._import_job
        report = ImportReport()
        for path in job.paths if job else []:
            report.failed.append(ImportFailure(path, f"{path.name} was not imported ({exc})."))
        self._import_done(report)

    def _import_done(self, report: ImportReport) -> None:
        if not shiboken6.isValid(self):
            return
        job = self._import_job
        self._import_job, self._cancel = None, None
        self.progress_row.hide()
        if job is not None:
            report.failed[:0] = job.skipped
        self.last_report = report
        self._show_report(self._report_html(report), tooltip=self._report_text(report))
        first = report.imported[0].id if report.imported else None
        fresh = [self._adopt(ImageItem.from_image(image)) for image in report.imported]
        if job is not None and job.add_to_article and self.article_id is not None:
            placed = {s.image_id for s in self.figures}
            extra = [
                FigureSpec(i.id, "inline", i.caption, i.alt_text)
                for i in report.imported
                if i.id not in placed
            ]
            if extra:
                self._change_figures("Add pictures to article", [*self.figures, *extra])
            if job.insert_into_body:
                for image in report.imported:
                    i = self._figure_index(image.id)
                    alt = self.figures[i].alt_text if i >= 0 else image.alt_text
                    item = ImageItem.from_image(image)
                    self.sig_insert_markdown.emit(image_markdown(item, alt or ""))
        if self.search.text().strip():
            self.reload_library(select=first)  # the search decides which of them show
        else:
            # Newest first, as the library lists them: the new pictures go on top. No
            # reload: a second pass over hundreds of records is garbage the GUI would wait on.
            self._search_generation += 1  # a load still in flight is older than this
            newest = list({item.id: item for item in reversed(fresh)}.values())
            ids = {item.id for item in newest}
            rest = [r.image for r in self.library_model.rows if r.image.id not in ids]
            self._show_library([*newest, *rest], select=first)
        self.refresh_credit_names()
        self.sig_import_finished.emit(report)
        self._start_next_import()

    @staticmethod
    def _report_text(report: ImportReport) -> str:
        if report.error:
            return report.error
        lines = [report.summary]
        lines += [f"{f.path.name}: {f.message}" for f in report.failed if f.message != "cancelled"]
        return "\n".join(lines)

    @staticmethod
    def _report_html(report: ImportReport) -> str:
        if report.error:  # the whole batch was refused: one reason, not one line per file
            return f"<b>{_esc(report.error)}</b>"
        n = len(report.imported)
        cancelled = [f for f in report.failed if f.message == "cancelled"]
        failed = [f for f in report.failed if f.message != "cancelled"]
        parts = [f"<b>Imported {n} picture{'s' if n != 1 else ''}.</b>"]
        if cancelled:
            parts.append(f"Cancelled: {len(cancelled)} not imported.")
        if failed:
            items = "".join(
                f"<li>{_esc(f.message if f.path.name in f.message else f'{f.path.name}: {f.message}')}</li>"
                for f in failed[:REPORT_LIMIT]
            )
            more = len(failed) - REPORT_LIMIT
            tail = f"<li>…and {more} more (hover for all)</li>" if more > 0 else ""
            parts.append(
                f"<b>{len(failed)} could not be imported:</b>"
                f"<ul style='margin-left:12px; -qt-list-indent:0'>{items}{tail}</ul>"
            )
        return " ".join(parts)

    def _show_report(self, html_text: str, *, tooltip: str = "") -> None:
        self.report_area.granted = 0
        self.report.setText(html_text)
        self.report.setToolTip(tooltip)
        self.report.setAccessibleName(tooltip or html_text)
        self.report_row.show()
        self.report_area.fit()
        QTimer.singleShot(0, self._make_room_for_report)

    def _make_room_for_report(self) -> None:
        """Lend the report height from the photo-desk form below, so it shows whole if it can."""
        if not shiboken6.isValid(self) or not self.report_row.isVisible():
            return
        area, top_pane = self.report_area, self.splitter.widget(0)
        top, form = self.splitter.sizes()
        spare = max(0, form - self.splitter.widget(1).minimumSizeHint().height())
        # Inside the top pane the grids would share any room with the report; the
        # report comes first, as far as every other part keeps its minimum.
        room = top + spare - top_pane.minimumSizeHint().height()
        extra = min(area.maximumHeight() - area.minimumHeight(), room)
        if extra <= 0:
            return
        area.granted = area.minimumHeight() + extra
        area.fit()
        top_pane.layout().activate()
        # Wrapped labels need more than their size hints say: whatever the row
        # still lacks comes from the form too, or the report gives it back.
        for _ in range(2):
            lacking = area.minimumHeight() - self.report_row.height()
            if lacking <= 0:
                break
            top, form = self.splitter.sizes()
            spare = max(0, form - self.splitter.widget(1).minimumSizeHint().height())
            give = min(lacking, spare)
            if give > 0:
                self.splitter.setSizes([top + give, form - give])
            if give < lacking:
                area.granted = max(0, area.granted - (lacking - give))
                area.fit()
            top_pane.layout().activate()

    def _dismiss_report(self) -> None:
        self.report_row.hide()

    # ---- drag and drop of files --------------------------------------------------------------
    @staticmethod
    def _droppable(event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> list[Path]:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return []
        return [p for p in _urls_to_paths(mime) if p.is_dir() or is_image_path(p)]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        if self._droppable(event):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 (Qt override)
        self.dragEnterEvent(event)  # type: ignore[arg-type]

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        paths = self._droppable(event)
        if not paths:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.import_files(paths)


def _esc(text: str) -> str:
    import html

    return html.escape(text, quote=False)
