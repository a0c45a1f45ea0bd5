"""Spell checking without Qt: which words are checked, the dictionary stack, the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from newsdesk.library import Library, LibraryError
from newsdesk.spelling import SpellChecker, SpellingUnavailable, WordList, words
from newsdesk.spelling.hunspell import dictionary_names, find_dictionary
from newsdesk.spelling.words import markdown_words


def texts(line: str) -> list[str]:
    return [w.text for w in words(line)]


def test_code_urls_image_references_tags_and_link_targets_are_not_checked():
    line = (
        "Teh `codde` and ``a `tikc` b`` at https://exampel.org/pathh or www.exmple.com, "
        'mail ed@newsroomm.org, ![Alt txt](image:3f2a9c "Titel") [linkk](http://x.y/zz) '
        '<span class="clss">wrod</span> <!-- cmment --> &nbsp; [refd][lbl] {: .klass} end'
    )
    assert texts(line) == [
        "Teh",
        "and",
        "at",
        "or",
        "mail",
        "Alt",
        "txt",
        "linkk",
        "wrod",
        "refd",
        "end",
    ]


def test_offsets_point_into_the_original_line():
    line = "A `x` wrongg word"
    (w,) = [w for w in words(line) if w.text == "wrongg"]
    assert line[w.start : w.end] == "wrongg"


def test_numbers_codes_and_single_letters_are_skipped_but_apostrophes_kept():
    assert texts("The 3rd mp3 of A380 snake_case x don’t l’homme rock'n'roll") == [
        "The", "of", "don’t", "l’homme", "rock'n'roll",
    ]  # fmt: skip


def test_fenced_code_front_matter_and_reference_definitions_are_skipped():
    body = (
        "---\ntitle: Wrongg\n---\nProse wrd\n```\ncode wrdd\n```\n[id]: https://x.org Titl\nAfter"
    )
    assert [(n, w.text) for n, w in markdown_words(body)] == [
        (3, "Prose"),
        (3, "wrd"),
        (8, "After"),
    ]


def test_language_tags_map_to_hunspell_names():
    assert dictionary_names("en-GB") == ["en_GB", "en_US", "en"]
    assert dictionary_names("fr") == ["fr_FR", "fr"]
    assert dictionary_names("pt-BR") == ["pt_BR", "pt_PT", "pt"]


def test_british_and_american_english_differ():
    gb, us = SpellChecker("en-GB"), SpellChecker("en-US")
    assert gb.known("colour") and not gb.known("color")
    assert us.known("color") and not us.known("colour")
    assert gb.dictionary.files.dic.name == "en_GB.dic"


def test_plain_english_accepts_british_and_american_spellings(monkeypatch):
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    en = SpellChecker("en")
    for word in ("colour", "color", "organise", "organize", "centre", "center", "travelled"):
        assert en.known(word), word
    assert not en.known("colur")
    assert en.dictionary.files.dic.name == "en_US.dic"  # no English locale: American suggests
    # A British locale suggests British spellings; both are still accepted.
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    gb_desk = SpellChecker("en")
    assert gb_desk.dictionary.files.dic.name == "en_GB.dic"
    assert gb_desk.known("color") and gb_desk.known("colour")
    assert "colour" in gb_desk.suggest("colur")


def test_plain_english_still_checks_with_only_one_countrys_dictionary(tmp_path):
    import shutil

    for ext in ("aff", "dic"):  # a machine with the American dictionary alone
        shutil.copy(f"/usr/share/hunspell/en_US.{ext}", tmp_path / f"en_US.{ext}")
    en = SpellChecker("en", dirs=[tmp_path])
    assert [d.files.dic.name for d in en.dictionaries] == ["en_US.dic"]
    assert en.known("color") and not en.known("colour")


def test_every_language_the_settings_offer_with_a_dictionary_loads():
    for tag in ("en", "en-GB", "en-US", "de", "fr", "es", "it", "nl", "pt", "pt-BR", "sv", "da", "nb", "pl", "cs", "el"):  # fmt: skip
        assert find_dictionary(tag) is not None, tag
    assert SpellChecker("de").known("Straße")
    assert SpellChecker("el").known("καλημέρα")


def test_a_language_without_a_dictionary_is_one_sentence():
    with pytest.raises(SpellingUnavailable) as err:
        SpellChecker("zz")
    assert str(err.value) == (
        "There is no spelling dictionary for the language 'zz'; "
        "install its hunspell dictionary or choose another language."
    )


def test_newsroom_words_match_as_a_reader_expects():
    known = WordList(["Kowalczyk", "quayside"])
    assert "Kowalczyk" in known and "KOWALCZYK" in known and "kowalczyk" not in known
    assert "quayside" in known and "Quayside" in known


def test_suggestions_and_the_typographic_apostrophe():
    c = SpellChecker("en-US")
    assert c.suggest("recieve")[0] == "receive"
    assert c.known("don’t") and c.known("don't")
    c.ignore("wrongg")
    assert c.known("wrongg")


def test_hostile_input_neither_crashes_nor_hangs():
    c = SpellChecker("en-US")
    assert c.misspelled("") == []
    assert c.misspelled("`" * 5000 + "<" * 5000) == []
    for hostile in ("](" * 20_000, "x" * 50_000 + "@", "<a " * 20_000, "<!--" * 20_000):
        c.misspelled(hostile)  # returns (within the test's timeout), whatever it finds
    huge = "x" * 100_000
    assert [w.text for w in c.misspelled(huge)] == [huge]
    assert c.known("日本語") is False  # letters the dictionary has no encoding for
    assert c.suggest("日本語") == []


def test_the_newsroom_dictionary_is_kept_in_the_library(tmp_path):
    lib = Library.open(tmp_path / "lib")
    assert lib.add_newsroom_word("  Kowalczyk ") == "Kowalczyk"
    lib.add_newsroom_word("Kowalczyk")  # once only
    with pytest.raises(LibraryError):
        lib.add_newsroom_word("two words")
    with pytest.raises(LibraryError):
        lib.add_newsroom_word("")
    lib.close()
    lib = Library.open(tmp_path / "lib")
    assert lib.newsroom_words() == ["Kowalczyk"]
    assert lib.remove_newsroom_word("Kowalczyk") and not lib.remove_newsroom_word("Kowalczyk")
    lib.close()


def newsdesk(*args, lib):
    return subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", str(lib), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_line_checks_words_and_an_article_and_keeps_the_dictionary(tmp_path):
    lib = tmp_path / "lib"
    Library.open(lib).close()
    r = newsdesk("spell", "--check", "colour", "color", "--language", "en-GB", "--json", lib=lib)
    assert r.returncode == 1, r.stderr
    report = json.loads(r.stdout)
    assert report["dictionary"].endswith("en_GB.dic")
    assert [w["correct"] for w in report["words"]] == [True, False]

    assert newsdesk("spell", "--add", "Kowalczyk", lib=lib).returncode == 0
    assert newsdesk("spell", "--check", "Kowalczyk", lib=lib).returncode == 0

    library = Library.open(lib)
    library.create_article(
        headline="Mayor opens the markett", slug="m", body="All good.\n\n```\nwrongg\n```"
    )
    library.close()
    r = newsdesk("spell", "m", lib=lib)
    assert r.returncode == 1
    assert "headline 1:17: markett" in r.stdout and "wrongg" not in r.stdout

    r = newsdesk("spell", "--check", "x", "--language", "../../etc", lib=lib)
    assert r.returncode == 2
    assert (
        r.stderr.strip() == "newsdesk: '../../etc' is not a language tag such as en, en-GB or fr."
    )
    assert "Traceback" not in r.stderr
