"""The main window's menus and actions: the menu bar, its QActions with each platform's
shortcuts, the keyboard regions (F6, Ctrl+1…5), and the commands that open dialogs."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QMessageBox, QWidget

from newsdesk.library import Article, Library
from newsdesk.ui.article_form import ArticleForm
from newsdesk.ui.autosave import Autosaver
from newsdesk.ui.browser import LibraryBrowser
from newsdesk.ui.editor import FindBar, MarkdownEditor
from newsdesk.ui.keyboard import REGIONS, RegionCycler, ShortcutsDialog, WindowKeys, shortcut_rows
from newsdesk.ui.ops import Operations, failure_message
from newsdesk.ui.panels import Panel, first_focusable, name_dock_toggle
from newsdesk.ui.workers import run_task

if TYPE_CHECKING:
    from newsdesk.ui.images_panel import ImagesPanel


class WindowActions:
    """The menu bar and what its actions do (a mixin for MainWindow, which holds what is declared here)."""

    library: Library
    ops: Operations
    article: Article | None
    form: ArticleForm
    editor: MarkdownEditor
    find_bar: FindBar
    autosave: Autosaver
    browser: LibraryBrowser
    library_dock: QDockWidget
    docks: dict[str, QDockWidget]
    panels: dict[str, Panel]

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
                # A standard key this platform leaves unbound (Replace on Linux) is dropped,
                # so the menu shows the first key that works.
                keys = [QKeySequence(s) for s in shortcut]
                kept = [k for k in keys if not k.isEmpty()]
                # …and one bound twice (Preferences is Ctrl+, on macOS anyway) is listed once.
                action.setShortcuts([k for i, k in enumerate(kept) if k not in kept[:i]])
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
        # Qt binds Preferences only on macOS; elsewhere Ctrl+, is what other editors use.
        a(
            edit,
            "Pr&eferences…",
            self.show_preferences,
            [QKeySequence(K.Preferences), "Ctrl+,"],
            name="preferences",
        )

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
        for name, dock in self.docks.items():  # the library first, then the panels
            name_dock_toggle(name, dock)
            view.addAction(dock.toggleViewAction())
        after_docks = view.addSeparator()
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
            self.apply_template,
            "Ctrl+Shift+T",
            name="apply_template",
        )
        a(image, "T&emplates…", self.show_templates, name="templates")
        a(image, "&Code Replacements…", self.show_codes, name="codes")
        self._build_newsroom(file, article)
        # Docks made after the View menu (Notes) are listed with the others: closed, a panel
        # could otherwise never be opened again.
        listed = set(view.actions())
        for name, dock in self.docks.items():
            if dock.toggleViewAction() not in listed:
                name_dock_toggle(name, dock)
                view.insertAction(after_docks, dock.toggleViewAction())
        self._build_sync(file)
        from newsdesk.ui.trash import TrashActions

        self.trash = TrashActions(self)
        self.trash.add_to_menus(edit, view)
        from newsdesk.ui.story_selection import SelectionActions

        self.selection = SelectionActions(self)
        self.selection.add_to_menus(file, edit)
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

    # ---- other commands ------------------------------------------------------------------
    def run_preflight(self) -> None:
        """Article > Check: the open story's preflight, run on a worker, then what it found."""
        if self.article is None:
            return
        from newsdesk.preflight import preflight

        self.autosave.flush()  # the checks see what the editor shows
        library, article_id = self.library, self.article.id

        def check() -> list:
            return list(preflight(library, library.get_article(article_id)))

        def show(problems: list) -> None:
            if self.article is not None and self.article.id == article_id:
                self._show_preflight(problems)

        def failed(exc: BaseException) -> None:
            message = f"The checks could not run: {failure_message(exc)}"
            self.statusBar().showMessage(message, 8000)

        run_task(check, on_done=show, on_error=failed)

    def _show_preflight(self, problems: list) -> None:
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
        panel = self._images_panel()
        if panel is not None:
            self.docks["images"].raise_()
            panel.choose_files()

    def apply_template(self) -> None:
        """Image > Apply Template…: the image panel's template chooser."""
        panel = self._images_panel()
        if panel is not None:
            panel.choose_template()

    def _images_panel(self) -> ImagesPanel | None:
        """The image panel in its dock, shown; None until it is installed (after the first paint)."""
        from newsdesk.ui.images_panel import ImagesPanel

        panel = self.panels.get("images")
        if not isinstance(panel, ImagesPanel):
            return None
        self.docks["images"].show()
        return panel

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
