"""The layer rules hold: imports flow downward only, render takes plain data, the core never loads Qt.

The contracts are in pyproject.toml ([tool.importlinter]); docs/ARCHITECTURE.md
explains them. This runs the real import-linter over this checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def lint_imports(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run(
        [sys.executable, "-c", code, "--no-cache", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_layer_contract_is_kept():
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


def test_an_upward_import_breaks_the_layer_contract(tmp_path):
    # A copy of the package where the library imports the UI: the contracts must catch it.
    import shutil

    shutil.copytree(
        REPO / "newsdesk", tmp_path / "newsdesk", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    bad = tmp_path / "newsdesk" / "library" / "figures.py"
    bad.write_text(bad.read_text() + "\nfrom newsdesk.ui import ops  # noqa\n")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
            "--no-cache",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "newsdesk.library.figures -> newsdesk.ui.ops" in result.stdout
