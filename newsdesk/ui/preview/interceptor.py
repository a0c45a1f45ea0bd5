"""Keeps the preview off the network: every request that is not local is blocked."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWebEngineCore import QWebEngineUrlRequestInfo, QWebEngineUrlRequestInterceptor

# file: the library's media and the bundled stylesheet; data: setHtml's own document;
# qrc: Qt resources; blob: objects the page makes itself. Nothing else may load.
ALLOWED_SCHEMES = frozenset({"file", "data", "qrc", "blob"})


class LocalOnlyInterceptor(QWebEngineUrlRequestInterceptor):
    """Blocks every request whose scheme is not local, and remembers what it blocked."""

    sig_blocked = Signal(str)
    """A request for this URL was blocked."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.blocked: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802
        url = info.requestUrl()
        if url.scheme().lower() in ALLOWED_SCHEMES:
            return
        info.block(True)
        text = url.toString()
        self.blocked.append(text)
        self.sig_blocked.emit(text)
