"""The image panel: built from its parts, the picture picked, one undo stack, every write on the writer.

Its other jobs are mixins, one module each: the import queue
(`image_import.py`), the figure strip (`image_figures.py`), the form's field
edits (`image_edits.py`) and the picture library grid
(`image_library_view.py`); the import report is `import_report.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QKeyEvent,
    QKeySequence,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from newsdesk.images.library_import import ImportReport
from newsdesk.library import Article, FigureSpec, Library, figure_specs
from newsdesk.library.image_query import SEARCH_HELP
from newsdesk.ui.codes import CodeExpander
from newsdesk.ui.editor import MarkdownEditor
from newsdesk.ui.image_edits import FieldEdits
from newsdesk.ui.image_figures import FigureStrip
from newsdesk.ui.image_form import ImageForm
from newsdesk.ui.image_import import ImageImports
from newsdesk.ui.image_library_view import LibraryView
from newsdesk.ui.import_report import ReportBar, esc
from newsdesk.ui.keys import claim_key
from newsdesk.ui.ops import Operations, failure_message
from newsdesk.ui.photodesk import FilterBar, PhotoDesk
from newsdesk.ui.spell import SpellService, attach_spelling
from newsdesk.ui.thumbs import GridRow, ImageGridModel, ImageItem, ThumbGrid, ThumbnailLoader

AUTOSAVE_MS = 700  # a pause this long in typing saves the field
SEARCH_DELAY_MS = 200
REPORT_MAX_HEIGHT = 200  # a longer import report scrolls instead of pushing the grids away
DRAG_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)
STRIP_ICON = QSize(84, 56)  # the article's pictures, in order (3:2)
LIBRARY_COLUMNS = 3  # the library grid's fewest columns: smaller pictures, more of them seen
FORM_SHARE = 0.3  # of the panel's height, at first, for the picture's fields (they scroll)


class ImagesPanel(ImageImports, FigureStrip, FieldEdits, LibraryView, QWidget):
    """Pictures for the open article: place, order and credit them; import new ones.

    Every library write is an operation on the library's one serial writer
    (`ops.run_op`), in the order the user made the changes; the grids and the
    form change at once and the library catches up a moment later. The main
    window and the preview hear of it through `ops.sig_library_changed`.
    """

    sig_figures_saved = Signal()
    """Figures, hero or captions of the open article, or their pictures, reached the library."""
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
        # Every write goes through the library's one writer (the main window's, which
        # also hands this panel its changes); a panel on its own makes its own.
        self.ops = ops if ops is not None else Operations(library, self)
        if ops is None:
            self.ops.sig_library_changed.connect(self.library_changed)
        self.codes = codes
        if codes is None:
            self.codes = CodeExpander(self)
            self.codes.load(library)
        self.photo_desk = PhotoDesk(self)
        self.last_import_template: str | None = None
        self.look_alike_offer = None  # the dialog offering the library's own pictures, if open
        self.setAcceptDrops(True)
        self.undo_stack = QUndoStack(self)
        self._pending_writes = 0  # this panel's operations not yet back from the writer
        self._writes_started = 0  # tells a read begun before a write from one begun after
        self._images: dict[int, ImageItem] = {}
        self.article_id: int | None = None
        self.read_only = bool(getattr(library, "read_only", False))
        self.figures: list[FigureSpec] = []
        self.current: ImageItem | None = None
        self._pending_fields: dict[tuple[int, str], str] = {}
        # One picture's field edits still on the writer (see image_library_view.adopt_batch).
        self._fields_in_flight: dict[tuple[int, str], int] = {}
        # This story's caption / alt text typed but not yet an undo step: (article, image) -> fields.
        self._pending_story: dict[tuple[int, int], dict[str, str]] = {}
        self._search_generation = 0
        self.last_report: ImportReport | None = None

        self.loader = ThumbnailLoader(library, self)
        self.article_model = ImageGridModel(self.loader, reorderable=True, parent=self)
        self.library_model = ImageGridModel(self.loader, parent=self)

        # ---- top: import row, progress, report
        self.import_button = QPushButton("Im&port…")
        self.import_button.setToolTip(
            "Import picture files (or drop them here, or paste a picture with Ctrl+V)"
        )
        self.import_button.clicked.connect(self.choose_files)
        if self.read_only:
            self.import_button.setEnabled(False)
            self.import_button.setToolTip("This library is read-only: nothing can be imported.")
        self.export_originals_button = QPushButton("Export &Originals…")
        self.export_originals_button.setToolTip(
            "Write full-size originals carrying the library's captions, credits and rights"
        )
        self.export_originals_button.clicked.connect(self.export_originals)
        self.crop_button = QPushButton("Crops…")
        self.crop_button.setToolTip(
            "Set the picture's focal point and its 16:9, 4:3, 1:1 and social-card crops"
        )
        self.crop_button.clicked.connect(self.open_crop_editor)
        self.crop_editor = None  # the open crop editor, if any
        self.progress_row = self._build_import_row()  # ui/image_import.py
        self.report_row = ReportBar()  # ui/import_report.py
        self.report, self.report_area = self.report_row.label, self.report_row.area
        self.report_close = self.report_row.close_button

        # ---- the article's figures
        self.article_label = QLabel("In this article")
        self.article_label.setObjectName("panel-heading")
        self.article_view = ThumbGrid(reorderable=True)
        self.article_view.setObjectName("article-figures")
        self.article_view.setAccessibleName("Pictures in this article")
        self.article_view.setModel(self.article_model)
        self.article_view.setFlow(ThumbGrid.Flow.LeftToRight)
        self.article_view.setWrapping(False)  # one strip, read left to right like the page
        # Smaller than the library's pictures: the strip only orders them, and the room
        # it leaves goes to the library grid.
        self.article_view.set_cell(STRIP_ICON)
        self.article_view.setFixedHeight(self.article_view.gridSize().height() + 24)
        self.article_view.setToolTip("Drag, or press Alt+Left/Right, to change the order")
        self.article_label.setBuddy(self.article_view)
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
        self.library_view.fit_to_width(LIBRARY_COLUMNS)
        # Shift/Ctrl+click, Ctrl+A and a rubber band select many: the form then edits them all.
        self.library_view.setSelectionMode(ThumbGrid.SelectionMode.ExtendedSelection)
        self.filters = FilterBar()
        self.library_count = QLabel("")
        self.library_count.setForegroundRole(self.palette().ColorRole.PlaceholderText)

        # ---- the form
        self.form = ImageForm()
        self.form.set_read_only(self.read_only)
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
        import_row.addWidget(self.crop_button)
        tl.addLayout(import_row)
        tl.addWidget(self.progress_row)
        tl.addWidget(self.report_row)
        tl.addWidget(self.article_label)
        tl.addWidget(self.article_view)
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
        # The grids take most of the height (the form scrolls): the panel's first size is set
        # in showEvent, and a taller window gives the grids more than the form.
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 1)
        self._sized = False
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

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if not self._sized and self.splitter.height() > 0:
            self._sized = True
            total = sum(self.splitter.sizes())
            form = max(self.splitter.widget(1).minimumSizeHint().height(), int(total * FORM_SHARE))
            self.splitter.setSizes([total - form, form])

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        # Two grid columns and the form's labels fit; narrower and text clips.
        return QSize(300, 420)

    # ---- the open article (the window's Panel protocol) --------------------------------------
    def attach(self, editor: MarkdownEditor, spell: SpellService) -> None:
        """Pictures go into the body as Markdown, pictures pasted there are imported, and the
        captions (this story's and the default) are spell-checked like the body."""
        self.sig_insert_markdown.connect(editor.insert_markdown)
        editor.sig_pictures_pasted.connect(self.import_into_body)
        for field in (self.form.story_caption, self.form.editors["caption"]):
            if not field.property("spell_checked"):
                attach_spelling(field, spell)

    def body_changed(self, text: str) -> None:
        """The body's text matters not here: pictures placed in it arrive as figures."""

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
        writable = not self.read_only  # nothing can be saved: no button offers to
        self.hero_button.setEnabled(writable and item is not None and has_article and not is_hero)
        self.add_button.setEnabled(writable and item is not None and has_article and not placed)
        self.insert_button.setEnabled(writable and item is not None and has_article)
        self.remove_button.setEnabled(writable and placed)
        self.crop_button.setEnabled(writable and item is not None)
        why = "" if has_article else "Open an article first"
        for button in (self.hero_button, self.add_button, self.insert_button):
            button.setStatusTip(why)

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

    # ---- focal point and crops ---------------------------------------------------------------
    def open_crop_editor(self) -> None:
        """Crops…: the selected picture in a larger view, to set its focal point and crops."""
        from newsdesk.library import NotFound
        from newsdesk.ui.crop_editor import CropEditor

        item = self.current
        if item is None or self.form.batch:
            self.say("Select one picture to set its crops.")
            return
        try:
            image = self.library.get_image(item.id)
        except NotFound as exc:
            self.say(str(exc))
            return
        if not self.library.media_path(image).is_file():
            self.say(f"{image.original_name} has lost its file, so it cannot be cropped.")
            return
        self.crop_editor = CropEditor(self.library, self.ops, image, self)
        self.crop_editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.crop_editor.destroyed.connect(lambda: setattr(self, "crop_editor", None))
        self.crop_editor.resize(820, 640)
        self.crop_editor.open()

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
    def _write(
        self,
        fn: Callable[[Library], Any],
        on_done: Callable[[Any], None] | None = None,
        on_settled: Callable[[], None] | None = None,
    ) -> None:
        """Run fn(library) on the library's one writer; on_done on success, on_settled either way."""
        self._pending_writes += 1
        self._writes_started += 1

        def finished(result: Any) -> None:
            if not shiboken6.isValid(self):
                return
            self._pending_writes -= 1
            if on_settled is not None:
                on_settled()
            if on_done is not None:
                on_done(result)
            if self._pending_writes == 0:
                self.sig_saved.emit()

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self):
                return
            self._pending_writes -= 1
            if on_settled is not None:
                on_settled()
            self._show_report(f"<b>Not saved:</b> {esc(failure_message(exc))}")
            self.reload_library()  # show what the library holds, not the edit that failed
            if self._pending_writes == 0:
                self.sig_saved.emit()

        self.ops.run_op(fn, on_success=finished, on_failure=failed, initiator=self)

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
        return self.ops.wait(timeout_ms)

    def say(self, text: str) -> None:
        """One sentence for the user, in the panel's report line."""
        self._show_report(esc(text), tooltip=text)

    def apply_template(self, template: int | str) -> None:
        """Apply a photo-desk template to the selected pictures (one undo step)."""
        self.photo_desk.apply_template(template)

    def choose_template(self) -> None:
        """Image > Apply Template…"""
        self.photo_desk.choose_template()

    def _on_quit(self) -> None:
        if shiboken6.isValid(self):
            self.flush()

    def _show_report(self, html_text: str, *, tooltip: str = "") -> None:
        self.report_row.say(html_text, tooltip=tooltip)
        QTimer.singleShot(0, self, self._make_room_for_report)

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
