"""Small publishable newsrooms for the export-folder tests, and a way to run the real command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from newsdesk.export import MANIFEST_NAME
from newsdesk.library import Library
from tests.export.sample import add_image, make_jpeg, published

REPO = Path(__file__).resolve().parents[2]


def newsroom(library: Library, photos: Path, n: int = 3, *, size=(640, 427)) -> list:
    """n published stories that pass preflight, in two sections, sharing two small pictures."""
    pics = [
        add_image(
            library,
            make_jpeg(photos / f"pic{i}.jpg", size, colour),
            alt_text=f"Boats in the harbour, view {i}",
            credit="Ana Ruiz / Gazette",
            caption="On the quay.",
        )
        for i, colour in enumerate([(40, 70, 120), (120, 60, 40)])
    ]
    return [
        published(
            library,
            hero=pics[i % 2],
            headline=f"Harbour story number {i}",
            dek=f"What happened on day {i}.",
            section=("News", "Politics")[i % 2],
            body=f"First paragraph of story {i}.\n\nSecond paragraph.",
        )
        for i in range(n)
    ]


def run_newsdesk(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The real command line, importing this checkout."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "newsdesk", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


def files_of(site: Path) -> dict[str, bytes]:
    """Every file below site (links not followed) and its bytes."""
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in site.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


def leftovers(where: Path) -> list[str]:
    """Temporary or half-swapped files and folders an export must never leave behind."""
    return sorted(
        p.relative_to(where).as_posix()
        for p in where.rglob("*")
        if ".tmp-" in p.name or ".old-" in p.name or p.name == ".newsdesk-journal"
    )


def without_manifest(files: dict[str, bytes]) -> dict[str, bytes]:
    return {rel: data for rel, data in files.items() if rel != MANIFEST_NAME}


def as_legacy_manifest(site: Path, without: tuple[str, ...] = ()) -> dict:
    """Turn the folder's record into the JSON manifest older versions kept (less some parts)."""
    import json

    from newsdesk.export.manifest import LEGACY_NAME, LEGACY_VERSION, read_record

    manifest = read_record(site)
    assert manifest is not None
    manifest["version"] = LEGACY_VERSION
    for name in without:
        manifest.pop(name, None)
    (site / LEGACY_NAME).write_text(json.dumps(manifest), "utf-8")
    (site / MANIFEST_NAME).unlink()
    return manifest
