"""The image panel's import queue: files chosen, dropped or pasted are imported in turn, off the GUI thread.

`ImageImports` is a part of `ImagesPanel` (a mixin: it uses the panel's
widgets, library and figures). Each import is a job; jobs queue and run one
at a time on the thread pool, reporting progress; their pictures join the
grid, and the article too when they were dropped on its strip or pasted into
its body.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QClipboard,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
)
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QProgressBar, QToolButton, QWidget

from newsdesk.images import IMAGE_EXTENSIONS, ImportFailure, is_image_path
from newsdesk.images.library_import import ImportReport, import_images
from newsdesk.library import FigureSpec
from newsdesk.library.figures import figure_specs
from newsdesk.picture_refs import readable_ref
from newsdesk.ui.import_report import report_html, report_text
from newsdesk.ui.look_alikes import look_alikes_before_import, offer_look_alikes, pair_look_alikes
from newsdesk.ui.thumbs import ImageItem
from newsdesk.ui.workers import run_task

if TYPE_CHECKING:
    from newsdesk.ui.images_panel import ImagesPanel

NAME_FILTER = "Images ({})".format(" ".join(f"*{e}" for e in sorted(IMAGE_EXTENSIONS)))


def image_markdown(item: ImageItem, alt_text: str) -> str:
    """The body Markdown for a library image: `![alt](image:harbour-dawn-3f2a9c1e)`.

    The reference is readable (see picture_refs.py); the alt text is
    this story's own. The editor puts it on a paragraph of its own.
    """
    alt = " ".join(alt_text.split())
    alt = alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    ref = readable_ref(item.uid, item.get("title") or "", item.original_name)
    return f"![{alt}](image:{ref})"


@dataclass
class ImportJob:
    paths: list[Path]
    clipboard_images: list[QImage]
    add_to_article: bool
    skipped: list[ImportFailure]
    insert_into_body: bool = False  # pasted or dropped into the body: placed there too
    template: str | None = None  # the photo-desk template new pictures get
    article_id: int | None = None  # the story they were dropped on (add_to_article)


def local_image_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[ImportFailure]]:
    """Files to import (folders opened one level deep) and those skipped, with why."""
    files: list[Path] = []
    skipped: list[ImportFailure] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(p for p in sorted(path.iterdir()) if p.is_file() and is_image_path(p))
        elif is_image_path(path):
            files.append(path)
        else:
            kinds = ", ".join(sorted(e.lstrip(".") for e in IMAGE_EXTENSIONS))
            skipped.append(
                ImportFailure(
                    path, f"{path.name} is not a picture file newsdesk imports ({kinds})."
                )
            )
    return files, skipped


def urls_to_paths(mime) -> list[Path]:
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]


class ImageImports:
    """Import for the image panel: the queue, its progress row, and files dropped or pasted."""

    read_only: bool  # the library cannot be written (ImagesPanel)
    _import_job: ImportJob | None
    _import_queue: list[ImportJob]
    _cancel: threading.Event | None

    def _build_import_row(self: ImagesPanel) -> QWidget:
        """The progress bar and its Cancel button, hidden until an import runs."""
        self._import_job, self._import_queue, self._cancel = None, [], None
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        self.progress.setFormat("%v of %m")
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.clicked.connect(self.cancel_import)
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.progress, 1)
        layout.addWidget(self.cancel_button)
        row.hide()
        return row

    def choose_files(self: ImagesPanel) -> None:
        """Import Images…: pick files in a dialog, then import them in the background."""
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import images", "", f"{NAME_FILTER};;All files (*)"
        )
        if not paths:
            return
        go, template = self.photo_desk.ask_import_template()
        if go:
            self.import_files(paths, template=template)

    def import_files(
        self,
        paths: Iterable[str | Path],
        *,
        add_to_article: bool = False,
        template: str | None = None,
    ) -> bool:
        """Import these files (folders: their pictures) in the background; False if none qualify.

        template: a photo-desk template's name, applied to the new pictures.
        """
        files, skipped = local_image_files(paths)
        if not files and not skipped:
            return False
        job = ImportJob(files, [], add_to_article, skipped, template=template)
        job.article_id = self.article_id if add_to_article else None
        self._queue_import(job)
        return True

    def import_into_body(self: ImagesPanel, paths: list[Path], image: QImage | None = None) -> bool:
        """Pictures pasted or dropped into the body: imported, made figures, inserted there."""
        if self.article_id is None:
            self._show_report("Open a story before pasting a picture into its body.")
            return False
        files, skipped = local_image_files(paths)
        images = [QImage(image)] if image is not None and not image.isNull() else []
        if not files and not images:
            self._show_report("There was no picture to import in what was pasted.")
            return False
        job = ImportJob(files, images, True, skipped, insert_into_body=True)
        job.article_id = self.article_id
        self._queue_import(job)
        return True

    def import_clipboard_image(self: ImagesPanel, image: QImage) -> None:
        """Import a picture that is not a file yet (a pasted screenshot): saved as PNG first."""
        self._queue_import(ImportJob([], [QImage(image)], False, []))

    def paste_from_clipboard(self: ImagesPanel) -> bool:
        """Ctrl+V in the panel: import the clipboard's picture files, or its picture."""
        clipboard = QGuiApplication.clipboard()
        mime = clipboard.mimeData(QClipboard.Mode.Clipboard)
        if mime is None:
            return False
        if mime.hasUrls():
            files = [p for p in urls_to_paths(mime) if p.is_dir() or is_image_path(p)]
            if files:
                return self.import_files(files)
        if mime.hasImage():
            image = clipboard.image()
            if not image.isNull():
                self.import_clipboard_image(image)
                return True
        self._show_report("The clipboard holds no picture to import.")
        return False

    def cancel_import(self: ImagesPanel) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.progress.setFormat("Cancelling…")
        self._import_queue.clear()

    @property
    def importing(self: ImagesPanel) -> bool:
        return self._import_job is not None

    def _queue_import(self: ImagesPanel, job: ImportJob) -> None:
        if self.read_only:  # dropped, pasted or chosen: one sentence, nothing half-done
            self._show_report(
                "This library is read-only, so no picture was imported; "
                "open a copy of it somewhere writable to add pictures."
            )
            return
        self._import_queue.append(job)
        if self._import_job is None:
            self._start_next_import()

    def _start_next_import(self: ImagesPanel) -> None:
        if not self._import_queue:
            return
        job = self._import_queue.pop(0)
        self._import_job = job
        self._cancel = cancel = threading.Event()
        total = len(job.paths) + len(job.clipboard_images)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        self.progress.setFormat("Importing %v of %m…")
        self.cancel_button.setEnabled(True)
        self.progress_row.setVisible(total > 0)
        self.report_row.hide()
        library = self.library
        paths, images, template = list(job.paths), list(job.clipboard_images), job.template

        def work(report_progress: Callable[[Any], None]) -> ImportReport:
            # A pool thread: QImage may be saved here, but no widget is touched.
            temp = Path(tempfile.mkdtemp(prefix="newsdesk-paste-"))
            try:
                stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
                for n, image in enumerate(images, 1):
                    path = temp / f"pasted-{stamp}-{n}.png"
                    if image.save(str(path), "PNG"):
                        paths.append(path)
                if not paths:
                    return ImportReport()
                alikes = look_alikes_before_import(library, paths)
                report = import_images(
                    library,
                    paths,
                    progress=lambda done, total: report_progress((done, total)),
                    cancel=cancel,
                    template=template,
                )
                report.look_alikes = pair_look_alikes(alikes, report.imported)
                return report
            finally:
                shutil.rmtree(temp, ignore_errors=True)

        run_task(
            work,
            on_done=self._import_done,
            on_error=self._import_failed,
            on_progress=self._import_progress,
        )

    def _import_progress(self: ImagesPanel, value: tuple[int, int]) -> None:
        if not shiboken6.isValid(self):
            return
        done, total = value
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _import_failed(self: ImagesPanel, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        job = self._import_job
        report = ImportReport()
        for path in job.paths if job else []:
            report.failed.append(ImportFailure(path, f"{path.name} was not imported ({exc})."))
        self._import_done(report)

    def _import_done(self: ImagesPanel, report: ImportReport) -> None:
        if not shiboken6.isValid(self):
            return
        job = self._import_job
        self._import_job, self._cancel = None, None
        self.progress_row.hide()
        if job is not None:
            report.failed[:0] = job.skipped
        self.last_report = report
        self._show_report(report_html(report), tooltip=report_text(report))
        first = report.imported[0].id if report.imported else None
        fresh = [self._adopt(ImageItem.from_image(image)) for image in report.imported]
        if job is not None and job.add_to_article and job.article_id != self.article_id:
            # Another story was opened while they were imported: they go to the one they
            # were dropped on (not into its text, which is not on screen to place them in).
            self._place_in_other_story(job.article_id, report.imported)
        elif job is not None and job.add_to_article and self.article_id is not None:
            placed = {s.image_id for s in self.figures}
            extra = [
                FigureSpec(i.id, "inline", i.caption, i.alt_text)
                for i in report.imported
                if i.id not in placed
            ]
            if extra:
                self._change_figures("Add pictures to article", [*self.figures, *extra])
            if job.insert_into_body:
                for image in report.imported:
                    i = self._figure_index(image.id)
                    alt = self.figures[i].alt_text if i >= 0 else image.alt_text
                    item = ImageItem.from_image(image)
                    self.sig_insert_markdown.emit(image_markdown(item, alt or ""))
        if self.search.text().strip():
            self.reload_library(select=first)  # the search decides which of them show
        else:
            # Newest first, as the library lists them: the new pictures go on top. No
            # reload: a second pass over hundreds of records is garbage the GUI would wait on.
            self._search_generation += 1  # a load still in flight is older than this
            newest = list({item.id: item for item in reversed(fresh)}.values())
            ids = {item.id for item in newest}
            rest = [r.image for r in self.library_model.rows if r.image.id not in ids]
            self._show_library([*newest, *rest], select=first)
        self.refresh_credit_names()
        self.sig_import_finished.emit(report)
        if report.look_alikes:
            placed_in_story = job is not None and job.add_to_article
            self.look_alike_offer = offer_look_alikes(
                self, report.look_alikes, placed_in_story=placed_in_story
            )
        self._start_next_import()

    def _place_in_other_story(self: ImagesPanel, article_id: int | None, images: list) -> None:
        """Add the imported pictures as figures of a story that is not open any more."""
        if article_id is None or not images:
            return
        extra = [FigureSpec(i.id, "inline", i.caption, i.alt_text) for i in images]

        def place(library) -> None:
            specs = figure_specs(library.get_article(article_id))
            placed = {s.image_id for s in specs}
            new = [spec for spec in extra if spec.image_id not in placed]
            if new:
                library.set_figures(article_id, [*specs, *new])

        self._write(place)

    # ---- drag and drop of files --------------------------------------------------------------
    @staticmethod
    def _droppable(event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> list[Path]:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return []
        return [p for p in urls_to_paths(mime) if p.is_dir() or is_image_path(p)]

    def dragEnterEvent(self: ImagesPanel, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        if self._droppable(event):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self: ImagesPanel, event: QDragMoveEvent) -> None:  # noqa: N802 (Qt override)
        self.dragEnterEvent(event)  # type: ignore[arg-type]

    def dropEvent(self: ImagesPanel, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        paths = self._droppable(event)
        if not paths:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.import_files(paths)
