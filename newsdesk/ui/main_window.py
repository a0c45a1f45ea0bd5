"""The main window: library browser, article form and editor, live preview, panels and menus."""

from __future__ import annotations

import functools
import hashlib
import html
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
    QPaintEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from newsdesk import settings as user_settings
from newsdesk.library import Article, Library, LibraryError, NotFound
from newsdesk.library.changes import Changes
from newsdesk.text import WordTally, char_count, reading_time
from newsdesk.ui.article_form import ArticleForm
from newsdesk.ui.autosave import Autosaver
from newsdesk.ui.browser import LibraryBrowser
from newsdesk.ui.codes import CodeExpander
from newsdesk.ui.editor import FindBar, MarkdownEditor
from newsdesk.ui.guarded import guard_against_typing
from newsdesk.ui.history import HistoryDialog
from newsdesk.ui.keyboard import REGIONS, RegionCycler, ShortcutsDialog, WindowKeys, shortcut_rows
from newsdesk.ui.newsroom import NewsroomActions
from newsdesk.ui.ops import Operations
from newsdesk.ui.presence import PresenceActions
from newsdesk.ui.preview_place import PROSE, PreviewPlacer
from newsdesk.ui.spell import SpellService, attach_spelling
from newsdesk.ui.sync_window import SyncActions, apply_text
from newsdesk.ui.workers import run_task

PANELS = (("images", "Images"), ("related", "Related stories"))
STATS_INTERVAL_MS = 200  # the status bar's counts lag typing by at most about this
STATE_VERSION = 1  # bump when the dock layout changes so old saved states are ignored


