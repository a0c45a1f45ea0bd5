"""The window by keyboard alone: menus own Alt+letter, Ctrl+E reaches the body, F6 walks the panes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMenu, QWidget

from tests.ui.conftest import bulk_articles

CTRL = Qt.KeyboardModifier.ControlModifier


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def inside(widget: QWidget | None, container: QWidget) -> bool:
    while widget is not None:
        if widget is container:
            return True
        widget = widget.parentWidget()
    return False


def mnemonic(text: str) -> str | None:
    """The letter after a single '&' ('&&' is a literal ampersand)."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] == "&":
                i += 2
                continue
            return text[i + 1].lower()
        i += 1
    return None


def visible_mnemonics(window) -> list[tuple[str, str]]:
    """(letter, where) for the menu bar's menus and every visible label, button and box."""
    found = []
    for action in window.menuBar().actions():
        letter = mnemonic(action.text())
        if letter:
            found.append((letter, f"menu {action.text()!r}"))
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or isinstance(widget, QMenu):
            continue
        if (
            isinstance(widget, QLabel)
            and widget.buddy() is not None
            or isinstance(widget, QAbstractButton)
        ):
            letter = mnemonic(widget.text())
        else:
            continue
        if letter:
            found.append((letter, f"{type(widget).__name__} {widget.text()!r}"))
    return found


def assert_unique(found: list[tuple[str, str]]) -> None:
    by_letter: dict[str, list[str]] = {}
    for letter, where in found:
        by_letter.setdefault(letter, []).append(where)
    shared = {k: v for k, v in by_letter.items() if len(v) > 1}
    assert not shared, f"mnemonics used twice: {shared}"


def shown_with_panels(make_window):
    window = make_window()
    window.install_standard_panels()
    window.activateWindow()
    return window


def test_no_two_visible_labels_or_menus_share_an_alt_letter(qtbot, make_window, sample_article):
    window = shown_with_panels(make_window)
    window.find_bar.show_replace()  # the find bar's options are on screen too
    for panel in ("images", "related"):  # they share a dock tab: one is seen at a time
        window.docks[panel].raise_()
        qtbot.waitUntil(lambda p=panel: window.panels[p].isVisible())
        found = visible_mnemonics(window)
        assert len(found) > 15  # the form, the panel and the menus were all collected
        assert_unique(found)
    # Inside each menu too, every item has its own letter.
    for _title, menu in window.menus:
        assert_unique(
            [(mnemonic(a.text()), a.text()) for a in menu.actions() if mnemonic(a.text())]
        )


def test_alt_e_h_and_i_open_the_edit_help_and_insert_menus(qtbot, make_window, sample_article):
    window = shown_with_panels(make_window)
    qtbot.waitUntil(window.isActiveWindow)
    letters = {"&Edit": "e", "&Help": "h", "&Insert": "i"}
    for title, menu in window.menus:
        if title not in letters:
            continue
        window.form.dek.setFocus()
        qtbot.waitUntil(window.form.dek.hasFocus)
        key = getattr(Qt.Key, f"Key_{letters[title].upper()}")
        QTest.keyClick(window.form.dek, key, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(menu.isVisible)
        assert inside(focused(), window.form) is False or menu.isVisible()
        menu.hide()
        window.menuBar().setActiveAction(None)


def test_ctrl_e_from_the_headline_reaches_the_body(qtbot, make_window, sample_article):
    window = shown_with_panels(make_window)
    qtbot.waitUntil(window.isActiveWindow)
    for field in (window.form.headline, window.form.dek, window.form.slug, window.browser.search):
        field.setFocus()
        qtbot.waitUntil(field.hasFocus)
        QTest.keyClick(field, Qt.Key.Key_E, CTRL)
        assert window.editor.hasFocus(), f"Ctrl+E stayed in {field.accessibleName()}"


def test_tab_leaves_the_list_without_opening_other_articles(qtbot, make_window, library):
    bulk_articles(library, 5)
    window = make_window()
    qtbot.waitUntil(lambda: window.browser.model.rowCount() == 5)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    opened = window.article.id
    view = window.browser.view
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert not view.hasFocus() and window.form.headline.hasFocus()
    assert window.article.id == opened  # Tab did not move through the rows

    # Arrows move in the list; Return opens the article and starts in its body.
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Down)
    row = view.currentIndex().row()
    wanted = window.browser.model.rows[row].id
    QTest.keyClick(view, Qt.Key.Key_Return)
    assert window.editor.hasFocus()  # at once: what is typed waits for the story (read on a worker)
    qtbot.waitUntil(lambda: window.article.id == wanted, timeout=10_000)
    assert window.editor.hasFocus()


