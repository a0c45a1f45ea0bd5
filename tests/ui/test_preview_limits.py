"""The preview of a body Markdown cannot render in time: a notice where the block was, the rest as usual."""

from __future__ import annotations

import json
import time

import pytest

# QtWebEngine must be imported before the QApplication exists.
from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: F401
from PySide6.QtWidgets import QLabel

from newsdesk.ui.preview import PreviewPane

DEEP = (
    "Opening paragraph.\n\n" + "- " * 10_000 + "item\n\n" + ">" * 10_000 + "\n\nClosing paragraph."
)
PATHOLOGICAL = "\n\n".join(("[" * 20 + "*a _b") * 40 for _ in range(40)) + "\n\nClosing paragraph."


@pytest.fixture
def pane(qtbot, library):
    widget = PreviewPane(library)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    return widget


def body_text(qtbot, pane) -> str:
    box: list = []
    pane.run_js("JSON.stringify(document.getElementById('story-body').textContent)", box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=10_000)
    return json.loads(box[0])


@pytest.mark.parametrize("body", [DEEP, PATHOLOGICAL], ids=["deeply-nested", "brackets-40kb"])
def test_an_unrenderable_block_shows_a_notice_and_never_stalls_the_preview(
    qtbot, pane, library, body
):
    created = library.create_article(headline="Nested", dek="d", byline="By A", body=body)
    started = time.perf_counter()
    with qtbot.waitSignal(pane.sig_ready, timeout=20000):
        pane.show_article(library.get_article(created.id))
    assert not pane.findChild(QLabel, "previewPlaceholder").isVisible()
    # A long body shows its first screen first; the rest follows as a patch.
    qtbot.waitUntil(lambda: "Closing paragraph." in body_text(qtbot, pane), timeout=20000)
    text = body_text(qtbot, pane)
    assert "to publish" in text
    assert time.perf_counter() - started < 15  # the page load itself, on a busy machine


def test_typing_a_deeply_nested_block_patches_in_the_notice(qtbot, pane, library):
    created = library.create_article(headline="Typing", dek="d", byline="By A", body="First.")
    with qtbot.waitSignal(pane.sig_ready, timeout=20000):
        pane.show_article(library.get_article(created.id))
    with qtbot.waitSignal(pane.sig_updated, timeout=10000):
        pane.update_body("First.\n\n" + ">" * 5000 + " quoted\n\nLast.")
    text = body_text(qtbot, pane)
    assert "This block is too deeply nested to publish" in text
    assert "First." in text and "Last." in text
