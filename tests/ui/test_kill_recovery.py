"""kill -9 while typing: reopening the library shows everything typed up to 2 s before the kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from newsdesk.library import Library
from tests.ui.conftest import open_in_window
from tests.ui.kill_typist import word

TYPIST = Path(__file__).with_name("kill_typist.py")
REPO = Path(__file__).resolve().parents[2]
TYPE_FOR_S = 4.0
GRACE_S = 2.0  # the promise: at most the last two seconds of typing can be lost


def test_a_hard_kill_mid_typing_loses_at_most_the_last_two_seconds(qtbot, tmp_path, make_window):
    library_dir = tmp_path / "kill-library"
    with Library.open(library_dir) as library:
        article = library.create_article(headline="Live blog", body="Opening line.")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, str(TYPIST), str(library_dir), str(article.id)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=REPO,
        start_new_session=True,  # its QtWebEngine helpers die with it
    )
    typed_at: list[tuple[float, int]] = []  # (when the line arrived, word number)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "READY"
        started = time.monotonic()
        while time.monotonic() - started < TYPE_FOR_S:
            line = proc.stdout.readline()
            assert line, "the typist stopped before it was killed"
            if line.startswith("TYPED "):
                typed_at.append((time.monotonic(), int(line.split()[1])))
        killed_at = time.monotonic()
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    must_have = max(n for t, n in typed_at if t <= killed_at - GRACE_S)
    last_typed = typed_at[-1][1] + 5  # a few more may have been typed before the kill landed
    expected_bodies = {
        "Opening line." + "".join(word(i) for i in range(n + 1)): n
        for n in range(must_have, last_typed + 1)
    }

    with Library.open(library_dir) as reopened:
        body = reopened.get_article(article.id).body
        assert body in expected_bodies, (
            f"saved text ends {body[-40:]!r}; expected at least up to {word(must_have)!r}"
        )
        # Reopening the editor shows it.
        window = make_window(reopened, open_initial=False)
        open_in_window(qtbot, window, article.id)
        assert window.editor.toPlainText() == body
        window.close()
    assert expected_bodies[body] >= must_have
