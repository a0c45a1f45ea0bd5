"""QA stories for `newsdesk import`: files a reporter really has, and what each one gets back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.library import Library
from newsdesk.paths import resource


def run(capsys, *argv) -> tuple[int, str, str]:
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def folder(tmp_path) -> Path:
    folder = tmp_path / "stories"
    folder.mkdir()
    shutil.copy(resource("sample", "harbour-dawn.jpg"), folder / "stop.jpg")
    return folder


def test_a_date_that_does_not_exist_names_the_key_and_line_without_a_traceback(
    capsys, folder, tmp_path
):
    story = folder / "story.md"
    story.write_text("---\nheadline: Leap day\npublished: 2026-02-30\n---\nBody.\n", "utf-8")
    rc, _, err = run(capsys, "--library", tmp_path / "lib", "import", story)
    assert rc == 2
    assert "key 'published' on line 3 is not a date and time ('2026-02-30')" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_real_dates_still_read_as_dates(capsys, folder, tmp_path):
    story = folder / "story.md"
    story.write_text("---\nheadline: Leap day\npublished: 2028-02-29\n---\nBody.\n", "utf-8")
    rc, _, err = run(capsys, "--library", tmp_path / "lib", "import", story)
    assert rc == 0, err
    with Library.open(tmp_path / "lib") as lib:
        assert lib.get_article("leap-day").published_at.date().isoformat() == "2028-02-29"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x00" * 300, "is a binary file, not Markdown text."),
        (b"---\nheadline: x\n---\nA body\x00\x01\x02 with bytes.\n", "is a binary file"),
        ("---\nheadline: x\n---\nBody.\n".encode("utf-16"), "is UTF-16 text; save it as UTF-8"),
        (b"", "is empty; there is nothing to import."),
        (b"  \n\n", "is empty; there is nothing to import."),
    ],
)
def test_binary_and_empty_files_are_refused_in_one_line(capsys, folder, tmp_path, content, message):
    bad = folder / "bad.md"
    bad.write_bytes(content)
    rc, out, err = run(capsys, "--library", tmp_path / "lib", "import", bad)
    assert rc == 2 and message in err and err.count("\n") == 1
    assert out == ""
    with Library.open(tmp_path / "lib") as lib:
        assert lib.count_articles() == 0


def test_a_file_with_no_headline_is_imported_with_a_warning(capsys, folder, tmp_path):
    notes = folder / "notes.md"
    notes.write_text("Just some notes, no front matter.\n", "utf-8")
    rc, out, err = run(capsys, "--library", tmp_path / "lib", "import", notes)
    assert rc == 0 and out.startswith("imported ")
    assert "warning:" in err and "has no 'headline'" in err


def test_the_markdown_title_of_a_body_image_becomes_its_caption_on_the_page(
    capsys, folder, tmp_path
):
    story = folder / "story.md"
    story.write_text(
        "---\nheadline: Night trams\n---\nThe trams run all night.\n\n"
        '![A tram stop at midnight](stop.jpg "The stop at Paradeplatz")\n',
        "utf-8",
    )
    rc, _, err = run(capsys, "--library", tmp_path / "lib", "import", story)
    assert rc == 0, err
    with Library.open(tmp_path / "lib") as lib:
        article = lib.get_article("night-trams")
        (figure,) = [f for f in article.figures if f.role == "inline"]
        assert figure.caption == "The stop at Paradeplatz"

        from newsdesk.render.page import Assets, build_page, render_page

        html = render_page(build_page(article, lib.publication(), Assets(lib.root)))
    assert "<figcaption>" in html and "The stop at Paradeplatz" in html


@pytest.mark.parametrize(
    "front, line, advice",
    [
        ("headline: Strike: day two\n", 2, "put the value in quotes"),
        ('headline: Fine\ndek: "never closed\n', 3, "quotation mark opened there is never closed"),
        ("headline: Fine\ntags: [a, b\n", 3, "'[' opened there is never closed"),
        ("headline: Fine\n\tdek: tab\n", 3, "indent with spaces"),
        ("headline: Fine\ndek: @handle\n", 3, "a value starts with '@'"),
        ("headline: Fine\nbyline Ana\nsection: News\n", 3, "add the colon"),
    ],
)
def test_bad_yaml_names_the_line_and_what_to_fix_in_plain_words(tmp_path, front, line, advice):
    from newsdesk.front_matter import ImportProblem, parse_markdown_file

    md = tmp_path / "story.md"
    md.write_text(f"---\n{front}---\nText.\n", encoding="utf-8")
    with pytest.raises(ImportProblem) as caught:
        parse_markdown_file(md)
    message = str(caught.value)
    assert f"not valid YAML on line {line}: " in message and advice in message
    for technical in ("mapping values", "scalar", "token", "<stream end>", "block end"):
        assert technical not in message


def test_an_import_that_lists_problems_takes_each_good_file_and_leaves_out_each_bad_one(
    library, tmp_path
):
    from newsdesk.importing import import_markdown_files

    good = tmp_path / "good.md"
    good.write_text("---\nheadline: Good\nrelated: [later]\n---\nText.\n", encoding="utf-8")
    bad = tmp_path / "bad.md"
    bad.write_text("---\nstatus: gone\n---\nText.\n", encoding="utf-8")
    later = tmp_path / "later.md"
    later.write_text("---\nheadline: Later\nslug: later\n---\nText.\n", encoding="utf-8")
    problems: list = []
    results = import_markdown_files(library, [good, bad, later], problems=problems)
    assert [r.article.slug for r in results] == ["good", "later"]
    assert [p.path for p in problems] == [bad]
    assert problems[0].sentence().startswith("bad.md: front matter key 'status' on line 2")
    good_story = library.find_article("good")
    later_story = library.find_article("later")
    assert [r.target_id for r in library.get_article(good_story.id).related] == [later_story.id]


@pytest.mark.parametrize(
    ("front", "said"), [("headline Ferry\n", "plain text"), ("- a\n", "a list")]
)
def test_front_matter_that_is_not_key_value_lines_says_so_without_pythons_words(
    tmp_path, front, said
):
    from newsdesk.front_matter import ImportProblem, parse_markdown_file

    md = tmp_path / "story.md"
    md.write_text(f"---\n{front}---\nText.\n", encoding="utf-8")
    with pytest.raises(ImportProblem) as caught:
        parse_markdown_file(md)
    message = str(caught.value)
    assert f"must be 'key: value' lines, not {said}; write each as 'key: value'" in message
    assert " str" not in message and "list." not in message


@pytest.fixture
def library(either_library):
    """Every test here runs on a laptop's library and on a shared one (PostgreSQL)."""
    return either_library
