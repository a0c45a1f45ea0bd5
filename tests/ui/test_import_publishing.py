"""File > Import Articles… follows the publishing rule: `status: published` goes through
preflight, and the report lists why a story was not published, as the command line does."""

from __future__ import annotations


def test_an_imported_story_that_fails_preflight_is_not_published_and_the_report_says_why(
    qtbot, window, library, tmp_path
):
    md = tmp_path / "ferry.md"
    md.write_text(
        "---\nheadline: Ferry back\ndek: The crossing resumes.\nbyline: By Ana Ruiz\n"
        "status: published\n---\nText.\n",
        encoding="utf-8",
    )
    window.import_articles([md])
    qtbot.waitUntil(lambda: window.import_box is not None, timeout=10_000)
    lines = window.import_box.text().splitlines()
    assert lines[0] == "imported ferry-back: Ferry back"
    assert lines[1].startswith("not published ferry-back (it stays draft): preflight found 1")
    assert lines[2] == "  - There is no hero image."
    assert library.get_article("ferry-back").status == "draft"
