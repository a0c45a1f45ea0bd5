"""The live preview: the article's published page, patched in place as it is edited."""

from __future__ import annotations

from newsdesk.ui.preview.pane import PreviewPane, preload_web_engine

__all__ = ["PreviewPane", "preload_web_engine"]
