"""The core imports and runs with no Qt: a fresh interpreter loads it and PySide6 stays out."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "newsdesk.library",
    "newsdesk.render",
    "newsdesk.images",
    "newsdesk.export",
    "newsdesk.cli",
    "newsdesk.importing",
    "newsdesk.front_matter",
    "newsdesk.preflight",
    "newsdesk.render.page",
    "newsdesk.library.relocate",
    "newsdesk.library.related",
    "newsdesk.text",
    "newsdesk.rules",
    "newsdesk.constants",
    "newsdesk.concurrency",
    "newsdesk.settings",
]


def test_core_packages_do_not_load_qt():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE)
        + "loaded = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'newsdesk.ui')))\n"
        + "print(','.join(loaded))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"Qt loaded by the core: {out.stdout}"


def test_command_line_runs_a_search_without_qt(tmp_path):
    from newsdesk.library import Library

    Library.open(tmp_path / "lib").close()
    code = (
        "import sys\n"
        "from newsdesk.cli import main\n"
        f"rc = main(['--library', {str(tmp_path / 'lib')!r}, 'search', 'anything'])\n"
        "assert rc == 0, rc\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
