"""The main window: library browser, article form and editor, live preview, panels and menus."""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from newsdesk import settings as user_settings
from newsdesk.library import Article, Library, LibraryError
from newsdesk.library.changes import Changes
from newsdesk.ui import collector
from newsdesk.ui.article_form import ArticleForm
from newsdesk.ui.autosave import Autosaver
from newsdesk.ui.browser import LibraryBrowser
from newsdesk.ui.codes import CodeExpander
from newsdesk.ui.editor import FindBar, MarkdownEditor
from newsdesk.ui.frame_gate import FrameGate
from newsdesk.ui.guarded import guard_against_typing
from newsdesk.ui.history import HistoryDialog
from newsdesk.ui.newsroom import NewsroomActions
from newsdesk.ui.ops import Operations
from newsdesk.ui.panels import Panel, PanelHost
from newsdesk.ui.presence import PresenceActions
from newsdesk.ui.preview_place import PreviewPlacer
from newsdesk.ui.spell import SpellService, attach_spelling
from newsdesk.ui.sync_window import SyncActions
from newsdesk.ui.window_actions import WindowActions
from newsdesk.ui.window_conflicts import ConflictHandling
from newsdesk.ui.window_opening import HeldTyping, StoryOpening
from newsdesk.ui.window_preview import PreviewHost
from newsdesk.ui.window_status import StatusBar
from newsdesk.ui.workers import run_task

STATE_VERSION = 1  # bump when the dock layout changes so old saved states are ignored


