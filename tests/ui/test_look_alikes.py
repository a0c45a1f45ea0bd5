"""Importing the same photograph as PNG in the image panel offers the picture the library already has."""

from __future__ import annotations

from PIL import Image as PILImage
from PySide6.QtCore import QThreadPool

from benchmarks.generate import sample_photo
from newsdesk.ui.images_panel import ImagesPanel
from newsdesk.ui.look_alikes import LookAlikeDialog


def _panel(qtbot, library) -> ImagesPanel:
    p = ImagesPanel(library)
    qtbot.addWidget(p)
    p.resize(360, 860)
    p.show()
    qtbot.waitExposed(p)
    qtbot.waitUntil(lambda: p.library_count.text() != "")
    return p


def _import(qtbot, panel, paths):
    with qtbot.waitSignal(panel.sig_import_finished, timeout=60_000) as blocker:
        assert panel.import_files(paths)
    qtbot.waitUntil(lambda: not panel.importing)
    return blocker.args[0]


def test_the_same_photo_as_png_is_offered_and_using_the_library_picture_discards_the_copy(
    qtbot, library, tmp_path
):
    panel = _panel(qtbot, library)
    jpeg = sample_photo(tmp_path / "harbour.jpg", 1600, 1067, seed=31)
    _import(qtbot, panel, [jpeg])
    assert panel.look_alike_offer is None  # nothing to compare with yet
    png = tmp_path / "harbour-from-archive.png"
    with PILImage.open(jpeg) as im:
        im.resize((800, 533)).save(png, "PNG")
    report = _import(qtbot, panel, [png])
    assert [new.original_name for new, _old in report.look_alikes] == ["harbour-from-archive.png"]

    dialog = panel.look_alike_offer
    assert isinstance(dialog, LookAlikeDialog) and dialog.isVisible()
    texts = " ".join(label.text() for label in dialog.findChildren(type(panel.library_count)))
    assert (
        "harbour-from-archive.png looks like a picture already in the library: harbour.jpg" in texts
    )
    assert dialog.keep_button.isDefault()  # Enter keeps both: nothing is lost by accident

    dialog.use_button.click()
    qtbot.waitUntil(lambda: len(library.list_images()) == 1, timeout=10_000)
    (kept,) = library.list_images()
    assert kept.original_name == "harbour.jpg"
    assert not any(library.media_dir.glob("*.png"))  # the copy's file went with its record
    qtbot.waitUntil(lambda: "Using the library's picture: harbour.jpg" in panel.report.text())
    panel.flush()
    QThreadPool.globalInstance().waitForDone(10_000)


def test_keep_both_keeps_both(qtbot, library, tmp_path):
    panel = _panel(qtbot, library)
    jpeg = sample_photo(tmp_path / "quay.jpg", 1200, 800, seed=8)
    _import(qtbot, panel, [jpeg])
    webp = tmp_path / "quay.webp"
    with PILImage.open(jpeg) as im:
        im.save(webp, "WEBP", quality=60)
    _import(qtbot, panel, [webp])
    panel.look_alike_offer.keep_button.click()
    panel.flush()
    QThreadPool.globalInstance().waitForDone(10_000)
    assert sorted(i.original_name for i in library.list_images()) == ["quay.jpg", "quay.webp"]
