"""The window on a real X server (Xvfb): one window from the first frame, typing from the start."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.library import Library

TYPED = "Typed at once"


@pytest.fixture
def x_display(tmp_path):
    """A private Xvfb at 1366x768; its display name (":N")."""
    xvfb = shutil.which("Xvfb")
    assert xvfb, "Xvfb is needed (Debian package xvfb, installed by .ci/run)"
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    assert number, "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


def run_probe_typing(tmp_path, env) -> dict:
    """The window on the display, typed into from the moment it shows; the probe's findings."""
    probe = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.x11.window_probe",
            str(tmp_path / "library"),
            str(tmp_path / "settings.ini"),
        ],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        first = probe.stdout.readline()
        assert first.startswith("SHOWN "), f"the window did not show: {first!r}"
        # Type at once, a key every 80 ms, while the preview arrives behind the keys.
        subprocess.run(
            ["xdotool", "type", "--delay", "80", TYPED + " while the preview starts."],
            env=env,
            check=True,
            timeout=60,
        )
        out, _err = probe.communicate(timeout=90)
    finally:
        if probe.poll() is None:
            probe.kill()
    return json.loads(out.strip().splitlines()[-1])


def a_library(tmp_path) -> None:
    library = Library.open(tmp_path / "library")
    library.create_article(headline="Harbour", body="", status="draft")
    library.close()


def test_the_window_is_never_recreated_and_keys_typed_at_once_reach_the_body(tmp_path, x_display):
    a_library(tmp_path)
    env = dict(os.environ, DISPLAY=x_display, QT_QPA_PLATFORM="xcb")
    env.pop("QTWEBENGINE_CHROMIUM_FLAGS", None)  # as on a reporter's desktop
    env.pop("QT_XCB_GL_INTEGRATION", None)
    result = run_probe_typing(tmp_path, env)
    assert result["preview"] == "PreviewPane" and result["preview_ready"]
    assert result["lit"] > 0.5, "the window was not drawn"
    assert len(result["ids"]) == 1, f"the window was re-created: X ids {result['ids']}"
    assert result["body"] == TYPED + " while the preview starts.", result["body"]


def test_a_display_without_opengl_shows_the_window_with_the_simple_preview(tmp_path, x_display):
    # QtWebEngine draws only through OpenGL; without it the window used to stay black.
    a_library(tmp_path)
    env = dict(os.environ, DISPLAY=x_display, QT_QPA_PLATFORM="xcb", QT_XCB_GL_INTEGRATION="none")
    env.pop("QTWEBENGINE_CHROMIUM_FLAGS", None)
    result = run_probe_typing(tmp_path, env)
    assert result["lit"] > 0.5, "the window was not drawn"
    assert result["surface"] == "TextSurface" and result["preview_ready"]
    assert len(result["ids"]) == 1, f"the window was re-created: X ids {result['ids']}"
    assert result["body"] == TYPED + " while the preview starts.", result["body"]
