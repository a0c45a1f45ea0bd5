"""The QtWebEngine preview surface: an off-the-record profile, no network, clicks reported by block."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from newsdesk.ui.preview.interceptor import ALLOWED_SCHEMES, LocalOnlyInterceptor

CLICK_PREFIX = "newsdesk:block:"
FRAME_PREFIX = "newsdesk:frame:"
# QWebEngineView.setHtml passes the document as a data: URL, which Chromium caps at 2 MB;
# bigger pages are written to a file and loaded from there.
SETHTML_LIMIT_BYTES = 1_500_000


class PreviewPage(QWebEnginePage):
    """A page that stays where it is: link clicks and remote navigations are refused."""

    sig_block_clicked = Signal(str)
    """The reader clicked the body block with this element id."""
    sig_frame = Signal(str, float)
    """A patch (its body version) or a fresh load ("load") reached an animation frame;
    with the page's wall-clock time of that frame in milliseconds."""

    def javaScriptConsoleMessage(self, level, message: str, line: int, source: str) -> None:  # noqa: N802
        # The page script reports clicks as console lines: no channel object, no extra
        # script file, and page content cannot run scripts to forge one (it is sanitised).
        if message.startswith(CLICK_PREFIX):
            self.sig_block_clicked.emit(message[len(CLICK_PREFIX) :])
        elif message.startswith(FRAME_PREFIX):
            version, _, at = message[len(FRAME_PREFIX) :].partition(":")
            try:
                self.sig_frame.emit(version, float(at))
            except ValueError:
                pass

    def acceptNavigationRequest(self, url: QUrl, nav_type, is_main_frame: bool) -> bool:  # noqa: N802
        if nav_type in (
            QWebEnginePage.NavigationType.NavigationTypeLinkClicked,
            QWebEnginePage.NavigationType.NavigationTypeFormSubmitted,
        ):
            return False
        return url.scheme().lower() in ALLOWED_SCHEMES


class WebSurface(QWebEngineView):
    """The view the pane shows; its page is the published page plus the preview script."""

    incremental = True  # patches the DOM in place
    sig_loaded = Signal(bool)
    """A full page load finished (ok or not)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.profile = QWebEngineProfile()  # no storage name: off the record
        self.profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
        self.profile.setPersistentCookiesPolicy(
            QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies
        )
        self.interceptor = LocalOnlyInterceptor(self.profile)
        self.profile.setUrlRequestInterceptor(self.interceptor)
        self.preview_page = PreviewPage(self.profile, self)
        # A profile must outlive its pages. As the page's child it is deleted right
        # after the page, whatever order the view's owner deletes things in.
        self.profile.setParent(self.preview_page)
        settings = self.preview_page.settings()
        settings.setAttribute(
            QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, False
        )
        settings.setAttribute(QWebEngineSettings.WebAttribute.PluginsEnabled, False)
        self.setPage(self.preview_page)
        self.preview_page.loadFinished.connect(self.sig_loaded)
        self.sig_block_clicked = self.preview_page.sig_block_clicked
        self.sig_frame = self.preview_page.sig_frame

    def load_page(self, html: str, base_dir: Path, spill_file: Path) -> None:
        data = html.encode("utf-8")
        if len(data) <= SETHTML_LIMIT_BYTES:
            self.setHtml(html, QUrl.fromLocalFile(str(base_dir) + "/"))
            return
        spill_file.parent.mkdir(parents=True, exist_ok=True)
        spill_file.write_bytes(data)
        self.load(QUrl.fromLocalFile(str(spill_file)))

    def run_js(self, script: str, callback: Callable[[Any], None] | None = None) -> None:
        if callback is None:
            self.preview_page.runJavaScript(script, 0)
        else:
            self.preview_page.runJavaScript(script, 0, callback)
