"""Failures that used to end in a traceback: each is one sentence on stderr and exit status 2."""

from __future__ import annotations

import pytest

from newsdesk.cli import main
from newsdesk.library import Library
from newsdesk.sample import seed_if_new


@pytest.fixture
def libdir(tmp_path):
    lib = Library.open(tmp_path / "lib")
    seed_if_new(lib)
    lib.close()
    return tmp_path / "lib"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{% if %}broken", "has an error on line 1"),
        ("{{ item.no_such_field.deeper }}", "A page template failed"),
    ],
)
def test_a_broken_template_of_the_publication_is_one_sentence(
    capsys, libdir, tmp_path, template, expected
):
    (libdir / "templates").mkdir()
    (libdir / "templates" / "listing_item.html").write_text(template, encoding="utf-8")
    rc = main(["--library", str(libdir), "export", "--all", "--out", str(tmp_path / "site")])
    out, err = capsys.readouterr()
    assert rc == 2 and err.startswith("newsdesk: ") and err.count("\n") == 1, err
    assert expected in err
    assert "listing_item.html" in err or "templates" in err  # where to look
    assert "Traceback" not in err and "Error" not in err.replace("error on line", "")
    assert not (tmp_path / "site").exists()  # the export left nothing behind
    assert not list(tmp_path.glob("site.tmp-*"))
