"""Export Originals… in the image panel: what the desk typed last is inside the exported copy."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from newsdesk.images.library_import import import_image
from newsdesk.ui.images_panel import ImagesPanel
from newsdesk.ui.originals import ExportOriginalsDialog
from tests.ui.test_images_panel import credited, photo, retype

EXIFTOOL = shutil.which("exiftool")
assert EXIFTOOL, "ExifTool is needed: apt-get install libimage-exiftool-perl"


def read_back(path: Path) -> dict:
    out = subprocess.run(
        [EXIFTOOL, "-j", "-G1", "-charset", "iptc=utf8", str(path)], capture_output=True, text=True
    )
    return json.loads(out.stdout)[0]


def answer_dialog(folder: Path, *, everything: bool = False, sidecars: bool = False) -> None:
    """Fill in the modal dialog as a person would once it is up, then press Export."""

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ExportOriginalsDialog):
            QTimer.singleShot(20, fill)
            return
        (dialog.shown if everything else dialog.one).setChecked(True)
        dialog.sidecars.setChecked(sidecars)
        dialog.folder.setText(str(folder))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(0, fill)


def test_export_originals_writes_the_caption_just_typed_into_every_block(qtbot, library, tmp_path):
    image = import_image(library, credited(tmp_path / "in"))
    media = library.media_path(image)
    before = hashlib.sha256(media.read_bytes()).hexdigest()
    panel = ImagesPanel(library)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.library_model.rowCount() == 1)
    panel.select_image(image.id)
    retype(panel.form.editors["caption"], "Ferry crews rehearse the storm drill at dawn")
    out = tmp_path / "handoff"
    answer_dialog(out)
    panel.export_originals_button.click()
    qtbot.waitUntil(lambda: "Exported 1 original" in panel.report.text(), timeout=30_000)
    [copy] = list(out.iterdir())
    tags = read_back(copy)
    for name in ("IPTC:Caption-Abstract", "XMP-dc:Description", "IFD0:ImageDescription"):
        assert tags[name] == "Ferry crews rehearse the storm drill at dawn", name
    assert tags["IPTC:Credit"] == tags["XMP-photoshop:Credit"] == "My Credit"
    assert hashlib.sha256(media.read_bytes()).hexdigest() == before
    panel.flush()
    QThreadPool.globalInstance().waitForDone(10_000)


def test_export_originals_as_sidecars_for_all_shown_and_a_file_in_the_way_is_said(
    qtbot, library, tmp_path
):
    for name, colour in (("a.jpg", (200, 0, 0)), ("b.jpg", (0, 0, 200))):
        import_image(library, photo(tmp_path / "in", name, colour=colour))
    panel = ImagesPanel(library)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.library_model.rowCount() == 2)
    answer_dialog(tmp_path / "side", everything=True, sidecars=True)
    panel.export_originals_button.click()
    qtbot.waitUntil(lambda: "Exported 2 originals" in panel.report.text(), timeout=30_000)
    assert sorted(p.name for p in (tmp_path / "side").iterdir()) == [
        "a.jpg", "a.xmp", "b.jpg", "b.xmp",
    ]  # fmt: skip
    (tmp_path / "afile").write_text("x")
    answer_dialog(tmp_path / "afile", everything=True)
    panel.export_originals_button.click()
    qtbot.waitUntil(lambda: "not exported" in panel.report.text(), timeout=30_000)
    assert "is a file; choose a folder" in panel.report.text()
    assert "Traceback" not in panel.report.text()
    QThreadPool.globalInstance().waitForDone(10_000)
