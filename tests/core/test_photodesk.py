"""The photo desk at wire speed, in the core: batch edits and their undo, templates, codes, field search."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from newsdesk.images.library_import import import_images
from newsdesk.library import Library, NotFound
from newsdesk.library.codes import CodeError, code_before, expand_codes
from newsdesk.library.image_query import QueryError
from newsdesk.library.image_templates import TemplateError
from tests.core.photodesk_files import fixture_copies


@pytest.fixture
def corpus(either_library, tmp_path):
    """The fixture pictures imported into a laptop's library, and into a shared one."""
    report = import_images(either_library, fixture_copies(tmp_path / "in"), workers=1)
    assert not report.failed
    return either_library, {i.original_name: i for i in report.imported}


def count_commits(lib: Library) -> list[int]:
    commits: list[int] = []
    event.listen(lib.engine, "commit", lambda _conn: commits.append(1))
    return commits


def test_a_batch_edit_is_one_transaction_and_undo_restores_each_pictures_own_credit(corpus):
    lib, pics = corpus
    ids = [p.id for p in pics.values()]
    before = {i: lib.get_image(i).credit for i in ids}
    assert len(set(before.values())) > 2  # the corpus credits differ: undo must not flatten them
    commits = count_commits(lib)
    with lib.recording() as rec:
        previous = lib.update_images(ids, credit="Harbour Agency", city="Malaga")
    assert len(commits) == 1
    assert rec.changes.images == frozenset(ids)
    assert {lib.get_image(i).credit for i in ids} == {"Harbour Agency"}
    assert previous[pics["exiftool-IPTC.jpg"].id] == {"credit": "My Credit", "city": "Kingston"}

    commits.clear()
    lib.set_image_values(previous)
    assert len(commits) == 1
    assert {i: lib.get_image(i).credit for i in ids} == before
    assert lib.get_image(pics["pillow-iptc.jpg"].id).city == "Budapest"


def test_a_batch_with_a_picture_gone_changes_nothing_and_says_so(corpus):
    lib, pics = corpus
    ids = [p.id for p in pics.values()]
    with pytest.raises(NotFound, match="1 of the selected pictures is no longer in the library"):
        lib.update_images([*ids, 99_999], credit="X")
    assert "X" not in {lib.get_image(i).credit for i in ids}


def test_a_batch_edit_of_a_field_a_picture_does_not_have_is_refused(corpus):
    lib, pics = corpus
    with pytest.raises(TypeError):
        lib.update_images([next(iter(pics.values())).id], sha256="0" * 64)


def test_a_template_fills_in_year_creator_filename_and_city_per_picture(corpus):
    lib, pics = corpus
    lib.save_template(
        "Wire desk",
        {
            "credit": "{creator} / Harbour Agency",
            "copyright": "© {year} {creator}",
            "instructions": "From {filename}, taken {date} in {city}",
            "keywords": "wire, {city}",
        },
    )
    names = (
        "exiftool-IPTC.jpg",
        "bep-sunrise.webp",
        "pillow-iptc.jpg",
        "pillow-icc_profile_big.jpg",
    )
    ids = [pics[name].id for name in names]
    commits = count_commits(lib)
    previous = lib.apply_template(ids, "wire desk", today=date(2031, 5, 6))
    assert len(commits) == 1
    iptc, sunrise, budapest, undated = (lib.get_image(i) for i in ids)
    assert iptc.credit == "Phil Harvey / Harbour Agency"
    assert iptc.copyright == "© 2004 Phil Harvey"
    assert iptc.instructions == "From exiftool-IPTC.jpg, taken 2004-02-26 in Kingston"
    assert iptc.keywords.splitlines()[-2:] == ["wire", "Kingston"]
    assert sunrise.copyright == "© 2017 Bjørn Erik Pedersen"
    assert sunrise.keywords.splitlines()[-2:] == ["wire", "Benalmádena"]
    # No creator: no loose space where the name would be.
    assert budapest.copyright == "© 2006"
    assert budapest.instructions == "From pillow-iptc.jpg, taken 2006-07-08 in Budapest"
    # No date: today's.
    assert undated.copyright == "© 2031"
    assert undated.instructions.startswith("From pillow-icc_profile_big.jpg, taken 2031-05-06 in")
    lib.set_image_values(previous)
    assert lib.get_image(ids[0]).copyright == "Copyright 2004 Phil Harvey"
    assert lib.get_image(ids[0]).keywords == pics["exiftool-IPTC.jpg"].keywords


def test_a_template_with_an_unknown_variable_or_no_name_is_refused_in_one_sentence(tmp_path):
    with Library.open(tmp_path / "lib") as lib:
        with pytest.raises(TemplateError, match=r"Copyright uses \{photographer\}"):
            lib.save_template("X", {"copyright": "© {photographer}"})
        with pytest.raises(TemplateError, match="needs a name"):
            lib.save_template("   ", {"credit": "AP"})
        lib.save_template("AP", {"credit": "AP"})
        with pytest.raises(TemplateError, match="already a template called “AP”"):
            lib.save_template(" AP ", {"credit": "AP Photo"})
        assert [t.name for t in lib.list_templates()] == ["AP"]
        with pytest.raises(NotFound, match="no template called 'Reuters'; the templates are: AP"):
            lib.get_template("Reuters")


