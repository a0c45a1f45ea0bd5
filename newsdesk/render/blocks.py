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


# ---------------------------------------------------------------- fenced code
# Python-Markdown's fenced-code preprocessor (fenced_code.FENCED_BLOCK_RE): an opening
# fence at the start of a line with an optional language or {attributes}, and the first
# later line holding exactly the same fence (and spaces) closes it. An opener that is
# never closed is plain text, and so is everything after it.
_FENCE_LINE = re.compile(r"(`{3,}|~{3,})")
# Possessive (*+): a long line of spaces or letters is read once, not once per way of
# dividing it between the parts.
_OPENER_REST = re.compile(
    r"[ ]*+(?:\{[^\n]*\}|\.?[\w#.+-]*+[ ]*+(?:hl_lines=([\"'])[^\n]*?\1[ ]*+)?)"
)


def fenced_ranges(lines: list[str]) -> list[tuple[int, int]]:
    """(opener, closer) line numbers of each fenced code block Python-Markdown finds, in order.

    Linear: whether an opener is ever closed is read from the last line holding
    each fence, so a flood of unclosed openers is not a scan to the end each.
    """
    return fence_pairs(lines)[0]


def fence_pairs(
    lines: list[str], cut_short: bool = False
) -> tuple[list[tuple[int, int]], list[int]]:
    """fenced_ranges, and the openers (outside them) that are never closed: plain text, unless
    the lines are only the first part of the body (`cut_short`) and a closer lies past them.
    In a text cut short, a fence on the last line may open a block too."""
    closers: dict[str, list[int]] = {}
    openers: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        if not line.startswith(("```", "~~~")):
            continue
        m = _FENCE_LINE.match(line)
        if m is None:
            continue
        fence = m.group(1)
        rest = line[m.end() :]
        if not rest.strip(" "):
            closers.setdefault(fence, []).append(i)
        if (cut_short or i + 1 < len(lines)) and _OPENER_REST.fullmatch(rest):
            openers.append((i, fence))
    ranges: list[tuple[int, int]] = []
    unclosed: list[int] = []
    after = -1  # the last line of the last range
    for i, fence in openers:
        if i <= after:
            continue
        found = closers.get(fence)
        if not found or found[-1] <= i:
            unclosed.append(i)
            continue  # never closed: plain text
        j = found[bisect.bisect_right(found, i)]
        ranges.append((i, j))
        after = j
    return ranges, unclosed


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
    lines = source.split("\n")
    return list(_blocks_from(lines, fenced_ranges(lines)))


def _blocks_from(lines: list[str], ranges: list[tuple[int, int]]) -> Iterator[SourceBlock]:
    """The blocks of `lines`, the fenced code in them paired as `ranges` (fence_pairs) says.

    What follows a block's start depends only on the lines from it on; that is
    what lets a re-split begin at any block's start. A fenced code block is paired
    as Python-Markdown pairs it: blank lines inside it end nothing, and an opener
    never closed is plain text.
    """
    closer_of = dict(ranges)
    start: int | None = None
    first_kind = "other"
    blank_run = False
    i = -1
    while i + 1 < len(lines):
        i += 1
        line = lines[i]
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
        closer = closer_of.get(i)
        if closer is not None:
            i = closer  # the code and its closing fence belong to this block
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
        # The lines of fence openers never closed in the last text: plain text for now, but
        # an edit after one may close it, and then its block runs on to the new closer.
        self._unclosed: list[int] = []
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
            lines = source.split("\n")
            ranges, self._unclosed = fence_pairs(lines)
            self._blocks = list(_blocks_from(lines, ranges))
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
        if self._unclosed and self._unclosed[0] < head_lines:
            # The edit may close a fence opened before it: restart at that fence's block.
            keep = min(keep, bisect.bisect_right(blocks, self._unclosed[0], key=_start) - 1)
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
            found = self._resplit(keep, restart, source[at:end], shift, tail_first)
        if found is None:
            found = self._resplit(keep, restart, source[at:], shift, tail_first, True)
        assert found is not None  # the whole rest of the text always gives an answer
        result, self.moved_tail, self._unclosed = found
        self.same_head = keep
        self._blocks = result
        self.reused_last = keep + self.moved_tail
        return result

    def _resplit(
        self,
        keep: int,
        restart: int,
        text: str,
        shift: int,
        tail_first: int,
        whole: bool = False,
    ) -> tuple[list[SourceBlock], int, list[int]] | None:
        """blocks[:keep], the blocks of `text` (lines from `restart` on), then the old
        blocks from where the two splits agree again, moved by `shift` lines; with how many
        old blocks were moved, and the new text's unclosed fence openers. None when `text`
        ends before they agree and is not the `whole` rest of the body (it was cut short:
        its last block may be too, and so may a fence it opens)."""
        blocks = self._blocks
        result = blocks[:keep]
        lines = text.split("\n")
        ranges, unclosed = fence_pairs(lines, cut_short=not whole)
        # No block that reaches an opener left open by a cut-short text can be trusted: its
        # closer may lie past the text. (Before `restart`, no opener is left open.)
        first_open = unclosed[0] if unclosed and not whole else len(lines)
        for block in _blocks_from(lines, ranges):
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
                open_lines = [u + restart for u in unclosed if u < block.start]
                open_lines += [u + shift for u in self._unclosed if u >= was]
                return result, len(blocks) - old_index, open_lines
            if block.end > first_open:
                return None
            result.append(SourceBlock(start, block.end + restart, block.text))
        return (result, 0, [u + restart for u in unclosed]) if whole else None
