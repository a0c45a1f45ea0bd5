"""Offline spell checking, Qt-free: Hunspell dictionaries, the newsroom's words, Markdown-aware words."""

from newsdesk.spelling.checker import SpellChecker, WordList
from newsdesk.spelling.hunspell import (
    SpellingUnavailable,
    dictionary_dirs,
    find_dictionary,
    loaded_library_file,
)
from newsdesk.spelling.words import Word, blank_non_prose, markdown_words, words

__all__ = [
    "SpellChecker",
    "SpellingUnavailable",
    "Word",
    "WordList",
    "blank_non_prose",
    "dictionary_dirs",
    "find_dictionary",
    "loaded_library_file",
    "markdown_words",
    "words",
]
