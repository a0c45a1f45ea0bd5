"""Reading the photo desk's field search: quoting, negation, missing:, unknown fields."""

from __future__ import annotations

import pytest

from newsdesk.library.image_query import QueryError, Term, parse_query


def test_words_and_fields_are_read_in_order():
    assert parse_query('credit:"Harbour Agency" city:Malaga missing:alt keyword:ferry dawn') == [
        Term("credit", "Harbour Agency"),
        Term("city", "Malaga"),
        Term("missing", "alt_text"),
        Term("keywords", "ferry"),
        Term("", "dawn"),
    ]


def test_a_minus_leaves_pictures_out_for_fields_words_and_missing():
    assert parse_query('-credit:"AP Photo" -storm -missing:credit') == [
        Term("credit", "AP Photo", negated=True),
        Term("", "storm", negated=True),
        Term("missing", "credit", negated=True),
    ]


def test_quoted_words_with_a_colon_are_words_not_a_field():
    assert parse_query('"10:30 ferry" "http://x"') == [
        Term("", "10:30 ferry"),
        Term("", "http://x"),
    ]


def test_an_unclosed_quote_takes_the_rest_of_the_line():
    assert parse_query('caption:"harbour at dawn') == [Term("caption", "harbour at dawn")]


def test_field_names_ignore_case_and_have_short_aliases():
    assert parse_query("CITY:Kingston usage:editorial alt:boat file:IMG_1") == [
        Term("city", "Kingston"),
        Term("usage_terms", "editorial"),
        Term("alt_text", "boat"),
        Term("original_name", "IMG_1"),
    ]


def test_an_empty_query_has_no_terms():
    assert parse_query("") == []
    assert parse_query("   ") == []


def test_an_unknown_field_is_one_sentence_naming_it_and_the_way_out():
    with pytest.raises(QueryError) as err:
        parse_query("colour:red")
    message = str(err.value)
    assert '"colour:"' in message and "credit:" in message and "quotes" in message
    assert "\n" not in message and "Error" not in message


def test_missing_needs_a_field_it_knows():
    with pytest.raises(QueryError, match="missing: needs a field name, not colour"):
        parse_query("missing:colour")
    with pytest.raises(QueryError, match="not nothing"):
        parse_query("missing:")


def test_a_field_with_nothing_after_it_says_what_to_write():
    with pytest.raises(QueryError, match="credit: needs something to look for"):
        parse_query("credit: storm")


@pytest.fixture
def library(either_library):
    """Every test here runs on a laptop's library and on a shared one (PostgreSQL)."""
    return either_library
