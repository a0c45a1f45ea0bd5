"""Every export of a site names the public stories that are not on it and why, not only the first.

A second `export --all` of the same folder is incremental: it checks only what
changed. The stories an earlier run refused are still missing from the site,
so it names them as the first run did, with the same exit status.
"""

from __future__ import annotations

from pathlib import Path

from newsdesk.export import export_site
from newsdesk.export.incremental import publish
from newsdesk.export.report import NAMED
from newsdesk.library import Library
from tests.export.sample import add_image, make_jpeg, published
from tests.export.stories import newsroom, run_newsdesk


def _desk(tmp_path: Path):
    """A library of three good stories and one whose hero picture has no credit."""
    library = Library.open(tmp_path / "lib")
    library.update_publication(name="Harbour Gazette", base_url="https://gazette.example/")
    good = newsroom(library, tmp_path / "photos", 3)
    uncredited = add_image(
        library,
        make_jpeg(tmp_path / "photos" / "quay.jpg", (640, 427), (10, 20, 30)),
        alt_text="A crane on the quay",
        caption="The quay at dawn.",
    )
    held = published(
        library,
        hero=uncredited,
        headline="Crane collapses on the quay",
        dek="Nobody was hurt.",
        section="News",
        body="The crane fell at dawn.",
    )
    return library, good, held, uncredited


def _export(tmp_path: Path):
    return run_newsdesk(
        "--library",
        str(tmp_path / "lib"),
        "export",
        "--all",
        "--out",
        str(tmp_path / "site"),
        cwd=tmp_path,
    )


def _page(tmp_path: Path, slug: str) -> Path:
    return tmp_path / "site" / "news" / slug / "index.html"


def test_a_second_export_still_names_the_story_held_back_and_exits_as_the_first(tmp_path):
    library, _good, held, _picture = _desk(tmp_path)
    library.close()

    first = _export(tmp_path)
    second = _export(tmp_path)

    for run in (first, second):
        assert run.returncode == 1, run.stdout + run.stderr
        assert f"{held.slug}: not exported" in run.stderr
        assert "has no credit" in run.stderr
        assert "1 article was NOT exported because of problems." in run.stdout
        assert "Traceback" not in run.stderr
    # The second run changed nothing, and says so rather than "Exported 0 articles".
    assert "is up to date: no file needed writing" in second.stdout
    assert "Exported 0" not in second.stdout
    assert not _page(tmp_path, held.slug).exists()


def test_a_held_back_story_fixed_between_exports_is_published_and_no_longer_named(tmp_path):
    library, _good, held, picture = _desk(tmp_path)
    library.close()
    assert _export(tmp_path).returncode == 1

    library = Library.open(tmp_path / "lib")
    library.update_image(picture.id, credit="Ana Ruiz / Gazette")
    library.close()
    fixed = _export(tmp_path)
    again = _export(tmp_path)

    for run in (fixed, again):
        assert run.returncode == 0, run.stdout + run.stderr
        assert "not exported" not in run.stderr
        assert "NOT exported" not in run.stdout
    assert "Exported 1 article" in fixed.stdout
    assert "Crane collapses on the quay" in _page(tmp_path, held.slug).read_text(encoding="utf-8")


def test_a_held_back_story_trashed_between_exports_is_no_longer_named(tmp_path):
    library, _good, held, _picture = _desk(tmp_path)
    library.close()
    assert _export(tmp_path).returncode == 1

    library = Library.open(tmp_path / "lib")
    library.trash_article(held.id)
    library.close()
    for run in (_export(tmp_path), _export(tmp_path)):
        assert run.returncode == 0, run.stdout + run.stderr
        assert held.slug not in run.stderr


def test_a_held_back_story_made_a_draft_between_exports_is_no_longer_named(tmp_path):
    library, _good, held, _picture = _desk(tmp_path)
    library.close()
    assert _export(tmp_path).returncode == 1

    library = Library.open(tmp_path / "lib")
    library.update_article(held.id, status="draft")
    library.close()
    for run in (_export(tmp_path), _export(tmp_path)):
        assert run.returncode == 0, run.stdout + run.stderr
        assert held.slug not in run.stderr


def test_a_story_refused_by_an_incremental_export_is_named_by_the_next_ones_too(tmp_path):
    library, good, held, _picture = _desk(tmp_path)
    out = tmp_path / "site"
    assert [f.slug for f in publish(library, out).failed] == [held.slug]

    # An edit takes the byline off a story that was on the site: this run refuses it...
    library.update_article(good[2].id, byline="")
    refused = publish(library, out)
    assert refused.mode == "incremental"
    assert sorted(f.slug for f in refused.failed) == sorted([held.slug, good[2].slug])
    # ...and the next, with nothing changed, names both still, as a full export does.
    again = publish(library, out)
    assert again.mode == "incremental" and again.rendered_pages == 0
    full = export_site(library, tmp_path / "full")
    assert sorted(f.slug for f in again.failed) == sorted(f.slug for f in full.failed)
    assert not again.ok and not full.ok
    reasons = {f.slug: f.reasons for f in again.failed}
    assert reasons == {f.slug: f.reasons for f in full.failed}
    library.close()


def test_a_story_deleted_for_good_is_no_longer_named_held_back(tmp_path):
    library, _good, held, _picture = _desk(tmp_path)
    out = tmp_path / "site"
    assert not publish(library, out).ok
    library.delete_article(held.id)
    for report in (publish(library, out), publish(library, out)):
        assert report.ok, report.problem_lines()
        assert report.failed == [] and report.failed_more == 0
    library.close()


def test_hundreds_of_held_back_stories_are_counted_and_the_first_named(tmp_path):
    library, _good, _held, _picture = _desk(tmp_path)
    # Stories with no picture at all: preflight wants a hero.
    for i in range(NAMED + 20):
        library.create_article(
            headline=f"Bare story {i}",
            dek="No picture.",
            byline="By Ana Ruiz",
            status="published",
            body="Text.",
        )
    out = tmp_path / "site"
    for report in (publish(library, out), publish(library, out)):
        assert not report.ok
        assert report.held_back == NAMED + 21
        lines = report.problem_lines()
        named = [line for line in lines if line.endswith(": not exported")]
        assert len(named) == NAMED
        assert lines[-1] == (
            "… and 21 more articles not exported: fix those above and export again to see "
            "the next ones."
        )
        assert f"{NAMED + 21:,} articles were NOT exported because of problems." in (
            report.summary()
        )
    assert report.mode == "incremental"
    library.close()