def test_templates_are_edited_and_deleted(tmp_path):
    with Library.open(tmp_path / "lib") as lib:
        t = lib.save_template("Agency", {"credit": "Agency", "keywords": "a\n\nb, a"})
        assert t.keywords == "a\nb"
        lib.save_template("Agency renamed", {"credit": "Other"}, template_id=t.id)
        assert [(x.name, x.credit) for x in lib.list_templates()] == [("Agency renamed", "Other")]
        lib.delete_template(t.id)
        assert lib.list_templates() == []


def test_a_template_on_import_is_applied_to_new_pictures_in_the_same_transaction(tmp_path):
    lib = Library.open(tmp_path / "lib")
    lib.save_template("Harbour", {"credit": "Harbour Agency", "copyright": "© {year} {creator}"})
    old = import_images(lib, [fixture_copies(tmp_path / "a")[2]], workers=1).imported[0]
    files = fixture_copies(tmp_path / "in")
    commits = count_commits(lib)
    report = import_images(lib, files, workers=1, template="Harbour", today=date(2030, 1, 2))
    assert not report.failed and len(commits) == 1
    by_name = {i.original_name: i for i in report.imported}
    assert by_name["exiftool-XMP.jpg"].credit == "Harbour Agency"
    assert by_name["exiftool-XMP.jpg"].copyright == "© 2001 Phil Harvey"
    assert by_name["exiftool-FotoStation.jpg"].copyright == "© 2030"
    # A picture the library already had keeps its own fields.
    assert lib.get_image(old.id).credit == old.credit != "Harbour Agency"
    lib.close()


def test_an_unknown_template_on_import_stores_nothing(tmp_path):
    with Library.open(tmp_path / "lib") as lib:
        with pytest.raises(NotFound):
            import_images(lib, fixture_copies(tmp_path / "in"), template="Nope")
        assert lib.search_images() == []
        assert not any((tmp_path / "lib" / "media").iterdir())


def test_field_search_finds_pictures_by_credit_city_keyword_and_missing_alt(corpus):
    lib, pics = corpus
    lib.update_images([pics["exiftool-IPTC.jpg"].id], keywords="ferry\nharbour", alt_text="A ferry")
    names = lambda q: sorted(i.original_name for i in lib.search_images(q))  # noqa: E731
    assert names('credit:"my credit"') == ["exiftool-IPTC.jpg", "exiftool-XMP.jpg"]
    assert names("city:kingston -keyword:ferry") == [
        "exiftool-PhotoMechanic.jpg",
        "exiftool-XMP.jpg",
    ]
    assert names("keyword:ferry") == ["exiftool-IPTC.jpg"]
    assert names("keyword:ferr") == []  # a keyword is matched whole
    assert "exiftool-IPTC.jpg" not in names("missing:alt")
    assert len(names("missing:alt")) == len(pics) - 1
    assert names("has:alt") == ["exiftool-IPTC.jpg"]
    assert names("missing:credit city:budapest") == ["pillow-iptc.jpg"]
    assert names("witty") == ["exiftool-IPTC.jpg", "exiftool-XMP.jpg"]
    assert names('caption:"100%"') == []  # % and _ are letters, not wildcards
    with pytest.raises(QueryError):
        lib.search_images("colour:red")


def test_code_replacements_are_stored_and_expand_only_known_codes(tmp_path):
    with Library.open(tmp_path / "lib") as lib:
        table = lib.set_code_replacements({"=jd=": "Jane Doe / Harbour Agency", "hb": "Harbour"})
        assert (
            lib.code_replacements() == table == {"jd": "Jane Doe / Harbour Agency", "hb": "Harbour"}
        )
        lib.set_code_replacements({"jd": "Jane Doe"})
        assert lib.code_replacements() == {"jd": "Jane Doe"}
        with pytest.raises(CodeError, match="cannot be used"):
            lib.set_code_replacements({"j d": "x"})
        with pytest.raises(CodeError, match="has no text"):
            lib.set_code_replacements({"jd": "  "})
        assert lib.code_replacements() == {"jd": "Jane Doe"}
    table = {"jd": "Jane Doe"}
    assert expand_codes("Photo: =jd= and =xx= 2+2=4", table) == "Photo: Jane Doe and =xx= 2+2=4"
    assert code_before("by =jd=", 7, table) == (3, "Jane Doe")
    assert code_before("by =jd", 6, table) is None
    assert code_before("a == b =", 8, table) is None


def test_five_hundred_pictures_take_a_batch_edit_quickly(tmp_path):
    import time

    lib = Library.open(tmp_path / "lib")
    lib.add_images([{"sha256": f"{i:064x}", "ext": ".jpg"} for i in range(500)])
    ids = [i.id for i in lib.search_images()]
    start = time.perf_counter()
    previous = lib.update_images(ids, credit="Harbour Agency", copyright="© 2025")
    lib.set_image_values(previous)
    assert time.perf_counter() - start < 4  # both ways; the budget for one is 2 s
    assert {i.credit for i in lib.search_images()} == {""}
    lib.close()
