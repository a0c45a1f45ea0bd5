"""File > Publish on save: each save republishes the site to the remembered folder."""

from __future__ import annotations

from newsdesk import settings as user_settings
from tests.export.stories import newsroom


def test_publish_on_save_republishes_the_edited_page_after_a_save(
    qtbot, make_window, library, settings, tmp_path
):
    library.update_publication(name="Harbour Gazette", base_url="https://gazette.example/")
    stories = newsroom(library, tmp_path / "photos", 2)
    site = tmp_path / "site"
    user_settings.write(settings, user_settings.PUBLISH_FOLDER, str(site))
    window = make_window(open_initial=False)
    action = window.actions_by_name["publish_on_save"]
    assert action.isCheckable() and not action.isChecked()

    with qtbot.waitSignal(window.publish_on_save.sig_published, timeout=60_000):
        action.setChecked(True)  # the folder is remembered: no dialog, a first publish
    page = site / "news" / stories[0].slug / "index.html"
    assert page.is_file()

    with qtbot.waitSignal(window.publish_on_save.sig_published, timeout=30_000) as published:
        window.ops.run_op(
            lambda lib: lib.update_article(stories[0].id, headline="Harbour wall gives way"),
            initiator=window,
        )
    assert published.args[0].mode == "incremental"
    assert published.args[0].rendered_pages == 1
    assert "Harbour wall gives way" in page.read_text(encoding="utf-8")
    assert user_settings.read(settings, user_settings.PUBLISH_ON_SAVE) is True


def test_publish_on_save_stays_off_when_no_folder_is_chosen(
    qtbot, make_window, library, settings, monkeypatch
):
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    window = make_window(open_initial=False)
    action = window.actions_by_name["publish_on_save"]
    action.setChecked(True)
    assert not action.isChecked()
    assert user_settings.read(settings, user_settings.PUBLISH_ON_SAVE) is False


def test_publish_on_save_names_a_story_still_held_back_after_every_save(
    qtbot, make_window, library, settings, tmp_path
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
    user_settings.write(settings, user_settings.PUBLISH_FOLDER, str(tmp_path / "site"))
    window = make_window(open_initial=False)
    said: list[str] = []
    window.publish_on_save.sig_status.connect(said.append)

    with qtbot.waitSignal(window.publish_on_save.sig_published, timeout=60_000):
        window.actions_by_name["publish_on_save"].setChecked(True)
    qtbot.waitUntil(lambda: len(said) == 1)
    assert f"1 story NOT on the site because of problems: {held.slug}" in said[0]

    # A save of another story publishes incrementally: the held-back one is named again.
    with qtbot.waitSignal(window.publish_on_save.sig_published, timeout=30_000) as published_:
        window.ops.run_op(
            lambda lib: lib.update_article(stories[0].id, headline="Harbour wall gives way"),
            initiator=window,
        )
    assert published_.args[0].mode == "incremental"
    qtbot.waitUntil(lambda: len(said) == 2)
    assert f"1 story NOT on the site because of problems: {held.slug}" in said[1]
