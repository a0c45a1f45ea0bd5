"""Moving several stories into one section at once: one transaction, all or none."""

from __future__ import annotations

import pytest

from newsdesk.library import NotFound


def test_several_stories_move_into_one_section_and_the_section_list_follows(library):
    a = library.create_article(headline="Tide tables", section="News", body="Tides.")
    b = library.create_article(headline="Ferry strike", section="Business", body="Strike.")
    c = library.create_article(headline="Cup final", section="Sport", body="Goals.")
    moved = library.set_section([a.id, b.id, c.id], "  Sport ")
    assert moved == 2  # the cup final was already there
    assert {library.get_article(i).section for i in (a.id, b.id, c.id)} == {"Sport"}
    assert library.sections() == ["Sport"]
    assert library.get_article(a.id).version == a.version + 1
    assert library.get_article(c.id).version == c.version  # untouched: no new version


def test_a_missing_story_moves_none_of_them_and_names_it(library):
    a = library.create_article(headline="Tide tables", section="News", body="Tides.")
    with pytest.raises(NotFound, match="999"):
        library.set_section([a.id, 999], "Sport")
    assert library.get_article(a.id).section == "News"
