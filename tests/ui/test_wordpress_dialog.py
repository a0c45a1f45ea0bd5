"""Article > Publish to WordPress…: the open story published into a real WordPress from the window."""

from __future__ import annotations

import html

import pytest

from newsdesk.ui import wordpress_dialog
from tests.publish.stories import story_with_pictures
from tests.ui.conftest import open_in_window


@pytest.fixture(autouse=True)
def _no_passwords_left():
    wordpress_dialog.forget_passwords()
    yield
    wordpress_dialog.forget_passwords()


def _open_dialog(qtbot, make_window, library, slug):
    window = make_window()
    open_in_window(qtbot, window, library.get_article(slug).id)
    window.actions_by_name["publish_wordpress"].trigger()
    dialog = window.wordpress_dialog
    assert dialog is not None and dialog.isVisible()
    return window, dialog


def _publish(qtbot, dialog):
    with qtbot.waitSignal(dialog.sig_finished, timeout=180_000) as finished:
        dialog.publish_button.click()
        assert dialog.running and not dialog.publish_button.isEnabled()
    return finished.args[0]


def test_publishing_the_open_story_from_the_article_menu(
    qtbot, make_window, library, tmp_path, wordpress_site
):
    site = wordpress_site
    story_with_pictures(library, tmp_path / "photos", "from-the-window")
    window, dialog = _open_dialog(qtbot, make_window, library, "from-the-window")
    dialog.site.setText(site.url)
    dialog.user.setText(site.user)
    dialog.password.setText(site.password)
    outcome = _publish(qtbot, dialog)
    assert outcome.action == "created", dialog.status.text()
    assert dialog.status.text().startswith("from-the-window: Created post ")
    post = site.api(f"/wp/v2/posts/{outcome.post_id}?context=edit")
    assert html.unescape(post["title"]["raw"]) == "Storm breaks the harbour wall"
    assert post["featured_media"]

    # The site and user are remembered in the library; the password never is.
    assert library.get_setting("wordpress.site") == site.url + "/"
    assert library.get_setting("wordpress.user") == site.user
    library.checkpoint()
    stored = b"".join(p.read_bytes() for p in library.root.rglob("library.sqlite*"))
    assert site.password.encode() not in stored

    # Asked again in this session, the dialog fills everything in; nothing changed, nothing sent.
    dialog.close()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    window.actions_by_name["publish_wordpress"].trigger()
    again = window.wordpress_dialog
    assert (again.site.text(), again.user.text()) == (site.url + "/", site.user)
    assert again.password.text() == site.password
    assert again.password.echoMode() == again.password.EchoMode.Password
    second = _publish(qtbot, again)
    assert second.action == "unchanged"
    assert (
        again.status.text()
        == "from-the-window: unchanged since the last publish; nothing was sent."
    )


def test_a_wrong_password_is_one_sentence_in_the_dialog(
    qtbot, make_window, library, tmp_path, wordpress_site
):
    site = wordpress_site
    story_with_pictures(library, tmp_path / "photos", "wrong-in-the-window")
    _window, dialog = _open_dialog(qtbot, make_window, library, "wrong-in-the-window")
    dialog.site.setText(site.url)
    dialog.user.setText(site.user)
    dialog.password.setText("not the password")
    failure = _publish(qtbot, dialog)
    assert isinstance(failure, Exception)
    text = dialog.status.text()
    assert "refused the user name 'desk' or its application password" in text
    assert "Error" not in text and "Traceback" not in text
    assert not dialog.running and dialog.publish_button.isEnabled()
    assert wordpress_dialog._SESSION_PASSWORDS == {}  # a refused password is not kept
    assert library.get_setting("wordpress.site") is None


def test_the_dialog_asks_for_what_is_missing_before_connecting(
    qtbot, make_window, library, tmp_path
):
    story_with_pictures(library, tmp_path / "photos", "missing-fields")
    _window, dialog = _open_dialog(qtbot, make_window, library, "missing-fields")
    dialog.site.setText("http://news.example.org/")
    dialog.publish_button.click()
    assert not dialog.running and "unencrypted" in dialog.status.text()
    dialog.site.setText("https://news.example.org/")
    dialog.user.setText("desk")
    dialog.publish_button.click()
    assert not dialog.running and "application password" in dialog.status.text()