class MainWindow(NewsroomActions, SyncActions, PresenceActions, QMainWindow):
    """The editing workspace around one library."""

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
        self.preview: Any = None
        self.panels: dict[str, QWidget] = {}
        self.docks: dict[str, QDockWidget] = {}
        self._dock_visible: dict[str, bool] = {}
        self.conflict_box: QMessageBox | None = None
        self.history_dialog: HistoryDialog | None = None
        self.first_paint_at: float | None = None
        self.preview_ready = False
        self._loading = False
        self._painted = False
        self._sync_from_cursor = False
        self._ignore_cursor_sync = False
        self._figures_generation = 0  # the newest load of the open article's figures
        self.setObjectName("main-window")
        self.setWindowTitle("newsdesk")

        # ---- centre: form + find bar + editor | preview
        self.form = ArticleForm(library)
        self.editor = MarkdownEditor()
        self.find_bar = FindBar(self.editor)
        # Spell checking in the article's language: body, headline, dek and (see
        # install_panel) the captions; the checking itself runs on the service's worker.
        self.spell = SpellService(library, self)
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

        self.preview_holder = QWidget()
        self.preview_holder.setObjectName("preview-holder")
        self._preview_layout = QVBoxLayout(self.preview_holder)
        self._preview_layout.setContentsMargins(0, 0, 0, 0)
        self._preview_placeholder = QLabel("Preview starting…")
        self._preview_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._preview_placeholder.setForegroundRole(self.palette().ColorRole.PlaceholderText)
        self._preview_layout.addWidget(self._preview_placeholder)

        self.surface_keeper = prepare_preview_surface(self.preview_holder)

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
        previous: QDockWidget | None = None
        for name, title in PANELS:
            placeholder = QLabel(f"The {title.lower()} panel is coming.")
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            placeholder.setWordWrap(True)
            placeholder.setForegroundRole(self.palette().ColorRole.PlaceholderText)
            dock = self._make_dock(name, title, placeholder)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            if previous is not None:
                self.tabifyDockWidget(previous, dock)
            previous = dock
        self.docks["images"].raise_()

        # ---- status bar
        self.stats_label = QLabel("")
        self.stats_label.setObjectName("stats")
        self.save_label = QLabel("")
        self.save_label.setObjectName("save-state")
        self.preview_note = QLabel("")
        self.statusBar().addWidget(self.preview_note, 1)
        self.statusBar().addPermanentWidget(self.save_label)
        self.statusBar().addPermanentWidget(self.stats_label)

        # ---- the one writer, and what changed in the library (here or elsewhere)
        self.ops = Operations(library, self)
        self.ops.sig_failed.connect(lambda msg: self.statusBar().showMessage(msg, 8000))
        self.ops.sig_library_changed.connect(self._on_library_changed)
        # A new library records its default publication on first read: let that
        # happen on the writer now, not in a view's read on the GUI thread later.
        self.ops.call(lambda lib: lib.publication())
        # The newsroom's =code= shorthand, expanded as people type (body, captions, credits).
        self.codes = CodeExpander(self)
        self.codes.load(library)

        # ---- autosave
        self.autosave = Autosaver(library, self._snapshot, self, ops=self.ops)
        self.autosave.sig_state.connect(self._show_save_state)
        self.autosave.sig_saved.connect(self._on_saved)
        self.autosave.sig_conflict.connect(self._on_conflict)
        self.autosave.sig_error.connect(
            lambda msg: self.statusBar().showMessage(f"Not saved yet: {msg}", 5000)
        )

        # ---- wiring
        self.browser.sig_article_selected.connect(self._on_browser_pick)
        self.browser.sig_open_requested.connect(self._open_from_list)
        self.form.sig_changed.connect(self._on_field_changed)
        self.editor.textChanged.connect(self._on_body_changed)
        self.codes.attach(self.editor)
        # A throttle, not a debounce: started only when idle, so the counts follow
        # continuous typing at least every STATS_INTERVAL_MS (counted off the GUI thread).
        self._stats_timer = QTimer(self, singleShot=True, interval=STATS_INTERVAL_MS)
        self._stats_timer.timeout.connect(self._update_stats)
        self._stats_generation = 0  # only the newest count is shown
        self._stats_running = False
        self._stats_again = False
        self._word_tally = WordTally()  # used by one count at a time (see _update_stats)
        self._sync_timer = QTimer(self, singleShot=True, interval=30)
        self._sync_timer.timeout.connect(self._sync_preview_scroll)
        self.editor.sig_line_changed.connect(self._on_cursor_line)
        self.editor.verticalScrollBar().valueChanged.connect(self._on_editor_scrolled)
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

    def _make_dock(self, name: str, title: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{name}")
        dock.setWidget(widget)
        self.docks[name] = dock
        # A dock behind another's tab stays "visible" to Qt: Tab and Alt+letter would reach
        # its controls unseen. Hiding its contents with the tab keeps them out of reach.
        dock.visibilityChanged.connect(lambda shown, d=dock: self._dock_shown(d, shown))
        return dock

    def _dock_shown(self, dock: QDockWidget, shown: bool) -> None:
        self._dock_visible[dock.objectName()] = shown
        inner = dock.widget()
        if inner is not None and not dock.isHidden():
            inner.setVisible(shown)

    # ---- menus ------------------------------------------------------------------
    def _action(
        self,
        menu,
        text: str,
        slot: Callable[..., Any],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | list | None = None,
        *,
        checkable: bool = False,
        name: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, list):
                action.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        menu.addAction(action)
        if name:
            self.actions_by_name[name] = action
        return action

    def _build_menus(self) -> None:
        self.actions_by_name: dict[str, QAction] = {}
        bar = self.menuBar()
        K = QKeySequence.StandardKey
        a = self._action

        file = bar.addMenu("&File")
        a(file, "&New article", self.new_article, K.New, name="new")
        a(file, "&Save", self.save_now, K.Save, name="save")
        file.addSeparator()
        a(file, "Import &images…", self.import_images, "Ctrl+Shift+I", name="import_images")
        a(file, "&Export…", self.show_export, "Ctrl+Shift+E", name="export")
        from newsdesk.ui.publish_on_save import PublishOnSave

        self.publish_on_save = PublishOnSave(self.library, self.ops, self.settings, self)
        self.publish_on_save.sig_status.connect(lambda msg: self.statusBar().showMessage(msg, 5000))
        file.addAction(self.publish_on_save.action)
        self.actions_by_name["publish_on_save"] = self.publish_on_save.action
        file.addSeparator()
        a(file, "&Quit", self.close, K.Quit, name="quit")

        edit = bar.addMenu("&Edit")
        a(edit, "&Undo", self.undo, K.Undo, name="undo")
        a(edit, "&Redo", lambda: self._edit_call("redo"), K.Redo, name="redo")
        edit.addSeparator()
        a(edit, "Cu&t", lambda: self._edit_call("cut"), K.Cut)
        a(edit, "&Copy", lambda: self._edit_call("copy"), K.Copy)
        a(edit, "&Paste", lambda: self._edit_call("paste"), K.Paste)
        a(edit, "Select &all", lambda: self._edit_call("selectAll"), K.SelectAll)
        edit.addSeparator()
        a(edit, "&Find…", self.find_bar.show_find, K.Find, name="find")
        a(
            edit,
            "Rep&lace…",
            self.find_bar.show_replace,
            [QKeySequence(K.Replace), "Ctrl+H"],
            name="replace",
        )
        a(edit, "Find &next", self.find_bar.find_next, K.FindNext)
        a(edit, "Find pre&vious", self.find_bar.find_previous, K.FindPrevious)
        edit.addSeparator()
        a(edit, "Pr&eferences…", self.show_preferences, K.Preferences, name="preferences")

        view = bar.addMenu("&View")
        self.preview_action = a(
            view, "&Preview", self.toggle_preview, "Ctrl+Shift+P", checkable=True, name="preview"
        )
        self.preview_action.setChecked(True)
        place_menu = view.addMenu("Preview p&lace")
        self.place_actions: dict[str, QAction] = {}
        places = QActionGroup(self)
        for place, text in (
            ("beside", "&Beside the editor"),
            ("below", "Bel&ow the editor"),
            ("hidden", "&Hidden"),
        ):
            action = a(
                place_menu,
                text,
                lambda _c=False, p=place: self.set_preview_place(p),
                checkable=True,
                name=f"preview_{place}",
            )
            places.addAction(action)
            self.place_actions[place] = action
        self.place_actions["beside"].setChecked(True)
        for dock in self.docks.values():  # the library first, then the panels
            view.addAction(dock.toggleViewAction())
        view.addSeparator()
        self.wrap_action = a(
            view, "Line &wrap", self.editor.set_line_wrap, None, checkable=True, name="wrap"
        )
        self.wrap_action.setChecked(True)
        view.addSeparator()
        a(view, "Focus &search", self.browser.focus_search, ["Ctrl+Shift+F"], name="focus_search")
        a(view, "Focus &editor", self.focus_editor, "Ctrl+E", name="focus_editor")
        a(view, "Focus &headline", self.focus_headline, "Ctrl+L", name="focus_headline")
        view.addSeparator()
        a(view, "&Next pane", lambda: self.cycle_region(1), "F6", name="next_region")
        a(view, "Pre&vious pane", lambda: self.cycle_region(-1), "Shift+F6", name="previous_region")
        for i, (region, title) in enumerate(REGIONS, start=1):
            a(
                view,
                f"Go to {title.lower()} (&{i})",
                lambda _checked=False, r=region: self.regions.go(r),
                f"Ctrl+{i}",
                name=f"go_{region}",
            )

        insert = bar.addMenu("&Insert")
        a(insert, "&Bold", lambda: self.editor.wrap_selection("**", placeholder="bold"), K.Bold)
        a(
            insert,
            "&Italic",
            lambda: self.editor.wrap_selection("_", placeholder="italic"),
            K.Italic,
        )
        a(insert, "&Link", lambda: self.editor.insert_link(), "Ctrl+K", name="link")
        insert.addSeparator()
        a(insert, "Subhead (&2)", lambda: self.editor.prefix_lines("## "), "Ctrl+Alt+2")
        a(insert, "Subhead (&3)", lambda: self.editor.prefix_lines("### "), "Ctrl+Alt+3")
        a(insert, "&Quote", lambda: self.editor.prefix_lines("> "), "Ctrl+Shift+.")
        a(insert, "B&ulleted list", lambda: self.editor.prefix_lines("- "), "Ctrl+Shift+8")
        a(insert, "Section b&reak", lambda: self.editor.insert_markdown("\n\n---\n\n"))

        article = bar.addMenu("&Article")
        a(article, "&History…", self.show_history, "Ctrl+Shift+H", name="history")
        a(article, "&Check (preflight)…", self.run_preflight, "Ctrl+Shift+K", name="preflight")
        a(article, "Publish to &WordPress…", self.show_publish_wordpress, name="publish_wordpress")
        article.addSeparator()
        a(article, "&Reload from library", self.reload_article, name="reload")

        image = bar.addMenu("I&mage")
        a(
            image,
            "Apply &Template…",
            lambda: self._images_panel_do("choose_template"),
            "Ctrl+Shift+T",
            name="apply_template",
        )
        a(image, "T&emplates…", self.show_templates, name="templates")
        a(image, "&Code Replacements…", self.show_codes, name="codes")
        self._build_newsroom(file, article)
        self._build_sync(file)
        from newsdesk.ui.trash import TrashActions

        self.trash = TrashActions(self)
        self.trash.add_to_menus(edit, view)
        from newsdesk.ui.authors import install_authors

        install_authors(self, article)

        help_menu = bar.addMenu("&Help")
        a(help_menu, "&Markdown", self.show_help, K.HelpContents)
        a(help_menu, "&Keyboard shortcuts", self.show_shortcuts, "Ctrl+/", name="shortcuts")
        a(help_menu, "&About newsdesk", self.show_about)

        self.menus = [
            (menu.title(), menu) for menu in (file, edit, view, insert, article, help_menu)
        ]
        # The navigation keys work from every field, even those that claim Ctrl+E for themselves.
        navigation = ("focus_search", "focus_editor", "focus_headline", "next_region")
        navigation += ("previous_region",) + tuple(f"go_{r}" for r, _t in REGIONS)
        keys = [k for n in navigation for k in self.actions_by_name[n].shortcuts()]
        self.window_keys = WindowKeys(self, keys)
        self.window_keys.watch(self)

    def undo(self) -> None:
        """Ctrl+Z: the focused field's own undo; elsewhere (the list), bring back the story
        just moved to the trash."""
        widget = QApplication.focusWidget()
        document = getattr(widget, "document", None)
        available = getattr(widget, "isUndoAvailable", None)
        if callable(document):
            has_undo = document().isUndoAvailable()
        elif callable(available):
            has_undo = available()
        else:
            has_undo = False
        if not has_undo and self.trash.can_undo():
            self.trash.undo()
        else:
            self._edit_call("undo")

    def _edit_call(self, method: str) -> None:
        widget = QApplication.focusWidget()
        fn = getattr(widget, method, None)
        if callable(fn):
            fn()

    # ---- first paint, then the preview -----------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_paint_at = time.perf_counter()
            self.sig_first_paint.emit()
            # QtWebEngine takes a while to start: only once the window is on screen.
            QTimer.singleShot(0, self.create_preview)

    def create_preview(self) -> None:
        """Build the live preview (QtWebEngine starts here, after the first paint)."""
        if self.preview is not None:
            return
        try:
            from newsdesk.ui.preview import PreviewPane

            preview = PreviewPane(self.library, self.preview_holder)
        except Exception as exc:  # a broken preview must never take the editor down with it
            self._preview_placeholder.setText(f"The preview could not start:\n{exc}")
            self._preview_placeholder.setWordWrap(True)
            self.preview_note.setText("No preview: it failed to start (see the preview pane).")
            return
        self.preview = preview
        self._preview_layout.removeWidget(self._preview_placeholder)
        self._preview_placeholder.deleteLater()
        self._preview_layout.addWidget(preview)
        preview.sig_ready.connect(self._on_preview_ready)
        preview.sig_block_clicked.connect(self._on_preview_clicked)
        # Says so when QtWebEngine is missing and a simpler preview is shown.
        self.preview_note.setText(getattr(preview, "status_message", ""))
        if self.article is not None:
            self._show_in_preview()

    def _on_preview_ready(self) -> None:
        self.preview_ready = True
        self.preview_note.setText(getattr(self.preview, "status_message", ""))
        self.sig_preview_ready.emit()

    def _show_in_preview(self) -> None:
        """Full render of the open article as the editor has it now (saved or not)."""
        if self.preview is None or self.article is None:
            return
        self.preview.show_article(self.article)
        if self.autosave.dirty:
            self.preview.update_fields(**self.form.preview_fields())
            self.preview.update_body(self.editor.toPlainText())

    def toggle_preview(self, on: bool | None = None) -> None:
        """Ctrl+Shift+P: hide the preview, or bring it back where it was (beside or below)."""
        visible = self.preview_holder.isHidden() if on is None else bool(on)
        self.preview_place.show_preview(visible)
        self._show_preview_place()

    def set_preview_place(self, place: str) -> None:
        """View > Preview place: beside the editor, below it, or hidden."""
        self.preview_place.set_place(place)
        self._show_preview_place()

    def _show_preview_place(self) -> None:
        place = self.preview_place.place
        self.preview_action.setChecked(place != "hidden")
        self.place_actions[place].setChecked(True)

    def _editor_readable_width(self, editor_pane: QWidget) -> int:
        """The narrowest the editor pane may be with the preview beside it: its fields fit and
        the body keeps a readable measure too."""
        body = self.editor.fontMetrics().horizontalAdvance(PROSE[:45]) + 40
        return max(editor_pane.minimumSizeHint().width(), body)

    # ---- opening articles --------------------------------------------------------
    def open_initial(self) -> None:
        """The article open when the window last closed, or the newest one."""
        uid = self._last_article_uid()
        article = self.library.find_article(str(uid)) if uid else None
        if article is None or article.deleted_at is not None:  # never reopen the trash
            newest = self.library.list_articles(limit=1)
            article = self.library.find_article(newest[0].id) if newest else None
        if article is not None:
            self.open_article(article.id)

    def open_article(self, article_id: int) -> bool:
        """Save the open article, then load this one into the form, editor and preview."""
        if self.article is not None and self.article.id == article_id:
            return True
        if not self._leave_current():
            return False
        try:
            article = self.library.get_article(article_id)
        except NotFound as exc:
            self.statusBar().showMessage(str(exc), 5000)
            self.browser.refresh()
            return False
        self._set_article(article)
        self.browser.select_article(article.id)
        return True

    def _leave_current(self) -> bool:
        """Save the article being left; a conflict keeps the user on it until they choose."""
        if self.article is None:
            return True
        try:
            saved = self.autosave.flush()
        except NotFound:
            return True  # deleted elsewhere: nothing left to save it into
        except LibraryError as exc:
            self.statusBar().showMessage(f"Could not save this article: {exc}", 8000)
            return False
        if not saved and self.autosave.conflicted:
            self.statusBar().showMessage(
                "Choose what to keep for this article before opening another.", 5000
            )
            return False
        return True

    def _set_article(self, article: Article | None) -> None:
        self.pending_new = False
        self._loading = True
        try:
            self.article = article
            self.form.load(article)
            self.editor.set_text(article.body if article else "")
            self.editor.setEnabled(article is not None)
            self.editor.setReadOnly(self.read_only)
            self.form.setEnabled(not self.read_only)
        finally:
            self._loading = False
        self.autosave.attach(article)
        if article is not None:
            self.spell.set_language(article.language or self.library.publication().language)
        self.find_bar.hide()
        for name in ("save", "history", "preflight", "reload"):
            self.actions_by_name[name].setEnabled(article is not None)
        for name in ("new", "import_images", "save", "replace"):
            if self.read_only and name in self.actions_by_name:
                self.actions_by_name[name].setEnabled(False)
        if article is not None:
            self._remember_last_article(article.uid)
            self._show_in_preview()
        self._update_title()
        self._update_stats()
        for panel in self.panels.values():
            self._panel_call(panel, article)
        self.load_notes()
        self.sig_article_opened.emit(article)

    def close_article(self) -> None:
        """Nothing open (the story went to the trash); the caller saved it first."""
        self._set_article(None)
        self.browser.clear_selection()
        if self.preview is not None:
            self.preview.clear()
        self._remember_last_article("")  # next start opens the newest story instead

    def _open_from_list(self, article_id: int) -> None:
        """Return in the list: open the article and start writing in its body."""
        if self.open_article(article_id):
            self.focus_editor()

    def _on_browser_pick(self, article_id: int) -> None:
        if not self.open_article(article_id) and self.article is not None:
            self.browser.select_article(self.article.id)

    def new_article(self) -> None:
        """Ctrl+N: an empty story with the cursor in its headline, saved once something is typed."""
        self.begin_new_article()

    def focus_headline(self) -> None:
        self.form.headline.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.form.headline.selectAll()

    def focus_editor(self) -> None:
        self.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # ---- keyboard: regions (F6, Ctrl+1…5) --------------------------------------------
    def _build_regions(self) -> RegionCycler:
        def panel(name: str) -> tuple[QWidget | None, QWidget | None]:
            dock = self.docks.get(name)
            if dock is None or dock.widget() is None:
                return None, None
            return dock, first_focusable(dock.widget())

        return RegionCycler(
            {
                "list": lambda: (self.library_dock, self.browser.view),
                "form": lambda: (self.form, self.form.headline),
                "body": lambda: (self.editor, self.editor),
                "images": lambda: panel("images"),
                "related": lambda: panel("related"),
            },
            reveal=self._reveal_region,
        )

    def _reveal_region(self, name: str) -> None:
        """Show the dock (or tab) a region lives in, so a jump never lands on a hidden widget."""
        dock = self.library_dock if name == "list" else self.docks.get(name)
        if dock is not None:
            dock.show()
            dock.raise_()

    def cycle_region(self, step: int) -> None:
        """F6 / Shift+F6: list → fields → body → images → related, and round again."""
        self.regions.cycle(QApplication.focusWidget(), step)

    def show_shortcuts(self) -> None:
        """Help > Keyboard Shortcuts: read from the menus' actions, so it is never out of date."""
        rows = shortcut_rows((title, menu.actions()) for title, menu in self.menus)
        rows += [
            ("List", "Open the selected article", "Return"),
            ("List", "Move between articles", "Up, Down"),
            ("Any field", "Next or previous field", "Tab, Shift+Tab"),
        ]
        self.shortcuts_dialog = ShortcutsDialog(rows, self)
        self.shortcuts_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shortcuts_dialog.open()

    def reload_article(self) -> None:
        """Re-read the open article (a panel changed its figures or related stories)."""
        if self.article is None:
            return
        if not self.autosave.flush():
            return
        article = self.library.get_article(self.article.id)
        self.article = article
        self.autosave.adopt(article)
        self._show_in_preview()

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
        if self.notes:
            self.show_notes()  # the notes' passages move with the text
        self.autosave.mark_dirty()
        text = self.editor.toPlainText()
        if self.preview is not None:
            self.preview.update_body(text)
        for panel in self.panels.values():
            body_changed = getattr(panel, "body_changed", None)
            if callable(body_changed):
                body_changed(text)  # panels debounce; the related picker waits for real change
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

    def _show_save_state(self, state: str) -> None:
        text = {
            "saved": "All changes saved",
            "saving": "Saving…",
            "unsaved": "Editing…",
            "conflict": "Changed elsewhere: not saving",
            "error": "Not saved yet (retrying)",
        }.get(state, state)
        self.save_label.setText(text if self.article is not None else "")
        self.setWindowModified(state in ("unsaved", "saving", "conflict", "error"))

    def _update_title(self) -> None:
        headline = self.form.headline.text().strip() if self.article else ""
        self.setWindowTitle(
            f"{headline or 'Untitled'}[*] — newsdesk" if self.article else "newsdesk"
        )

    def _update_stats(self) -> None:
        """Count the open article's words and characters on a worker; the label follows."""
        self._stats_generation += 1
        if self.article is None:
            self.stats_label.setText("")
            return
        if self._stats_running:
            self._stats_again = True  # one count at a time; the newest text is counted next
            return
        self._stats_running = True
        text, generation = self.editor.toPlainText(), self._stats_generation

        tally = self._word_tally

        def count() -> tuple[int, int]:
            # Only the paragraphs that changed since the last count are counted again.
            return tally.count(text), char_count(text)

        run_task(
            count,
            on_done=lambda counts: self._show_stats(generation, counts),
            on_error=lambda _exc: self._show_stats(generation, None),
        )

    def _show_stats(self, generation: int, counts: tuple[int, int] | None) -> None:
        self._stats_running = False
        if self._stats_again:
            self._stats_again = False
            self._update_stats()  # the text changed while counting: that count is stale
            return
        if counts is None or generation != self._stats_generation or self.article is None:
            return
        words, chars = counts
        self.stats_label.setText(
            f"{words:,} word{'s' if words != 1 else ''} · "
            f"{chars:,} character{'s' if chars != 1 else ''} · {reading_time(words)}"
        )

    # ---- scroll sync -------------------------------------------------------------------
    def _on_cursor_line(self, _line: int) -> None:
        if self._ignore_cursor_sync:
            return
        self._sync_from_cursor = True
        self._sync_timer.start()

    def _on_editor_scrolled(self, _value: int) -> None:
        if not self._sync_timer.isActive():
            self._sync_from_cursor = False
        self._sync_timer.start()

    def _sync_preview_scroll(self) -> None:
        if self.preview is None or self.article is None:
            return
        line = (
            self.editor.current_line()
            if self._sync_from_cursor
            else self.editor.first_visible_line()
        )
        self.preview.scroll_to_line(line)

    def _on_preview_clicked(self, line: int) -> None:
        self._ignore_cursor_sync = True
        try:
            self.editor.go_to_line(line)
        finally:
            self._ignore_cursor_sync = False
        self.editor.setFocus(Qt.FocusReason.MouseFocusReason)

    # ---- panels ----------------------------------------------------------------------
    def install_panel(self, name: str, widget: QWidget, title: str) -> None:
        """Put a panel (images, related stories, …) in its dock and keep it on the open article."""
        dock = self.docks.get(name)
        if dock is None:
            dock = self._make_dock(name, title, widget)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        else:
            old = dock.widget()
            dock.setWidget(widget)
            dock.setWindowTitle(title)
            if old is not None and old is not widget:
                old.deleteLater()
            widget.setVisible(self._dock_visible.get(dock.objectName(), True))
        self.panels[name] = widget
        # The image panel's captions (this story's and the default) are checked too.
        image_form = getattr(widget, "form", None)
        for field in (
            getattr(image_form, "story_caption", None),
            getattr(image_form, "editors", {}).get("caption"),
        ):
            if field is not None and not field.property("spell_checked"):
                attach_spelling(field, self.spell)
        self.window_keys.watch(widget)
        ops = getattr(widget, "ops", None)
        if isinstance(ops, Operations) and ops is not self.ops:
            # A panel made with a writer of its own: its changes redraw the window too.
            ops.sig_library_changed.connect(self._on_library_changed)
        edited = getattr(widget, "sig_article_edited", None)
        if edited is not None:
            edited.connect(self.reload_article)
        insert = getattr(widget, "sig_insert_markdown", None)
        if insert is not None:
            insert.connect(self.editor.insert_markdown)
        into_body = getattr(widget, "import_into_body", None)
        if into_body is not None:
            self.editor.sig_pictures_pasted.connect(into_body)
        self._panel_call(widget, self.article)

    @staticmethod
    def _panel_call(panel: QWidget, article: Article | None) -> None:
        set_article = getattr(panel, "set_article", None)
        if callable(set_article):
            set_article(article)

    # ---- history ---------------------------------------------------------------------
    def show_history(self) -> None:
        if self.article is None:
            return
        self.autosave.flush()  # the diff and a restore start from what the editor shows
        dialog = HistoryDialog(
            self.library,
            self.article.id,
            headline=self.form.headline.text(),
            dek=self.form.dek.text(),
            body=self.editor.toPlainText(),
            parent=self,
            ops=self.ops,
        )
        dialog.sig_restored.connect(self.apply_restored)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.history_dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "history_dialog", None))
        dialog.open()

    def apply_restored(self, article: Article) -> None:
        """Show a restored revision; Ctrl+Z in the editor still brings the replaced text back."""
        self._replace_with(article)
        self.statusBar().showMessage(
            "Revision restored; the replaced text is kept in History.", 5000
        )

    def _replace_with(self, article: Article) -> None:
        """Show the library's copy of the open article, keeping the editor's undo history."""
        self._loading = True
        try:
            self.form.load(article)
            # Only what differs is replaced (one undo step), so the cursor stays where it was.
            apply_text(self.editor, article.body)
        finally:
            self._loading = False
        self.article = article
        self.autosave.adopt(article)
        self.browser.model.patch(article.id, headline=article.headline, status=article.status)
        self._update_title()
        self._update_stats()
        if self.preview is not None:
            self.preview.show_article(article)

    # ---- two windows on one library ------------------------------------------------------
    def _on_conflict(self, article_id: int) -> None:
        if self.article is None or article_id != self.article.id or self.conflict_box is not None:
            return
        theirs = self.library.find_article(article_id)
        if theirs is not None and self.merge_into_editor(theirs):
            # Saved elsewhere (a sync, another window), but not what was typed here: both kept.
            self.statusBar().showMessage(self._pulled_words(), 5000)
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Article changed elsewhere")
        box.setText(
            "A sync brought changes to what you are editing in this article."
            if self._pulled_by_sync
            else "Another window saved this article after you opened it."
        )
        box.setInformativeText(
            "Autosave has stopped for it until you choose. Your text is still in the editor."
        )
        self.keep_mine_button = box.addButton("Keep mine", QMessageBox.ButtonRole.AcceptRole)
        self.load_theirs_button = box.addButton(
            "Load theirs", QMessageBox.ButtonRole.DestructiveRole
        )
        self.save_copy_button = box.addButton(
            "Save mine as a copy", QMessageBox.ButtonRole.ActionRole
        )
        box.setDefaultButton(self.save_copy_button)
        box.buttonClicked.connect(self._conflict_chosen)
        self.conflict_box = box
        # It appears while the user types: a typed space must not choose for them.
        self.conflict_guard = guard_against_typing(box)
        box.open()

    def _conflict_chosen(self, button: QPushButton) -> None:
        self.conflict_box = None
        if button is self.keep_mine_button:
            self.keep_mine()
        elif button is self.load_theirs_button:
            self.load_theirs()
        else:
            self.save_mine_as_copy()

    def keep_mine(self) -> None:
        if self.autosave.keep_mine():
            self.statusBar().showMessage("Your version was saved over the other window's.", 5000)

    def load_theirs(self) -> None:
        """Show the other window's save; Ctrl+Z brings this window's text back."""
        if self.article is None:
            return
        self._replace_with(self.library.get_article(self.article.id))

    def save_mine_as_copy(self) -> Article | None:
        """Keep both: this window's text becomes a new article; the original stays as saved."""
        if self.article is None:
            return None
        values = self._snapshot()
        values.pop("slug", None)
        tags = values.pop("tags", [])
        values["headline"] = f"{values['headline']} (copy)".strip()
        # Waits for the writer: this runs on close too, when nothing may be lost.
        copy = self.ops.call(lambda library: library.create_article(tags=tags, **values))
        self.autosave.attach(None)  # leave the original as the other window saved it
        self.article = None
        self.browser.refresh()
        self.open_article(copy.id)
        self.statusBar().showMessage(f"Your version was saved as {copy.headline!r}.", 5000)
        return copy

    # ---- other commands ------------------------------------------------------------------
    def run_preflight(self) -> None:
        if self.article is None:
            return
        try:
            from newsdesk.preflight import preflight
        except ImportError:
            QMessageBox.information(self, "Check", "Preflight checks are not available yet.")
            return
        self.autosave.flush()
        article = self.library.get_article(self.article.id)
        problems = list(preflight(self.library, article))
        errors = [p for p in problems if p.is_error]
        warnings = "".join(f"<li>{html.escape(str(p))}</li>" for p in problems if not p.is_error)
        worth = f"<p>Worth a look:</p><ul>{warnings}</ul>" if warnings else ""
        if not problems:
            QMessageBox.information(self, "Check", "Ready to publish: every check passed.")
        elif not errors:
            QMessageBox.information(self, "Check", f"<p>Ready to publish.</p>{worth}")
        else:
            items = "".join(f"<li>{html.escape(str(p))}</li>" for p in errors)
            QMessageBox.warning(
                self, "Check", f"<p>Not ready to publish yet:</p><ul>{items}</ul>{worth}"
            )

    def show_help(self) -> None:
        QMessageBox.information(
            self,
            "Markdown",
            "<p><b>## Subhead</b>, <b>**bold**</b>, <i>_italic_</i>, "
            "<code>[link text](https://…)</code>, <code>&gt; quote</code>, "
            "<code>- list item</code>, <code>![alt](image:…)</code>.</p>"
            "<p>Ctrl+N new article · Ctrl+S save and record a revision · Ctrl+F find · "
            "Ctrl+H replace · Ctrl+Shift+F search the library · Ctrl+Shift+P preview · "
            "Ctrl+L headline · Ctrl+E body · Ctrl+K link. Paste a link over selected "
            "words to make them a link.</p><p>F6 moves between the list, the fields, the body "
            "and the panels. Every shortcut: Help &gt; Keyboard shortcuts (Ctrl+/).</p>",
        )

    def show_about(self) -> None:
        from newsdesk.ui.about import AboutDialog

        AboutDialog(self.library, self).exec()

    def show_preferences(self) -> None:
        from newsdesk.ui.preferences import show_preferences

        show_preferences(self)

    def show_export(self) -> None:
        """File > Export…: the open article or the whole site, in the background."""
        from newsdesk.ui.export_dialog import show_export

        self.save_everything()
        self.export_dialog = show_export(self)

    def show_publish_wordpress(self) -> None:
        """Article > Publish to WordPress…: the open story into the newsroom's WordPress."""
        from newsdesk.ui.wordpress_dialog import show_publish_wordpress

        self.wordpress_dialog = show_publish_wordpress(self)

    def import_images(self) -> None:
        """File > Import Images…: the image panel's file chooser (it imports in the background)."""
        panel = self.panels.get("images")
        choose = getattr(panel, "choose_files", None)
        if callable(choose):
            self.docks["images"].show()
            self.docks["images"].raise_()
            choose()

    def _images_panel_do(self, method: str) -> None:
        fn = getattr(self.panels.get("images"), method, None)
        if callable(fn):
            self.docks["images"].show()
            fn()

    def show_templates(self) -> None:
        """Image > Templates…: the photo desk's named sets of fields."""
        from newsdesk.ui.photodesk_dialogs import TemplatesDialog

        self.templates_dialog = TemplatesDialog(self.library, self.ops, self)
        self.templates_dialog.show()

    def show_codes(self) -> None:
        """Image > Code Replacements…: the newsroom's =code= table."""
        from newsdesk.ui.photodesk_dialogs import CodesDialog

        self.codes_dialog = CodesDialog(self.library, self.ops, self)
        self.codes_dialog.show()

    def install_standard_panels(self) -> None:
        """The photo desk's image panel and the related-stories picker, in their docks."""
        if "images" in self.panels:
            return
        from newsdesk.ui.images_panel import ImagesPanel
        from newsdesk.ui.related_picker import RelatedPicker

        self.install_panel(
            "images", ImagesPanel(self.library, ops=self.ops, codes=self.codes), "Images"
        )
        self.install_panel("related", RelatedPicker(self.library, ops=self.ops), "Related stories")

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
        for panel in self.panels.values():
            flush = getattr(panel, "flush", None)
            if callable(flush):
                flush()  # a caption typed in the last moment reaches the library too
        if self.article is None:
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
        self.save_layout()
        self.sync.stop()
        self.presence.stop()
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
        if not ours and self.article is not None:
            if changes.touches_article(self.article.id, self.article.uid):
                self._check_changed_elsewhere(any_change=True)
            elif changes.publication:
                self._show_in_preview()
        if self.article is not None and (
            (ours and self.article.id in changes.figures_of)
            or changes.images & {f.image_id for f in self.article.figures}
        ):
            self._refresh_figures()
        for panel in self.panels.values():
            changed = getattr(panel, "library_changed", None)
            if callable(changed):
                changed(changes, initiator)

    def _refresh_figures(self) -> None:
        """The open article's figures or their pictures changed: read them on a worker, patch the preview."""
        assert self.article is not None
        self._figures_generation += 1
        library, article_id, generation = self.library, self.article.id, self._figures_generation

        def apply(article: Article | None) -> None:
            if (
                article is None
                or self.article is None
                or article.id != self.article.id
                or generation != self._figures_generation
            ):
                return
            # Figures carry no text version: the editor's text and autosave are untouched
            # (a save that landed meanwhile holds the newer text and the same figures).
            if article.version >= self.article.version:
                self.article = article
            if self.preview is not None:
                self.preview.update_figures(article)

        run_task(lambda: library.find_article(article_id), on_done=apply)

    def _check_changed_elsewhere(self, *, any_change: bool = False) -> None:
        """Pick up another window's or process's save of the open article if nothing here is unsaved.

        With any_change, a change that left the text's version alone (figures,
        related stories) is shown too.
        """
        if self.article is None or self.autosave.busy or self.autosave.conflicted:
            return  # a save in flight meets the change itself (see _on_conflict)
        library, article_id, version = self.library, self.article.id, self.autosave.version

        def newer() -> Article | None:
            article = library.find_article(article_id)
            if article is None or (article.version == version and not any_change):
                return None
            return article

        def apply(article: Article | None) -> None:
            if (
                article is None
                or self.article is None
                or article.id != self.article.id
                or self.autosave.version != version
                or self.autosave.busy
                or self.autosave.conflicted
            ):
                return
            if not self.autosave.dirty:
                self._replace_with(article)
            elif article.version == version or not self.merge_into_editor(article):
                return  # the same field typed here: the next save says it is a conflict
            self.statusBar().showMessage(self._pulled_words(), 5000)

        run_task(newer, on_done=apply)

    def _pulled_words(self) -> str:
        if self._pulled_by_sync:
            return "Updated with changes from the shared library; your edits are kept."
        return "Updated with changes saved in another window."