class MainWindow(
    WindowActions,
    StoryOpening,
    PanelHost,
    PreviewHost,
    StatusBar,
    ConflictHandling,
    NewsroomActions,
    SyncActions,
    PresenceActions,
    QMainWindow,
):
    """The editing workspace around one library.

    This module holds the window itself: building it, opening articles, edits,
    closing, and redrawing from `sig_library_changed`. Its other jobs are
    mixins, one module each: menus and actions (window_actions), docks and
    the Panel protocol (panels), the preview (window_preview), the status bar
    and title (window_status), changes made elsewhere (window_conflicts),
    newsroom actions (newsroom), sync (sync_window) and who else has a story
    open (presence).
    """

    sig_first_paint = Signal()
    """The window painted for the first time (the preview is created after this)."""
    sig_preview_ready = Signal()
    """The preview finished its first page load."""
    sig_article_opened = Signal(object)
    """This article (or None) is now open in the editor."""

    def __init__(
        self,
        library: Library,
        *,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.settings = settings if settings is not None else QSettings()
        self.article: Article | None = None
        self.panels: dict[str, Panel] = {}
        self.docks: dict[str, QDockWidget] = {}
        self._dock_visible: dict[str, bool] = {}
        self.conflict_box: QMessageBox | None = None
        self.history_dialog: HistoryDialog | None = None
        self._loading = False
        self._open_generation = 0  # the newest read of an article to open (window_opening)
        # The newest re-read of the open article for the preview: its own count, so a re-read
        # never overtakes a story being opened (whose answer would then be dropped).
        self._reread_generation = 0
        self._opening: int | None = None  # the article being read to open (window_opening)
        self._saving_to_leave = False  # the story being left is saved first (window_opening)
        self.setObjectName("main-window")
        self.setWindowTitle("newsdesk")

        # ---- centre: form + find bar + editor | preview
        self.form = ArticleForm(library)
        self.editor = MarkdownEditor()
        self.find_bar = FindBar(self.editor)
        # Spell checking in the article's language: body, headline, dek and (see
        # install_panel) the captions; the checking itself runs on the service's worker.
        self.spell = SpellService(library, self)
        # Checking, counting and saving started by a key wait for its preview frame.
        self.frame_gate = FrameGate(self)
        self.spell.defer = self.frame_gate.defer
        self.editor.highlighter.spelling = attach_spelling(
            self.editor, self.spell, self.editor.highlighter
        )
        attach_spelling(self.form.headline, self.spell)
        attach_spelling(self.form.dek, self.spell)
        self.spell.sig_unavailable.connect(
            lambda message: self.statusBar().showMessage(message, 8000)
        )
        editor_pane = QWidget()
        editor_pane.setObjectName("editor-pane")
        el = QVBoxLayout(editor_pane)
        el.setContentsMargins(0, 0, 0, 0)
        el.setSpacing(0)
        self.read_only = bool(getattr(library, "read_only", False))
        self.read_only_banner = QLabel(
            f"This library is read-only ({library.root}): you can read, search and export, "
            "but changes cannot be saved here."
        )
        self.read_only_banner.setObjectName("read-only-banner")
        self.read_only_banner.setWordWrap(True)
        self.read_only_banner.setMargin(6)
        self.read_only_banner.setStyleSheet("background: palette(tool-tip-base);")
        self.read_only_banner.setVisible(self.read_only)
        el.addWidget(self.read_only_banner)
        el.addWidget(self.form)
        el.addWidget(self.find_bar)
        el.addWidget(self.editor, 1)
        QWidget.setTabOrder(self.form.last_in_tab_order, self.editor)
        # Typing while another story is read for opening waits for it (window_opening).
        self._held_typing = HeldTyping([self.editor, self.form], self)

        self._build_preview_holder()

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("editor-preview-splitter")
        self.splitter.addWidget(editor_pane)
        self.splitter.addWidget(self.preview_holder)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)
        # Beside the editor while both keep a readable measure; below it when the window is narrow.
        self.preview_place = PreviewPlacer(
            self.splitter,
            editor_pane,
            self.preview_holder,
            editor_width=lambda: self._editor_readable_width(editor_pane),
            parent=self,
        )

        # ---- docks: the library on the left, panels on the right
        self.browser = LibraryBrowser(library)
        self.library_dock = self._make_dock("library", "Library", self.browser)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.library_dock)
        self._make_panel_docks()

        self._build_status_bar()

        # ---- the one writer, and what changed in the library (here or elsewhere)
        self.ops = Operations(library, self)
        self.ops.sig_failed.connect(lambda msg: self.statusBar().showMessage(msg, 8000))
        self.ops.sig_library_changed.connect(self._on_library_changed)
        # A new library records its default publication on first read: let that
        # happen on the writer now, not in a view's read on the GUI thread later.
        # Its language is kept for spell checking (refreshed when it changes).
        self.publication_language = self.ops.call(lambda lib: lib.publication()).language
        # The newsroom's =code= shorthand, expanded as people type (body, captions, credits).
        self.codes = CodeExpander(self)
        self.codes.load(library)

        # ---- autosave
        self.autosave = Autosaver(library, self._snapshot, self, ops=self.ops)
        self.autosave.defer = self.frame_gate.defer
        self.autosave.sig_state.connect(self._show_save_state)
        self.autosave.sig_saved.connect(self._on_saved)
        self.autosave.sig_conflict.connect(self._on_conflict)
        self.autosave.sig_error.connect(
            lambda msg: self.statusBar().showMessage(f"Not saved yet: {msg}", 5000)
        )

        # ---- wiring
        self.browser.sig_article_selected.connect(self._on_browser_pick)
        self.browser.sig_open_requested.connect(self._open_from_list)
        self.browser.model.sig_loading.connect(self._list_arrived)
        self.form.sig_changed.connect(self._on_field_changed)
        self.editor.textChanged.connect(self._on_body_changed)
        self.codes.attach(self.editor)
        self._count_as_typed()
        self._follow_the_editor()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._on_about_to_quit)

        self.regions = self._build_regions()
        self._build_menus()
        self._set_tab_order()
        self.resize(_first_size(1400, 900))
        self.restore_layout()
        self.browser.load()
        self.form.refresh_choices()
        self._set_article(None)
        self.ops.start_watching()  # stories imported by the command line appear in the list
        self.sync.start()  # a laptop linked to a shared library syncs in the background
        self.presence.start()  # …and, online, says which story is open here

    def _set_tab_order(self) -> None:
        """Tab walks the library (search, filters, list) into the fields, then the body."""
        b = self.browser
        chain = [b.search, b.status_filter, b.section_filter, b.tag_filter, b.view]
        chain += [*self.form.tab_chain, self.editor]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # ---- the open article (opening one: window_opening) ---------------------------
    def _set_article(self, article: Article | None) -> None:
        """Put this fully read article (or none) in the form, editor, preview and panels."""
        self.pending_new = False
        self._loading = True
        try:
            self.article = article
            if article is not None and self.preview is not None:
                # The preview's worker builds the page while the editor takes in the text
                # (a long body's highlighting is most of opening it), not after.
                self.preview.show_article(article)
            self.form.load(article)
            self.editor.set_text(article.body if article else "")
            self.editor.setEnabled(article is not None)
            self.editor.setReadOnly(self.read_only)
            self.form.setEnabled(not self.read_only)
        finally:
            self._loading = False
        self.autosave.attach(article)
        if article is not None:
            self.spell.set_language(article.language or self.publication_language)
        self.find_bar.hide()
        for name in ("save", "history", "preflight", "reload"):
            self.actions_by_name[name].setEnabled(article is not None)
        for name in ("new", "import_images", "import_articles", "save", "replace"):
            if self.read_only and name in self.actions_by_name:
                self.actions_by_name[name].setEnabled(False)
        if article is not None:
            self._remember_last_article(article.uid)
        self._update_title()
        self._update_stats()
        self.panels_follow(article)
        self.load_notes()
        self.sig_article_opened.emit(article)
        self._cancel_opening()  # a story still being read gives way to this one

    def close_article(self) -> None:
        """Nothing open (the story went to the trash); the caller saved it first."""
        self._set_article(None)
        self.browser.clear_selection()
        if self.preview is not None:
            self.preview.clear()
        self._remember_last_article("")  # next start opens the newest story instead

    def reload_article(self) -> None:
        """Article > Reload from library: save what is typed, then show the library's copy.

        The copy is read on a worker; the editor's text and autosave are untouched.
        """
        if self.article is None or not self.autosave.flush():
            return
        self._reread_open()

    def _reread_publication_language(self) -> None:
        """The publication changed: its language (a story's default for spelling), read on a worker."""
        library = self.library

        def apply(language: str) -> None:
            self.publication_language = language
            if self.article is not None and not self.article.language:
                self.spell.set_language(language)

        run_task(lambda: library.publication().language, on_done=apply)

    def _reread_open(self, *, figures_only: bool = False) -> None:
        """Read the open article on a worker and show it in the preview.

        For what the library changed around the text (related stories, update
        notes, figures, the publication): figures_only patches the preview's
        figures, anything else renders the page again with the editor's text.
        """
        if self.article is None:
            return
        self._reread_generation += 1
        library, article_id, generation = self.library, self.article.id, self._reread_generation

        def apply(article: Article | None) -> None:
            if (
                article is None
                or self.article is None
                or article.id != self.article.id
                or generation != self._reread_generation
            ):
                return
            # Only the text carries a version: a save that landed meanwhile holds the
            # newer text, and the editor still shows it (overlaid below).
            if article.version >= self.article.version:
                self.article = article
            if self.preview is None:
                return
            if figures_only:
                self.preview.update_figures(article)
                return
            self.preview.show_article(article)
            if self.autosave.dirty or article.version != self.autosave.version:
                self.preview.update_fields(**self.form.preview_fields())
                self.preview.update_body(self.editor.toPlainText())

        run_task(lambda: library.find_article(article_id), on_done=apply)

    # ---- edits ---------------------------------------------------------------------
    def _snapshot(self) -> dict[str, Any]:
        values = self.form.values()
        values["body"] = self.editor.toPlainText()
        return values

    def _on_body_changed(self) -> None:
        if self._loading or self.editor.highlighter.restyling:
            return  # (restyling: spell-check underlines redrawn, the text is the same)
        if self.article is None:
            self._maybe_create_pending()
            return
        collector.activity()  # the garbage collector's full passes wait for a pause
        if self.notes:
            self.show_notes()  # the notes' passages move with the text
        self.autosave.mark_dirty()
        text = self.editor.toPlainText()
        if self.preview is not None:
            self.preview.update_body(text)
        for panel in self.panels.values():
            panel.body_changed(text)  # panels debounce; the related picker waits for real change
        self.show_held_stats()  # a finished count is drawn with this key's paint
        if not self._stats_timer.isActive():
            self._stats_timer.start()

    def _on_field_changed(self, name: str) -> None:
        if self._loading:
            return
        if self.article is None:
            self._maybe_create_pending()
            return
        values = self.form.values()
        if name == "status" and not self._status_chosen(values["status"]):
            return  # preflight failed: the dialog says why; nothing is saved
        self.autosave.mark_dirty()
        if self.preview is not None and name in ("headline", "dek", "byline", "section", "tags"):
            self.preview.update_fields(**{name: values[name]})
        if name in ("headline", "status", "section"):
            self.browser.model.patch(self.article.id, **{name: values[name]})
        if name == "headline":
            self._update_title()

    def _list_arrived(self, loading: bool) -> None:
        """A page of the list came in: the open story's row shows what is typed, not what was read."""
        if loading or self.article is None or not (self.autosave.dirty or self.autosave.busy):
            return
        values = self.form.values()
        self.browser.model.patch(
            self.article.id, headline=values["headline"], section=values["section"]
        )

    def _on_saved(self, article: Article) -> None:
        if self.article is None or article.id != self.article.id:
            return
        self.article = article
        self.browser.model.patch(
            article.id,
            headline=article.headline,
            status=article.status,
            section=article.section,
            updated_at=article.updated_at,
        )

    def save_now(self) -> None:
        """Ctrl+S: save at once and record a revision (in the background)."""
        if self.article is None:
            return
        self.autosave.save_soon_now(revision=True, reason="save")
        self.statusBar().showMessage("Saved, and a revision recorded.", 3000)

    # ---- settings and closing ---------------------------------------------------------------
    def _library_digest(self) -> str:
        return hashlib.sha1(str(self.library.root.resolve()).encode()).hexdigest()[:16]

    def _last_article_uid(self) -> str:
        return user_settings.read(
            self.settings, user_settings.LAST_ARTICLE, library=self._library_digest()
        )

    def _remember_last_article(self, uid: str) -> None:
        user_settings.write(
            self.settings, user_settings.LAST_ARTICLE, uid, library=self._library_digest()
        )

    def default_layout(self) -> None:
        """The first-run layout: list on the left, editor and preview halves, panels narrow."""
        width = self.width()
        library_w = max(260, int(width * 0.2))
        panel_w = max(300, int(width * 0.2))
        self.resizeDocks([self.library_dock], [library_w], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["images"]], [panel_w], Qt.Orientation.Horizontal)
        centre = max(400, width - library_w - panel_w)
        self.splitter.setSizes([int(centre * 0.55), centre - int(centre * 0.55)])

    def restore_layout(self) -> None:
        self.default_layout()
        read = functools.partial(user_settings.read, self.settings)
        geometry = read(user_settings.WINDOW_GEOMETRY)
        if geometry:
            self.restoreGeometry(QByteArray(geometry))
        state = read(user_settings.WINDOW_STATE)
        if state:
            self.restoreState(QByteArray(state), STATE_VERSION)
        splitter = read(user_settings.WINDOW_SPLITTER)
        if splitter:
            self.splitter.restoreState(QByteArray(splitter))
        self.preview_place.restore(self.settings, shown=read(user_settings.WINDOW_PREVIEW))
        self._show_preview_place()
        self.wrap_action.setChecked(read(user_settings.EDITOR_WRAP))
        self.editor.set_line_wrap(self.wrap_action.isChecked())

    def save_layout(self) -> None:
        write = functools.partial(user_settings.write, self.settings)
        write(user_settings.WINDOW_GEOMETRY, self.saveGeometry())
        write(user_settings.WINDOW_STATE, self.saveState(STATE_VERSION))
        write(user_settings.WINDOW_SPLITTER, self.splitter.saveState())
        write(user_settings.WINDOW_PREVIEW, self.preview_action.isChecked())
        self.preview_place.save(self.settings)
        write(user_settings.EDITOR_WRAP, self.wrap_action.isChecked())
        if self.article is not None:
            self._remember_last_article(self.article.uid)
        self.settings.sync()

    def save_everything(self) -> None:
        """Before the window goes: the open article reaches the library, whatever happens."""
        self.flush_panels()
        if self.article is None:
            self.save_new_story_now()  # a new story whose first save may still be in flight
            return
        if not self.autosave.flush() and self.autosave.conflicted:
            # Never lose words: with no one left to choose, keep both versions.
            self.save_mine_as_copy()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        try:
            if not getattr(self.library, "read_only", False):  # nothing can be saved there
                self.save_everything()
        except LibraryError as exc:
            box = QMessageBox(
                QMessageBox.Icon.Critical,
                "Could not save",
                f"{exc}\n\nClose anyway and lose the unsaved changes?",
                QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel,
                self,
            )
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            guard_against_typing(box)  # destructive: never answered by a stray key
            if box.exec() != QMessageBox.StandardButton.Close:
                event.ignore()
                return
        self._cancel_opening()  # a story still being read is not shown in a closed window
        self.save_layout()
        self.presence.stop()  # first: its row goes through the connection sync holds open
        self.sync.stop()
        self.ops.shutdown()
        super().closeEvent(event)

    def _on_about_to_quit(self) -> None:
        try:
            self.save_everything()
        except LibraryError:
            pass  # closeEvent already asked; nothing more can be done while quitting

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self._check_changed_elsewhere()

    def _on_library_changed(self, changes: Changes, initiator: object) -> None:
        """Redraw what changed: the list, the open article, the panels."""
        ours = initiator is not None
        # Our own saves already patched their row; anything else may add, drop or move rows.
        if (
            changes.deleted_articles
            or changes.created_articles
            or (not ours and changes.article_list_changed)
        ):
            self.browser.refresh()
        if changes.tags:
            self.form.refresh_choices()
        if changes.codes:
            self.codes.load(self.library)
        if changes.publication:
            self._reread_publication_language()
        if not ours and self.article is not None:
            if changes.touches_article(self.article.id, self.article.uid):
                self._check_changed_elsewhere(any_change=True)
            elif changes.publication:
                self._show_in_preview()
        if self.article is not None and ours:
            # Our own panels changed what surrounds the text: the preview shows it.
            if self.article.id in changes.related_of | changes.updates_of:
                self._reread_open()
            elif self.article.id in changes.figures_of:
                self._reread_open(figures_only=True)
        if self.article is not None and changes.images & {f.image_id for f in self.article.figures}:
            self._reread_open(figures_only=True)
        for panel in self.panels.values():
            panel.library_changed(changes, initiator)


def _first_size(width: int, height: int) -> QSize:
    """The first-run window size, never larger than the screen's free area (a 1366×768 laptop)."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return QSize(width, height)
    free = screen.availableGeometry()
    return QSize(min(width, free.width()), min(height, free.height()))
