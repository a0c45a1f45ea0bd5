"""Characters no valid page may hold are dropped from every printed value, and nothing else is."""

from __future__ import annotations

from newsdesk.render.page import environment
from newsdesk.render.safety import strip_forbidden

FORBIDDEN = (
    [chr(c) for c in range(0x00, 0x09)]
    + ["\x0b"]
    + [chr(c) for c in range(0x0E, 0x20)]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + [chr(c) for c in range(0xFDD0, 0xFDF0)]
    + ["\ufffe", "\uffff", "\ud800", "\udfff"]
    + [chr(p + d) for p in range(0x1FFFE, 0x110000, 0x10000) for d in (0, 1)]
)
# Astral letters and symbols (emoji, CJK extension B, a private-use character) are text.
ALLOWED = "\t\n\x0c\r é€\u200b\ufdcf\ufdf0\ufffd\U0001f600\U0001fffd\U00020000\U0010fffd"


def test_every_forbidden_code_point_is_dropped_and_every_other_kept():
    for bad in FORBIDDEN:
        assert strip_forbidden(f"a{bad}b") == "ab", hex(ord(bad))
    assert strip_forbidden(ALLOWED) == ALLOWED
    assert strip_forbidden("".join(FORBIDDEN) + ALLOWED) == ALLOWED


def test_text_with_emoji_but_nothing_forbidden_is_printed_as_written():
    text = "Harbour at dawn \U0001f305 — 港口 𠀀 " * 50
    assert strip_forbidden(text) is text
    page = environment().from_string("{{ t }}").render(t=text)
    assert page == text


def test_a_page_value_loses_forbidden_characters_wherever_it_is_printed():
    env = environment()
    out = env.from_string("<p>{{ a }}</p>{{ b|safe }}").render(
        a="x\x00y\U0002fffe", b="<i>z\x07</i>"
    )
    assert out == "<p>xy</p><i>z</i>"


def test_a_word_counts_when_it_holds_a_letter_or_digit_in_any_script_and_markup_is_not_words():
    from newsdesk.text import word_count

    assert word_count("Ça va — 3 déjà-vu _ -- ’’ ' x_y 東京 ١٢٣ __init__") == 9
    assert word_count("_ - ’ ' -_- ") == 0
    assert word_count("![a cat](image:abc) [the report](https://e.org/x) **bold**") == 3


def test_a_template_prints_text_and_markup_without_forbidden_characters_and_clean_ones_as_they_are():
    import markupsafe

    from newsdesk.render.templates import environment

    template = environment().from_string("{{ a }}|{{ b }}|{{ c }}|{{ d }}")
    clean = markupsafe.Markup("<em>kept</em>")
    out = template.render(a="x\x07<y", b=markupsafe.Markup("<b>\x0b</b>"), c=clean, d=3)
    assert out == "x&lt;y|<b></b>|<em>kept</em>|3"
