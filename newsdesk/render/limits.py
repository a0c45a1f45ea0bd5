"""Bounds on what one Markdown block may ask of Python-Markdown, checked before it sees the block.

Python-Markdown recurses once per level of list or quote nesting (10,000
levels is a RecursionError), and much of its work grows faster than the text:
its link and inline-HTML patterns rescan the rest of a block for every
unclosed `[`, `](` or `<`; every inline match (an escape, a quote, a break)
starts that pattern's scan again from the start of the run; every heading,
rule or fence inside a block re-reads the rest of the block; every item of a
list and cell of a row looks itself up among its siblings. So every block is
measured first, in linear time and deterministically (the preview, preflight
and export always agree on which block cannot be published), and a block over
a limit is never handed to Python-Markdown at all. Each limit is set so that
the largest block it lets through renders in well under a second here, and
news copy (a 2,000-row results table, a 3,000-item list, a long quote) passes.

The measures are a model, not a proof, so a block that passes them but is
still big or dense is rendered in a child process with a short deadline in
processor time (see `convert_with_deadline`). A thread cannot be stopped from
outside and Python-Markdown has no cancellation hook, so only a process can be
abandoned: it is killed when the deadline passes and the block is refused.
Starting a process costs a tenth of a second or so, which is why ordinary
blocks (all of a normal article) never take that path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The child process that renders a block under a deadline (imported here: callers ask
# limits for it, beside the measures that decide when it is needed).
from newsdesk.render.blocks import fenced_ranges
from newsdesk.render.deadline import (  # noqa: F401
    DEADLINE_SECONDS,
    WALL_DEADLINE_SECONDS,
    convert_with_deadline,
)

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
# Emphasis nests: `*a *b *c ... c* b* a*` is one element inside another, and
# Python-Markdown's tree walks recurse once per level (a few hundred levels is a
# RecursionError). Headlines and copy never need more than three or four.
MAX_INLINE_DEPTH = 32
# Raw HTML tags left open nest too: 3,000 `<div>` lines made a page 3,000 elements deep,
# which browsers flatten (past 513) and the HTML checker rejects. Copy pasted from a web
# page nests a dozen or so.
MAX_HTML_DEPTH = 64
# Marks (emphasis and code delimiters, link targets, tags, entities) in one run of
# inline text (a paragraph, a list item, a heading, a table row). Python-Markdown
# spends about 0.1 ms on each and, past a few thousand in one run, more per mark
# the more there are (40 KB of `*a* ` is 20,000 marks and several seconds; a
# 2,000-row table of links is 6,000, in a third of a second).
MAX_INLINE_MARKS = 8_000
# Each inline match (see `inline_cost`) starts its pattern's scan again from the start
# of the run, which by then holds a placeholder of some 16 characters per earlier match:
# a run of length L with M marks costs about M x (L + 16 M) characters scanned, at 0.1
# to 0.3 ns each (links and line breaks, which weigh more, up to 1 ns). 300 KB of
# prose with an apostrophe every nine characters is 2e10 of them and 7 s.
MAX_INLINE_COST = 1_000_000_000
# Elements Python-Markdown makes of one block (paragraphs, items, headings, rows and
# cells): it tries some forty patterns on each, 0.05-0.1 ms an element here. A
# 2,000-row results table of five columns is 12,000.
MAX_ELEMENTS = 16_000
# Every heading, rule, fence or definition inside a block (not after a blank line)
# makes Python-Markdown re-read the rest of the block, some 50-100 ns a character:
# 7,500 setext headings in 30 KB took 8 s. Allowed: this much plus so much per
# character (a heading on top of a 300 KB table is 300,000).
SPLIT_ALLOWANCE = 2_000_000
SPLIT_PER_CHAR = 4
# Items of one list and paragraphs of one quote each look themselves up among their
# siblings (about 15 ns a sibling): n items cost n squared. A 3,000-item list is 9e6;
# 25,000 items took 9 s on that alone.
MAX_SIBLINGS_COST = 25_000_000
# The same for the cells of a table row, which cost more each (about 90 ns): summed
# over the rows, cells squared. 10,000 columns took 9 s; 50 columns x 1,000 rows is 2.5e6.
MAX_CELLS_COST = 3_000_000
# Blocks at least this big or this costly are rendered in a child process under
# deadline.DEADLINE_SECONDS. A rescan unit costs about 2 microseconds, so such a block
# takes about half a second or more in-process: starting the process (a tenth of
# a second or so) is then worth its guarantee. Ordinary blocks never come near.
GUARD_CHARS = 60_000
GUARD_RESCAN = 200_000
GUARD_ELEMENTS = 4_000

TOO_DEEP = "This block is too deeply nested to publish"
TOO_LARGE = "This block is too large to publish"
# What to do about a refused block, said after why (the reasons alone left writers guessing).
REMEDIES = {
    TOO_LARGE: (
        "Split it into shorter paragraphs, lists and tables with blank lines between them, "
        "or remove runs of marks such as * _ ` [ < \\ '."
    ),
    TOO_DEEP: "Use fewer levels of quotes, lists, emphasis and HTML tags.",
}

_QUOTE_OR_LIST = re.compile(r" {0,3}(?:>|(?:[*+-]|\d{1,9}[.)])(?=[ \t]|$))[ \t]?")


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a block will not be rendered: the notice shown in its place."""

    reason: str  # TOO_DEEP or TOO_LARGE


