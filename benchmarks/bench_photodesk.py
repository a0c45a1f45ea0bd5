"""Benchmark of the photo desk: a batch edit and a template on 500 pictures, a template on import of 200.

Budget (issue 15): a batch of 500 pictures applies in under 2 s without
blocking the window. The window part runs the change through the image
panel (select all, apply a template) and measures the longest time the GUI
thread went without handling events while the library wrote.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image as PILImage

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsdesk.images.library_import import import_images  # noqa: E402
from newsdesk.library import Library  # noqa: E402

BATCH_BUDGET_S = 2.0
GUI_STALL_BUDGET_MS = 100  # the window keeps answering while 500 pictures are written


def _library_with(root: Path, n: int) -> tuple[Library, list[int]]:
    lib = Library.open(root)
    lib.add_images(
        [
            {
                "sha256": f"{i:064x}",
                "ext": ".jpg",
                "original_name": f"IMG_{i:04d}.jpg",
                "creator": f"Photographer {i % 7}",
                "date_created": f"20{10 + i % 15}-05-0{1 + i % 9}",
                "city": "Malaga" if i % 2 else "Kingston",
            }
            for i in range(n)
        ]
    )
    return lib, [i.id for i in lib.search_images()]


def bench_core(tmp: Path, n: int, runs: int) -> None:
    lib, ids = _library_with(tmp / "core", n)
    lib.save_template(
        "Wire",
        {
            "credit": "{creator} / Harbour Agency",
            "copyright": "© {year} {creator}",
            "keywords": "wire\n{city}",
        },
    )
    edit, undo, template = [], [], []
    for r in range(runs):
        t = time.perf_counter()
        previous = lib.update_images(
            ids, credit=f"Harbour Agency {r}", usage_terms="Editorial use only"
        )
        edit.append(time.perf_counter() - t)
        t = time.perf_counter()
        lib.set_image_values(previous)
        undo.append(time.perf_counter() - t)
        t = time.perf_counter()
        previous = lib.apply_template(ids, "Wire")
        template.append(time.perf_counter() - t)
        lib.set_image_values(previous)
    lib.close()
    for name, times in (("batch edit", edit), ("its undo", undo), ("template", template)):
        med = statistics.median(times)
        verdict = "ok" if med < BATCH_BUDGET_S else "OVER BUDGET"
        print(
            f"{name:>11}, {n} pictures: median {med * 1000:.0f} ms (budget {BATCH_BUDGET_S:.0f} s) {verdict}"
        )


def bench_window(tmp: Path, n: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from newsdesk.ui.images_panel import ImagesPanel

    app = QApplication.instance() or QApplication([])
    lib, ids = _library_with(tmp / "window", n)
    lib.save_template("Wire", {"credit": "Harbour Agency", "copyright": "© {year} {creator}"})
    panel = ImagesPanel(lib)
    panel.resize(400, 900)
    panel.show()
    deadline = time.perf_counter() + 30
    while panel.library_model.rowCount() < n and time.perf_counter() < deadline:
        app.processEvents()
    panel.library_view.selectAll()
    app.processEvents()
    assert len(panel.form.batch) == n, "the selection did not reach the form"

    gaps: list[float] = []
    clock = QElapsedTimer()
    ticker = QTimer(interval=5)
    ticker.timeout.connect(lambda: gaps.append(clock.restart()))
    done: list[float] = []
    panel.photo_desk.sig_applied.connect(lambda: done.append(time.perf_counter()))
    clock.start()
    ticker.start()
    start = time.perf_counter()
    panel.apply_template("Wire")
    while not done and time.perf_counter() < start + 30:
        app.processEvents()
    ticker.stop()
    took = done[0] - start if done else float("inf")
    stall = max(gaps) if gaps else 0
    credits = {i.credit for i in lib.images_by_ids(ids)}
    panel.flush()
    panel.close()
    lib.close()
    ok = took < BATCH_BUDGET_S and stall < GUI_STALL_BUDGET_MS and credits == {"Harbour Agency"}
    print(
        f"window: template on {n} selected pictures shown after {took * 1000:.0f} ms; "
        f"longest GUI-thread stall {stall:.0f} ms (budget {GUI_STALL_BUDGET_MS} ms) "
        f"{'ok' if ok else 'OVER BUDGET'}"
    )


def bench_import(tmp: Path, n: int) -> None:
    folder = tmp / "photos"
    folder.mkdir()
    files = []
    for i in range(n):
        im = PILImage.effect_noise((1200, 800), 30 + i % 20).convert("RGB")
        path = folder / f"photo-{i:04d}.jpg"
        im.save(path, quality=85)
        files.append(path)
    times = {}
    for label, template in (("without a template", None), ("with a template", "Wire")):
        lib = Library.open(tmp / f"import-{template}")
        lib.save_template(
            "Wire",
            {"credit": "Harbour Agency", "copyright": "© {year} {creator}", "city": "Malaga"},
        )
        t = time.perf_counter()
        report = import_images(lib, files, template=template)
        times[label] = time.perf_counter() - t
        assert len(report.imported) == n and not report.failed
        if template:
            assert {i.city for i in report.imported} == {"Malaga"}
        lib.close()
    for label, took in times.items():
        print(f"import {n} pictures (1200x800 JPEG) {label}: {took:.2f} s")
    extra = times["with a template"] - times["without a template"]
    print(
        f"template cost on import: {extra * 1000:+.0f} ms for {n} pictures (noise of the import included)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pictures", type=int, default=500)
    parser.add_argument("--imports", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-photodesk-") as tmp:
        bench_core(Path(tmp), args.pictures, args.runs)
        bench_window(Path(tmp), args.pictures)
        bench_import(Path(tmp), args.imports)


if __name__ == "__main__":
    main()
