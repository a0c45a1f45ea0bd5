"""A private X server for the preview benchmarks, and key presses sent through it (XTest).

`use_x_server()` starts Xvfb at 1366x768 (a common laptop screen) and points Qt at
it (QT_QPA_PLATFORM=xcb, DISPLAY); it must run before PySide6 is imported. The
Chromium flags are left as the product sets them on a desktop (no --disable-gpu).

`XKeys` presses keys with the XTest extension over its own connection to the X
server, the path a typed key takes: the server queues the event, Qt's xcb reader
thread takes it and posts it to the GUI thread, and the focused widget gets it.
Calls return as soon as the request is flushed to the server; the key arrives later.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import shutil
import signal
import subprocess

SCREEN = "1366x768x24"
_server: subprocess.Popen | None = None


def use_x_server() -> str:
    """Start Xvfb (stopped when this process exits) and send Qt to it; the display name."""
    global _server
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise SystemExit("--x11 needs Xvfb (Debian package xvfb, installed by .ci/run).")
    read_fd, write_fd = os.pipe()
    _server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", SCREEN, "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_parent,  # a benchmark that crashes leaves no server behind
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        raise SystemExit("Xvfb did not start; try running it by hand to see why.")
    atexit.register(_stop_server)
    display = f":{number}"
    os.environ["DISPLAY"] = display
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    os.environ.pop("QT_XCB_GL_INTEGRATION", None)
    os.environ.pop("QTWEBENGINE_CHROMIUM_FLAGS", None)  # as on a reporter's desktop
    return display


def _die_with_parent() -> None:
    """In the child, before Xvfb starts: end it when the process that started it ends."""
    prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stop_server() -> None:
    if _server is not None and _server.poll() is None:
        _server.terminate()
        _server.wait(timeout=10)


class XKeys:
    """Key presses and pointer moves through the X server's XTest extension (libXtst)."""

    def __init__(self, display: str | None = None) -> None:
        self._x = ctypes.CDLL("libX11.so.6")
        self._xtst = ctypes.CDLL("libXtst.so.6")
        self._x.XOpenDisplay.restype = ctypes.c_void_p
        self._x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self._x.XStringToKeysym.restype = ctypes.c_ulong
        self._x.XStringToKeysym.argtypes = [ctypes.c_char_p]
        self._x.XKeysymToKeycode.restype = ctypes.c_ubyte
        self._x.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        self._x.XFlush.argtypes = [ctypes.c_void_p]
        self._x.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
        self._x.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self._xtst.XTestFakeKeyEvent.argtypes = [
            ctypes.c_void_p,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_ulong,
        ]
        self._xtst.XTestFakeMotionEvent.argtypes = [
            ctypes.c_void_p,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_ulong,
        ]
        name = (display or os.environ["DISPLAY"]).encode()
        self._dpy = self._x.XOpenDisplay(name)
        if not self._dpy:
            raise SystemExit(f"cannot open X display {name.decode()}")
        self._codes: dict[str, int] = {}

    def _code(self, char: str) -> int:
        if char not in self._codes:
            keysym = {" ": "space", ".": "period", ",": "comma"}.get(char, char)
            code = self._x.XKeysymToKeycode(self._dpy, self._x.XStringToKeysym(keysym.encode()))
            if not code:
                raise ValueError(f"no key on the X keyboard types {char!r}")
            self._codes[char] = code
        return self._codes[char]

    def move_pointer(self, x: int, y: int) -> None:
        """The pointer to this screen position (focus follows it on a server with no window manager)."""
        self._xtst.XTestFakeMotionEvent(self._dpy, -1, x, y, 0)
        self._x.XSync(self._dpy, 0)

    def press(self, char: str) -> None:
        """Press and release the key that types this (lower-case) character."""
        code = self._code(char)
        self._xtst.XTestFakeKeyEvent(self._dpy, code, 1, 0)
        self._xtst.XTestFakeKeyEvent(self._dpy, code, 0, 0)
        self._x.XFlush(self._dpy)

    def close(self) -> None:
        if self._dpy:
            self._x.XCloseDisplay(self._dpy)
            self._dpy = None
