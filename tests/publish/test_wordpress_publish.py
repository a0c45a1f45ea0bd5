"""Publishing stories into a real WordPress (tests/wordpress.py) and reading them back through its REST API."""

from __future__ import annotations

import html
import socket
from datetime import UTC, datetime, timedelta

from tests.publish.stories import run_newsdesk, story_with_pictures, text_of


def _publish(site, lib_dir, *slugs, extra=(), password=None, cwd, remembered=False):
    where = () if remembered else ("--site", site.url, "--user", site.user)
    return run_newsdesk(
        "--library",
        str(lib_dir),
        "publish",
        "wordpress",
        *slugs,
        *where,
        *extra,
        password=site.password if password is None else password,
        cwd=cwd,
    )


def _post_of(site, library, article):
    record = library.remote_post(site.url + "/", article.uid)
    assert record is not None and record.post_id
    return site.api(f"/wp/v2/posts/{record.post_id}?context=edit")


def _media_count(site) -> int:
    return len(site.api("/wp/v2/media?per_page=100&context=edit"))


def test_a_story_arrives_with_its_pictures_words_section_and_tags(
    wordpress_site, library, tmp_path
):
    site = wordpress_site
    article = story_with_pictures(library, tmp_path / "photos", "harbour-wall-breaks")
    done = _publish(site, library.root, article.slug, cwd=tmp_path)
    assert done.returncode == 0, done.stderr + done.stdout
    assert done.stdout.startswith("harbour-wall-breaks: Created post ")
    post = _post_of(site, library, article)
    assert text_of(post["title"]) == "Storm breaks the harbour wall"
    assert text_of(post["excerpt"]) == "The fish market stood in a metre of water by sunrise."
    assert post["slug"] == "harbour-wall-breaks" and post["status"] == "publish"
    assert post["date_gmt"] == article.published_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")

    # The section is the category, the tags are tags: made on the site as they were missing.
    categories = [site.api(f"/wp/v2/categories/{i}")["name"] for i in post["categories"]]
    assert categories == ["Coast News"]
    assert sorted(site.api(f"/wp/v2/tags/{i}")["name"] for i in post["tags"]) == [
        "harbour",
        "storm",
    ]

    # The hero is the featured image, with this story's caption, its alt text and the credit.
    hero = site.api(f"/wp/v2/media/{post['featured_media']}?context=edit")
    assert hero["alt_text"] == "The harbour wall, broken in two places"
    assert text_of(hero["caption"]) == "The wall at dawn. Credit: Ana Ruiz / Gazette"
    assert "Credit: Ana Ruiz / Gazette" in text_of(hero["description"])
    assert "Photographer: Ana Ruiz" in text_of(hero["description"])
    assert hero["meta"]["credit"] == "Ana Ruiz / Gazette"  # the site registers a credit field
    assert hero["post"] == post["id"]

    # The body is our renderer's, its picture uploaded and shown from the site's address.
    content = post["content"]["raw"]
    assert "<p>The wall gave way at 4 a.m.</p>" in content
    assert "<strong>€4.2 million</strong>" in content
    assert "newsdesk.invalid" not in content and "file:" not in content
    inline = [
        m
        for m in site.api("/wp/v2/media?per_page=100&context=edit")
        if m["post"] == post["id"] and m["id"] != hero["id"]
    ]
    assert len(inline) == 1
    assert f'src="{inline[0]["source_url"]}"' in content
    assert 'alt="Boats pushed onto the quay"' in content
    assert '<span class="caption">Boats on the quay at noon.</span>' in content
    credit = content[content.index('<span class="credit">') :]
    assert "Port Authority" in credit[: credit.index("</figcaption>")]
    assert text_of(inline[0]["caption"]) == "Boats on the quay at noon. Credit: Port Authority"


def test_a_second_publish_sends_nothing_and_remembers_the_site(wordpress_site, library, tmp_path):
    site = wordpress_site
    article = story_with_pictures(library, tmp_path / "photos", "quiet-second-publish")
    first = _publish(site, library.root, article.slug, cwd=tmp_path)
    assert first.returncode == 0, first.stderr + first.stdout
    before, media_before = _post_of(site, library, article), _media_count(site)

    again = _publish(site, library.root, article.slug, cwd=tmp_path, remembered=True)
    assert again.returncode == 0, again.stderr + again.stdout
    assert again.stdout.strip() == (
        "quiet-second-publish: unchanged since the last publish; nothing was sent."
    )
    after = _post_of(site, library, article)
    assert after["modified_gmt"] == before["modified_gmt"]
    assert _media_count(site) == media_before


