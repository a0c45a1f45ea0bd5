"""Bounds on what one Markdown block may ask of Python-Markdown, checked before it sees the block.

Python-Markdown recurses once per level of list or quote nesting (10,000
levels is a RecursionError) and its link and inline-HTML patterns rescan the
rest of a block for every unclosed `[`, `](` or `<`, which is quadratic: 40 KB
of brackets is a minute of work. So every block is measured first, in linear
time and deterministically (the preview, preflight and export always agree on
which block cannot be published), and a block over a limit is never handed to
Python-Markdown at all.

The measures are a model, not a proof, so a block that passes them but is
still big or dense is rendered in a child process with a generous deadline
(see `convert_with_deadline`). A thread cannot be stopped from outside and
Python-Markdown has no cancellation hook, so only a process can be abandoned:
it is killed when the deadline passes and the block is refused. Starting a
process costs a tenth of a second or so, which is why ordinary blocks (all of
a normal article) never take that path.
"""

from __future__ import annotations

import multiprocessing
import re
from dataclasses import dataclass

from newsdesk.concurrency import process_pool_context

# A list in a quote in a list... news copy rarely goes past three or four levels;
# Python-Markdown needs a few stack frames per level and overflows in the hundreds.
MAX_DEPTH = 24
# One block (a paragraph, a list, a table) over this many characters is not
# prose; the largest tables we publish are a tenth of this.
MAX_BLOCK_CHARS = 300_000
# The rescanning cost (see `rescan_cost`, about 2 microseconds a unit) allowed:
# a fixed allowance plus so much per character of the block. Ordinary text
# costs under 1 per character; the pathological cases hundreds to thousands.
RESCAN_PER_CHAR = 5
RESCAN_ALLOWANCE = 10_000
# Blocks at least this big or this costly are rendered in a child process under
# DEADLINE_SECONDS. A rescan unit costs about 2 microseconds, so such a block
# takes about half a second or more in-process: starting the process (a tenth of
# a second or so) is then worth its guarantee. Ordinary blocks never come near.
# Emphasis nests: `*a *b *c ... c* b* a*` is one element inside another, and
# Python-Markdown's tree walks recurse once per level (a few hundred levels is a
# RecursionError). Headlines and copy never need more than three or four.
MAX_INLINE_DEPTH = 32
# Marks (emphasis and code delimiters, link targets, tags, entities) in one run of
# inline text (a paragraph, a list item, a heading, a table row). Python-Markdown
# spends about 0.1 ms on each and, past a few thousand in one run, more per mark
# the more there are (40 KB of `*a* ` is 20,000 marks and several seconds; a
# 2,000-row table of links is 6,000, in a third of a second).
MAX_INLINE_MARKS = 8_000
GUARD_CHARS = 60_000
GUARD_RESCAN = 200_000
DEADLINE_SECONDS = 20.0

TOO_DEEP = "This block is too deeply nested to publish"
TOO_LARGE = "This block is too large to publish"
# What to do about a refused block, said after why (the reasons alone left writers guessing).
REMEDIES = {
    TOO_LARGE: "Split it into shorter paragraphs, or remove stray * _ ` [ marks.",
    TOO_DEEP: "Use fewer levels of quotes, lists and emphasis.",
}

_QUOTE_OR_LIST = re.compile(r" {0,3}(?:>|(?:[*+-]|\d{1,9}[.)])(?=[ \t]|$))[ \t]?")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a block will not be rendered: the notice shown in its place."""

    reason: str  # TOO_DEEP or TOO_LARGE


def nesting_depth(text: str) -> int:
    """The deepest list/quote nesting any line of the block opens, counting indentation levels.

    `- - - item`, `1. 1. item`, `>>> quote` and an item indented eight spaces
    each count their levels; a fenced or indented code block is literal text.
    """
    first = text.lstrip("\n")
    if _FENCE.match(first) or first.startswith(("    ", "\t")):
        return 0
    deepest = 0
    in_fence: str | None = None
    for line in text.split("\n"):
        fence = _FENCE.match(line)
        if in_fence is not None:
            if fence and fence.group(1)[0] == in_fence:
                in_fence = None
            continue
        if fence:
            in_fence = fence.group(1)[0]
        expanded = line.expandtabs(4) if "\t" in line[:64] else line
        stripped = expanded.lstrip(" ")
        depth = (len(expanded) - len(stripped)) // 4
        pos = 0
        while True:
            m = _QUOTE_OR_LIST.match(stripped, pos)
            if m is None or m.end() == pos:
                break
            depth += 1
            pos = m.end()
            if depth > MAX_DEPTH:
                return depth  # enough: no need to walk 10,000 markers
        deepest = max(deepest, depth)
    return deepest


def rescan_cost(text: str) -> int:
    """How many characters Python-Markdown's inline patterns rescan, roughly.

    Each `[` is matched against its `]`, each `](` against its `)` and each
    `<` against its `>`; an opener that is never closed costs the rest of the
    block. Matched openers in ordinary text cost a few characters each.
    """
    n = len(text)
    total = 0
    if "[" in text:
        total += _scan(_BRACKETS, "[", text, n)
    if "](" in text:
        total += _scan(_LINK_TARGETS, "](", text, n)
    if "<" in text:
        total += _scan(_ANGLES, "<", text, n)  # "a < b" starts no tag and costs nothing
    return total


_BRACKETS = re.compile(r"\[|\]")
_LINK_TARGETS = re.compile(r"\]\(|\)")
_ANGLES = re.compile(r"<(?=[A-Za-z/!?])|>")


def _scan(pattern: re.Pattern[str], opener: str, text: str, n: int) -> int:
    stack: list[int] = []
    total = 0
    for m in pattern.finditer(text):
        if m.group() == opener:
            stack.append(m.start())
        elif stack:
            total += m.start() - stack.pop()
    return total + sum(n - i for i in stack)


_INLINE_MARK = re.compile(r"[*_`]+|~~|\]\(|<[A-Za-z/!?]|&#?\w+;")
_EMPHASIS_RUN = re.compile(r"[*_]+")
# A line that starts a run of inline text of its own: a list item, a heading, a table row
# (each cell is its own run), under any quote markers and indentation.
_OWN_RUN = re.compile(r"[ \t>]*(?:[*+-][ \t]|\d{1,9}[.)][ \t]|#|\|)")


def _inline_runs(text: str) -> list[str]:
    """The block's runs of inline text as Python-Markdown processes them, roughly: a
    paragraph's lines together, each list item, heading and table row apart."""
    runs: list[str] = []
    current: list[str] = []
    for line in text.split("\n"):
        if not line.strip() or _OWN_RUN.match(line):
            if current:
                runs.append("\n".join(current))
            current = [line] if line.strip() else []
        else:
            current.append(line)
    if current:
        runs.append("\n".join(current))
    return runs


