"""The image panel's import report, docked in the main window: every failure can be read whole."""

from __future__ import annotations

from newsdesk.ui.images_panel import REPORT_MAX_HEIGHT, ImagesPanel

NAMES = ("harbour-dawn.jpg", "council-vote.jpg", "ferry-ramp.jpg")


def text_files_named_like_photos(folder) -> list:
    paths = []
    for name in NAMES:
        path = folder / name
        path.write_text("this is a text file, not a photograph")
        paths.append(path)
    return paths


def all_on_screen(panel: ImagesPanel) -> bool:
    label = panel.report
    return label.visibleRegion().boundingRect().height() >= label.heightForWidth(label.width())


def readable(panel: ImagesPanel) -> bool:
    """Every line of the report can be seen: nothing clipped, or the rest a scroll away."""
    label, area = panel.report, panel.report_area
    needed = label.heightForWidth(label.width())
    if all_on_screen(panel):
        return True
    # Otherwise the area must be whole on screen and scroll over all of the label.
    area_seen = area.visibleRegion().boundingRect().height() == area.height()
    reach = area.viewport().height() + area.verticalScrollBar().maximum()
    return area_seen and label.height() >= needed and reach >= needed


def test_three_failed_files_are_all_listed_with_their_reasons(
    qtbot, make_window, sample_article, tmp_path
):
    window = make_window()
    window.install_standard_panels()
    panel: ImagesPanel = window.panels["images"]
    with qtbot.waitSignal(panel.sig_import_finished, timeout=60_000) as blocker:
        panel.import_files(text_files_named_like_photos(tmp_path))
    report = blocker.args[0]
    assert [f.path.name for f in report.failed] == list(NAMES)

    assert panel.report_row.isVisible()
    text = panel.report.text()
    for failure in report.failed:
        assert failure.path.name in text
        assert failure.message.removeprefix(failure.path.name).strip() in text
    # Readable: the third message is not cut off at the bottom of the row. Three
    # short failures fit: the form below lends the room, no scrolling needed.
    bar = panel.report_area.verticalScrollBar()
    qtbot.waitUntil(lambda: all_on_screen(panel) and not bar.isVisible(), timeout=10_000)
    assert panel.report_area.height() <= REPORT_MAX_HEIGHT
    window.grab().save("/tmp/polish-2.png")


def test_a_long_report_scrolls_instead_of_pushing_the_grids_away(qtbot, make_window, tmp_path):
    window = make_window(open_initial=False)
    window.install_standard_panels()
    panel: ImagesPanel = window.panels["images"]
    paths = []
    for n in range(10):
        path = tmp_path / f"not-a-photo-{n}.jpg"
        path.write_text("plain words")
        paths.append(path)
    with qtbot.waitSignal(panel.sig_import_finished, timeout=60_000):
        panel.import_files(paths)
    qtbot.waitUntil(lambda: readable(panel), timeout=10_000)
    assert panel.report_area.height() <= REPORT_MAX_HEIGHT
    assert panel.report_area.verticalScrollBar().maximum() > 0, "the rest is a scroll away"
    assert "not-a-photo-9.jpg" in panel.report.text()
    assert panel.library_view.height() > 40, "the picture library stays in view"