def _literal(lines: list[str]) -> list[bool] | None:
    """Which lines are inside (or are the fences of) fenced code; None when none are."""
    if not any(line.startswith(("```", "~~~")) for line in lines):
        return None
    ranges = fenced_ranges(lines)
    if not ranges:
        return None
    flags = [False] * len(lines)
    for i, j in ranges:
        flags[i : j + 1] = [True] * (j + 1 - i)
    return flags


def is_code_block(text: str) -> bool:
    """A fenced block that closes on its last line, or an indented one: literal text,
    never scanned for links or tags."""
    lines = text.split("\n")
    if text.startswith(("    ", "\t")):
        # Every line indented (or blank): a line that is not ends the code, and
        # Python-Markdown parses it and the rest as Markdown.
        return all(not line.strip() or line.startswith(("    ", "\t")) for line in lines)
    if len(lines) < 2 or not lines[0].startswith(("```", "~~~")):
        return False
    ranges = fenced_ranges(lines)
    return bool(ranges) and ranges[0] == (0, len(lines) - 1)


# ---------------------------------------------------------------- nesting
def nesting_depth(text: str) -> int:
    """The deepest list/quote nesting any line of the block opens, counting indentation levels.

    `- - - item`, `1. 1. item`, `>>> quote` and an item indented eight spaces
    each count their levels; a fenced or indented code block is literal text.
    """
    if is_code_block(text):
        return 0
    lines = text.split("\n")
    literal = _literal(lines)
    deepest = 0
    for i, line in enumerate(lines):
        if literal is not None and literal[i]:
            continue
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


# ---------------------------------------------------------------- rescanning brackets
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


# ---------------------------------------------------------------- runs of inline text
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


# An HTML tag, opening or closing; `[^<>]*` stops at the next "<", so a flood of
# unclosed "<a " is read once.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^<>]*>")
# Elements that never hold others (void), or that the next of their kind closes.
_NOT_NESTING = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "tfoot",
        "option",
        "optgroup",
        "colgroup",
        "rb",
        "rt",
        "rp",
    ]
)


def html_depth(text: str) -> int:
    """How deep the block's raw HTML tags nest: opened minus closed, at the deepest point."""
    if "<" not in text:
        return 0
    depth = deepest = 0
    for m in _TAG.finditer(text):
        if m.group(2).lower() in _NOT_NESTING or m.group(0).endswith("/>"):
            continue
        if m.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


