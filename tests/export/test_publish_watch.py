"""`newsdesk export --all --watch`: a save made by another process is on the page within seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from newsdesk.library import Library
from tests.export.stories import REPO, newsroom, run_newsdesk


def _wait_for(predicate, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.02)
    raise AssertionError(f"not within {timeout} s")


def start_publishing(library: str, cwd, env: dict) -> subprocess.Popen:
    """`newsdesk export --all --watch --out site`, run from cwd, its output read as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "--library", library, "export", "--all", "--watch"]
        + ["--out", "site"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_watch_mode_republishes_a_save_from_another_process_and_ends_cleanly_on_sigterm(
    library, tmp_path
):
    library.update_publication(name="Harbour Gazette", base_url="https://gazette.example/")
    stories = newsroom(library, tmp_path / "photos", 4)
    root = str(library.root)
    library.close()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = start_publishing(root, tmp_path, env)
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


def _edit_headline(env: dict, library: str, slug: str, headline: str) -> None:
    edit = (
        "import sys\nfrom newsdesk.library import Library\n"
        "lib = Library.open(sys.argv[1])\n"
        "a = lib.get_article(sys.argv[2])\n"
        "lib.update_article(a.id, headline=sys.argv[3])\n"
        "lib.close()\n"
    )
    subprocess.run([sys.executable, "-c", edit, library, slug, headline], env=env, check=True)


@pytest.mark.postgres
def test_watch_mode_on_a_shared_library_waits_out_a_server_restart_and_publishes_again(
    own_pg_url, tmp_path
):
    server, url = own_pg_url
    with Library.open(url) as desk:
        desk.update_publication(name="Harbour Gazette", base_url="https://gazette.example/")
        stories = newsroom(desk, tmp_path / "photos", 2)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = start_publishing(url, tmp_path, env)
    try:
        page = tmp_path / "site" / "news" / stories[0].slug / "index.html"
        _wait_for(page.is_file, 60)
        server.stop_immediately()  # the server goes away under the publisher, then comes back
        time.sleep(3)  # long enough for the publisher to look at the library and find it gone
        server.start_again()
        _edit_headline(env, url, stories[0].slug, "Harbour wall gives way overnight")
        _wait_for(lambda: "Harbour wall gives way overnight" in page.read_text("utf-8"), 30)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    # Said once, in one sentence, and said again when it is over.
    assert err.count("newsdesk: ") == 1, err
    assert "Publishing resumes by itself when it answers again." in err
    assert "The shared library answers again; publishing resumed." in out
    assert "Stopped publishing." in out


def test_watch_mode_names_a_held_back_story_once_and_says_when_the_site_is_complete(
    library, tmp_path
):
    from tests.export.sample import add_image, make_jpeg, published

    library.update_publication(name="Harbour Gazette", base_url="https://gazette.example/")
    stories = newsroom(library, tmp_path / "photos", 2)
    uncredited = add_image(
        library, make_jpeg(tmp_path / "quay.jpg", (320, 213), (9, 8, 7)), alt_text="A crane"
    )
    held = published(
        library, hero=uncredited, headline="Crane falls", dek="At dawn.", body="It fell."
    )
    root = str(library.root)
    library.close()
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def run(code: str, *args: str) -> None:
        prelude = (
            "import sys\nfrom newsdesk.library import Library\nlib = Library.open(sys.argv[1])\n"
        )
        subprocess.run(
            [sys.executable, "-c", prelude + code + "\nlib.close()\n", root, *args],
            env=env,
            check=True,
        )

    proc = start_publishing(root, tmp_path, env)
    try:
        page = tmp_path / "site" / "news" / stories[0].slug / "index.html"
        _wait_for(page.is_file, 60)
        # A save of another story: republished, the held-back one not named a second time.
        run(
            "a = lib.get_article(sys.argv[2])\nlib.update_article(a.id, headline='Wall gives way')",
            stories[0].slug,
        )
        _wait_for(lambda: "Wall gives way" in page.read_text("utf-8"), 30)
        # The picture gets its credit: the story is published, and the publisher is told.
        run(f"lib.update_image({uncredited.id}, credit='Ana Ruiz / Gazette')")
        _wait_for(lambda: (tmp_path / "site" / "news" / held.slug / "index.html").is_file(), 30)
        time.sleep(0.5)  # (the lines of that publish are printed after its files are in place)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert err.count(f"{held.slug}: not exported") == 1, err
    assert err.count("has no credit") == 1, err
    assert err.strip().endswith("Every public story is on the site now."), err
