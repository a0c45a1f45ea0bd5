"""Whether the display the window is on can draw with OpenGL, which the web preview needs."""

from __future__ import annotations

import os
from collections.abc import Mapping


def display_without_gl(platform: str, environ: Mapping[str, str] = os.environ) -> bool:
    """An X display told to offer no OpenGL (`QT_XCB_GL_INTEGRATION=none`, used where GL is
    broken: virtual machines, remote and virtual displays).

    QtWebEngine draws only through OpenGL; its view, or the GPU-backed surface
    prepared for it, makes Qt draw the whole window through OpenGL too, and
    with none to be had the window stays black. There the simple preview is
    shown instead. (Probing with a real OpenGL context would also catch a
    display that lacks it silently, but costs a tenth of a second at start-up.)
    """
    return platform == "xcb" and environ.get("QT_XCB_GL_INTEGRATION", "").strip().lower() == "none"
