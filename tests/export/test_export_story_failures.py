"""One story that cannot be rendered is left out with its reason; the rest of the site is published."""

from __future__ import annotations

from datetime import UTC, datetime

from newsdesk.export import export_site
from newsdesk.paths import resource
from newsdesk.rules import section_segment
from tests.export.stories import leftovers, newsroom, run_newsdesk


def page(site, article):
    return site / section_segment(article.section) / article.slug / "index.html"


def test_a_story_dated_year_one_in_new_york_is_published_with_its_date_in_utc(library, tmp_path):
    # Import refuses such dates now; one already in a library (or set by a script) is
    # shown in UTC, where every date can be shown, instead of stopping the site.
    library.update_publication(
        name="The Gazette", base_url="https://gazette.example/", timezone="America/New_York"
    )
    stories = newsroom(library, tmp_path / "photos", 3)
    ancient = stories[0]
    library.update_article(ancient.id, published_at=datetime(1, 1, 1, tzinfo=UTC))
    library.set_related(stories[1].id, [ancient.id, stories[2].id])
    root = str(library.root)
    library.close()

    result = run_newsdesk("--library", root, "export", "--all", "--out", "site", cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    site = tmp_path / "site"
    for story in stories:
        assert page(site, story).is_file()
    assert 'datetime="0001-01-01' in page(site, ancient).read_text(encoding="utf-8")


def test_a_template_failing_on_one_story_spares_the_others_rendered_in_worker_processes(
    library, tmp_path
):
    # Enough stories that the pages are rendered on the process pool.
    stories = newsroom(library, tmp_path / "photos", 45)
    broken, linking = stories[7], stories[8]
    library.set_related(linking.id, [broken.id])
    library.set_related(broken.id, [stories[9].id])  # its page shows related stories
    library.templates_dir.mkdir()
    related = resource("templates/related.html").read_text(encoding="utf-8")
    (library.templates_dir / "related.html").write_text(
        # A publication's template with a mistake that only this story's page reaches.
        f'{{% if page.headline == "{broken.headline}" %}}{{{{ page.no_such.field }}}}{{% endif %}}'
        + related,
        encoding="utf-8",
    )
    site = tmp_path / "site"

    report = export_site(library, site, workers=2)

    assert [f.slug for f in report.failed] == [broken.slug]
    assert "template" in report.failed[0].reasons[0]
    assert len(report.written) == 44
    assert not page(site, broken).exists()
    linking_page = page(site, linking).read_text(encoding="utf-8")
    assert broken.slug not in linking_page, "the related card of the missing story is gone"
    assert broken.slug not in (site / "index.html").read_text(encoding="utf-8")
    assert leftovers(site) == []

    # Fixed template: the next export adds the story and links to it again.
    (library.templates_dir / "related.html").write_text(related, encoding="utf-8")
    again = export_site(library, site, workers=2)
    assert again.ok and page(site, broken).is_file()
    assert broken.slug in page(site, linking).read_text(encoding="utf-8")


def test_a_body_nested_too_deeply_does_not_stop_the_whole_site(library, tmp_path):
    stories = newsroom(library, tmp_path / "photos", 44)
    deep = stories[3]
    library.update_article(deep.id, body="- " * 10000 + "end")
    root = str(library.root)
    library.close()

    result = run_newsdesk("--library", root, "export", "--all", "--out", "site", cwd=tmp_path)

    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    site = tmp_path / "site"
    assert all(page(site, s).is_file() for s in stories if s is not deep)
    if result.returncode == 1:  # left out, and said why (a renderer that copes publishes it)
        assert f"{deep.slug}: not exported" in result.stderr
        assert "too deeply nested" in result.stderr
    else:
        assert page(site, deep).is_file()


def test_a_story_changed_while_the_export_runs_is_checked_again_before_its_page_is_written(
    library, tmp_path
):
    # The window saves while a full export runs: between the export's check of a
    # story and the reading of its text for the page, one story is withdrawn and
    # another loses its headline. Neither may be published as it now is.
    withdrawn, emptied, kept = newsroom(library, tmp_path / "photos", 3)
    site = tmp_path / "site"
    edits: list[int] = []

    def meanwhile(done: int, total: int) -> None:
        if not edits:  # the pictures' renditions come after every story was checked
            edits.append(done)
            library.update_article(withdrawn.id, status="draft")
            library.update_article(emptied.id, headline="")

    report = export_site(library, site, progress=meanwhile)

    assert edits, "the export reported progress between its two readings"
    reasons = {f.slug: f.reasons for f in report.failed}
    assert reasons[withdrawn.slug] == ["it was withdrawn while the export ran"]
    assert reasons[emptied.slug] == ["it was changed while the export ran: The headline is empty."]
    assert [w.slug for w in report.written] == [kept.slug]
    assert not page(site, withdrawn).exists() and not page(site, emptied).exists()
    front = (site / "index.html").read_text(encoding="utf-8")
    assert withdrawn.slug not in front and emptied.slug not in front
    assert page(site, kept).is_file() and leftovers(site) == []

    # The next export sees both changes: the emptied story is refused by preflight.
    again = export_site(library, site)
    assert {f.slug for f in again.failed} == {emptied.slug}
    assert [w.slug for w in again.written] == [kept.slug]
