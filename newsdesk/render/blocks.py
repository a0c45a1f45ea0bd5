"""Top-level Markdown blocks: splitting a body at its blank lines, and re-splitting it after an edit.

The live preview re-splits the body on every keystroke; `BlockSplitter` keeps
the last split and re-reads only the lines around the edit, so that work is
proportional to the paragraph being typed in, not to the article.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from operator import attrgetter

_FENCE = re.compile(r"^(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^(?:[*+-]|\d+[.)])\s")
_DEFINITION = re.compile(r"^\[(\^?)[^\]]+\]:")


@dataclass(frozen=True, slots=True)
class SourceBlock:
    """A top-level run of Markdown lines; lines are 0-based, end exclusive."""

    start: int
    end: int
    text: str

    @property
    def is_definitions(self) -> bool:
        return bool(_DEFINITION.match(self.text))


_DEFINITION_LINE = re.compile(r"^ {0,3}\[(\^?)[^\]]+\]:")


def split_definitions(text: str) -> tuple[str, str]:
    """A definitions block's definitions, and the text in it that is shown in its place.

    A link definition is its line and the indented lines after it (a title); a
    footnote also takes the unindented lines that continue it. Any other line
    ends the definition and is text: Python-Markdown shows each run of such
    lines as a paragraph of its own, where the block stands, so it must neither
    vanish there nor be repeated wherever the definitions are used.
    """
    defs: list[str] = []
    runs: list[list[str]] = [[]]
    footnote: bool | None = None  # in a footnote (True) or a link definition (False)
    for line in text.split("\n"):
        m = _DEFINITION_LINE.match(line)
        if m:
            footnote = bool(m.group(1))
            defs.append(line)
            if runs[-1]:
                runs.append([])
        elif footnote is not None and (footnote or line[:1] in (" ", "\t")):
            defs.append(line)
        else:
            footnote = None
            runs[-1].append(line)
    return "\n".join(defs), "\n\n".join("\n".join(r) for r in runs if r)


def _kind(line: str) -> str:
    if line.startswith(("    ", "\t")):
        return "code"
    stripped = line.lstrip()
    if _LIST_ITEM.match(stripped):
        return "list"
    if stripped.startswith(">"):
        return "quote"
    return "other"


def split_blocks(source: str) -> list[SourceBlock]:
    """Split Markdown into top-level blocks at blank lines that end one.

    A blank line does not end a block inside a fenced code block, before an
    indented continuation of a list item, or between two items of one list or two
    paragraphs of one quote, because Markdown joins those into one element.
    """
    return list(_blocks_from(source.split("\n"), 0))


def _blocks_from(lines: list[str], first: int) -> Iterator[SourceBlock]:
    """The blocks of lines[first:], as split_blocks finds them when a block starts at `first`.

    Once a block has started, what follows depends only on the lines from its
    first one on; that is what lets a re-split begin at any block's start.
    """
    start: int | None = None
    fence: str | None = None
    first_kind = "other"
    blank_run = False
    for i in range(first, len(lines)):
        line = lines[i]
        if fence is not None:
            if line.lstrip().startswith(fence):
                fence = None
            continue
        is_blank = not line.strip()
        if is_blank:
            blank_run = start is not None
            continue
        indented = line.startswith(("    ", "\t"))
        if start is None:
            start, first_kind = i, _kind(line)
        elif blank_run and not (indented and first_kind in ("list", "code")):
            kind = _kind(line)
            same_container = kind == first_kind and kind in ("list", "quote")
            if not same_container:
                yield _make_block(lines, start, i)
                start, first_kind = i, kind
        blank_run = False
        m = _FENCE.match(line.lstrip())
        if m and not indented:
            fence = m.group(1)[0] * len(m.group(1))
    if start is not None:
        yield _make_block(lines, start, len(lines))


def _make_block(lines: list[str], start: int, end: int) -> SourceBlock:
    while end > start and not lines[end - 1].strip():
        end -= 1
    return SourceBlock(start, end, "\n".join(lines[start:end]))


# Texts are compared a chunk at a time: comparing two slices copies them, so halving the
# whole range would copy the body over and over; a chunk is copied once.
_CHUNK = 4096
# After an edit the splitter reads the lines up to about this many characters past it.
_WINDOW = 4096


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix (C-speed comparisons, chunk by chunk)."""
    limit = min(len(a), len(b))
    at = 0
    while at < limit and a[at : at + _CHUNK] == b[at : at + _CHUNK]:
        at += _CHUNK
    if at >= limit:
        return limit
    lo, hi = at, min(limit, at + _CHUNK)  # a[:lo] == b[:lo]; they differ before hi
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    """Length of the longest common suffix, no longer than limit."""
    n, m = len(a), len(b)
    at = 0
    while (
        at < limit
        and a[n - min(limit, at + _CHUNK) : n - at] == b[m - min(limit, at + _CHUNK) : m - at]
    ):
        at = min(limit, at + _CHUNK)
    if at >= limit:
        return limit
    lo, hi = at, min(limit, at + _CHUNK)  # the last lo agree; the last hi do not
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[n - mid : n - lo] == b[m - mid : m - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


_start = attrgetter("start")
_end = attrgetter("end")


class BlockSplitter:
    """split_blocks for a text edited a little at a time: unchanged blocks are reused.

    The result always equals split_blocks(source) (a test types into bodies of
    every kind to prove it); blocks before the edit and after it are the same
    objects as last time, with the lines after it moved by the lines the edit added.
    """

    def __init__(self) -> None:
        self._source: str | None = None
        self._blocks: list[SourceBlock] = []
        self.reused_last = 0  # blocks carried over on the last call (for tests)
        # Of the last call: how many blocks at the start are the previous call's very
        # objects, and how many at the end are its blocks moved by the same number of
        # lines (a caller comparing the two splits need not look at these again).
        self.same_head = 0
        self.moved_tail = 0

    @property
    def blocks(self) -> list[SourceBlock]:
        """The last call's result (the list split returned)."""
        return self._blocks

    def split(self, source: str) -> list[SourceBlock]:
        old, blocks = self._source, self._blocks
        self._source = source
        if old is None or not blocks:
            self._blocks = split_blocks(source)
            self.reused_last = self.same_head = self.moved_tail = 0
            return self._blocks
        if old == source:
            self.reused_last = self.same_head = len(blocks)
            self.moved_tail = 0
            return blocks
        prefix = _common_prefix(old, source)
        suffix = _common_suffix(old, source, min(len(old), len(source)) - prefix)
        # Lines [0, head_lines) are the same in both texts; so are the last tail_lines lines.
        head_lines = old.count("\n", 0, prefix)  # the edit starts on this line
        # The first whole line after the edit (counting only the edit's own newlines).
        old_tail_from = head_lines + old.count("\n", prefix, len(old) - suffix) + 1
        # The lines the edit added: the newlines it wrote less those it replaced.
        shift = source.count("\n", prefix, len(source) - suffix) - (old_tail_from - 1 - head_lines)
        # Restart at the block before the first one the edit may touch: an edit to a
        # block's first line can join it to the block before (a list, a quote).
        keep = bisect.bisect_left(blocks, head_lines, key=_end)  # blocks ended before it
        keep = max(0, keep - 1)
        # From the first line when no block lies wholly before the edit (the state there is
        # the initial one); else from a block's first line, where splitting starts afresh.
        restart = blocks[keep].start if keep else 0
        tail_first = bisect.bisect_left(blocks, old_tail_from, key=_start)
        # Only the lines from `restart` on are read again, and only a little way past the
        # edit: the new split meets the old one's tail there, unless the edit reaches
        # further (a fence opened), and then the rest of the text is read.
        at = source.rfind("\n", 0, prefix) + 1 if restart else 0  # line head_lines, in both
        for _ in range(head_lines - restart if restart else 0):
            at = source.rfind("\n", 0, at - 1) + 1  # back a line, to line `restart`
        end = source.find("\n", len(source) - suffix + _WINDOW)
        found = None
        if end >= 0:
            found = self._resplit(blocks, keep, restart, source[at:end], shift, tail_first)
        if found is None:
            found = self._resplit(blocks, keep, restart, source[at:], shift, tail_first, True)
        assert found is not None  # the whole rest of the text always gives an answer
        result, self.moved_tail = found
        self.same_head = keep
        self._blocks = result
        self.reused_last = keep + self.moved_tail
        return result

    @staticmethod
    def _resplit(
        blocks: list[SourceBlock],
        keep: int,
        restart: int,
        text: str,
        shift: int,
        tail_first: int,
        whole: bool = False,
    ) -> tuple[list[SourceBlock], int] | None:
        """blocks[:keep], the blocks of `text` (lines from `restart` on), then the old
        blocks from where the two splits agree again, moved by `shift` lines; with how many
        old blocks were moved. None when `text` ends before they agree and is not the
        `whole` rest of the body (it was cut short: its last block may be too)."""
        result = blocks[:keep]
        lines = text.split("\n")
        for block in _blocks_from(lines, 0):
            start = block.start + restart
            was = start - shift
            old_index = bisect.bisect_left(blocks, was, lo=tail_first, key=_start)
            if old_index < len(blocks) and blocks[old_index].start == was:
                # The same block start in the unchanged tail: from here on both splits agree.
                if shift:
                    result += [
                        SourceBlock(b.start + shift, b.end + shift, b.text)
                        for b in blocks[old_index:]
                    ]
                else:
                    result += blocks[old_index:]
                return result, len(blocks) - old_index
            result.append(SourceBlock(start, block.end + restart, block.text))
        return (result, 0) if whole else None
