"""Anchoring a note to a passage: the quoted text with some context, found again after edits."""

from __future__ import annotations

from dataclasses import dataclass

CONTEXT = 32  # characters of context kept either side of the passage


@dataclass(frozen=True, slots=True)
class Anchor:
    quote: str
    prefix: str
    suffix: str
    start: int


def anchor_for(text: str, start: int, end: int) -> Anchor:
    """The anchor of text[start:end]."""
    start, end = max(0, min(start, end)), min(len(text), max(start, end))
    return Anchor(
        quote=text[start:end],
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
        start=start,
    )


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def find_anchor(text: str, anchor: Anchor) -> tuple[int, int] | None:
    """Where the passage is now: the occurrence of the quote whose context matches best.

    Ties go to the occurrence nearest where it was last seen. None when the
    quoted words themselves are gone (the note is then shown as detached).
    """
    quote = anchor.quote
    if not quote:
        return None
    best: tuple[int, int] | None = None
    best_key: tuple[int, int] | None = None
    at = text.find(quote)
    while at != -1:
        end = at + len(quote)
        context = _common_suffix(text[max(0, at - CONTEXT) : at], anchor.prefix) + _common_prefix(
            text[end : end + CONTEXT], anchor.suffix
        )
        key = (context, -abs(at - anchor.start))
        if best_key is None or key > best_key:
            best, best_key = (at, end), key
        at = text.find(quote, at + 1)
    return best
