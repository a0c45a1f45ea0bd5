"""Front matter that could cost more than its size, and dates no time zone can show, are refused quickly."""

from __future__ import annotations

import time

import pytest

from newsdesk.cli import main
from newsdesk.front_matter import FRONT_MATTER_LIMIT, ImportProblem, parse_markdown_file
from newsdesk.library import Library


def write(tmp_path, front: str, name: str = "story.md"):
    path = tmp_path / name
    path.write_text(f"---\n{front}---\nThe body.\n", encoding="utf-8")
    return path


def billion_laughs(key: str) -> str:
    """The 'billion laughs': nine levels of nine aliases each, a few hundred bytes."""
    lines = [f"{key}:", '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"  {name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "headline: Bomb\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize("key", ["status", "hero", "published"])
def test_a_yaml_alias_bomb_is_refused_at_once_with_its_line(tmp_path, key):
    path = write(tmp_path, billion_laughs(key))
    assert path.stat().st_size < 500
    started = time.perf_counter()
    with pytest.raises(ImportProblem) as caught:
        parse_markdown_file(path)
    assert time.perf_counter() - started < 1.0
    assert "anchor or alias" in str(caught.value) and "on line 4" in str(caught.value)


def test_a_single_harmless_alias_is_refused_too(tmp_path):
    path = write(tmp_path, "headline: &h Ferries return\ndek: *h\n")
    with pytest.raises(ImportProblem, match="anchor or alias .* on line 2"):
        parse_markdown_file(path)


def test_front_matter_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path):
    path = write(
        tmp_path, "headline: Long\ndek: " + "word " * (FRONT_MATTER_LIMIT // 5 + 10) + "\n"
    )
    with pytest.raises(ImportProblem, match="the limit is 64 KB"):
        parse_markdown_file(path)


def test_front_matter_just_under_the_limit_imports(tmp_path):
    dek = "w" * (FRONT_MATTER_LIMIT - 100)
    parsed = parse_markdown_file(write(tmp_path, f"headline: Long\ndek: {dek}\n"))
    assert parsed.fields["dek"] == dek


def test_deeply_nested_front_matter_is_refused_without_exhausting_the_stack(tmp_path):
    path = write(tmp_path, "headline: x\ntags: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ImportProblem, match="too deeply on line 3"):
        parse_markdown_file(path)


def test_a_number_of_thousands_of_digits_is_one_sentence(tmp_path):
    path = write(tmp_path, "headline: x\nslug: " + "7" * 6000 + "\n")
    with pytest.raises(ImportProblem, match="number too long"):
        parse_markdown_file(path)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("published: 0001-01-01T00:00:00+05:00", "published"),
        ("published: 9999-12-31T23:59:59-12:00", "published"),
        ("updated: 0001-01-01T00:00:00Z", "updated"),
        ("embargo: 1899-12-31T12:00:00Z", "embargo"),
        ("published: 9000-01-01", "published"),
        ("published: '0001-01-01T00:00:00'", "published"),
    ],
)
def test_dates_no_time_zone_can_show_are_refused_with_key_and_line(capsys, tmp_path, line, key):
    path = write(tmp_path, f"headline: Edge of time\n{line}\n")
    rc = main(["--library", str(tmp_path / "lib"), "import", str(path)])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1, err
    assert f"key '{key}' on line 3 is a date newsdesk cannot publish" in err
    assert "between the years 1900 and 8999" in err
    with Library.open(tmp_path / "lib") as lib:
        assert lib.count_articles() == 0


def test_dates_at_the_edges_of_the_range_import_and_export_in_any_time_zone(capsys, tmp_path):
    from newsdesk.export import export_site

    lib_dir = tmp_path / "lib"
    with Library.open(lib_dir) as lib:
        lib.update_publication(timezone="America/New_York")
    early = write(
        tmp_path,
        "headline: Early\nslug: early\nstatus: published\npublished: 1900-01-01T00:00:00Z\n",
        "a.md",
    )
    late = write(
        tmp_path,
        "headline: Late\nslug: late\nstatus: published\npublished: 8999-12-31T23:59:59+14:00\n",
        "b.md",
    )
    # Published over preflight (no hero), so the export meets them as published stories.
    reason = ["--override-reason", "testing the date range"]
    assert main(["--library", str(lib_dir), "import", str(early), str(late), *reason]) == 0
    with Library.open(lib_dir) as lib:
        report = export_site(
            lib, tmp_path / "site"
        )  # both fail preflight (no hero), but nothing crashes
        assert {f.slug for f in report.failed} == {"early", "late"}
    capsys.readouterr()


def test_a_year_one_date_already_in_a_library_does_not_stop_an_export(library, tmp_path):
    """Stored by an older version, before imports refused such dates: the site is still written."""
    from datetime import UTC, datetime

    from newsdesk.export import export_site
    from newsdesk.render import dates

    library.update_publication(timezone="America/New_York")
    article = library.create_article(headline="From the archive", body="Old.", status="published")
    library.update_article(article.id, published_at=datetime(1, 1, 1, 3, 0, tzinfo=UTC))
    assert (
        dates.iso(datetime(1, 1, 1, 3, 0, tzinfo=UTC), "America/New_York")
        == "0001-01-01T03:00:00+00:00"
    )
    report = export_site(library, tmp_path / "site")
    assert (tmp_path / "site" / "index.html").is_file()
    assert [f.slug for f in report.failed] == [
        article.slug
    ]  # no hero: refused by preflight, not by a crash
