"""Start-up settings QtWebEngine reads before the application exists."""

from __future__ import annotations

from newsdesk import app


def test_running_as_root_turns_the_preview_sandbox_off(monkeypatch):
    monkeypatch.delenv("QTWEBENGINE_DISABLE_SANDBOX", raising=False)
    monkeypatch.setattr(app.os, "geteuid", lambda: 0)
    app.prepare_environment()
    assert app.os.environ["QTWEBENGINE_DISABLE_SANDBOX"] == "1"


def test_a_normal_user_keeps_the_sandbox(monkeypatch):
    monkeypatch.delenv("QTWEBENGINE_DISABLE_SANDBOX", raising=False)
    monkeypatch.setattr(app.os, "geteuid", lambda: 1000)
    app.prepare_environment()
    assert "QTWEBENGINE_DISABLE_SANDBOX" not in app.os.environ


def test_no_display_means_no_gpu(monkeypatch):
    monkeypatch.delenv("QTWEBENGINE_CHROMIUM_FLAGS", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    app.prepare_environment()
    assert "--disable-gpu" in app.os.environ["QTWEBENGINE_CHROMIUM_FLAGS"]


def test_a_damaged_library_is_explained_and_left_alone(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    folder = tmp_path / "lib"
    folder.mkdir()
    db = folder / "library.sqlite"
    db.write_bytes(b"not a database" * 50)
    shown = []
    monkeypatch.setattr(
        QMessageBox,
        "critical",
        staticmethod(lambda parent, title, text: shown.append((title, text))),
    )
    assert app.open_library(folder) is None
    assert shown and "damaged or not a newsdesk library" in shown[0][1]
    assert db.read_bytes() == b"not a database" * 50


def test_run_exits_with_an_error_on_a_damaged_library(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "library.sqlite").write_bytes(b"garbage" * 100)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda *args: shown.append(args)))
    assert app.run(folder, ["newsdesk"]) == 2  # could not run, as on the command line
    assert len(shown) == 1 and "damaged or not a newsdesk library" in shown[0][2]
