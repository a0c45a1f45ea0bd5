"""Python-Markdown converters: the full one, the one for plain prose, and many prose blocks at once.

Each thread keeps its own converters (a Markdown instance keeps state while it
converts). render/markdown.py splits a body into blocks and decides which
converter each block goes through; this module only converts.
"""

from __future__ import annotations

import re
import threading

import markdown
from markdown.preprocessors import Preprocessor

from newsdesk.render import limits
from newsdesk.render.inline_gates import gate_inline_patterns
from newsdesk.render.safety import strip_forbidden
from newsdesk.render.sanitize import sanitize

EXTENSIONS = ["tables", "footnotes", "smarty", "toc", "fenced_code", "sane_lists"]
EXTENSION_CONFIGS = {
    "toc": {"permalink": False},
    "smarty": {"smart_angled_quotes": False},
    "footnotes": {"BACKLINK_TITLE": "Back to reference %d"},
}

# One converter per thread: a Markdown instance keeps state while it converts, and the
# preview renders on its own worker thread while an export may render on another.
_md_local = threading.local()


def _md() -> markdown.Markdown:
    md = getattr(_md_local, "md", None)
    if md is None:
        md = _md_local.md = markdown.Markdown(
            extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
        )
        gate_inline_patterns(md)
    return md


def _plain_md() -> markdown.Markdown:
    """A converter with only the extension every text needs (smarty), for _PLAIN texts."""
    md = getattr(_md_local, "plain", None)
    if md is None:
        md = _md_local.plain = _smarty_only()
    return md


def _smarty_only() -> markdown.Markdown:
    """A new converter with smarty alone, its inline patterns gated."""
    md = markdown.Markdown(
        extensions=["smarty"],
        extension_configs={"smarty": EXTENSION_CONFIGS["smarty"]},
        output_format="html",
    )
    gate_inline_patterns(md)
    return md


class _ProseLines(Preprocessor):
    """NormalizeWhitespace for a text it would leave as it is: the two blank lines it adds.

    Only for _prose_md's texts, which hold no STX, ETX, carriage return or tab and no
    line that opens with a space (what NormalizeWhitespace rewrites).
    """

    def run(self, lines: list[str]) -> list[str]:
        return [*lines, "", ""]


# Block processors that never claim a batch of plain prose (see _prose_md), by their names in
# Python-Markdown's registry: each looks for something such text cannot hold.
_NOT_IN_PROSE = (
    "indent",  # a line opening with four spaces
    "code",  # the same
    "hashheader",  # "#"
    "setextheader",  # a line of "=" or "-"
    "olist",  # a digit opening a line
    "ulist",  # "*", "+" or "-" opening a line
    "quote",  # ">"
    "reference",  # "[" (it claims every block, then gives back those without a definition)
)


def _prose_md() -> markdown.Markdown:
    """The smarty-only converter without the processors plain prose can never call on.

    Only for convert_batch's texts (see batchable): no markup character, control
    character or noncharacter, and no line opening with indentation, a list marker or
    a digit. Python-Markdown tries its block processors in turn on every paragraph and
    runs its raw-HTML and unescaping passes over every text, most of a plain batch's
    time; on such text each of those finds nothing, so leaving them out changes no
    byte (the HTML block preprocessor passes text without "<" or "&" through as it
    is; the unescaper only undoes backslash escapes).
    """
    md = getattr(_md_local, "prose", None)
    if md is None:
        md = _md_local.prose = _smarty_only()
        for name in _NOT_IN_PROSE:
            md.parser.blockprocessors.deregister(name)
        md.preprocessors.deregister("html_block")
        md.preprocessors.register(_ProseLines(md), "normalize_whitespace", 30)
        md.treeprocessors.deregister("unescape")
    return md


