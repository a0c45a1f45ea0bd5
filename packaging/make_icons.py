"""Renders resources/icons/newsdesk.svg to the PNG sizes desktops and installers ask for.

Run it after editing the SVG and commit what it writes: `.venv/bin/python packaging/make_icons.py`.
QtSvg draws the same file the desktop entry installs, so the PNGs never drift from it;
Pillow then packs them into the Windows .ico and the macOS .icns the installers use.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "newsdesk.svg"
SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO = ROOT / "packaging" / "windows" / "newsdesk.ico"
ICNS = ROOT / "packaging" / "macos" / "newsdesk.icns"


def png_path(size: int) -> Path:
    return ICONS / f"newsdesk-{size}.png"


def render(svg: Path = SVG, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    """Draw the SVG at each size onto a transparent square and save it; returns the files."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not an SVG that Qt can draw.")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        out = png_path(size)
        if not image.save(str(out), "PNG"):
            raise SystemExit(f"Could not write {out}.")
        written.append(out)
    return written


def pack_platform_icons() -> list[Path]:
    """The Windows .ico (16-256 px) and the macOS .icns (up to 512 px), from the PNGs."""
    from PIL import Image

    with Image.open(png_path(256)) as big:
        big.save(ICO, format="ICO", sizes=[(s, s) for s in SIZES if s <= 256])
    with Image.open(png_path(512)) as biggest:
        biggest.save(ICNS, format="ICNS")
    return [ICO, ICNS]


if __name__ == "__main__":
    for path in [*render(), *pack_platform_icons()]:
        print(path.relative_to(ROOT))
