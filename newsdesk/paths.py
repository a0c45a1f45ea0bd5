"""Where things live: the default library folder and the bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import appdirs

APP_NAME = "newsdesk"
APP_AUTHOR = "newsdesk"
LIBRARY_ENV = "NEWSDESK_LIBRARY"


def default_library_dir() -> Path:
    """The per-user library folder; NEWSDESK_LIBRARY overrides the appdirs default."""
    override = os.environ.get(LIBRARY_ENV)
    if override:
        return Path(override).expanduser()
    return Path(appdirs.user_data_dir(APP_NAME, APP_AUTHOR)) / "Library"


def resolve_library_dir(cli_value: str | os.PathLike[str] | None) -> Path:
    """--library beats NEWSDESK_LIBRARY, which beats the per-user default."""
    if cli_value:
        return Path(cli_value).expanduser()
    return default_library_dir()


def resources_dir() -> Path:
    """The folder holding templates, CSS, icons and sample content.

    One function serves every way newsdesk runs: a frozen bundle (PyInstaller
    unpacks to sys._MEIPASS), an installed wheel (resources are packed inside
    the package) and a source checkout (the top-level resources/ folder).
    """
    here = Path(__file__).resolve().parent
    candidates = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.append(Path(frozen) / "resources")
    candidates += [here / "resources", here.parent / "resources"]
    for candidate in candidates:
        if (candidate / "templates").is_dir():
            return candidate
    raise FileNotFoundError(
        "newsdesk's resources folder is missing; looked in " + ", ".join(map(str, candidates))
    )


def resource(*parts: str) -> Path:
    """A file inside the resources folder."""
    return resources_dir().joinpath(*parts)