# Whatever an inline pattern of ours matches starts with one of these (see
# inline_gates.REQUIRED): a run of `*` or of `_` (one delimiter each; `*_*_` is four), a
# backtick (each may open a code span that is looked for to the end of the run), an
# escape, a link, a tag or entity, smarty's quotes, dashes and ellipses, and a line break
# (two spaces before a newline).
_ANY_MARK = re.compile(r"\*+|_+|[`\\\[<&'\"]|--|\.\.\.|  \n")
# Marks that cost more than a scan each: a link builds its element and checks its
# address; a line break looks itself up among its siblings.
_HEAVY_MARK = re.compile(r"\]\(|  \n")
_HEAVY_WEIGHT = 4
# Placeholder characters an earlier match leaves in the run, for each mark.
_PLACEHOLDER = 16


def inline_cost(text: str) -> int:
    """Characters Python-Markdown's inline patterns scan in the block's costliest runs, summed.

    A run with M marks (weighted W) and L characters costs W x (L + 16 M): each
    match starts its pattern's scan again from the start of the run (see
    MAX_INLINE_COST). Cheap to measure: one count of the marks when the whole
    block is small enough to be under the limit whatever its runs.
    """
    n = len(text)
    marks = len(_ANY_MARK.findall(text))
    if not marks:
        return 0
    heavy = len(_HEAVY_MARK.findall(text)) * (_HEAVY_WEIGHT - 1)
    whole = (marks + heavy) * (n + _PLACEHOLDER * marks)
    if whole <= MAX_INLINE_COST:
        return whole  # the block as one run is an upper bound of its runs' sum
    total = 0
    for run in _inline_runs(text):
        m = len(_ANY_MARK.findall(run))
        if m:
            w = m + len(_HEAVY_MARK.findall(run)) * (_HEAVY_WEIGHT - 1)
            total += w * (len(run) + _PLACEHOLDER * m)
    return total


# ---------------------------------------------------------------- block structure
# Lines that split a block where they stand, each making Python-Markdown re-read the rest
# of it: an ATX heading (a "#" at the start of the line, no space needed), a setext
# underline, a thematic break, a link or footnote definition, the start of a quote.
_HEADING = re.compile(r"#")
_UNDERLINE = re.compile(r"[=-]+[ ]*")
_DEFINITION = re.compile(r" {0,3}\[[^\]]*\]:")
_LIST_ITEM = re.compile(r"[ \t]*(?:[*+-]|\d{1,9}[.)])(?:[ \t]|$)")
_QUOTE = re.compile(r" {0,3}>")


def _is_rule(line: str) -> bool:
    """A thematic break: three or more of one of - _ * (spaces between), indented under four.

    Tested without a pattern: `(-+ {0,2}){3,}` backtracks exponentially on a long run
    of dashes that ends in something else.
    """
    body = line.lstrip(" ")
    if len(line) - len(body) > 3 or not body or body[0] not in "-_*":
        return False
    marks = body.replace(" ", "")
    return len(marks) >= 3 and marks == body[0] * len(marks)


@dataclass(frozen=True, slots=True)
class Structure:
    """What a block's lines ask of Python-Markdown's block parser (see `structure`)."""

    split_cost: int  # characters re-read after each line that splits the block
    elements: int  # paragraphs, items, headings, rows and cells
    siblings_cost: int  # items of its lists and paragraphs of its quotes, squared
    cells_cost: int  # cells of each table row, squared and summed


