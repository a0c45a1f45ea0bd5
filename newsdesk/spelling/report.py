"""`newsdesk spell`: check an article or single words, and keep the newsroom dictionary."""

from __future__ import annotations

import json
from typing import Any

from newsdesk.spelling.checker import SpellChecker
from newsdesk.spelling.hunspell import SpellingUnavailable, loaded_library_file
from newsdesk.spelling.words import LANGUAGE_TAG, markdown_words, words


class SpellCommandError(Exception):
    """The spell command cannot run; the message is one sentence for the user."""


def article_language(lib, article=None) -> str:
    """The language a story is checked in: its own, else the publication's."""
    if article is not None and (article.language or "").strip():
        return article.language.strip()
    return lib.publication().language or "en"


def _checker(lib, language: str) -> SpellChecker:
    if not LANGUAGE_TAG.match(language):
        raise SpellCommandError(f"{language!r} is not a language tag such as en, en-GB or fr.")
    try:
        return SpellChecker(language, lib.newsroom_words())
    except SpellingUnavailable as exc:
        raise SpellCommandError(str(exc)) from None


def _dictionary_info(checker: SpellChecker) -> dict[str, Any]:
    return {
        "language": checker.language,
        "dictionary": str(checker.dictionary.files.dic),
        "hunspell": loaded_library_file(),
        "newsroom_words": len(checker.newsroom),
    }


def run_spell_command(lib, args) -> tuple[str, int]:
    """(text to print, exit code) for the parsed `spell` arguments."""
    from newsdesk.library import LibraryError, NotFound

    if args.add or args.remove:
        done = []
        for word in args.add or args.remove:
            try:
                if args.add:
                    done.append(lib.add_newsroom_word(word))
                elif lib.remove_newsroom_word(word):
                    done.append(word)
            except LibraryError as exc:
                raise SpellCommandError(str(exc)) from None
        verb = "added to" if args.add else "removed from"
        return (f"{len(done)} word(s) {verb} the newsroom dictionary.", 0)
    if args.list:
        known = lib.newsroom_words()
        return (json.dumps(known, ensure_ascii=False) if args.json else "\n".join(known), 0)
    if args.check:
        checker = _checker(lib, args.language or article_language(lib))
        results = [
            {
                "word": w,
                "correct": ok,
                "suggestions": [] if ok else checker.suggest(w),
            }
            for w in args.check
            for ok in [all(checker.known(x.text) for x in words(w))]
        ]
        info = _dictionary_info(checker)
        if args.json:
            text = json.dumps({**info, "words": results}, ensure_ascii=False, indent=2)
        else:
            lines = [f"dictionary: {info['dictionary']}"]
            for r in results:
                fix = ", ".join(r["suggestions"][:5])
                lines.append(
                    f"{r['word']}: ok"
                    if r["correct"]
                    else f"{r['word']}: misspelled" + (f" (try: {fix})" if fix else "")
                )
            text = "\n".join(lines)
        return text, 0 if all(r["correct"] for r in results) else 1
    if not args.slug:
        raise SpellCommandError(
            "Name an article's slug, or use --check, --add, --remove or --list."
        )
    try:
        article = lib.get_article(args.slug)
    except NotFound as exc:
        raise SpellCommandError(str(exc)) from None
    checker = _checker(lib, args.language or article_language(lib, article))
    found = []
    fields = [("headline", article.headline), ("dek", article.dek)]
    fields += [(f"caption {i + 1}", f.caption) for i, f in enumerate(article.figures)]
    for name, value in fields:
        for n, w in markdown_words(value or ""):
            if not checker.known(w.text):
                found.append({"field": name, "line": n + 1, "column": w.start + 1, "word": w.text})
    for n, w in checker.misspelled_in_markdown(article.body):
        found.append({"field": "body", "line": n + 1, "column": w.start + 1, "word": w.text})
    if args.json:
        text = json.dumps({**_dictionary_info(checker), "misspelled": found}, ensure_ascii=False)
    elif not found:
        text = f"{article.slug}: no misspellings ({checker.language})."
    else:
        lines = [f"{article.slug}: {len(found)} misspelling(s) ({checker.language})"]
        for f in found:
            lines.append(f"  {f['field']} {f['line']}:{f['column']}: {f['word']}")
        text = "\n".join(lines)
    return text, 1 if found else 0
