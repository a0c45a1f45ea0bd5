"""The window on laptop screens (1366×768, 1280×720) with both panels open."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from newsdesk import settings as user_settings
from newsdesk.images.library_import import import_images
from newsdesk.ui.preview_place import READABLE_CHARACTERS, characters_fitting

HEADLINE = "Night ferry crews rehearse for the winter timetable on the harbour"
DEK = (
    "Crews practised boarding in the dark as the council confirmed the service "
    "will run every twenty minutes."
)
LAPTOPS = [(1366, 768), (1280, 720)]


@pytest.fixture
def ferry_story(library):
    return library.create_article(
        headline=HEADLINE,
        dek=DEK,
        byline="By Ana Ruiz",
        section="News",
        body="The council voted seven to two on Tuesday night. " * 20,
    )


def laptop_window(qtbot, make_window, width: int, height: int):
    window = make_window()
    window.install_standard_panels()
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height)
    QTest.qWait(50)
    return window


def assert_preview_readable_or_stacked(window) -> None:
    holder = window.preview_holder
    if holder.isHidden():
        return
    if window.splitter.orientation() == Qt.Orientation.Vertical:
        assert window.preview_place.stacked
        editor_pane = window.splitter.widget(0)
        assert holder.y() >= editor_pane.geometry().bottom()  # under the editor, not beside
        return
    assert characters_fitting(holder.width()) >= READABLE_CHARACTERS, (
        f"a preview {holder.width()} pixels wide shows "
        f"{characters_fitting(holder.width()):.0f} characters a line"
    )


@pytest.mark.parametrize(("width", "height"), LAPTOPS)
def test_on_a_laptop_screen_the_preview_keeps_a_readable_measure_or_stacks(
    qtbot, make_window, ferry_story, width, height, tmp_path
):
    window = laptop_window(qtbot, make_window, width, height)
    assert_preview_readable_or_stacked(window)
    # Whatever the docks do, dragging the splitter cannot squeeze the preview either.
    for library_width in (200, 300, 420):
        window.resizeDocks([window.library_dock], [library_width], Qt.Orientation.Horizontal)
        QTest.qWait(20)
        assert_preview_readable_or_stacked(window)
    if window.splitter.orientation() == Qt.Orientation.Horizontal:
        window.splitter.moveSplitter(window.splitter.width() - 60, 1)
        assert_preview_readable_or_stacked(window)
    shot = tmp_path / f"window-{width}x{height}.png"
    assert window.grab().save(str(shot))
    shutil.copy(shot, f"/tmp/newsdesk-screens-{width}x{height}.png")


def test_a_wide_window_keeps_the_preview_beside_and_a_narrow_one_stacks_it(
    qtbot, make_window, ferry_story
):
    window = laptop_window(qtbot, make_window, 1366, 768)
    window.library_dock.hide()
    window.docks["images"].hide()
    window.docks["related"].hide()
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.splitter.orientation() == Qt.Orientation.Horizontal)
    assert characters_fitting(window.preview_holder.width()) >= READABLE_CHARACTERS
    window.library_dock.show()
    window.docks["images"].show()
    window.resize(1000, 700)
    qtbot.waitUntil(lambda: window.preview_place.stacked)
    assert window.place_actions["beside"].isChecked()  # still the choice: it returns with room


def test_the_preview_place_is_chosen_in_the_view_menu_and_remembered(
    qtbot, make_window, ferry_story, settings
):
    window = make_window()
    window.actions_by_name["preview_below"].trigger()
    assert window.preview_place.stacked and window.preview_holder.isVisible()
    window.actions_by_name["preview_hidden"].trigger()
    assert window.preview_holder.isHidden() and not window.preview_action.isChecked()
    window.preview_action.trigger()  # Ctrl+Shift+P brings it back where it was: below
    assert window.preview_place.stacked and window.place_actions["below"].isChecked()
    window.close()

    again = make_window()
    assert again.place_actions["below"].isChecked() and again.preview_place.stacked
    again.toggle_preview(False)
    again.close()
    third = make_window()
    assert third.preview_holder.isHidden() and third.place_actions["hidden"].isChecked()
    third.toggle_preview(True)
    assert third.place_actions["below"].isChecked()


def test_a_saved_place_that_makes_no_sense_falls_back_to_beside(
    qtbot, make_window, ferry_story, settings: QSettings
):
    user_settings.write(settings, user_settings.PREVIEW_PLACE, "upside-down")
    window = make_window()
    assert window.place_actions["beside"].isChecked()


@pytest.mark.parametrize(("width", "height"), LAPTOPS)
def test_with_both_panels_open_the_whole_headline_and_dek_are_shown(
    qtbot, make_window, ferry_story, width, height
):
    window = laptop_window(qtbot, make_window, width, height)
    headline, dek = window.form.headline, window.form.dek
    for field, text in ((headline, HEADLINE), (dek, DEK)):
        assert field.text() == text
        lines = field.line_count()
        spacing = field.fontMetrics().lineSpacing()
        # Every line it is laid out on is inside the field: nothing elided, no scrolling.
        assert field.viewport().height() >= lines * spacing, (field.accessibleName(), lines)
        assert field.verticalScrollBar().maximum() == 0
    # Narrower, the headline takes more lines and the field grows to hold them.
    spacing = headline.fontMetrics().lineSpacing()
    most = 0
    for window_width in (1000, width, 1000, width):
        window.resize(window_width, height)
        qtbot.waitUntil(
            lambda: (
                headline.viewport().height() >= headline.line_count() * spacing
                and not headline.verticalScrollBar().isVisible()
            ),
            timeout=10_000,
        )
        most = max(most, headline.line_count())
    assert most >= 2  # it did wrap, and grew


def test_enter_in_the_headline_adds_no_line_and_pasted_lines_become_one(
    qtbot, make_window, ferry_story, library
):
    window = make_window()
    headline = window.form.headline
    headline.setFocus()
    headline.end()
    QTest.keyClick(headline, Qt.Key.Key_Return)
    QTest.keyClick(headline, Qt.Key.Key_Enter, Qt.KeyboardModifier.ShiftModifier)
    assert headline.text() == HEADLINE
    headline.selectAll()
    QGuiApplication.clipboard().setText("Ferry crews\nrehearse\r\nat night")
    headline.paste()
    assert headline.text() == "Ferry crews rehearse  at night"
    window.save_everything()
    assert library.get_article(ferry_story.id).headline == "Ferry crews rehearse  at night"
    assert window.form.headline_count.text() == f"{len(headline.text())}/70"


def test_a_headline_loaded_from_the_library_is_not_an_edit(qtbot, make_window, ferry_story):
    window = make_window()
    edits = []
    window.form.headline.textEdited.connect(edits.append)
    window.form.headline.setText("Another\nheadline")
    assert edits == [] and window.form.headline.text() == "Another headline"
    QTest.keyClicks(window.form.headline, "!")
    assert edits and edits[-1].endswith("!")


@pytest.mark.parametrize(("width", "height"), LAPTOPS)
def test_the_window_with_both_panels_can_be_narrower_than_a_thousand_pixels(
    qtbot, make_window, ferry_story, width, height
):
    window = laptop_window(qtbot, make_window, width, height)
    assert window.minimumSizeHint().width() <= 1000
    window.resize(1000, height)
    qtbot.waitUntil(lambda: window.width() <= 1000)
    assert all(not window.docks[p].isHidden() for p in ("images", "related"))
    assert_preview_readable_or_stacked(window)


def test_the_image_form_keeps_its_fields_in_place_when_the_warning_comes_and_goes(
    qtbot, make_window, ferry_story, library, tmp_path
):
    from pathlib import Path

    sample = Path(__file__).resolve().parents[2] / "resources" / "sample" / "harbour-dawn.jpg"
    (image,) = import_images(library, [sample], workers=1).imported
    library.set_hero(ferry_story.id, image.id)
    window = laptop_window(qtbot, make_window, 1280, 720)
    window.reload_article()
    panel = window.panels["images"]
    panel.set_article(library.get_article(ferry_story.id))
    panel.select_image(image.id)
    form = panel.form
    qtbot.waitUntil(lambda: form.story_alt.isVisibleTo(form))
    qtbot.waitUntil(lambda: bool(form.story_alt_warning.text()))

    watched = [form.story_alt, form.photo_heading, *form.editors.values()]

    def places():
        return [w.geometry() for w in watched]

    before = places()
    form.story_alt.setFocus()
    QTest.keyClicks(form.story_alt, "Crew members in orange vests on a dark quay")
    assert form.story_alt_warning.text() == ""
    assert places() == before  # the warning went; nothing moved
    form.story_alt.selectAll()
    QTest.keyClick(form.story_alt, Qt.Key.Key_Delete)
    assert form.story_alt_warning.text()
    assert places() == before
    # Fields are usable: most of the dock's width, not a sliver beside a label.
    assert form.editors["credit"].width() >= form.width() * 0.8


def test_the_first_window_fits_the_screen_it_opens_on(qtbot, make_window, ferry_story):
    window = make_window(show=False)  # no saved layout: the first-run size
    free = QGuiApplication.primaryScreen().availableGeometry()
    assert window.width() <= free.width() and window.height() <= free.height()


def test_on_a_laptop_screen_the_photo_desk_sees_several_rows_of_the_picture_library(
    qtbot, make_window, library, ferry_story, tmp_path
):
    from PIL import Image

    paths = []
    for i in range(12):  # twelve different pictures (each its own file hash)
        path = tmp_path / f"harbour-{i}.jpg"
        Image.new("RGB", (600, 400), (20 * i, 90, 200 - 10 * i)).save(path, quality=80)
        paths.append(path)
    assert len(import_images(library, paths, workers=1).imported) == 12
    window = laptop_window(qtbot, make_window, 1366, 768)
    window.default_layout()
    panel = window.panels["images"]
    window.docks["images"].raise_()
    grid = panel.library_view
    qtbot.waitUntil(lambda: grid.isVisible() and panel.library_model.rowCount() == 12)
    QTest.qWait(50)

    def whole() -> list:
        shown = grid.viewport().rect()
        rects = [grid.visualRect(panel.library_model.index(r, 0)) for r in range(12)]
        return [r for r in rects if shown.contains(r)]

    qtbot.waitUntil(lambda: len(whole()) >= 6)
    assert len({r.top() for r in whole()}) >= 2  # two whole rows at least, three across
    assert len({r.left() for r in whole()}) >= 3
    # The picture's fields keep room too: four of them show before the form scrolls.
    form_pane = panel.splitter.widget(1)
    assert form_pane.height() >= 4 * 42
    assert grid.iconSize().width() < 120  # smaller pictures, more of them


def test_a_wide_picture_grid_draws_the_pictures_full_size(qtbot):
    from newsdesk.ui.thumbs import ICON_SIZE, ThumbGrid

    grid = ThumbGrid()
    qtbot.addWidget(grid)
    grid.fit_to_width(3)
    grid.resize(300, 300)
    grid.show()
    qtbot.waitExposed(grid)
    narrow = grid.iconSize()
    assert narrow.width() < ICON_SIZE.width()
    assert 3 * grid.gridSize().width() <= grid.viewport().width()  # three across
    assert abs(narrow.width() * 2 - narrow.height() * 3) <= 3  # still 3:2
    grid.resize(640, 300)
    qtbot.waitUntil(lambda: grid.iconSize() == ICON_SIZE)
