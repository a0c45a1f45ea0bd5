"""Builds the one-folder bundle with PyInstaller and reports its build time and size.

`make package` runs this; so does the slow packaging test when dist/newsdesk is missing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "newsdesk.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"


def bundle_dir(dist: Path = DIST) -> Path:
    return dist / "newsdesk"


def executable(dist: Path = DIST) -> Path:
    return bundle_dir(dist) / ("newsdesk.exe" if sys.platform == "win32" else "newsdesk")


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build(dist: Path = DIST, work: Path = WORK, *, clean: bool = False) -> float:
    """Run PyInstaller on the spec; returns the seconds it took. Raises when it fails."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise SystemExit(
            "PyInstaller is not installed; run `make package`, or "
            "`.venv/bin/pip install -e '.[package]'`."
        ) from None
    if sys.platform.startswith("linux") and shutil.which("objdump") is None:
        raise SystemExit(
            "PyInstaller needs objdump on Linux: install binutils (apt install binutils)."
        )
    cmd = [
        sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm", "--log-level", "WARN",
        "--distpath", str(dist), "--workpath", str(work),
    ]  # fmt: skip
    if clean:
        cmd.append("--clean")
    started, started_at = time.monotonic(), time.time()
    subprocess.run(cmd, cwd=ROOT, check=True)
    # The executable's time says when the sources were read, so a file edited while
    # PyInstaller ran still counts as newer than the bundle (tests/test_package.py looks).
    os.utime(executable(dist), (started_at, started_at))
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clean", action="store_true", help="drop PyInstaller's cache first")
    args = p.parse_args(argv)
    if bundle_dir().exists():
        shutil.rmtree(bundle_dir())
    seconds = build(clean=args.clean)
    size = folder_size(bundle_dir())
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    version = subprocess.run(
        [str(executable()), "--version"], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    print(f"built {bundle_dir().relative_to(ROOT)} ({version}) in {seconds:.0f} s, "
          f"{size / 2**20:.0f} MiB")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
