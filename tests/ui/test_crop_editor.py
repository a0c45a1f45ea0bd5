"""The crop editor, used as a photo desk would: click the focal point, drag a crop, nudge it by keyboard, undo."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QThreadPool
from PySide6.QtTest import QTest

from benchmarks.generate import sample_photo
from newsdesk.crops import Box, crop_for, parse_crops
from newsdesk.images.library_import import import_image
from newsdesk.ui.crop_editor import CropEditor
from newsdesk.ui.images_panel import ImagesPanel

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def _editor(qtbot, library, tmp_path, size=(3000, 2000)) -> tuple[ImagesPanel, CropEditor, int]:
    image = import_image(library, sample_photo(tmp_path / "quay.jpg", *size, seed=12))
    panel = ImagesPanel(library)
    qtbot.addWidget(panel)
    panel.resize(360, 860)
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.waitUntil(lambda: panel.library_model.rowCount() == 1)
    assert panel.select_image(image.id)
    qtbot.waitUntil(lambda: panel.crop_button.isEnabled())
    panel.crop_button.click()
    editor = panel.crop_editor
    assert isinstance(editor, CropEditor)
    qtbot.waitExposed(editor)
    return panel, editor, image.id


def _settle(qtbot, editor: CropEditor) -> None:
    qtbot.waitUntil(lambda: not editor.busy, timeout=10_000)


def _screen(editor: CropEditor, x: float, y: float) -> QPoint:
    """The view's pixel over the picture point (x, y), given as fractions."""
    r = editor.view.image_rect()
    return QPoint(round(r.x() + x * r.width()), round(r.y() + y * r.height()))


def test_a_click_sets_the_focal_point_and_moves_the_automatic_crop(qtbot, library, tmp_path):
    panel, editor, image_id = _editor(qtbot, library, tmp_path)
    editor.tabs.setCurrentIndex(2)  # 1:1
    assert editor.ratio_name == "1:1"
    QTest.mouseClick(editor.view, Qt.MouseButton.LeftButton, pos=_screen(editor, 0.9, 0.5))
    _settle(qtbot, editor)
    image = library.get_image(image_id)
    assert abs(image.focal_x - 0.9) < 0.02 and abs(image.focal_y - 0.5) < 0.02
    assert crop_for(image, "1:1") == Box(1000, 0, 2000, 2000)  # against the right edge
    assert "automatic, around the focal point" in editor.status.text()

    editor.undo_stack.undo()
    _settle(qtbot, editor)
    assert library.get_image(image_id).focal_x == 0.5
    panel.flush()
    QThreadPool.globalInstance().waitForDone(10_000)


def test_a_drag_draws_a_box_of_the_ratio_and_the_keyboard_moves_and_resets_it(
    qtbot, library, tmp_path
):
    panel, editor, image_id = _editor(qtbot, library, tmp_path)
    assert editor.ratio_name == "16:9"
    view = editor.view
    # From outside the automatic box (its top edge is at 312 of 2000): a new box.
    start, end = _screen(editor, 0.1, 0.05), _screen(editor, 0.5, 0.3)
    QTest.mousePress(view, Qt.MouseButton.LeftButton, pos=start)
    for i in range(1, 6):
        QTest.mouseMove(view, start + (end - start) * i / 5)
    QTest.mouseRelease(view, Qt.MouseButton.LeftButton, pos=end)
    _settle(qtbot, editor)
    box = parse_crops(library.get_image(image_id).crops)["16:9"]
    assert abs(box.w * 9 - box.h * 16) <= 16  # the ratio, whatever the drag's shape
    assert abs(box.x - 300) <= 20 and abs(box.w - 1200) <= 30
    assert "your crop" in editor.status.text()
    # Its bottom-right corner dragged in: smaller, the top-left corner stays.
    corner = editor.view.to_screen(box).bottomRight().toPoint()
    inward = _screen(editor, 0.3, 0.2)
    QTest.mousePress(view, Qt.MouseButton.LeftButton, pos=corner)
    for i in range(1, 6):
        QTest.mouseMove(view, corner + (inward - corner) * i / 5)
    QTest.mouseRelease(view, Qt.MouseButton.LeftButton, pos=inward)
    _settle(qtbot, editor)
    box = parse_crops(library.get_image(image_id).crops)["16:9"]
    assert abs(box.x - 300) <= 20 and abs(box.y - 100) <= 20 and abs(box.w - 600) <= 30

    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)  # 10% right
    _settle(qtbot, editor)
    moved = parse_crops(library.get_image(image_id).crops)["16:9"]
    assert moved.x == box.x + 300 and moved.w == box.w
    QTest.keyClick(view, Qt.Key.Key_Plus)
    _settle(qtbot, editor)
    bigger = parse_crops(library.get_image(image_id).crops)["16:9"]
    assert bigger.w > moved.w

    QTest.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the resize
    _settle(qtbot, editor)
    assert parse_crops(library.get_image(image_id).crops)["16:9"] == moved
    QTest.keyClick(view, Qt.Key.Key_Delete)  # back to automatic
    _settle(qtbot, editor)
    assert "16:9" not in parse_crops(library.get_image(image_id).crops)
    assert not editor.auto_button.isEnabled()

    # The four ratios, one tab each, reachable from the keyboard.
    QTest.keyClick(view, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert editor.ratio_name == "4:3"
    editor.tabs.setCurrentIndex(3)
    assert "1.91:1" in editor.status.text() and "1200" in editor.status.text()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    editor.tabs.setCurrentIndex(0)
    QTest.mouseClick(view, Qt.MouseButton.LeftButton, pos=_screen(editor, 0.7, 0.35))
    _settle(qtbot, editor)
    editor.grab().save(str(ARTIFACTS / "crop-editor.png"))
    panel.flush()
    QThreadPool.globalInstance().waitForDone(10_000)


def test_a_small_picture_says_its_crop_cannot_reach_1200_px(qtbot, library, tmp_path):
    panel, editor, _image_id = _editor(qtbot, library, tmp_path, size=(900, 600))
    assert "less than the 1200 px" in editor.status.text()
    panel.flush()
    QThreadPool.globalInstance().waitForDone(10_000)
