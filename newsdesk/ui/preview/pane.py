"""The live preview pane: the article's published page, patched block by block as the body is typed."""

from __future__ import annotations

import dataclasses
import importlib
import json
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPaintEvent
from PySide6.QtWidgets import QLabel, QStackedLayout, QWidget

from newsdesk.export.page_input import article_input, publication_input
from newsdesk.library import Library
from newsdesk.library.models import Article
from newsdesk.render.markdown import BlockRenderer, RenderedBody
from newsdesk.render.page import PageView
from newsdesk.ui.display import display_without_gl
from newsdesk.ui.preview import jobs
from newsdesk.ui.workers import run_task

WEB_ENGINE_MODULE = "PySide6.QtWebEngineWidgets"
# The simple preview re-renders the whole page; wait for a pause in typing first.
SIMPLE_PREVIEW_DELAY_MS = 250
# A patch waits for the page to report the previous one's animation frame (one patch
# per frame); a hidden page runs no frames, so after this long the next one goes anyway.
FRAME_WAIT_MS = 100


def preload_web_engine() -> bool:
    """Import QtWebEngine before the QApplication exists (Qt requires that); False when missing."""
    try:
        importlib.import_module(WEB_ENGINE_MODULE)
    except ImportError:
        return False
    return True


def _web_backend() -> tuple[ModuleType | None, str]:
    app = QGuiApplication.instance()
    if display_without_gl(app.platformName() if app is not None else ""):
        return None, "this display offers no OpenGL, which it draws with"
    try:
        importlib.import_module(WEB_ENGINE_MODULE)
        from newsdesk.ui.preview import web
    except ImportError as exc:
        return None, str(exc) or type(exc).__name__
    return web, ""


