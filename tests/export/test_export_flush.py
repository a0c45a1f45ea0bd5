"""A whole site reaches the disk in one flush of its file system; one edit's few files one by one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.export.fileops import SYNCFS_MIN_FILES, _kernel_reports_syncfs_errors
from tests.export.stories import REPO, files_of, leftovers, newsroom


def traced_export(library_root: Path, site: Path, trace: Path, cwd: Path) -> dict[str, int]:
    """Run the real export under strace; count its flushes: syncfs calls, and fsyncs of site files."""
    if shutil.which("strace") is None:
        pytest.fail("strace is needed to watch the export's flushes (.ci/run installs it)")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "newsdesk", "--library", str(library_root), "export", "--all"]
    result = subprocess.run(
        # -y names each descriptor's file; -f follows the worker processes and threads.
        ["strace", "-f", "-qq", "-y", "-e", "trace=fsync,fdatasync,syncfs", "-o", str(trace)]
        + [*cmd, "--out", str(site)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    calls = trace.read_text(encoding="utf-8", errors="replace").splitlines()
    # A file is flushed under its temporary name, before it is renamed into place.
    site_file = re.compile(
        r"\bf(?:data)?sync\(\d+<" + re.escape(str(site)) + r"/[^>]*\.tmp-newsdesk>"
    )
    return {
        "syncfs": sum(1 for c in calls if "syncfs(" in c and "= 0" in c),
        "file fsyncs": sum(1 for c in calls if site_file.search(c)),
    }


@pytest.mark.skipif(not _kernel_reports_syncfs_errors(), reason="needs Linux 5.8 or later")
def test_a_whole_site_is_flushed_at_once_and_one_edit_file_by_file(library, tmp_path):
    stories = newsroom(library, tmp_path / "photos", 45)
    root = library.root
    site = tmp_path / "site"
    library.close()

    first = traced_export(root, site, tmp_path / "first.trace", tmp_path)

    written = len(files_of(site))
    assert written > SYNCFS_MIN_FILES  # pages, listings, feeds and every picture's renditions
    # Every new file reached the disk through syncfs: not one fsync of a file of the site.
    assert first["file fsyncs"] == 0, first
    assert first["syncfs"] >= 1, first

    from newsdesk.library import Library

    lib = Library.open(root)
    lib.update_article(stories[0].id, body="A corrected first paragraph.\n\nSecond paragraph.")
    lib.close()
    edit = traced_export(root, site, tmp_path / "edit.trace", tmp_path)

    # A few files: each flushed on its own, and nothing else on the disk made to wait.
    assert edit["syncfs"] == 0, edit
    assert 1 <= edit["file fsyncs"] < SYNCFS_MIN_FILES, edit
    assert "A corrected first paragraph." in "".join(
        p.read_text(encoding="utf-8") for p in site.glob("*/harbour-story-number-0/index.html")
    )
    assert leftovers(site) == []