def test_f6_cycles_list_fields_body_images_related_and_ctrl_digits_jump(
    qtbot, make_window, sample_article
):
    window = shown_with_panels(make_window)
    qtbot.waitUntil(window.isActiveWindow)
    regions = [
        window.library_dock,
        window.form,
        window.editor,
        window.docks["images"],
        window.docks["related"],
    ]
    window.browser.view.setFocus()
    qtbot.waitUntil(window.browser.view.hasFocus)
    for expected in regions[1:] + regions[:1]:
        QTest.keyClick(focused(), Qt.Key.Key_F6)
        assert inside(focused(), expected), f"F6 went to {focused()!r}"
    for expected in reversed(regions):
        QTest.keyClick(focused(), Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
        assert inside(focused(), expected), f"Shift+F6 went to {focused()!r}"
    # Ctrl+1…5, from inside a field that claims Ctrl+letters for itself.
    window.form.headline.setFocus()
    for number, expected in enumerate(regions, start=1):
        QTest.keyClick(focused(), getattr(Qt.Key, f"Key_{number}"), CTRL)
        assert inside(focused(), expected), f"Ctrl+{number} went to {focused()!r}"


def where(widget: QWidget | None) -> str:
    path = []
    while widget is not None:
        path.append(widget.objectName() or type(widget).__name__)
        widget = widget.parentWidget()
    return "/".join(reversed(path))


def _tab_stops(panel: QWidget) -> set[QWidget]:
    return {
        w
        for w in panel.findChildren(QWidget)
        if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
    }


def test_the_whole_window_can_be_walked_without_a_mouse(
    qtbot, make_window, sample_article, tmp_path
):
    from tests.ui.test_images_panel import import_and_wait, photo

    window = shown_with_panels(make_window)
    qtbot.waitUntil(window.isActiveWindow)
    panel = window.panels["images"]
    import_and_wait(qtbot, panel, [photo(tmp_path / "in", "harbour.jpg")])
    panel.add_to_article()  # a figure of the story: its caption and alt boxes are shown too
    window.browser.view.setFocus()
    visited: list[QWidget] = []

    def walk(steps: int) -> None:
        for _ in range(steps):
            QTest.keyClick(focused(), Qt.Key.Key_Tab)
            visited.append(focused())

    # From the list, Tab goes through the fields into the body.
    visited.append(focused())
    walk(12)
    assert window.editor in visited, [w.accessibleName() or w.objectName() for w in visited]
    assert window.form.seo_description in visited
    # F6 takes the focus out of the body (where Tab types) into the images panel, Ctrl+5
    # into the related stories; Tab walks each panel.
    for name, key, modifier in (
        ("images", Qt.Key.Key_F6, Qt.KeyboardModifier.NoModifier),
        ("related", Qt.Key.Key_5, CTRL),
    ):
        before = focused()
        QTest.keyClick(focused(), key, modifier)
        assert inside(focused(), window.docks[name]), (name, where(before), where(focused()))
        stops = _tab_stops(window.panels[name])
        visited.append(focused())
        walk(len(stops) * 2 + 5)
        missed = [
            f"{type(w).__name__} {w.accessibleName() or w.objectName()}"
            for w in stops
            if w not in visited
        ]
        assert not missed, f"Tab never reached in the {name} panel: {missed}"
        other = window.docks["related" if name == "images" else "images"]
        unseen = [where(w) for w in visited if inside(w, other)]
        assert not unseen, f"Tab went into the panel behind the {name} tab: {unseen}"
        visited.clear()


def test_keyboard_shortcuts_dialog_lists_every_shortcut_of_the_menus(
    qtbot, make_window, sample_article
):
    window = shown_with_panels(make_window)
    window.show_shortcuts()
    dialog = window.shortcuts_dialog
    qtbot.waitUntil(dialog.isVisible)
    shown = {keys for _menu, _command, keys in dialog.rows()}
    for _title, menu in window.menus:
        for action in menu.actions():
            for key in action.shortcuts():
                assert any(key.toString() in keys for keys in shown), key.toString()
    commands = {command for _m, command, _k in dialog.rows()}
    assert {"Next pane", "Focus editor", "Keyboard shortcuts"} <= commands
    dialog.close()


def test_a_menu_command_shows_the_first_of_its_keys_that_this_platform_binds(
    qtbot, make_window, sample_article
):
    """Edit > Replace showed no key on Linux: its standard key is unbound there, Ctrl+H is not."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QMenu

    window = make_window()
    menu = QMenu(window)
    unbound = QKeySequence()  # what QKeySequence(StandardKey.Replace) is on X11
    action = window._action(menu, "Replace", lambda: None, [unbound, "Ctrl+H"])
    assert action.shortcut().toString() == "Ctrl+H"
    for _title, menu in window.menus:
        for action in menu.actions():
            assert not any(key.isEmpty() for key in action.shortcuts()), action.text()


def test_every_menu_item_has_an_alt_letter_of_its_own_in_its_menu(
    qtbot, make_window, sample_article
):
    window = shown_with_panels(make_window)

    def check(menu, path: str) -> int:
        items = [a for a in menu.actions() if not a.isSeparator() and a.isVisible()]
        missing = [a.text() for a in items if mnemonic(a.text()) is None]
        assert not missing, f"{path} has items with no Alt-letter: {missing}"
        assert_unique([(mnemonic(a.text()), f"{path} > {a.text()}") for a in items])
        return len(items) + sum(check(a.menu(), f"{path} > {a.text()}") for a in items if a.menu())

    checked = sum(check(a.menu(), a.text()) for a in window.menuBar().actions())
    assert checked > 60  # every menu, its submenus included, was walked
    # The story list's context menu too (its items are the menus' own actions).
    window.browser.view.setFocus()
    window.browser.view.selectAll()
    assert check(window.trash.context_menu(), "the list's context menu") == 5
    # The panels' toggles keep their letters when a panel's dock is retitled.
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    toggles = [window.docks[n].toggleViewAction() for n in ("library", "images", "related")]
    assert [a.text() for a in toggles] == ["Li&brary", "&Images", "&Related stories"]
    assert all(a in view.actions() for a in toggles)
    window.docks["images"].setWindowTitle("Images")
    assert toggles[1].text() == "&Images"


def test_the_shortcuts_list_has_rows_one_line_of_text_tall(qtbot, make_window, sample_article):
    window = shown_with_panels(make_window)
    window.show_shortcuts()
    dialog = window.shortcuts_dialog
    qtbot.waitUntil(dialog.isVisible)
    table = dialog.table
    line = table.fontMetrics().height()
    assert all(table.rowHeight(r) <= line + 8 for r in range(table.rowCount()))
    # …so most of the list is seen at once in the dialog's first size.
    shown = table.viewport().height() // table.rowHeight(0)
    assert shown >= min(table.rowCount(), 20)
    dialog.close()