class PreviewPane(QWidget):
    """Shows an article through the exporter's own templates and CSS, and keeps it current.

    Rendering runs on one worker thread; while a render is in flight only the
    newest body text waits for the next one, so typing never queues stale work.
    """

    sig_ready = Signal()
    """A full page load finished (the first one, and after each show_article)."""
    sig_block_clicked = Signal(int)
    """The reader clicked a block in the page: its 0-based first source line."""
    sig_updated = Signal()
    """A body or field update has been applied to the page."""
    sig_frame = Signal(int, float)
    """The body text of this version (see `text_version`) reached an animation frame of
    the page, at this wall-clock time in milliseconds (the page's clock)."""
    sig_settled = Signal()
    """Nothing given to the pane is on its way to the screen any more (see in_flight)."""

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._library = library
        # Created first, so it is deleted first: its destructor waits for a running job
        # before anything that job reports to goes away.
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._web, reason = _web_backend()
        self.status_message = (
            ""
            if self._web is not None
            else f"Simple preview: QtWebEngine is not available ({reason}); "
            "the page is shown without its full styling."
        )
        self._placeholder = QLabel("Loading preview…", self)
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setObjectName("previewPlaceholder")
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self._placeholder)
        self._surface: Any = None  # web.WebSurface or fallback.TextSurface, made after first paint
        self._surface_requested = False
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SIMPLE_PREVIEW_DELAY_MS)
        self._debounce.timeout.connect(self._pump)

        self._generation = 0
        self._source: jobs.PageSource | None = None
        self._renderer: BlockRenderer | None = None
        self._measure = jobs.BodyMeasure()
        self._view: PageView | None = None
        self._state = jobs.PageState()
        self._body: RenderedBody | None = None
        self._footnotes_line: int | None = None
        self._page_html: str | None = None  # built, waiting for the surface
        self._loading_generation = -1
        self._loaded = False
        self._page_text = ""  # the body text the page shows
        self._pending_text: str | None = None
        self._fields_dirty = False
        self._figures_dirty = False
        self._busy = False
        self._pending_line: tuple[int, float] | None = None
        self._partial = False  # the page shows only the body's first screen so far
        self.last_render_ms = 0.0  # worker time of the newest body update
        self.last_render_cpu_ms = 0.0  # and the worker thread's processor time in it
        # Every body text handed to update_body gets the next version; the page reports
        # the version it draws, so a caller can tell when a keystroke is on screen.
        self.text_version = 0
        self._pending_version = 0
        self._loading_version = 0
        self._awaiting_frame = False
        self._load_frame_seen = False  # the fresh page's first frame has been reported
        self._frame_wait = QTimer(self)
        self._frame_wait.setSingleShot(True)
        self._frame_wait.setInterval(FRAME_WAIT_MS)
        self._frame_wait.timeout.connect(self._frame_reached)
        # The naive preview the benchmark compares against: the whole page reloaded
        # for every keystroke, with no delay. Never set in the product.
        self.reload_every_update = False

    # ---- public API ------------------------------------------------------
    @property
    def renderer(self) -> BlockRenderer | None:
        """The open article's block renderer (read it only between updates)."""
        return self._renderer

    @property
    def in_flight(self) -> bool:
        """Whether a body update is being rendered, waiting to be, or waiting for its frame."""
        return bool(
            self._loaded
            and self._source is not None
            and (self._busy or self._awaiting_frame or self._pending_text is not None)
        )

    @property
    def interceptor(self) -> QObject | None:
        """The web preview's request blocker (LocalOnlyInterceptor); None before it exists or without QtWebEngine."""
        return getattr(self._surface, "interceptor", None)

    def show_article(self, article: Article) -> None:
        """Render a fully loaded article (Library.get_article) and load it as a new page."""
        self._generation += 1
        generation = self._generation
        self._source = jobs.PageSource(
            article=article_input(article),  # plain data: what the renderer takes
            publication=None,  # read with the page, on the worker (below)
            library_root=self._library.root,
            templates_dir=self._library.templates_dir,
            body=article.body,
        )
        self._renderer = renderer = BlockRenderer()
        self._measure = jobs.BodyMeasure()
        self._loaded = False
        self._page_html = None
        self._pending_text = None
        self._fields_dirty = False
        self._figures_dirty = False
        self._awaiting_frame = False
        self._page_text = article.body
        self._pending_version = self.text_version
        source = dataclasses.replace(self._source, fields={})
        library = self._library
        # What fills this pane, not a fixed amount: less Markdown to render and lay out first.
        chars = jobs.first_screen_chars(self.width(), self.height())

        def build() -> jobs.PageResult:
            # The publication is read here, on the worker, never on the GUI thread; the
            # page's later jobs take it from the result (see _on_page_built).
            page = dataclasses.replace(source, publication=publication_input(library.publication()))
            # A long article shows its first screen first; the rest is patched in after it paints.
            result = jobs.build_first_screen(generation, page, renderer, chars)
            result.publication = page.publication
            return result

        self._submit(build, self._on_page_built)

    def clear(self, message: str = "No story is open.") -> None:
        """Show no page (the open story was closed); show_article brings one back."""
        self._generation += 1
        self._source = None
        self._renderer = None
        self._loaded = False
        self._page_html = None
        self._pending_text = None
        self._fields_dirty = False
        self._partial = False
        self._awaiting_frame = False
        self._frame_wait.stop()
        self._placeholder.setText(message)
        self._stack.setCurrentWidget(self._placeholder)

    def update_body(self, markdown_text: str) -> None:
        """The body changed (call on every keystroke): patch only the blocks that changed."""
        if self._source is None:
            return
        self._pending_text = markdown_text
        self.text_version += 1
        self._pending_version = self.text_version
        if self._surface is not None and not self._surface.incremental:
            self._debounce.start()
            return
        self._pump()

    def update_fields(self, **fields: Any) -> None:
        """Headline, dek, byline, section, tags (or SEO title/description) changed: patch them in.

        Fields the page does not show (slug, status...) are ignored.
        """
        if self._source is None:
            return
        shown = {k: v for k, v in fields.items() if k in jobs.PAGE_FIELDS}
        if not shown:
            return
        self._source.fields.update(shown)
        self._fields_dirty = True
        self._pump()

    def update_figures(self, article: Article) -> None:
        """The article's figures or their pictures changed (Library.get_article's copy): patch them in.

        The hero, the body blocks that place a picture and the structured data
        are re-rendered on the worker and patched into the page in the view; the
        page is not reloaded, and the editor's unsaved text and fields stay.
        """
        if self._source is None or article.id != self._source.article.id:
            return
        self._source.article = article_input(article)
        self._figures_dirty = True
        self._pump()

    def scroll_to_line(self, line: int, along: float = 0.0) -> None:
        """Bring the block holding this source line into view, unless it is already visible.

        `along` is how far along the line the cursor stands (0 to 1). A block taller than the
        preview is scrolled to the part being written, not to its top.
        """
        if not self._loaded or self._partial or self._body is None or self._surface is None:
            self._pending_line = (line, along)
            return
        block_id = self._block_id_for_line(line)
        if self._surface.incremental:
            at = self._share_of_block(block_id, line, along)
            self._surface.run_js(f"newsdesk.reveal({json.dumps(block_id)}, true, {at:.4f})")
        else:
            self._surface.reveal(block_id)

    def _share_of_block(self, block_id: str | None, line: int, along: float) -> float:
        """How far down its block (0 to 1) a place in the source stands."""
        found = self._body.line_range(block_id) if block_id and self._body else None
        if found is None or not found[0] <= line < found[1]:
            return 0.0
        start, end = found
        return min(1.0, max(0.0, (line - start + along) / (end - start)))

    def run_js(self, script: str, callback: Callable[[Any], None]) -> None:
        """Run a script in the page and hand its result to callback (None in the simple preview)."""
        if self._surface is None:
            callback(None)
            return
        self._surface.run_js(script, callback)

    # ---- the surface, made after the first paint ---------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)
        if not self._surface_requested:
            self._surface_requested = True
            # Starting QtWebEngine takes a while; let the window finish its first paint.
            QTimer.singleShot(0, self, self._create_surface)

    def _create_surface(self) -> None:
        if not shiboken6.isValid(self) or self._surface is not None:
            return
        if self._web is not None:
            surface = self._web.WebSurface(self)
        else:
            from newsdesk.ui.preview.fallback import TextSurface

            surface = TextSurface(self)
        self._stack.addWidget(surface)
        surface.sig_loaded.connect(self._on_loaded)
        surface.sig_block_clicked.connect(self._on_block_clicked)
        surface.sig_frame.connect(self._on_frame)
        self._surface = surface
        self._load_if_possible()

    def _load_if_possible(self) -> None:
        if self._surface is None or self._page_html is None or self._source is None:
            return
        html, self._page_html = self._page_html, None
        self._loading_generation = self._generation
        self._loading_version = self._pending_version
        self._load_frame_seen = False
        self._surface.load_page(html, self._library.root, self._spill_file())

    # ---- jobs ------------------------------------------------------------
    def _submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        def done(result: Any) -> None:
            if shiboken6.isValid(self):
                on_done(result)

        run_task(fn, done, self._on_job_failed, pool=self._pool)

    def _pump(self) -> None:
        """Start the next body or header render, if the page is ready and the worker is free."""
        if self._busy or not self._loaded or self._source is None or self._renderer is None:
            return
        if self._awaiting_frame:
            return  # the page has not drawn the last patch yet: the newest text waits
        generation, renderer = self._generation, self._renderer
        templates = self._source.templates_dir
        if self._pending_text is not None:
            text, self._pending_text = self._pending_text, None
            version = self._pending_version
            base, measure = self._state, self._measure
            page_view = None if self._patches else self._view
            lang = self._view.lang if self._view is not None else "en"
            self._busy = True
            self._submit(
                lambda: (
                    text,
                    version,
                    jobs.render_body(
                        generation,
                        text,
                        renderer,
                        measure,
                        base,
                        templates_dir=templates,
                        page_view=page_view,
                        lang=lang,
                        version=version,
                    ),
                ),
                self._on_body_rendered,
            )
        elif self._figures_dirty and self._patches:
            self._figures_dirty = False
            source = dataclasses.replace(
                self._source, body=self._page_text, fields=dict(self._source.fields)
            )
            base = self._state
            self._busy = True
            self._submit(
                lambda: jobs.build_figures(generation, source, renderer, base),
                self._on_figures_built,
            )
        elif self._fields_dirty or self._figures_dirty:
            self._fields_dirty = self._figures_dirty = False  # the simple preview: a new page
            source = dataclasses.replace(
                self._source, body=self._page_text, fields=dict(self._source.fields)
            )
            build = jobs.build_header if self._patches else jobs.build_full_page
            self._busy = True
            self._submit(lambda: build(generation, source, renderer), self._on_header_built)

    def _on_job_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        text = getattr(exc, "__traceback_text__", "") or "".join(traceback.format_exception(exc))
        print(f"newsdesk: the preview could not render:\n{text}")
        if not self._loaded:
            # Never leave "Loading preview…" up for a page that will not come.
            self._placeholder.setText(
                "The preview could not be shown; the article is safe to edit."
            )
        self._pump()

    def _on_page_built(self, result: jobs.PageResult) -> None:
        if result.generation != self._generation:
            return
        if self._source is not None and result.publication is not None:
            self._source.publication = result.publication
        self._view = result.view
        self._state = result.state
        self._body = result.view.body
        self._footnotes_line = result.footnotes_line
        self._page_html = result.html
        self._partial = result.partial
        if result.partial and self._pending_text is None and self._source is not None:
            # The whole body, rendered and patched in once the first screen is loaded
            # (the same text version: this is not an edit).
            self._pending_text = self._source.body
        self._load_if_possible()

    def _on_loaded(self, ok: bool) -> None:
        if self._loaded or self._loading_generation != self._generation:
            return
        self._loaded = True
        self._stack.setCurrentWidget(self._surface)
        self.sig_ready.emit()
        if self._pending_line is not None:
            place, self._pending_line = self._pending_line, None
            self.scroll_to_line(*place)
        if not self._load_frame_seen:
            # The first patch waits for the fresh page's first frame too (one change per
            # frame): a long article's first screen is drawn before the rest comes in.
            self._awaiting_frame = True
            self._frame_wait.start()
        self._pump()

    @property
    def _patches(self) -> bool:
        """Whether updates are patched into the page (not the page loaded again)."""
        return bool(self._surface is not None and self._surface.incremental) and not (
            self.reload_every_update
        )

    def _on_frame(self, version: str, at_ms: float) -> None:
        if version == "load":
            self._load_frame_seen = True
            self.sig_frame.emit(self._loading_version, at_ms)
            self._frame_reached()
            return
        try:
            shown = int(version)
        except ValueError:
            return
        self.sig_frame.emit(shown, at_ms)
        self._frame_reached()

    def _frame_reached(self) -> None:
        self._frame_wait.stop()
        if self._awaiting_frame:
            self._awaiting_frame = False
            self._pump()
        if not self.in_flight:
            self.sig_settled.emit()

    def _on_body_rendered(self, outcome: tuple[str, int, jobs.BodyResult]) -> None:
        self._busy = False
        text, version, result = outcome
        if result.generation == self._generation and self._surface is not None:
            self._page_text = text
            self._state = result.state
            self._body = result.body
            self._footnotes_line = result.footnotes_line
            self.last_render_ms = result.render_ms
            self.last_render_cpu_ms = result.render_cpu_ms
            if self._view is not None:
                self._view.body = result.body
                self._view.reading_time = result.state.reading_time
                self._view.word_count = result.words
            if self._partial:
                # The rest of the body is in: a line asked for meanwhile can be shown now.
                self._partial = False
                QTimer.singleShot(0, self, self._reveal_pending)
            if self._patches:
                self._awaiting_frame = True
                self._frame_wait.start()
                self._surface.run_js(result.script, self._on_patched)
            else:
                self._loading_version = version
                self._surface.load_page(result.html, self._library.root, self._spill_file())
                self.sig_updated.emit()
        self._pump()

    def _on_header_built(self, result: jobs.PageResult) -> None:
        self._busy = False
        if result.generation == self._generation and self._surface is not None:
            self._view = result.view
            if self._patches:
                script = jobs.header_script(result)
                self._surface.run_js(script, self._on_patched)
            else:
                self._surface.load_page(result.html, self._library.root, self._spill_file())
                self.sig_updated.emit()
        self._pump()

    def _on_figures_built(self, result: jobs.PageResult) -> None:
        self._busy = False
        if result.generation == self._generation and self._surface is not None:
            self._view = result.view
            self._state = result.state
            self._body = result.view.body
            self._surface.run_js(result.script, self._on_patched)
        self._pump()

    def _reveal_pending(self) -> None:
        if shiboken6.isValid(self) and self._pending_line is not None:
            place, self._pending_line = self._pending_line, None
            self.scroll_to_line(*place)

    def _on_patched(self, _result: Any) -> None:
        if shiboken6.isValid(self):
            self.sig_updated.emit()

    def _spill_file(self) -> Path:
        uid = self._source.article.uid if self._source else "article"
        return self._library.cache_dir / "preview" / f"{uid}.html"

    # ---- scroll sync -----------------------------------------------------
    def _block_id_for_line(self, line: int) -> str | None:
        """The element to reveal for a source line: its block, the footnotes, or the header (None)."""
        assert self._body is not None
        blocks = self._body.blocks
        block = self._body.block_at_line(line)
        if block is None:
            return None
        if block.html:
            return block.id
        # Definitions render nothing where they stand; footnotes show at the end of the body.
        if (
            self._state.footnotes
            and self._footnotes_line is not None
            and line >= self._footnotes_line
        ):
            return jobs.FOOTNOTES_ID
        index = blocks.index(block)
        for earlier in reversed(blocks[:index]):
            if earlier.html:
                return earlier.id
        return None

    def _on_block_clicked(self, block_id: str) -> None:
        if block_id == jobs.FOOTNOTES_ID:
            if self._footnotes_line is not None:
                self.sig_block_clicked.emit(self._footnotes_line)
            return
        if self._body is None:
            return
        found = self._body.line_range(block_id)
        if found is not None:
            self.sig_block_clicked.emit(found[0])