def test_a_story_edited_here_updates_the_same_post(wordpress_site, library, tmp_path):
    site = wordpress_site
    article = story_with_pictures(library, tmp_path / "photos", "edited-after-publishing")
    assert _publish(site, library.root, article.slug, cwd=tmp_path).returncode == 0
    first = _post_of(site, library, article)
    media_before = _media_count(site)

    library.update_article(article.id, headline="Storm breaks the harbour wall in two places")
    hero = library.get_article(article.id).hero
    library.update_figure(hero.id, caption="The wall at first light.")
    done = _publish(site, library.root, article.slug, cwd=tmp_path)
    assert done.returncode == 0, done.stderr + done.stdout
    assert done.stdout.startswith(f"edited-after-publishing: Updated post {first['id']} ")
    post = _post_of(site, library, article)
    assert post["id"] == first["id"]
    assert text_of(post["title"]) == "Storm breaks the harbour wall in two places"
    assert _media_count(site) == media_before  # the pictures were not uploaded again
    featured = site.api(f"/wp/v2/media/{post['featured_media']}?context=edit")
    assert featured["id"] == first["featured_media"]
    assert text_of(featured["caption"]) == "The wall at first light. Credit: Ana Ruiz / Gazette"


def test_a_post_edited_in_wordpress_is_left_alone_unless_forced(wordpress_site, library, tmp_path):
    site = wordpress_site
    article = story_with_pictures(library, tmp_path / "photos", "changed-in-wordpress")
    assert _publish(site, library.root, article.slug, cwd=tmp_path).returncode == 0
    post_id = _post_of(site, library, article)["id"]
    # Someone on the web desk retitles the post in WordPress, within the same second as
    # likely as not (WordPress keeps whole seconds: the words tell the edit apart).
    site.api(
        f"/wp/v2/posts/{post_id}",
        method="POST",
        data={"title": "A web editor's title"},
        admin=True,
    )
    library.update_article(article.id, dek="A new dek written at the desk.")

    refused = _publish(site, library.root, article.slug, cwd=tmp_path)
    assert refused.returncode == 1
    lines = refused.stdout.strip().splitlines()
    assert len(lines) == 1 and "changed in WordPress" in lines[0] and "--force" in lines[0]
    assert "Traceback" not in refused.stderr
    assert text_of(site.api(f"/wp/v2/posts/{post_id}")["title"]).startswith("A web editor")

    forced = _publish(site, library.root, article.slug, extra=("--force",), cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr + forced.stdout
    post = site.api(f"/wp/v2/posts/{post_id}?context=edit")
    assert text_of(post["title"]) == "Storm breaks the harbour wall"
    assert text_of(post["excerpt"]) == "A new dek written at the desk."
    # ...and after that, an unchanged story is a no-op again.
    again = _publish(site, library.root, article.slug, cwd=tmp_path)
    assert again.returncode == 0 and "nothing was sent" in again.stdout


def test_an_embargoed_story_is_scheduled_for_its_embargo(wordpress_site, library, tmp_path):
    site = wordpress_site
    embargo = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    article = story_with_pictures(
        library, tmp_path / "photos", "embargoed-budget", embargo_until=embargo
    )
    done = _publish(site, library.root, article.slug, cwd=tmp_path)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "(scheduled)" in done.stdout
    post = _post_of(site, library, article)
    assert post["status"] == "future"
    assert post["date_gmt"] == embargo.strftime("%Y-%m-%dT%H:%M:%S")
    # Not readable by the public before its time.
    anonymous = site.api("/wp/v2/posts?slug=embargoed-budget", anonymous=True)
    assert anonymous == []


def test_a_hostile_story_arrives_sanitised(wordpress_site, library, tmp_path):
    site = wordpress_site
    article = story_with_pictures(
        library,
        tmp_path / "photos",
        "hostile-story",
        headline="Council <script>alert(1)</script> vote",
        dek='Tax rise "passes" <img src=x onerror=alert(2)>',
        body=(
            "Before <script>alert(3)</script> the vote.\n\n"
            "[Click here](javascript:alert(4)) and "
            '<a href="javascript:alert(5)" onclick="alert(6)">here</a>.\n\n'
            '<iframe src="https://evil.example/"></iframe>\n\n'
            '<img src="x" onerror="alert(7)">'
        ),
        tags=("vote",),
    )
    done = _publish(site, library.root, article.slug, extra=("--status", "draft"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr + done.stdout
    post = _post_of(site, library, article)
    for raw in (post["content"]["raw"], post["content"]["rendered"]):
        lowered = raw.lower()
        assert "<script" not in lowered and "javascript:" not in lowered
        assert "onerror" not in lowered and "onclick" not in lowered
        assert "<iframe" not in lowered and "alert(" not in lowered
    for field in ("title", "excerpt"):  # plain text in an HTML field: every < escaped
        assert "<" not in post[field]["raw"] and "<" not in post[field]["rendered"].replace(
            "<p>", ""
        ).replace("</p>", "")
    # What the reporter typed is shown as text, not run (WordPress curls the quotes it shows).
    assert html.unescape(post["title"]["raw"]) == "Council <script>alert(1)</script> vote"
    assert html.unescape(post["excerpt"]["raw"]) == 'Tax rise "passes" <img src=x onerror=alert(2)>'


def test_a_story_failing_preflight_is_not_published(wordpress_site, library, tmp_path):
    site = wordpress_site
    article = library.create_article(
        slug="no-pictures-yet",
        headline="A story without a picture",
        dek="Not ready.",
        byline="By Ana Ruiz",
        body="Text.",
        status="published",
        published_at=datetime.now(UTC) - timedelta(hours=1),
    )
    done = _publish(site, library.root, article.slug, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == "no-pictures-yet: not published; 1 problem(s)"
    assert "There is no hero image." in done.stdout
    assert library.remote_post(site.url + "/", article.uid) is None
    assert site.api("/wp/v2/posts?slug=no-pictures-yet&status=any&context=edit") == []


def test_a_wrong_password_stops_with_one_sentence(wordpress_site, library, tmp_path):
    site = wordpress_site
    article = story_with_pictures(library, tmp_path / "photos", "wrong-password")
    done = _publish(site, library.root, article.slug, password="abcd efgh ijkl mnop", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "refused the user name 'desk' or its application password" in done.stderr
    assert library.remote_post(site.url + "/", article.uid) is None
    assert library.get_setting("wordpress.site") is None  # a refused login is not remembered


def test_no_password_or_no_site_stops_with_one_sentence(library, tmp_path):
    article = library.create_article(slug="anything", headline="Anything")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # nothing listens there once the socket closes
    base = ("--library", str(library.root), "publish", "wordpress", article.slug)
    cases = [
        (("--site", "http://127.0.0.1:1/", "--user", "desk"), None, "NEWSDESK_WP_PASSWORD"),
        (("--site", f"http://127.0.0.1:{closed}/", "--user", "desk"), "pw", "could not be reached"),
        (("--site", "http://news.example.org/", "--user", "desk"), "pw", "use the site's https://"),
        (("--site", "ftp://news.example.org/", "--user", "desk"), "pw", "must start with https://"),
        (("--user", "desk"), "pw", "Give the WordPress site with --site"),
    ]
    for extra, password, words in cases:
        done = run_newsdesk(*base, *extra, password=password, cwd=tmp_path)
        assert done.returncode == 2, (extra, done.stdout, done.stderr)
        assert done.stderr.count("\n") == 1 and words in done.stderr, done.stderr
        assert "Traceback" not in done.stderr and "Error" not in done.stderr


def test_every_published_story_at_once(wordpress_site, library, tmp_path):
    site = wordpress_site
    one = story_with_pictures(library, tmp_path / "photos", "all-published-one")
    two = story_with_pictures(library, tmp_path / "photos", "all-published-two")
    draft = story_with_pictures(library, tmp_path / "photos", "all-published-draft")
    library.update_article(draft.id, status="ready")
    done = _publish(site, library.root, extra=("--all-published",), cwd=tmp_path)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "all-published-one: Created post" in done.stdout
    assert "all-published-two: Created post" in done.stdout
    assert "all-published-draft" not in done.stdout
    assert library.remote_post(site.url + "/", draft.uid) is None
    assert _post_of(site, library, one)["id"] != _post_of(site, library, two)["id"]


def test_a_post_or_picture_deleted_in_wordpress_is_made_again(wordpress_site, library, tmp_path):
    site = wordpress_site
    article = story_with_pictures(library, tmp_path / "photos", "deleted-in-wordpress")
    assert _publish(site, library.root, article.slug, cwd=tmp_path).returncode == 0
    first = _post_of(site, library, article)
    site.api(f"/wp/v2/posts/{first['id']}?force=true", method="DELETE", admin=True)
    site.api(f"/wp/v2/media/{first['featured_media']}?force=true", method="DELETE", admin=True)

    done = _publish(site, library.root, article.slug, cwd=tmp_path)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "Created post" in done.stdout
    post = _post_of(site, library, article)
    assert post["id"] != first["id"] and post["status"] == "publish"
    assert post["featured_media"] not in (0, first["featured_media"])
    hero = site.api(f"/wp/v2/media/{post['featured_media']}?context=edit")
    assert hero["alt_text"] == "The harbour wall, broken in two places"


def test_a_terminal_sees_progress_and_a_script_sees_only_results(wordpress_site, library, tmp_path):
    import os
    import pty
    import subprocess
    import sys

    from tests.publish.stories import REPO

    site = wordpress_site
    article = story_with_pictures(library, tmp_path / "photos", "progress-on-a-terminal")
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO), "NEWSDESK_WP_PASSWORD": site.password}
    cmd = [sys.executable, "-m", "newsdesk", "--library", str(library.root), "publish"]
    cmd += ["wordpress", article.slug, "--site", site.url, "--user", site.user]
    try:
        done = subprocess.run(
            cmd, stdout=subprocess.PIPE, stderr=slave, env=env, cwd=tmp_path, timeout=300
        )
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
    assert done.returncode == 0
    terminal = seen.decode()
    assert "progress-on-a-terminal: Picture 1 of 2…" in terminal
    assert "progress-on-a-terminal: Creating the post…" in terminal
    assert terminal.endswith("\r\x1b[K")  # the progress line is wiped before the result
    assert done.stdout.decode().startswith("progress-on-a-terminal: Created post ")