def inline_marks(text: str) -> int:
    """The most inline marks in any one run of the block (see MAX_INLINE_MARKS)."""
    if len(text) < MAX_INLINE_MARKS:  # fewer characters than the limit: cannot be over it
        return 0
    return max((len(_INLINE_MARK.findall(run)) for run in _inline_runs(text)), default=0)


def emphasis_depth(text: str) -> int:
    """How deep `*` and `_` emphasis nests: delimiters that open (before a word) minus
    those that close (after one), at the deepest point of any run of the block."""
    if len(text) < 2 * MAX_INLINE_DEPTH or ("*" not in text and "_" not in text):
        return 0
    deepest = 0
    for run in _inline_runs(text):
        depth = 0
        n = len(run)
        for m in _EMPHASIS_RUN.finditer(run):
            start, end = m.span()
            before = run[start - 1] if start else " "
            after = run[end] if end < n else " "
            closes = not before.isspace()
            opens = not after.isspace()
            if closes and (depth or not opens):
                depth = max(0, depth - (end - start))
            elif opens:
                depth += end - start
                deepest = max(deepest, depth)
    return deepest


def check_block(text: str) -> Refusal | None:
    """Why this block must not be rendered, or None when it is within every limit."""
    if nesting_depth(text) > MAX_DEPTH:
        return Refusal(TOO_DEEP)
    if len(text) > MAX_BLOCK_CHARS:
        return Refusal(TOO_LARGE)
    if is_code_block(text):
        return None
    if emphasis_depth(text) > MAX_INLINE_DEPTH:
        return Refusal(TOO_DEEP)
    if inline_marks(text) > MAX_INLINE_MARKS:
        return Refusal(TOO_LARGE)
    if rescan_cost(text) > RESCAN_ALLOWANCE + RESCAN_PER_CHAR * len(text):
        return Refusal(TOO_LARGE)
    return None


def is_code_block(text: str) -> bool:
    """A closed fenced block or an indented one: literal text, never scanned for links or tags."""
    if text.startswith(("    ", "\t")):
        return True
    lines = text.split("\n")
    opening = _FENCE.match(lines[0])
    if opening is None or len(lines) < 2:
        return False
    fence = opening.group(1)
    closing = lines[-1].strip()
    return closing.startswith(fence) and not closing.strip(fence[0])


def needs_deadline(text: str) -> bool:
    """Within the limits but big or dense enough that its render time is not obviously small."""
    if len(text) >= GUARD_CHARS:
        return True
    return not is_code_block(text) and rescan_cost(text) >= GUARD_RESCAN


def convert_with_deadline(source: str, seconds: float = DEADLINE_SECONDS) -> str | None:
    """Markdown to (unsanitised) HTML in a child process; None when it overran or failed."""
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_convert_in_child, args=(source, sender), daemon=True)
    proc.start()
    sender.close()
    try:
        if receiver.poll(seconds):
            return receiver.recv()
        return None
    except (EOFError, OSError):
        return None  # the child died (out of memory, say): refuse the block
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        receiver.close()


def _convert_in_child(source: str, sender) -> None:
    from newsdesk.render.markdown import convert_unbounded

    sender.send(convert_unbounded(source))
    sender.close()


def _context() -> multiprocessing.context.BaseContext:
    # Never fork: the preview calls this from a worker thread of a Qt process.
    return process_pool_context()