def structure(text: str) -> Structure:
    """The block's splitting lines, elements and siblings, in one pass over its lines."""
    lines = text.split("\n")
    literal = _literal(lines)
    n = len(text)
    remaining = n  # characters from the current line to the end of the block
    split = 0
    elements = 0
    items = 0
    quote_paragraphs = 0
    cells = 0
    previous_text = False  # the line before holds text (a setext underline may follow)
    previous_quote = False
    quote_blank = False
    for i, line in enumerate(lines):
        here = remaining
        remaining -= len(line) + 1
        if literal is not None and literal[i]:
            if line.startswith(("```", "~~~")):
                split += n  # each fence makes the preprocessor rebuild the whole text
            previous_text = previous_quote = False
            continue
        if line.startswith(("```", "~~~")):
            split += here  # an opener that never closes: a search to the end
        stripped = line.strip()
        if not stripped:
            previous_text = False
            quote_blank = previous_quote
            continue
        is_quote = _QUOTE.match(line) is not None
        if is_quote:
            inner = line.lstrip(" >")
            if not previous_quote:
                split += here  # the quote starts here: what came before is parsed apart
                quote_paragraphs += 1
            elif quote_blank or not inner.strip():
                quote_paragraphs += 1
            quote_blank = False
            previous_quote = True
            if not inner.strip():
                previous_text = False
                continue
        else:
            inner = line
            quote_blank = previous_quote = False
        if line.startswith(("    ", "\t")):
            # Indented: a nested item, or code or a continuation, never a split.
            if _LIST_ITEM.match(inner):
                items += 1
                elements += 1
            previous_text = True
            continue
        if _HEADING.match(inner.lstrip(" ")) and not inner.startswith("    "):
            split += here
            elements += 1
            previous_text = False
            continue
        if (previous_text and _UNDERLINE.fullmatch(inner)) or _is_rule(inner):
            split += here
            previous_text = False
            continue
        if _DEFINITION.match(inner):
            split += here
            previous_text = False
            continue
        if _LIST_ITEM.match(inner):
            items += 1
            elements += 1
        elif "|" in inner:
            row = inner.count("|")
            cells += row * row
            elements += 1 + row
        elif not previous_text:
            elements += 1
        previous_text = True
    siblings = items * items + quote_paragraphs * quote_paragraphs
    return Structure(split, elements, siblings, cells)


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
    if html_depth(text) > MAX_HTML_DEPTH:
        return Refusal(TOO_DEEP)
    if inline_marks(text) > MAX_INLINE_MARKS:
        return Refusal(TOO_LARGE)
    if rescan_cost(text) > RESCAN_ALLOWANCE + RESCAN_PER_CHAR * len(text):
        return Refusal(TOO_LARGE)
    if inline_cost(text) > MAX_INLINE_COST:
        return Refusal(TOO_LARGE)
    shape = structure(text)
    if (
        shape.split_cost > SPLIT_ALLOWANCE + SPLIT_PER_CHAR * len(text)
        or shape.elements > MAX_ELEMENTS
        or shape.siblings_cost > MAX_SIBLINGS_COST
        or shape.cells_cost > MAX_CELLS_COST
    ):
        return Refusal(TOO_LARGE)
    return None


# ---------------------------------------------------------------- definitions
# A block that holds "[" is converted with every link and footnote definition of the body
# after it (it may use any of them), so the definitions cost once per such block: about
# 17 microseconds a link definition and 0.3 ms a footnote (whose list is built each time).
# Allowed, summed over the blocks: this many units (about a second here), a footnote
# weighing FOOTNOTE_WEIGHT. 50 footnotes and 50 paragraphs citing them are 50,000.
MAX_DEFINITION_USES = 60_000
FOOTNOTE_WEIGHT = 20
_DEFINITION_LINE = re.compile(r"^ {0,3}\[(\^?)[^\]\n]*\]:", re.M)


def definition_units(texts: list[str]) -> int:
    """What converting these definition blocks once costs, in units (see MAX_DEFINITION_USES)."""
    units = 0
    for text in texts:
        for m in _DEFINITION_LINE.finditer(text):
            units += FOOTNOTE_WEIGHT if m.group(1) else 1
    return units


def definitions_too_costly(units: int, using_blocks: int) -> bool:
    """Whether the body's definitions, converted with each of `using_blocks` blocks, cost
    too much: they are then refused (the blocks show their references as written)."""
    return units * using_blocks > MAX_DEFINITION_USES


def needs_deadline(text: str) -> bool:
    """Within the limits but big or dense enough that its render time is not obviously small."""
    if len(text) >= GUARD_CHARS:
        return True
    if is_code_block(text):
        return False
    if rescan_cost(text) >= GUARD_RESCAN:
        return True
    # An element takes a character at least: a shorter block cannot have this many.
    return len(text) >= GUARD_ELEMENTS and structure(text).elements >= GUARD_ELEMENTS
