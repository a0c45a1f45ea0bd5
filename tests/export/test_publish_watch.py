"""`newsdesk export --all --watch`: a save made by another process is on the page within seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.export.stories import REPO, newsroom, run_newsdesk


def _wait_for(predicate, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.02)
    raise AssertionError(f"not within {timeout} s")


def test_watch_mode_republishes_a_save_from_another_process_and_ends_cleanly_on_sigterm(
    library, tmp_path
):
    library.update_publication(name="Harbour Gazette", base_url="https://gazette.example/")
    stories = newsroom(library, tmp_path / "photos", 4)
    root = str(library.root)
    library.close()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newsdesk",
            "--library",
            root,
            "export",
            "--all",
            "--watch",
            "--out",
            "site",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        page = tmp_path / "site" / "news" / stories[0].slug / "index.html"
        _wait_for(page.is_file, 60)
        time.sleep(0.3)
        edit = (
            "import sys\nfrom newsdesk.library import Library\n"
            "lib = Library.open(sys.argv[1])\n"
            "a = lib.get_article(sys.argv[2])\n"
            "lib.update_article(a.id, headline='Harbour wall gives way overnight')\n"
            "lib.close()\n"
        )
        subprocess.run([sys.executable, "-c", edit, root, stories[0].slug], env=env, check=True)
        saved = time.monotonic()
        _wait_for(lambda: "Harbour wall gives way overnight" in page.read_text("utf-8"), 2.0)
        assert time.monotonic() - saved < 2.0
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "Stopped publishing." in out


def test_watch_without_all_is_refused_in_one_sentence(library, tmp_path):
    newsroom(library, tmp_path / "photos", 1)
    root = str(library.root)
    library.close()
    result = run_newsdesk(
        "--library", root, "export", "x", "--watch", "--out", "site", cwd=tmp_path
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "newsdesk: --watch republishes the whole site; use it with --all."
    )
