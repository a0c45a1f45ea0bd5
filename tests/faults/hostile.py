"""Hostile libraries to open, each built for real: damaged pages, empty files, mounts, full disks."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DB = "library.sqlite"

# What only Chromium and Qt print on stderr while the window starts offscreen; not ours.
NOISE = re.compile(
    r"^\[\d+:\d+:|This plugin does not support|GPUInfo|QRhi|Failed to create RHI|"
    r"Sandboxing disabled|Fontconfig|^qt\.|^js:|Release of profile requested"
)
CLASS_NAME = re.compile(
    r"Traceback|\bsqlite3\.|\bsqlalchemy\.|\b[A-Z]\w*(Error|Exception)\b|"
    r"\bLibrary(Damaged|ReadOnly)\b|\bNewerLibrary\b"
)
MAX_LINE = 400

BODY = (
    "The harbour ferry crossed at dawn while the council met. "
    "Residents queued at the pier and the tide ran high. "
) * 12


def build_template(root: Path) -> None:
    """A small real library: articles with tags, one picture as a hero, one related link."""
    env_path = str(REPO)
    if env_path not in sys.path:
        sys.path.insert(0, env_path)
    from newsdesk.images.library_import import import_image
    from newsdesk.library import Library

    with Library.open(root) as lib:
        ids = []
        for i in range(40):
            a = lib.create_article(
                headline=f"Story {i}", body=f"Story {i}. " + BODY, tags=["harbour", f"t{i % 4}"]
            )
            ids.append(a.id)
        lib.set_related(ids[1], [ids[2], ids[3]])
        image = import_image(lib, REPO / "tests" / "fixtures" / "images" / "pillow-iptc.jpg")
        lib.add_figure(ids[1], image.id, role="hero")
        lib.add_revision(ids[1], reason="save")
        lib.set_setting("fault-suite", True)
        lib.checkpoint()


def page_of(db: Path, table: str, kind: str) -> int:
    """A page of the table's B-tree: its root ('root') or a leaf in the middle ('leaf')."""
    con = sqlite3.connect(db)
    try:
        if kind == "root":
            return con.execute(
                "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
            ).fetchone()[0]
        leaves = [
            r[0]
            for r in con.execute(
                "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
                (table,),
            )
        ]
        return leaves[len(leaves) // 2]
    finally:
        con.close()


def damage_page(db: Path, page: int) -> None:
    con = sqlite3.connect(db)
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    with open(db, "r+b") as f:
        f.seek((page - 1) * size)
        f.write(b"\xde\xad\xbe\xef" * (size // 4))


def mount_tmpfs(where: Path, size: str = "4m") -> None:
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], check=True)


def remount_read_only(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)


def unmount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], check=False)


def fill_disk(where: Path) -> None:
    """Write until the file system says it is full (ENOSPC)."""
    block = b"\0" * 65536
    # Unbuffered: a block the disk could not take must not wait in a buffer
    # to fail again on close (whether it does depends on the free space left).
    with open(where / "filler.bin", "wb", buffering=0) as f:
        try:
            while True:
                f.write(block)
                f.flush()
        except OSError:
            pass
    # Fill the last few bytes too.
    try:
        with open(where / "filler2.bin", "wb", buffering=0) as f:
            while True:
                f.write(b"\0")
                f.flush()
    except OSError:
        pass


def run_newsdesk(library: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")
    env.pop("NEWSDESK_LIBRARY", None)
    return subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", str(library), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=REPO,
    )


def our_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip() and not NOISE.search(line)]


def beside(root: Path) -> set[str]:
    """The names in a library folder, media aside."""
    return {p.name for p in root.iterdir()} if root.is_dir() else set()
