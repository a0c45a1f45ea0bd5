"""The command line starts light: asking for help, the version or making an argument mistake
loads no library code at all (no SQLAlchemy, no models, no templates, no Pillow, no Qt)."""

from __future__ import annotations

import subprocess
import sys

import pytest

# What a command that opens no library must never load: each costs tens to
# hundreds of milliseconds at every start.
HEAVY = (
    "sqlalchemy",
    "newsdesk.library.models",
    "newsdesk.library.library",
    "jinja2",
    "PIL",
    "PySide6",
)


def loaded_modules(*argv: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `python -m newsdesk ARGV` for real and return the modules it imported (-X importtime)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "newsdesk", *argv],
        capture_output=True,
        text=True,
        timeout=120,
    )
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return result, modules


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


@pytest.mark.parametrize(
    ("argv", "expect"),
    [
        (("--help",), "usage: newsdesk"),
        (("--version",), "newsdesk "),
        (("export", "--help"), "--out"),
    ],
)
def test_help_and_version_load_no_library_code(argv, expect):
    result, modules = loaded_modules(*argv)
    assert result.returncode == 0, result.stderr[-2000:]
    assert expect in result.stdout
    assert "newsdesk.cli" in modules  # the measurement saw the command line itself
    assert heavy_in(modules) == []


def test_an_argument_mistake_loads_no_library_code():
    result, modules = loaded_modules("status", "some-story", "publishd")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
    assert heavy_in(modules) == []


def test_a_command_that_opens_the_library_still_loads_it(tmp_path):
    # The check above means something only if a real command does load these.
    from newsdesk.library import Library

    Library.open(tmp_path / "lib").close()
    result, modules = loaded_modules("--library", str(tmp_path / "lib"), "list")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "sqlalchemy" in modules
    assert "newsdesk.library.models" in modules
    # (and listing it needs no Qt, no page templates, no Pillow)
    assert not [m for m in modules if m.split(".")[0] in ("PySide6", "jinja2", "PIL")]


RUN_MAIN_AND_REPORT_GC = """
import atexit, gc, sys
from newsdesk import cli
seen = []
atexit.register(lambda: print("gc", gc.isenabled(), gc.get_freeze_count() > 0, seen[0]))
real_open = cli._open
def watching_open(*a, **kw):
    seen.append(gc.isenabled())  # during start-up: held
    return real_open(*a, **kw)
cli._open = watching_open
sys.argv = ["newsdesk", *sys.argv[1:]]
raise SystemExit(cli.main())
"""


def test_the_garbage_collector_is_held_only_while_a_command_starts(tmp_path):
    # Held while the modules load (it would scan them for nothing), then on again
    # with what start-up made frozen: the command's own work is collected as usual.
    from newsdesk.library import Library

    Library.open(tmp_path / "lib").close()
    result = subprocess.run(
        [sys.executable, "-c", RUN_MAIN_AND_REPORT_GC, "--library", str(tmp_path / "lib"), "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "gc True True False"


def test_a_failed_command_leaves_the_collector_on(tmp_path):
    (tmp_path / "lib").write_text("not a folder")
    result = subprocess.run(
        [sys.executable, "-c", RUN_MAIN_AND_REPORT_GC, "--library", str(tmp_path / "lib"), "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("gc True")
