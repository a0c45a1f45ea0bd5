"""Hostile Markdown bodies: each shape made at any size, for the render limits' tests and benchmark.

A shape is a function of a size in characters that returns a body of about
that size. Most are one block (no blank lines), the form that reaches
Python-Markdown whole; the `*_blocks` shapes are many small blocks, the form
that costs the page (ids, splitting) rather than one block. `ORDINARY` holds
large but realistic news copy that the limits must never refuse.
"""

from __future__ import annotations

from collections.abc import Callable


def _times(unit: str, n: int) -> str:
    """unit repeated to about n characters (at least once)."""
    return unit * max(1, n // len(unit))


def _lines(unit: str, n: int) -> str:
    return _times(unit, n).rstrip("\n")


def _table_columns(n: int) -> str:
    cols = max(2, n // 6)
    return "|" + "a|" * cols + "\n|" + "-|" * cols + "\n|" + "b|" * cols


def _table_rows(n: int) -> str:
    return "| a | b |\n|---|---|\n" + _lines("| c | d |\n", n)


def _table_backticks(n: int) -> str:
    return "| a | b |\n|---|---|\n" + _lines("| `c | d` |\n", n)


def _defs_and_uses(n: int) -> str:
    k = max(1, n // 40)
    return "\n".join(f"[r{i}]: https://e.org/{i}" for i in range(k)) + "\n" + "[x][r0] " * k


def _footnote_refs(n: int) -> str:
    k = max(1, n // 12)
    return "".join(f"a[^{i}] " for i in range(k)) + "\n" + "\n".join(f"[^{i}]: n" for i in range(k))


def _defs_for_many(n: int, definition: str, use: str) -> str:
    """Half the size in definitions (one block), half in short paragraphs that use them:
    each paragraph is converted with the definitions it could use."""
    k = max(1, n // 2 // len(definition.format(i=0)))
    defs = "\n".join(definition.format(i=i) for i in range(k))
    uses = "\n\n".join(use.format(i=i % k) for i in range(max(1, n // 2 // (len(use) + 2))))
    return defs + "\n\n" + uses


def _nested_emphasis_mix(n: int) -> str:
    return _times("*a _b **c __d ", n // 2) + _times(" d__ c** b_ a*", n // 2)


# name -> size -> body
SHAPES: dict[str, Callable[[int], str]] = {
    # Block structure, all in one block (no blank lines)
    "setext =": lambda n: _lines("a\n=\n", n),
    "setext -": lambda n: _lines("a\n-\n", n),
    "long setext underline": lambda n: "a\n" + "=" * n,
    "hash headings": lambda n: _lines("# a\n", n),
    "rules ***": lambda n: _lines("***\n", n),
    "rules - - -": lambda n: _lines("- - -\n", n),
    "rules ___": lambda n: _lines("___\n", n),
    "closed fences": lambda n: _lines("```\na\n```\n", n),
    "unclosed fences": lambda n: _lines("```a\n", n),
    "fences of growing length": lambda n: "\n".join(
        "`" * (3 + i) for i in range(max(1, int((2 * n) ** 0.5)))
    ),
    "backtick fence holding tildes": lambda n: "```\n" + _times("~~~\n", n) + "```",
    "table: thousands of columns": _table_columns,
    "table: thousands of rows": _table_rows,
    "table: pipes only": lambda n: "|" * n,
    "table: backticks in cells": _table_backticks,
    "table: header, no rows, pipes": lambda n: _times("|a", n) + "\n" + _times("|-", n),
    "list items": lambda n: _lines("- a\n", n),
    "numbered items": lambda n: _lines("1. a\n", n),
    "list with lazy lines": lambda n: _lines("- a\nb\n", n),
    "quote lines": lambda n: _lines("> a\n", n),
    "quote with empty lines": lambda n: _lines("> a\n>\n", n),
    "indented code after list": lambda n: "- a\n" + _lines("        b\n", n),
    "reference definitions": lambda n: "\n".join(
        f"[r{i}]: https://e.org/{i}" for i in range(max(1, n // 24))
    ),
    "definitions and uses": _defs_and_uses,
    "footnote definitions": lambda n: "\n".join(f"[^{i}]: n" for i in range(max(1, n // 8))),
    "footnote references": _footnote_refs,
    "HTML block: div lines": lambda n: _lines("<div>\n", n),
    "HTML: unclosed divs": lambda n: _times("<div>", n),
    "HTML: closed divs": lambda n: _times("<div>a</div>", n),
    "HTML: unclosed comments": lambda n: _times("<!--", n),
    "HTML: processing instructions": lambda n: _times("<?", n),
    "HTML: CDATA openers": lambda n: _times("<![CDATA[", n),
    "HTML: attributes": lambda n: "<p " + _times('a="b" ', n) + ">",
    "HTML: end tags": lambda n: _times("</a>", n),
    "HTML: table cells": lambda n: _times("<table><tr><td>", n),
    "HTML: paragraph then tags": lambda n: "a\n" + _times("<b>", n),
    # Inline
    "emphasis: * run": lambda n: "a" + "*" * n + "a",
    "emphasis: *_ pairs": lambda n: _times("*_", n),
    "emphasis: a* words": lambda n: _times("a* ", n),
    "emphasis: *a* dense": lambda n: _times("*a* ", n),
    "emphasis: **_ mix": lambda n: _times("**_a ", n),
    "emphasis: nested mix": _nested_emphasis_mix,
    "emphasis: underscores in words": lambda n: _times("a_b_", n),
    "backticks: run": lambda n: "`" * n,
    "backticks: unmatched": lambda n: _times("`a ", n),
    "backticks: growing runs": lambda n: " ".join(
        "`" * i for i in range(1, max(2, int((2 * n) ** 0.5)))
    ),
    "backticks: doubled and single": lambda n: _times("``a` ", n),
    "< run": lambda n: "<" * n,
    "<a run": lambda n: _times("<a ", n),
    "<a= run": lambda n: _times("<a b=", n),
    "autolink openers": lambda n: _times("<http://", n),
    "mail openers": lambda n: _times("<a@", n),
    "& run": lambda n: "&" * n,
    "&amp; run": lambda n: _times("&amp;", n),
    "&# run": lambda n: _times("&#", n),
    "backslash run": lambda n: "\\" * n,
    "escaped stars": lambda n: _times("\\*", n),
    "escaped backticks": lambda n: _times("\\`", n),
    "brackets": lambda n: "[" * (n // 2) + "]" * (n // 2),
    "link openers": lambda n: _times("[a](", n),
    "image openers": lambda n: _times("![a](", n),
    "links": lambda n: _times("[a](https://e.org/) ", n),
    "reference links, undefined": lambda n: _times("[a][b] ", n),
    "bracket then parens": lambda n: "[a](" + "(" * n,
    "link title quotes": lambda n: '[a](b "' + '"' * n + ")",
    "single quotes": lambda n: "'" * n,
    "double quotes": lambda n: '"' * n,
    "quote words": lambda n: _times("'a \"b ", n),
    "dashes": lambda n: "-" * n + "a",
    "dots": lambda n: "." * n,
    "hard breaks": lambda n: _lines("a  \n", n),
    "long word": lambda n: "a" * n,
    "long line of words": lambda n: _times("word ", n),
    # Characters
    "CRLF lines": lambda n: _times("a\r\n", n),
    "CR only": lambda n: _times("a\r", n),
    "NULs": lambda n: "\x00" * n,
    "line separators": lambda n: _times("a\u2028", n),
    "combining marks": lambda n: "a" + "\u0301" * n,
    "bidi overrides": lambda n: _times("\u202ea\u202c", n),
    "emoji ZWJ": lambda n: _times("\U0001f469\u200d", n),
    "byte-order marks": lambda n: "\ufeff" * n,
    "tabs": lambda n: "\t" * n + "a",
    "private-use and specials": lambda n: _times("\ue000\ufffd\ufffe", n),
    # Many small blocks: what costs the page, not one block
    "same heading, many blocks": lambda n: _times("# a\n\n", n),
    "same setext heading, many blocks": lambda n: _times("a\n=\n\n", n),
    "footnotes, many blocks": lambda n: "\n\n".join(f"[^{i}]: n" for i in range(max(1, n // 9))),
    "one-word paragraphs, many blocks": lambda n: _times("a\n\n", n),
    "rules, many blocks": lambda n: _times("***\n\n", n),
    "definitions used by many blocks": lambda n: _defs_for_many(
        n, "[r{i}]: https://e.org/{i}", "[x][r{i}]"
    ),
    "footnotes used by many blocks": lambda n: _defs_for_many(
        n, "[^{i}]: A source.", "Claim.[^{i}]"
    ),
}


# Shapes of many small blocks: their cost is per block, so they are made smaller (a body
# of 100,000 one-line paragraphs is slow for being long, not for being hostile).
MANY_BLOCKS = {name for name in SHAPES if "many blocks" in name}


def realistic_results_table(rows: int) -> str:
    """A results table of the size an election night or a marathon publishes."""
    head = "| Pos | Runner | Club | Time | Notes |\n|---:|---|---|---:|---|\n"
    body = "\n".join(
        f"| {i} | Runner *{i}* | [Harbour AC](https://e.org/c/{i % 40}) | 2:{i % 60:02d}:{i % 7}0 "
        f"| {'PB' if i % 3 else '**SB**'} |"
        for i in range(1, rows + 1)
    )
    return head + body


def ordinary_bodies() -> dict[str, str]:
    """Large but realistic copy that every limit must let through."""
    from benchmarks.bench_preview import article_markdown

    long_list = "\n".join(
        f"- item *{i}* with **bold** and `code` [x](https://e.org/{i})" for i in range(3000)
    )
    quotes = "\n".join(
        f"> {i}. \"It's the *best* day,\" she said -- and 'then' some... [more](https://e.org/{i})"
        for i in range(2000)
    )
    headings = "\n\n".join(
        f"## Result {i}\n\nThe council's *vote* passed {i}-3 --- see [the minutes][m{i}].\n\n"
        f"[m{i}]: https://e.org/minutes/{i}"
        for i in range(100)
    )
    rules = "\n\n".join(f"Part {i}.\n\n***" for i in range(500))
    cited = (
        "\n\n".join(f"Paragraph {i} cites a source.[^{i}]" for i in range(50))
        + "\n\n"
        + "\n".join(f"[^{i}]: Source {i}, *page* {i}." for i in range(50))
    )
    footnoted = (
        " ".join(f"Claim {i}.[^{i}]" for i in range(300))
        + "\n\n"
        + "\n".join(f"[^{i}]: Source {i}, *page* {i}." for i in range(300))
    )
    code = (
        "```python\n"
        + "\n".join(f"x_{i} = '{i}' * 2  # **not** emphasis" for i in range(4000))
        + "\n```"
    )
    html = "\n\n".join(
        f'<div class="box">\n<p>Box {i} &amp; more &mdash; <b>bold</b></p>\n</div>'
        for i in range(500)
    )
    return {
        "20,000-word article": article_markdown(20_000),
        "2,000-row results table": realistic_results_table(2000),
        "3,000-item list": long_list,
        "2,000-line quote": quotes,
        "100 subheads with reference links": headings,
        "500 rules between parts": rules,
        "300 footnotes": footnoted,
        "50 paragraphs citing 50 footnotes": cited,
        "4,000-line code block": code,
        "500 HTML boxes": html,
    }
