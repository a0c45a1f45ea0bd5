"""A picture used by several stories: each story keeps its own caption and alt text.

Driven through the command line, as a desk would: import, check, re-import.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.library import FigureSpec, Library, LibraryError
from newsdesk.paths import resource

PHOTO = resource("sample", "harbour-dawn.jpg")


def newsdesk(lib: Path, *args) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", str(lib), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def story(
    folder: Path,
    name: str,
    headline: str,
    *,
    caption: str = "",
    alt: str = "",
    credit: str = "Ana Ruiz",
    extra: str = "",
    body: str = "The harbour wall held overnight.\n",
) -> Path:
    folder.mkdir(exist_ok=True)
    if not (folder / "harbour.jpg").exists():
        shutil.copy(PHOTO, folder / "harbour.jpg")
    hero = "hero:\n  file: harbour.jpg\n"
    for key, value in (("caption", caption), ("alt", alt), ("credit", credit)):
        if value:
            hero += f"  {key}: {value}\n"
    path = folder / name
    path.write_text(
        f"---\nheadline: {headline}\ndek: A short dek.\nbyline: By Ana Ruiz\n"
        f"status: ready\n{extra}{hero}---\n{body}",
        encoding="utf-8",
    )
    return path


def test_a_reused_picture_keeps_each_storys_caption_and_alt_text(tmp_path):
    lib = tmp_path / "lib"
    first = story(
        tmp_path / "desk",
        "storm.md",
        "Storm hits the harbour",
        caption="Waves over the wall at dawn.",
        alt="Grey waves breaking over a stone wall",
    )
    second = story(
        tmp_path / "desk",
        "repair.md",
        "Repairs begin on the harbour wall",
        caption="The wall a week before the storm.",
        alt="A calm harbour under a pink sky",
    )
    assert newsdesk(lib, "import", first).returncode == 0
    assert newsdesk(lib, "import", second).returncode == 0

    with Library.open(lib) as library:
        storm = library.get_article("storm-hits-the-harbour")
        repair = library.get_article("repairs-begin-on-the-harbour-wall")
        assert storm.hero.image_id == repair.hero.image_id  # one picture, two stories
        assert (storm.hero.caption, storm.hero.alt_text) == (
            "Waves over the wall at dawn.",
            "Grey waves breaking over a stone wall",
        )
        assert (repair.hero.caption, repair.hero.alt_text) == (
            "The wall a week before the storm.",
            "A calm harbour under a pink sky",
        )
        # The first story to describe the picture gave the library its defaults.
        image = library.get_image(storm.hero.image_id)
        assert image.alt_text == "Grey waves breaking over a stone wall"
        # Editing the library's defaults later changes no story already using it.
        library.update_image(image.id, caption="New default", alt_text="New default alt")
        assert (
            library.get_article(storm.id).hero.alt_text == "Grey waves breaking over a stone wall"
        )


def test_check_reads_this_storys_alt_text_not_another_storys(tmp_path):
    lib = tmp_path / "lib"
    described = story(tmp_path / "desk", "a.md", "Described story", alt="Gulls over a grey harbour")
    bare = story(tmp_path / "desk", "b.md", "Bare story")
    assert newsdesk(lib, "import", described).returncode == 0
    assert newsdesk(lib, "import", bare).returncode == 0
    with Library.open(lib) as library:
        library.update_figure(library.get_article("bare-story").hero.id, alt_text="")
    done = newsdesk(lib, "check", "bare-story")
    assert done.returncode == 1 and "hero image (harbour.jpg) has no alt text" in done.stdout
    assert newsdesk(lib, "check", "described-story").returncode == 0


def test_a_new_story_starts_from_the_pictures_default_words(tmp_path):
    lib = tmp_path / "lib"
    first = story(tmp_path / "desk", "a.md", "First", caption="Dawn.", alt="Boats at dawn")
    second = story(tmp_path / "desk", "b.md", "Second")  # says nothing about the picture
    assert newsdesk(lib, "import", first, second).returncode == 0
    with Library.open(lib) as library:
        hero = library.get_article("second").hero
        assert (hero.caption, hero.alt_text) == ("Dawn.", "Boats at dawn")


def test_changing_a_shared_pictures_credit_names_the_other_stories(tmp_path):
    lib = tmp_path / "lib"
    first = story(tmp_path / "desk", "a.md", "Harbour at dawn", credit="Ana Ruiz")
    second = story(tmp_path / "desk", "b.md", "Harbour again", credit="Newsdesk Agency")
    assert newsdesk(lib, "import", first).returncode == 0
    done = newsdesk(lib, "import", second)
    assert done.returncode == 0
    warning = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and "'harbour-at-dawn'" in warning[0]
    assert "credit from 'Ana Ruiz' to 'Newsdesk Agency'" in warning[0]
    assert "Traceback" not in done.stderr
    # Importing the same file again changes nothing, so there is nothing to warn about.
    again = newsdesk(lib, "import", second)
    assert again.returncode == 0 and "warning:" not in again.stderr


def test_body_pictures_keep_this_storys_alt_and_title_on_the_figure(tmp_path):
    lib = tmp_path / "lib"
    desk = tmp_path / "desk"
    one = story(
        desk,
        "one.md",
        "One",
        body='Text.\n\n![Boats in the rain](harbour.jpg "The quay at noon")\n',
        credit="",
    )
    one.write_text(one.read_text().replace("hero:\n  file: harbour.jpg\n", ""))
    two = desk / "two.md"
    two.write_text(
        one.read_text()
        .replace("headline: One", "headline: Two")
        .replace(
            '![Boats in the rain](harbour.jpg "The quay at noon")',
            '![Empty quay](harbour.jpg "Closed")',
        )
    )
    assert newsdesk(lib, "import", one, two).returncode == 0
    with Library.open(lib) as library:
        fig_one = library.get_article("one").figures[0]
        fig_two = library.get_article("two").figures[0]
        assert (fig_one.caption, fig_one.alt_text) == ("The quay at noon", "Boats in the rain")
        assert (fig_two.caption, fig_two.alt_text) == ("Closed", "Empty quay")


def test_reimporting_a_file_without_a_slug_updates_its_article(tmp_path):
    lib = tmp_path / "lib"
    path = story(tmp_path / "desk", "ferry.md", "Night ferry returns", caption="First words.")
    assert newsdesk(lib, "import", path).returncode == 0
    path.write_text(path.read_text().replace("First words.", "Second words."))
    done = newsdesk(lib, "import", path)
    assert done.returncode == 0 and done.stdout.startswith("updated night-ferry-returns")
    # From another working folder, by a relative path: still the same file.
    again = subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", str(lib), "import", "ferry.md"],
        capture_output=True,
        text=True,
        cwd=path.parent,
        timeout=120,
    )
    assert again.returncode == 0 and again.stdout.startswith("updated"), again.stderr
    with Library.open(lib) as library:
        assert [a.slug for a in library.list_articles()] == ["night-ferry-returns"]
        article = library.get_article("night-ferry-returns")
        assert article.source_path == str(path.resolve())
        assert article.hero.caption == "Second words."
        assert len(article.figures) == 1


def test_a_different_file_with_the_same_headline_is_a_new_article(tmp_path):
    lib = tmp_path / "lib"
    a = story(tmp_path / "desk", "a.md", "Night ferry returns")
    b = story(tmp_path / "desk", "b.md", "Night ferry returns")
    assert newsdesk(lib, "import", a, b).returncode == 0
    with Library.open(lib) as library:
        assert sorted(x.slug for x in library.list_articles()) == [
            "night-ferry-returns",
            "night-ferry-returns-2",
        ]


@pytest.mark.parametrize("written", ["Night-Ferry", "  NIGHT ferry ", "night_ferry"])
def test_a_slug_not_in_slug_form_finds_its_article_on_reimport(tmp_path, written):
    lib = tmp_path / "lib"
    first = story(tmp_path / "desk", "a.md", "Ferry", extra=f"slug: {written}\n")
    assert newsdesk(lib, "import", first).returncode == 0
    # The same slug, written the same odd way, from another file.
    second = story(tmp_path / "other", "b.md", "Ferry, updated", extra=f"slug: {written}\n")
    done = newsdesk(lib, "import", second)
    assert done.returncode == 0, done.stderr
    with Library.open(lib) as library:
        slugs = [a.slug for a in library.list_articles()]
        assert len(slugs) == 1 and done.stdout.startswith(f"updated {slugs[0]}")
        assert library.get_article(slugs[0]).headline == "Ferry, updated"


def test_a_slug_with_no_letters_or_digits_is_refused_in_one_sentence(tmp_path):
    lib = tmp_path / "lib"
    first = story(tmp_path / "desk", "a.md", "First", extra='slug: "!!!"\n')
    done = newsdesk(lib, "import", first)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and "key 'slug' on line" in done.stderr
    assert "has no letters or digits" in done.stderr


def _image(library, n):
    return library.add_image(
        sha256=f"{n:064x}", ext=".jpg", width=8, height=6, caption=f"c{n}", alt_text=f"a{n}"
    )


def test_set_figures_makes_the_list_exactly_so_and_keeps_figure_identity(tmp_path):
    with Library.open(tmp_path / "lib") as library:
        article = library.create_article(headline="A")
        i1, i2, i3 = (_image(library, n) for n in (1, 2, 3))
        library.set_figures(article.id, [FigureSpec(i1.id, "hero"), FigureSpec(i2.id)])
        before = library.get_article(article.id)
        assert [(f.caption, f.alt_text) for f in before.figures] == [("c1", "a1"), ("c2", "a2")]
        after = library.set_figures(
            article.id,
            [FigureSpec(i3.id, "hero", "mine", "my alt"), FigureSpec(i1.id, "inline", "x", "")],
        )
        assert [(f.image_id, f.role, f.caption, f.alt_text, f.position) for f in after.figures] == [
            (i3.id, "hero", "mine", "my alt", 0),
            (i1.id, "inline", "x", "", 1),
        ]
        assert after.figures[1].uid == before.figures[0].uid  # the same figure, edited
        with pytest.raises(LibraryError):
            library.set_figures(article.id, [FigureSpec(i1.id, "hero"), FigureSpec(i2.id, "hero")])
        assert [f.image_id for f in library.get_article(article.id).figures] == [i3.id, i1.id]


@pytest.fixture
def library(either_library):
    """Every test here runs on a laptop's library and on a shared one (PostgreSQL)."""
    return either_library
