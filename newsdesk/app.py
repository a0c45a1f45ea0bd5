"""Builds the QApplication, opens the library and shows the main window (or a screenshot of it)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from newsdesk.paths import APP_AUTHOR, APP_NAME, is_shared_url

WINDOW_SIZE = (1400, 900)
READY_TIMEOUT_MS = 30_000


def _has_display() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform.startswith(("offscreen", "minimal", "vnc")):
        return False
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def prepare_environment() -> None:
    """Settings QtWebEngine reads once, before the QApplication exists.

    Without a display (offscreen screenshots, CI, a remote shell) Chromium's GPU
    process has no GL to use and the preview stays blank or crashes, so GPU use
    is switched off there. It is left alone when set already, and on a real
    display, where hardware rendering works and is faster.
    """
    if "QTWEBENGINE_CHROMIUM_FLAGS" not in os.environ and not _has_display():
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = "--disable-gpu"
    # Chromium refuses to start its sandbox as root (containers, live systems) and
    # the preview would take the whole editor down; the preview only ever loads
    # local pages and blocks every other request, so it runs unsandboxed there.
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


def make_application(argv: list[str]):
    """The QApplication (argv as sys.argv: program name first), named for QSettings."""
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    # QtWebEngine must be loaded (and GL contexts shared) before the application
    # exists, even though the preview itself is only created after the first paint.
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    try:
        import PySide6.QtWebEngineWidgets  # noqa: F401
    except ImportError:
        pass  # the window falls back to a simple preview and says so
    # The preview, spell checker and counts run Python on worker threads; when one of them
    # holds the interpreter, the GUI thread gets it back within 1 ms instead of 5, which
    # is the difference between a keystroke drawn in this frame or a later one.
    sys.setswitchinterval(0.001)
    app = QApplication.instance() or QApplication(list(argv) or [APP_NAME])
    app.setOrganizationName(APP_AUTHOR)
    app.setApplicationName(APP_NAME)
    return app


def tell(message: str, *, interactive: bool, title: str = "newsdesk cannot open the library"):
    """One sentence to the user: a message box in the window, one stderr line offscreen."""
    if interactive:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, title, message)
    else:
        print(f"newsdesk: {message}", file=sys.stderr)


def open_library(library_dir: Path | str, *, interactive: bool = True):
    """The library (a folder, or a shared library's URL), or None after saying why it cannot open."""
    from newsdesk.library import Library, LibraryError

    try:
        if interactive and not isinstance(library_dir, str):
            from newsdesk.library.database import needs_upgrade

            if needs_upgrade(library_dir):
                from newsdesk.ui.upgrade_window import upgrade_with_window

                upgrade_with_window(library_dir)  # minutes on a large archive: said, not frozen
        if isinstance(library_dir, str) and is_shared_url(library_dir):
            from newsdesk.library import pg_silence
            from newsdesk.library.shared import SharedLibrary

            # The window's sessions carry sync's limits: a server that stops answering
            # is given up on in seconds, never holding a save, a read or the window.
            return SharedLibrary.open_url(library_dir, patience=pg_silence.WINDOW)
        return Library.open(library_dir, create=not isinstance(library_dir, str))
    except LibraryError as exc:
        tell(str(exc), interactive=interactive)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        tell(
            f"The library cannot be opened: {exc.strerror or exc}{where}.", interactive=interactive
        )
    return None


LIBRARY_FAILURES: list[str] = []
"""Library failures met while the window ran (the screenshot reports them in its exit status)."""


def install_error_hook(interactive: bool) -> None:
    """A library failure inside the running window (the disk went away, the file was damaged)
    reaches the user as one sentence in a message box, not as a traceback; damage closes the
    window, since nothing more can be saved."""
    from newsdesk.library import LibraryError
    from newsdesk.library.errors import LibraryDamaged

    previous = sys.excepthook

    def hook(kind, exc, tb) -> None:
        if not isinstance(exc, LibraryError):
            previous(kind, exc, tb)
            return
        if str(exc) in LIBRARY_FAILURES:
            return  # said once is enough (several views may meet the same damage)
        LIBRARY_FAILURES.append(str(exc))
        tell(str(exc), interactive=interactive, title="newsdesk")
        if interactive and isinstance(exc, LibraryDamaged):
            from PySide6.QtWidgets import QApplication

            app = QApplication.instance()
            if app is not None:
                app.exit(EXIT_DAMAGED)

    sys.excepthook = hook


EXIT_DAMAGED = 2


def seed_sample(library) -> None:
    """A new, empty library gets the sample article, when the sample module is there."""
    if getattr(library, "read_only", False) or getattr(library, "dialect", "sqlite") != "sqlite":
        return  # never into a read-only copy, nor into a newsroom's shared library
    try:
        from newsdesk.sample import seed_if_new
    except ImportError:
        return
    seed_if_new(library)


def build_window(library, *, settings=None):
    """The main window as a user gets it: open on the last article, panels docked.

    The image and related-story panels (Pillow, the suggestion index) are built
    just after the first paint, so the window appears sooner.
    """
    from PySide6.QtCore import QTimer

    from newsdesk.ui.main_window import MainWindow

    window = MainWindow(library, settings=settings)
    window.sig_first_paint.connect(lambda: QTimer.singleShot(0, window.install_standard_panels))
    window.open_initial()
    if window.article is not None:
        window.editor.setFocus()  # a reporter who starts typing at once writes in the body
    return window


def run(library_dir: Path, argv: list[str]) -> int:
    """Open the editor on a library; returns the exit status."""
    prepare_environment()
    app = make_application(argv)
    from newsdesk.ui.preferences import resolve_startup_library

    if not isinstance(library_dir, str):  # a shared library's URL is opened as given
        library_dir = resolve_startup_library(library_dir)  # a library moved in Preferences
    library = open_library(library_dir)
    if library is None:
        return EXIT_DAMAGED
    from newsdesk.library import LibraryError
    from newsdesk.ui.welcome import maybe_show_welcome

    install_error_hook(interactive=True)
    try:
        try:
            seed_sample(library)
            window = build_window(library)
            window.show()
            maybe_show_welcome(library, window)
        except LibraryError as exc:
            tell(str(exc), interactive=True)  # damage met while loading: said before exit
            return EXIT_DAMAGED
        # Everything loaded so far lives as long as the app: out of the garbage
        # collector's passes; the full passes wait for pauses in typing.
        from newsdesk.ui import collector

        collector.install(app)
        status = app.exec()
        collector.uninstall()
        dispose(window)
        return status
    finally:
        library.close()


def screenshot(library_dir: Path, out_png: Path) -> int:
    """Render the main window offscreen at 1400x900 with its preview loaded, and save a PNG."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    prepare_environment()
    app = make_application([])  # noqa: F841 (held: the application must outlive the window)
    library = open_library(library_dir, interactive=False)
    if library is None:
        return EXIT_DAMAGED
    from PySide6.QtCore import QSettings

    from newsdesk.library import LibraryError

    install_error_hook(interactive=False)
    try:
        seed_sample(library)
    except LibraryError as exc:
        tell(str(exc), interactive=False)
        library.close()
        return EXIT_DAMAGED
    try:
        with tempfile.TemporaryDirectory() as tmp:
            # A throwaway settings file: the picture never depends on a user's saved layout.
            settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
            window = build_window(library, settings=settings)
            window.resize(*WINDOW_SIZE)
            window.show()
            ready = wait_for(window.sig_preview_ready, READY_TIMEOUT_MS)
            ready = ready and wait_for_page(window)
            out_png = Path(out_png)
            out_png.parent.mkdir(parents=True, exist_ok=True)
            saved = window.grab().save(str(out_png))
            window.close()
            dispose(window)
        if LIBRARY_FAILURES:
            return EXIT_DAMAGED  # already said, one sentence each
        if not ready:
            print(
                "newsdesk: the preview did not finish loading; the picture shows it unfinished.",
                file=sys.stderr,
            )
        if not saved:
            print(
                f"newsdesk: could not write {out_png} (give it a .png, .jpg or .bmp name "
                "in a folder you can write to).",
                file=sys.stderr,
            )
        return 0 if saved else 1
    finally:
        library.close()


def _preview_painted(window) -> bool:
    """Whether a grab shows a page in the preview (not a blank frame).

    Only the top strip is asked for: the masthead is always there, while the
    lower part of a short article is rightly plain background.
    """
    from PySide6.QtCore import QPoint

    holder = window.preview_holder
    if not holder.isVisible():
        return True
    image = window.grab().toImage()
    origin = holder.mapTo(window, QPoint(0, 0))
    for top in (40,):
        colours = {
            image.pixel(origin.x() + dx, origin.y() + top + dy)
            for dx in range(10, max(11, holder.width() - 20), 9)
            for dy in range(0, 150, 9)
            if origin.y() + top + dy < image.height()
        }
        if len(colours) < 4:
            return False
    return True


def dispose(window) -> None:
    """Delete the window (and its web page) while the application still exists.

    QtWebEngine crashes the interpreter at exit if a page outlives its profile,
    which is released with the QApplication.
    """
    from PySide6.QtCore import QCoreApplication, QEvent

    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def _spin(ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


_VISIBLE_IMAGES_JS = """JSON.stringify([...document.images].map(i => {
  const r = i.getBoundingClientRect();
  return [i.complete && i.naturalWidth > 0, r.left, r.top, r.width, r.height];
}).filter(v => v[2] + v[4] > 0 && v[2] < innerHeight))"""


def _page_complete(window) -> bool:
    """The page is painted, and every image in view is decoded and painted (not a grey box)."""
    import json

    from PySide6.QtCore import QPoint

    if window.preview is None or not _preview_painted(window):
        return False
    box: list = []
    window.preview.run_js(_VISIBLE_IMAGES_JS, box.append)
    for _ in range(40):
        if box:
            break
        _spin(50)
    if not box or not box[0]:
        return False
    holder = window.preview_holder
    image = window.grab().toImage()
    origin = holder.mapTo(window, QPoint(0, 0))
    for ok, left, top, width, height in json.loads(box[0]):
        if not ok:
            return False
        x0, y0 = origin.x() + max(0, int(left)), origin.y() + max(0, int(top))
        x1 = min(origin.x() + holder.width(), x0 + int(width)) - 1
        y1 = min(origin.y() + holder.height(), y0 + int(height)) - 1
        colours = {
            image.pixel(x, y)
            for x in range(x0, max(x0 + 1, x1), 11)
            for y in range(y0, max(y0 + 1, y1), 11)
        }
        if x1 > x0 + 20 and y1 > y0 + 20 and len(colours) < 8:
            return False
    return True


def wait_for_page(window, timeout_ms: int = 10_000) -> bool:
    """Wait until the preview shows its page with the images in view painted; True if it did."""
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        if _page_complete(window):
            return True
        _spin(100)
    return False


def wait_for(signal, timeout_ms: int) -> bool:
    """Run the event loop until the signal fires or the time is up; True if it fired."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    fired = []
    signal.connect(lambda *_a: (fired.append(True), loop.quit()))
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    return bool(fired)
