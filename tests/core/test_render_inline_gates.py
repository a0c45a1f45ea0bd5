"""Inline patterns tried only on text that holds their character: the HTML is what Markdown makes."""

from __future__ import annotations

import random

import markdown
import pytest
from markdown.inlinepatterns import InlineProcessor

from newsdesk.render.inline_gates import REQUIRED, GatedPattern, gate_inline_patterns
from newsdesk.render.markdown import EXTENSION_CONFIGS, EXTENSIONS, _md, _plain_md


def _converters(extensions):
    configs = {k: v for k, v in EXTENSION_CONFIGS.items() if k in extensions}
    plain = markdown.Markdown(extensions=extensions, extension_configs=configs)
    gated = markdown.Markdown(extensions=extensions, extension_configs=configs)
    gate_inline_patterns(gated)
    return plain, gated


def _patterns(md):
    for processor in md.treeprocessors:
        yield from getattr(processor, "inlinePatterns", None) or ()


@pytest.mark.parametrize("md", [_md, _plain_md], ids=["every extension", "smarty only"])
def test_every_inline_pattern_of_the_body_converters_is_gated(md):
    # A Python-Markdown that changes a pattern's expression leaves it ungated (still
    # correct, only slower): this names the pattern so its rule can be checked again.
    ungated = [
        p.compiled_re.pattern
        for p in _patterns(md())
        if not isinstance(p.compiled_re, GatedPattern)
    ]
    assert ungated == []


def test_each_gate_names_a_character_its_expression_cannot_match_without():
    import re

    for source, needs in REQUIRED.items():
        compiled = re.compile(source, re.DOTALL | re.UNICODE)
        probe = "".join(c for c in map(chr, [*range(32, 127), 9, 10, 233, 8212]) if c not in needs)
        # Every other printable character, in every pair, at every start: never a match.
        for text in (probe, probe[::-1], " ".join(probe), probe * 2):
            assert compiled.search(text) is None, (source, text)


ATOMS = [
    "word", "'q'", '"dq"', "--", "---", "...", "*em*", "**b**", "_u_", "__s__", "a_b_c",
    "[l](http://x.org)", "[r]", "[r]: http://r.org", "![a](image:x-1)", "!", "<b>x</b>",
    "<!-- c -->", "<?p ?>", "<![CDATA[x]]>", "&amp;", "&#8212;", "&x", "\\*", "\\`", "\\\\",
    "`code`", "``a`b``", "\n", "> ", "1. ", "- ", "#", "|", "=", "[^1]", "[^1]: note",
    "<https://a.org>", "<a@b.org>", "'90s", "  \n", "\t", ":", "(", ")", "it's", "\"'Q'\"",
]  # fmt: skip


@pytest.mark.parametrize(
    "extensions", [EXTENSIONS, ["smarty"], []], ids=["every extension", "smarty", "none"]
)
def test_a_gated_converter_writes_exactly_what_markdown_writes(extensions):
    plain, gated = _converters(extensions)
    rng = random.Random(2026)
    for _ in range(700):
        text = "".join(rng.choice(ATOMS) + rng.choice(["", " ", "\n"]) for _ in range(30))
        plain.reset()
        gated.reset()
        assert gated.convert(text) == plain.convert(text), text


def test_a_pattern_whose_expression_is_unknown_is_left_to_scan_as_before():
    class Shout(InlineProcessor):
        def handleMatch(self, m, data):
            return m.group(0).upper(), m.start(0), m.end(0)

    md = markdown.Markdown()
    md.inlinePatterns.register(Shout(r"!!\w+"), "shout", 1)
    assert gate_inline_patterns(md) == len(list(_patterns(md))) - 1
    assert md.convert("say !!hello *now*") == "<p>say !!HELLO <em>now</em></p>"
