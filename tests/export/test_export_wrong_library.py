"""A mistyped --library never wipes a published site: exporting from a folder with no library
is refused in one sentence, and nothing is created or removed."""

from __future__ import annotations

from newsdesk.library import Library
from tests.export.stories import files_of, newsroom, run_newsdesk


def test_an_export_from_a_folder_holding_no_library_is_refused_and_the_site_kept(tmp_path):
    library = Library.open(tmp_path / "lib")
    stories = newsroom(library, tmp_path / "photos", 2)
    library.close()
    first = run_newsdesk(
        "--library", str(tmp_path / "lib"), "export", "--all", "--out", "site", cwd=tmp_path
    )
    assert first.returncode == 0, first.stderr
    before = files_of(tmp_path / "site")
    assert any(stories[0].slug in rel for rel in before)

    for typo in ("lbi", "lib/../lbi", "no/such/folder"):
        for extra in (["--all"], [stories[0].slug], ["--all", "--watch"]):
            result = run_newsdesk(
                "--library", typo, "export", *extra, "--out", "site", cwd=tmp_path
            )
            assert result.returncode == 2, (typo, extra, result.stdout, result.stderr)
            assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
            assert "There is no library in" in result.stderr
            assert "check --library" in result.stderr
            assert not (tmp_path / typo).exists()  # no empty library made there
    assert files_of(tmp_path / "site") == before
