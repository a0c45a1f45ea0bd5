"""`newsdesk images import` and `newsdesk images search`, run as a user runs them: a real process."""

from __future__ import annotations

import json
import subprocess
import sys

from newsdesk.library import Library
from tests.core.photodesk_files import fixture_copies


def newsdesk(libdir, *argv, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", str(libdir), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_import_with_a_template_then_search_by_field_as_json(tmp_path):
    libdir = tmp_path / "lib"
    with Library.open(libdir) as lib:
        lib.save_template(
            "Harbour", {"credit": "Harbour Agency", "copyright": "© {year} {creator}", "city": ""}
        )
    files = fixture_copies(tmp_path / "in")
    # Relative paths, from the folder holding the pictures.
    done = newsdesk(
        libdir,
        "images",
        "import",
        *[f.name for f in files],
        "--template",
        "Harbour",
        cwd=tmp_path / "in",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("imported ") == len(files)

    found = newsdesk(
        libdir, "images", "search", 'credit:"harbour agency"', "city:Kingston", "--json"
    )
    assert found.returncode == 0, found.stderr
    pictures = json.loads(found.stdout)
    assert sorted(p["file"] for p in pictures) == [
        "exiftool-IPTC.jpg",
        "exiftool-PhotoMechanic.jpg",
        "exiftool-XMP.jpg",
    ]
    iptc = next(p for p in pictures if p["file"] == "exiftool-IPTC.jpg")
    assert iptc["fields"]["copyright"] == "© 2004 Phil Harvey"
    assert iptc["fields"]["credit"] == "Harbour Agency"
    assert "ExifTool" in iptc["fields"]["keywords"]
    assert len(iptc["uid"]) == 36 and iptc["media"].endswith(".jpg")

    missing = json.loads(newsdesk(libdir, "images", "search", "missing:alt", "--json").stdout)
    assert len(missing) == len(files)
    everything = newsdesk(libdir, "images", "search")
    assert everything.returncode == 0 and len(everything.stdout.splitlines()) == len(files)


def test_a_folder_is_imported_and_a_missing_file_is_listed_with_exit_1(tmp_path):
    libdir = tmp_path / "lib"
    folder = tmp_path / "in"
    fixture_copies(folder)
    done = newsdesk(libdir, "images", "import", str(folder), str(tmp_path / "gone.jpg"))
    assert done.returncode == 1
    assert done.stdout.count("imported ") == 9
    assert "gone.jpg" in done.stderr and "Traceback" not in done.stderr


def test_an_unknown_template_imports_nothing_and_names_the_templates(tmp_path):
    libdir = tmp_path / "lib"
    with Library.open(libdir) as lib:
        lib.save_template("Harbour", {"credit": "Harbour Agency"})
    done = newsdesk(
        libdir,
        "images",
        "import",
        *map(str, fixture_copies(tmp_path / "in")),
        "--template",
        "Reuters",
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "newsdesk: There is no template called 'Reuters'; the templates are: Harbour."
    )
    with Library.open(libdir) as lib:
        assert lib.search_images() == []


def test_a_search_with_an_unknown_field_is_one_line_and_exit_2(tmp_path):
    Library.open(tmp_path / "lib").close()
    done = newsdesk(tmp_path / "lib", "images", "search", "colour:red", "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and '"colour:"' in lines[0] and "Traceback" not in done.stderr


def test_a_search_nothing_matches_says_so_and_json_is_an_empty_list(tmp_path):
    libdir = tmp_path / "lib"
    newsdesk(libdir, "images", "import", *map(str, fixture_copies(tmp_path / "in")[:2]))
    assert json.loads(newsdesk(libdir, "images", "search", "city:Atlantis", "--json").stdout) == []
    assert "No pictures match." in newsdesk(libdir, "images", "search", "city:Atlantis").stdout
