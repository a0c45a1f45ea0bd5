"""The packaged app: build the PyInstaller bundle and drive the frozen binary offscreen.

Slow (a build takes a minute or two and the bundle is ~500 MiB), so it runs only
when asked: `NEWSDESK_SLOW=1 pytest tests/test_package.py` or `pytest -m slow`.
When it is asked for, a missing PyInstaller or objdump fails it; it never skips.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))
import build as packaging_build  # noqa: E402  (packaging/build.py: one place knows the layout)

SAMPLE = ROOT / "resources" / "sample"
SAMPLE_FILES = ("harbour-market-opens-earlier.md", "night-ferry-crews-rehearse-for-winter.md")
SLUG = "night-ferry-crews-rehearse-for-winter"
RUN_TIMEOUT = 180

pytestmark = [
    pytest.mark.slow,
    # The first test builds the bundle (PyInstaller, ~2 minutes on an idle 2-core machine).
    pytest.mark.timeout(1200),
    # Opt-in, not a missing tool: `-m slow` or NEWSDESK_SLOW=1 selects this module.
    pytest.mark.skipif(
        "os.environ.get('NEWSDESK_SLOW') != '1' and 'slow' not in (config.getoption('markexpr') or '')",
        reason="packaging test: run with NEWSDESK_SLOW=1 or -m slow",
    ),
]


def _sources_newer_than(stamp: Path) -> list[Path]:
    """Source files changed since the bundle was built (a stale bundle would test old code)."""
    built = stamp.stat().st_mtime
    inputs = [
        *(ROOT / "newsdesk").rglob("*"),
        *(ROOT / "resources").rglob("*"),
        ROOT / "packaging" / "newsdesk.spec",
        ROOT / "packaging" / "launcher.py",
        ROOT / "pyproject.toml",
    ]
    return [
        p
        for p in inputs
        if p.is_file() and "__pycache__" not in p.parts and p.stat().st_mtime > built
    ]


@pytest.fixture(scope="module")
def frozen() -> Path:
    """dist/newsdesk/newsdesk, built first when it is missing or older than the sources."""
    exe = packaging_build.executable()
    if exe.exists() and not _sources_newer_than(exe):
        return exe
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.fail(
            "PyInstaller is not installed: run `make package` or pip install -e '.[package]'"
        )
    if sys.platform.startswith("linux") and shutil.which("objdump") is None:
        pytest.fail("PyInstaller needs objdump on Linux: install binutils")
    if packaging_build.bundle_dir().exists():
        shutil.rmtree(packaging_build.bundle_dir())
    seconds = packaging_build.build()
    size = packaging_build.folder_size(packaging_build.bundle_dir())
    print(f"\nbuilt the bundle in {seconds:.0f} s; {size / 2**20:.0f} MiB")
    assert exe.exists()
    return exe


@pytest.fixture
def run(frozen, tmp_path):
    """Run the frozen binary offscreen, with its own home and settings, and return the result."""
    home = tmp_path / "home"
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "QT_QPA_PLATFORM": "offscreen",
        "QTWEBENGINE_DISABLE_SANDBOX": "1",
        "QTWEBENGINE_CHROMIUM_FLAGS": "--disable-gpu",
    }
    env.pop("NEWSDESK_LIBRARY", None)
    # The bundle must stand on its own: nothing from this checkout's Python on its path.
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(name, None)

    def run_(*args: str | Path, expect: int = 0) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [str(frozen), *map(str, args)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )
        assert result.returncode == expect, (
            f"newsdesk {' '.join(map(str, args))} exited {result.returncode}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr[-3000:]}"
        )
        return result

    return run_


def test_the_bundle_reports_the_version_from_pyproject(run):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert run("--version").stdout.strip() == f"newsdesk {version}"


def test_the_frozen_binary_imports_checks_and_exports_an_article(run, tmp_path):
    library = tmp_path / "Library"

    imported = run("--library", library, "import", *(SAMPLE / f for f in SAMPLE_FILES))
    assert f"imported {SLUG}" in imported.stdout
    assert (library / "library.sqlite").is_file()  # the migrations ran from the bundle

    listed = json.loads(run("--library", library, "list", "--json").stdout)
    assert {a["slug"] for a in listed} == {SLUG, "harbour-market-opens-earlier"}
    assert "ready to publish" in run("--library", library, "check", SLUG).stdout

    out = tmp_path / "site"
    run("--library", library, "export", SLUG, "--out", out)
    page = next(out.rglob(f"{SLUG}/index.html")).read_text(encoding="utf-8")
    assert "<h1" in page and "Night ferry crews rehearse for the winter storms" in page
    assert "Illustration by the newsdesk team" in page  # the hero's credit
    assert list(out.rglob("*.jpg")), "the hero's renditions are written"


def test_the_frozen_binary_opens_a_new_library_on_the_sample_and_renders_the_preview(run, tmp_path):
    shot = tmp_path / "window.png"

    run("--library", tmp_path / "Fresh", "screenshot", shot)

    with Image.open(shot) as im:
        assert im.format == "PNG"
        assert im.size == (1400, 900)
        # The preview (right of the editor) shows the sample's hero picture: a real page
        # has thousands of colours there, a blank or failed preview a handful.
        preview = im.convert("RGB").crop((800, 300, 1150, 850))
        assert len(preview.getcolors(maxcolors=1 << 20)) > 500


def test_the_frozen_binary_checks_spelling_with_the_dictionaries_it_carries(run, frozen, tmp_path):
    library = tmp_path / "Library"
    bundle = frozen.parent.resolve()
    run("--library", library, "publication", "--name", "The Courier")  # a library to check in

    result = run(
        "--library", library, "spell", "--check", "colour", "color", "--language", "en-GB",
        "--json", expect=1,
    )  # fmt: skip
    report = json.loads(result.stdout)
    by_word = {w["word"]: w for w in report["words"]}
    assert by_word["colour"]["correct"] is True
    assert by_word["color"]["correct"] is False
    assert "colour" in by_word["color"]["suggestions"]
    # Loaded from the bundle's own folder, not from a system package.
    dictionary = Path(report["dictionary"]).resolve()
    assert dictionary.name == "en_GB.dic"
    assert dictionary.is_relative_to(bundle), dictionary
    assert dictionary.parent.name == "dictionaries"
    assert Path(report["hunspell"]).resolve().is_relative_to(bundle), report["hunspell"]

    french = json.loads(
        run("--library", library, "spell", "--check", "anneé", "--language", "fr", "--json",
            expect=1).stdout
    )  # fmt: skip
    assert "année" in french["words"][0]["suggestions"]
    assert Path(french["dictionary"]).resolve().is_relative_to(bundle)


def test_the_frozen_binary_exports_an_original_with_its_metadata(run, tmp_path):
    library = tmp_path / "Library"
    run("--library", library, "import", *(SAMPLE / f for f in SAMPLE_FILES))
    out = tmp_path / "originals"
    result = run("--library", library, "images", "export", "all", "--out", out)
    written = [Path(line) for line in result.stdout.splitlines() if line.strip()]
    assert written and all(p.is_file() for p in written)
    # Exiv2 (loaded from the bundle) wrote XMP into the copy: it is there to read.
    assert any(b"<x:xmpmeta" in p.read_bytes() for p in written)