# Python-Markdown runs every extension's processors on every call, whatever the text; a
# body renders block by block, so that is most of a short block's time. A text with none of
# what the other extensions react to converts to the same HTML without them (a third faster):
# headings (toc: "#", setext "=" or "-" lines, the [TOC] marker), tables ("|"), fenced code
# ("`", "~"), footnotes ("[^", and the placeholders it swaps back), lists (sane_lists: a
# marker or a digit opening a line, inside quotes too).
_NEEDS_EXTENSIONS = re.compile(
    r"[#|`~=]|\[\^|\[TOC\]|qq3936677670287331zz|zz1337820767766393qq|^[ \t>]*(?:[-*+]|\d)",
    re.M,
)


_H1_OPEN = re.compile(r"<h1(?=[\s>])")


def convert_unbounded(source: str) -> str:
    """Markdown to unsanitised HTML with no limits: only for text that passed `limits`."""
    md = _md() if _NEEDS_EXTENSIONS.search(source) else _plain_md()
    md.reset()
    # NUL and other control characters can never appear on a valid page.
    html = md.convert(strip_forbidden(source))
    # The page's only <h1> is the headline: a level-one heading in the body is a subhead.
    if "<h1" in html:
        html = _H1_OPEN.sub("<h2", html).replace("</h1>", "</h2>")
    return html


def _convert(source: str) -> str | None:
    """Markdown to unsanitised HTML, or None when the text may not be rendered in time.

    The caller has already checked the text against `limits.check_block`.
    """
    if limits.needs_deadline(source):
        return limits.convert_with_deadline(source)
    try:
        return convert_unbounded(source)
    except RecursionError:
        # Nesting the limits' model did not foresee: refuse the block, never the page.
        return None


# ---------------------------------------------------------------- many plain blocks at once
# Python-Markdown's fixed cost per conversion (resetting, its pre- and postprocessors, the
# serialiser) and nh3's per call are most of a short paragraph's time, so the blocks of a
# body that only hold plain prose are converted and sanitised together, one marker
# paragraph between each two, and the result cut at the markers. Each block is then
# exactly what it is alone: the parser reads a text chunk by chunk (one per blank-line
# run), and what a chunk of plain prose becomes depends on it alone (a chunk reads the one
# before only when it is indented, a list or a quote), and the inline patterns and smarty
# read one paragraph's text at a time. A block with anything else (markup characters,
# indentation, control characters, what the other extensions react to) is converted alone.
_BATCH_MARK = "qqbatchmark4207zz"
_BATCH_SPLIT = f"\n<p>{_BATCH_MARK}</p>\n"
# Characters that make a block more than plain prose: markup, and control characters.
_NOT_PROSE = re.compile(r"[<>&\[\]`\\|#=~^\x00-\x09\x0b-\x1f\x7f-\x9f]")
# A line opening with indentation, a list marker or a digit (a list, code, a rule).
_LINE_OPENS_BLOCK = re.compile(r"\n[ \t*+\-\d]")
_PLACEHOLDERS = ("qq3936677670287331zz", "zz1337820767766393qq", _BATCH_MARK)


def batchable(text: str) -> bool:
    """Whether the block may be converted together with others (see convert_batch).

    Such a block never holds what _NEEDS_EXTENSIONS looks for (its characters, its line
    openings and its placeholders are all refused here, by cheaper tests).
    """
    return (
        _NOT_PROSE.search(text) is None
        and _LINE_OPENS_BLOCK.search("\n" + text) is None
        and not any(p in text for p in _PLACEHOLDERS)
        and not limits.needs_deadline(text)
    )


def convert_batch(texts: list[str]) -> list[str] | None:
    """The safe HTML of each batchable block, as each renders alone, from one conversion.

    None when the batch cannot be cut back into as many blocks (then each is converted
    alone): never a block's HTML taken from the wrong place.
    """
    stripped = [strip_forbidden(t) for t in texts]
    # A noncharacter removed may leave a line opening with what _prose_md leaves out.
    clean = all(s is t for s, t in zip(stripped, texts, strict=True))
    md = _prose_md() if clean else _plain_md()
    md.reset()
    try:
        html = md.convert(f"\n\n{_BATCH_MARK}\n\n".join(stripped))
    except RecursionError:
        return None
    parts = sanitize(html).split(_BATCH_SPLIT)
    return parts if len(parts) == len(texts) else None
