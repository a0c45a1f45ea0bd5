"""`newsdesk images templates`: a photo desk keeps its templates from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.generate import sample_photo
from newsdesk.library import Library


def run(lib: Path, *args) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", str(lib), "images", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_a_template_is_created_shown_changed_used_on_import_and_deleted(tmp_path):
    lib = tmp_path / "lib"
    Library.open(lib).close()
    assert "no templates yet" in run(lib, "templates", "list").stdout
    made = run(
        lib,
        "templates",
        "set",
        "Harbour Agency",
        "--credit",
        "{creator} / Harbour Agency",
        "--copyright",
        "© {year} Harbour Agency",
        "--keyword",
        "wire",
        "--keyword",
        "harbour",
    )
    assert made.returncode == 0 and "created Harbour Agency" in made.stdout
    changed = run(lib, "templates", "set", "harbour agency", "--city", "Malaga")
    assert changed.returncode == 0 and "saved Harbour Agency" in changed.stdout
    shown = json.loads(run(lib, "templates", "show", "Harbour Agency", "--json").stdout)
    assert shown["fields"]["credit"] == "{creator} / Harbour Agency"  # kept: not given
    assert shown["fields"]["city"] == "Malaga"
    assert shown["fields"]["keywords"] == ["wire", "harbour"]
    assert [t["name"] for t in json.loads(run(lib, "templates", "list", "--json").stdout)] == [
        "Harbour Agency"
    ]

    photo = sample_photo(tmp_path / "quay.jpg", 640, 427, seed=2)
    imported = run(lib, "import", photo, "--template", "Harbour Agency", "--json")
    assert imported.returncode == 0, imported.stderr
    (picture,) = json.loads(imported.stdout)
    assert picture["fields"]["city"] == "Malaga"

    assert run(lib, "templates", "set", "Harbour Agency", "--rename", "Harbour").returncode == 0
    assert run(lib, "templates", "delete", "Harbour").stdout.strip() == "deleted Harbour"
    assert json.loads(run(lib, "templates", "list", "--json").stdout) == []


def test_unknown_templates_and_bad_names_are_one_sentence(tmp_path):
    lib = tmp_path / "lib"
    Library.open(lib).close()
    missing = run(lib, "templates", "show", "Nope")
    assert missing.returncode == 2
    assert "There is no template called 'Nope'; there are no templates yet." in missing.stderr
    assert run(lib, "templates", "delete", "Nope").returncode == 2
    blank = run(lib, "templates", "set", "   ", "--credit", "X")
    assert blank.returncode == 2 and "A template needs a name" in blank.stderr
    assert len(blank.stderr.strip().splitlines()) == 1
