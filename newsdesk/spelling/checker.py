"""The dictionary stack: the language's dictionary, then the newsroom's words, then ignored ones."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from newsdesk.spelling.hunspell import HunspellDictionary, SpellingUnavailable
from newsdesk.spelling.words import (
    PROSE,
    WORD_PATTERN,
    Word,
    blank_non_prose,
    checkable,
    next_state,
)

# Typographic apostrophes are checked as the ASCII one the dictionaries use.
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})

# A bare language tag names the language, not one country's spelling: a story in "en" may
# say "colour" or "color" (a desk's reporters and agencies write both). Each dictionary
# installed of these is consulted; the user's locale picks which one suggests corrections.
# "en-GB" or "en-US" still holds a story to one spelling.
EITHER_SPELLING = {"en": ("en_US", "en_GB")}


def locale_region(language: str) -> str | None:
    """The region of the user's locale when it is this language's ("GB" for en_GB.UTF-8)."""
    for key in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(key, "")
        if value:
            lang, _, rest = value.partition(".")[0].partition("_")
            return rest.upper() or None if lang.lower() == language else None
    return None


def dictionaries_for(language: str, dirs: list[Path] | None = None) -> list[HunspellDictionary]:
    """The dictionaries a story in this language is checked against, the suggesting one first."""
    names = EITHER_SPELLING.get(language.strip().lower())
    if names is None:
        return [HunspellDictionary(language, dirs)]
    region = locale_region(language.strip().lower())
    names = sorted(names, key=lambda n: n.split("_")[1] != region)  # the locale's first
    found: list[HunspellDictionary] = []
    for name in names:
        try:
            dictionary = HunspellDictionary(name, dirs)
        except SpellingUnavailable:
            continue  # that country's dictionary is not installed: the others still check
        if all(d.files.dic != dictionary.files.dic for d in found):
            found.append(dictionary)
    if not found:
        return [HunspellDictionary(language, dirs)]  # says which dictionary is missing
    return found


class WordList:
    """Words known beyond the dictionary (names, places), matched the way a reader expects.

    A word entered in lower case is known in any case; "Kowalczyk" is known as
    typed and in capitals, not as "kowalczyk".
    """

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self._exact: set[str] = set()
        self._any_case: set[str] = set()
        for entry in entries:
            self.add(entry)

    def add(self, word: str) -> None:
        word = word.strip().translate(_APOSTROPHES)
        if word:
            self._exact.add(word)
            if word == word.lower():
                self._any_case.add(word)

    def discard(self, word: str) -> None:
        word = word.strip().translate(_APOSTROPHES)
        self._exact.discard(word)
        self._any_case.discard(word)

    def __contains__(self, word: str) -> bool:
        word = word.translate(_APOSTROPHES)
        if word in self._exact or word.lower() in self._any_case:
            return True
        if word.isupper():  # KOWALCZYK in a headline set in capitals
            return any(w.upper() == word for w in self._exact)
        return False

    def __len__(self) -> int:
        return len(self._exact)


class SpellChecker:
    """Checks words against a language's Hunspell dictionary plus the newsroom's own words.

    Safe to use from a worker thread and the GUI thread at once: verdicts are
    cached per word, and the Hunspell handle locks itself.
    """

    def __init__(
        self,
        language: str,
        newsroom_words: Iterable[str] | WordList = (),
        *,
        ignored: WordList | None = None,
        dirs: list[Path] | None = None,
    ) -> None:
        self.language = language
        self.dictionaries = dictionaries_for(language, dirs)
        self.dictionary = self.dictionaries[0]  # the one that suggests
        # A WordList passed in is shared, not copied: the editor keeps one newsroom
        # dictionary and one ignore list for every language it has open.
        if isinstance(newsroom_words, WordList):
            self.newsroom = newsroom_words
        else:
            self.newsroom = WordList(newsroom_words)
        self.ignored = ignored if ignored is not None else WordList()
        self._verdicts: dict[str, bool] = {}

    # ---- the stack ------------------------------------------------------
    def known(self, word: str) -> bool:
        """Whether the word is spelled right (in the dictionary, the newsroom's, or ignored)."""
        verdict = self._verdicts.get(word)
        if verdict is None:
            plain = word.translate(_APOSTROPHES)
            verdict = any(d.check(plain) for d in self.dictionaries)
            if len(self._verdicts) > 200_000:
                self._verdicts.clear()  # a bound, not a policy: verdicts are cheap to redo
            self._verdicts[word] = verdict
        return verdict or word in self.newsroom or word in self.ignored

    def suggest(self, word: str, limit: int = 8) -> list[str]:
        """Corrections, best first (Hunspell's order), the newsroom's words included."""
        found = self.dictionary.suggest(word.translate(_APOSTROPHES))
        if "’" in word:
            found = [s.replace("'", "’") for s in found]
        return list(dict.fromkeys(found))[:limit]

    def add_to_newsroom(self, word: str) -> None:
        self.newsroom.add(word)

    def remove_from_newsroom(self, word: str) -> None:
        self.newsroom.discard(word)

    def ignore(self, word: str) -> None:
        self.ignored.add(word)

    # ---- text -----------------------------------------------------------
    def misspelled(self, line: str) -> list[Word]:
        """The misspelled words of one Markdown line (a block of the editor)."""
        # The hot path of checking a long article: no object for a word spelled right.
        verdicts, found = self._verdicts, []
        for m in WORD_PATTERN.finditer(blank_non_prose(line)):
            text = m.group()
            if verdicts.get(text) is True or not checkable(text) or self.known(text):
                continue
            found.append(Word(m.start(), text))
        return found

    def misspelled_in_markdown(self, text: str) -> list[tuple[int, Word]]:
        """(line number, word) for every misspelling of a whole body, code and front matter skipped."""
        found = []
        state = PROSE
        for n, line in enumerate(text.split("\n")):
            state, prose = next_state(state, line, first=n == 0)
            if prose:
                found += [(n, w) for w in self.misspelled(line)]
        return found
