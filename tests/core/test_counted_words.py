"""Counts in what people read say "1 article" and "2 articles", never "article(s)"."""

from __future__ import annotations

from pathlib import Path

from newsdesk.export.report import ArticleOutcome, ExportReport
from newsdesk.images.library_import import ImportReport
from newsdesk.text import counted


def test_counted_nouns_agree_with_their_number():
    assert counted(1, "article") == "1 article"
    assert counted(0, "article") == "0 articles"
    assert counted(2, "story", "stories") == "2 stories"
    assert counted(12_000, "file") == "12,000 files"


def outcomes(n: int) -> list[ArticleOutcome]:
    return [ArticleOutcome(slug=f"story-{i}", headline=f"Story {i}") for i in range(n)]


def test_the_export_summary_reads_as_written_for_one_and_for_many():
    one = ExportReport(
        out_dir=Path("/site"),
        written=outcomes(1),
        skipped=outcomes(1),
        failed=outcomes(1),
        changed_files=["index.html"],
    )
    text = one.summary()
    assert "(s)" not in text
    assert "Exported 1 article to /site" in text and "(1 file written, 0 unchanged)" in text
    assert "Left out 1 article that is not public." in text
    assert "1 article was NOT exported because of problems." in text
    many = ExportReport(out_dir=Path("/site"), written=outcomes(2), skipped=outcomes(3))
    assert "Exported 2 articles" in many.summary()
    assert "Left out 3 articles that are not public." in many.summary()


def test_an_image_import_counts_its_pictures_in_words():
    assert "(s)" not in ImportReport().summary
    assert ImportReport().summary == "Imported 0 images."
