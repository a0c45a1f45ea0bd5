"""The main window's docks and the panels in them: the one protocol every panel implements.

A panel (the image panel, the related-stories picker, a stand-in in a test)
lives in a dock on the right and follows the open article. The window speaks
to it only through `Panel`; it never asks a panel what it happens to offer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QWidget

from newsdesk.library import Article, Library
from newsdesk.library.changes import Changes
from newsdesk.ui.ops import Operations

if TYPE_CHECKING:
    from newsdesk.ui.codes import CodeExpander
    from newsdesk.ui.editor import MarkdownEditor
    from newsdesk.ui.keyboard import WindowKeys
    from newsdesk.ui.spell import SpellService

PANELS = (("images", "Images"), ("related", "Related stories"))
"""The standard panels' dock names and titles, in their tab order."""

# How View lists each dock, with an Alt-letter of its own in that menu (Preview p&lace has l,
# Preview p, so the library takes b).
DOCK_MENU_TEXT = {
    "library": "Li&brary",
    "images": "&Images",
    "related": "&Related stories",
    "notes": "N&otes",
}


def name_dock_toggle(name: str, dock: QDockWidget) -> None:
    """Give the dock's View-menu toggle its Alt-letter, and again whenever its title changes
    (Qt resets the toggle's text to the plain title)."""
    text = DOCK_MENU_TEXT.get(name)
    if text is None:
        return
    action = dock.toggleViewAction()
    action.setText(text)
    dock.windowTitleChanged.connect(lambda _title, a=action, t=text: a.setText(t))


@runtime_checkable
class Panel(Protocol):
    """What the main window asks of a panel in one of its docks.

    `ops` is the writer the panel's changes go through (the window's, or one of
    the panel's own, whose changes then redraw the window too). Every method is
    called on the GUI thread and must return at once: reads and writes go to
    workers and to `ops`.
    """

    ops: Operations

    def attach(self, editor: MarkdownEditor, spell: SpellService) -> None:
        """Plug into the window once: Markdown into the body, pictures pasted, fields spell-checked."""

    def set_article(self, article: Article | None) -> None:
        """Follow this article (None: nothing is open)."""

    def body_changed(self, text: str) -> None:
        """The open article's body is now this text (called on every keystroke: debounce)."""

    def library_changed(self, changes: Changes, initiator: object) -> None:
        """These changes were committed (by `initiator`; None: another process or library)."""

    def flush(self) -> bool:
        """Save what is pending and wait for it (closing, switching libraries)."""


class PanelHost:
    """The main window's side of the docks: the library dock, the panels' docks, installing panels.

    A mixin for MainWindow, a QMainWindow that holds what is declared here.
    """

    library: Library
    ops: Operations
    codes: CodeExpander
    editor: MarkdownEditor
    spell: SpellService
    window_keys: WindowKeys
    article: Article | None
    docks: dict[str, QDockWidget]
    panels: dict[str, Panel]
    _dock_visible: dict[str, bool]
    _on_library_changed: Callable[[Changes, object], None]

    def _make_panel_docks(self) -> None:
        """Placeholder docks for the standard panels, tabbed on the right (filled after first paint)."""
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

    def install_panel(self, name: str, widget: Panel, title: str) -> None:
        """Put a panel (images, related stories, …) in its dock and keep it on the open article."""
        if not isinstance(widget, Panel) or not isinstance(widget, QWidget):
            raise TypeError(f"The {title} panel must be a widget implementing Panel.")
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
        widget.attach(self.editor, self.spell)
        self.window_keys.watch(widget)
        if widget.ops is not self.ops:
            # A panel made with a writer of its own: its changes redraw the window too.
            widget.ops.sig_library_changed.connect(self._on_library_changed)
        widget.set_article(self.article)

    def install_standard_panels(self) -> None:
        """The photo desk's image panel and the related-stories picker, in their docks."""
        if "images" in self.panels:
            return
        from newsdesk.ui.images_panel import ImagesPanel
        from newsdesk.ui.related_picker import RelatedPicker

        library, ops = self.library, self.ops
        self.install_panel("images", ImagesPanel(library, ops=ops, codes=self.codes), "Images")
        self.install_panel("related", RelatedPicker(library, ops=ops), "Related stories")

    def panels_follow(self, article: Article | None) -> None:
        """Every panel follows the article now open (None: nothing is)."""
        for panel in self.panels.values():
            panel.set_article(article)

    def flush_panels(self) -> None:
        """A caption typed in the last moment reaches the library too."""
        for panel in self.panels.values():
            panel.flush()


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