def _first_size(width: int, height: int) -> QSize:
    """The first-run window size, never larger than the screen's free area (a 1366×768 laptop)."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return QSize(width, height)
    free = screen.availableGeometry()
    return QSize(min(width, free.width()), min(height, free.height()))


def prepare_preview_surface(holder: QWidget) -> QWidget | None:
    """Make the window's first frame the kind of surface the web preview will need.

    QtWebEngine draws through the GPU (Qt's RHI). Added to a window that was
    first shown as a plain raster window, it makes Qt destroy the top-level window
    and create it again: it flickers, loses the keyboard focus and its place, and
    keys typed meanwhile are lost. A hidden RHI widget present before the first
    show makes Qt create the window GPU-backed from the start, so the preview,
    arriving later, fits the window it finds. Only on a real display: offscreen
    (tests, screenshots) has no GPU surface and never re-creates windows.
    """
    import sys

    app = QApplication.instance()
    platform = app.platformName() if isinstance(app, QApplication) else ""
    if platform in ("offscreen", "minimal", "vnc", "") or (
        "PySide6.QtWebEngineWidgets" not in sys.modules
    ):
        return None
    try:
        from PySide6.QtWidgets import QRhiWidget
    except ImportError:  # Qt before 6.7: the window is re-created once, as before
        return None
    keeper = QRhiWidget(holder)
    keeper.setObjectName("preview-surface")
    keeper.setFixedSize(1, 1)
    keeper.hide()
    return keeper


def first_focusable(container: QWidget) -> QWidget | None:
    """The first widget inside `container` that Tab would stop at now."""
    widget = container.nextInFocusChain()
    seen = 0
    while widget is not None and widget is not container and seen < 2000:
        seen += 1
        if (
            container.isAncestorOf(widget)
            and widget.isVisible()
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            return widget
        widget = widget.nextInFocusChain()
    return None
