"""Where things live: the default library folder and the bundled resources."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import appdirs

from newsdesk import settings

APP_NAME = "newsdesk"
APP_AUTHOR = "newsdesk"
LIBRARY_ENV = settings.ENV_LIBRARY.key
# A --library or NEWSDESK_LIBRARY value starting so names a shared library on
# PostgreSQL (newsdesk/library/pg.py), kept as the text it is, not a folder.
SHARED_PREFIXES = ("postgresql://", "postgresql+psycopg://")


def is_shared_url(value: object) -> bool:
    """Whether a library location names a shared library on PostgreSQL."""
    return isinstance(value, str) and value.strip().lower().startswith(SHARED_PREFIXES)


def _location_file() -> Path:
    return Path(appdirs.user_config_dir(APP_NAME, APP_AUTHOR)) / "library-location"


def remembered_library_dir() -> Path | None:
    """Where the user moved the library (Preferences), while a library is still there."""
    try:
        text = _location_file().read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if text and (Path(text) / "library.sqlite").is_file():
        return Path(text)
    return None


def remember_library_dir(path: Path) -> None:
    """Make `path` the default library for the editor and the command line alike."""
    target = _location_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(str(Path(path).resolve()) + "\n", encoding="utf-8")
    os.replace(tmp, target)


def default_library_dir() -> Path | str:
    """NEWSDESK_LIBRARY, else where the library was moved to, else the appdirs data folder.

    A shared library's URL is handed back as it is (a str).
    """
    override = os.environ.get(LIBRARY_ENV)
    if override and is_shared_url(override):
        return override.strip()
    if override:
        return Path(os.path.abspath(Path(override).expanduser()))
    return remembered_library_dir() or Path(appdirs.user_data_dir(APP_NAME, APP_AUTHOR)) / "Library"


class LibraryLocationError(ValueError):
    """--library or NEWSDESK_LIBRARY names nothing a library can live in; the message says why."""


# A value with a scheme ("postgresql://…", "file://…") is an address, not a folder.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def resolve_library_dir(cli_value: str | os.PathLike[str] | None) -> Path | str:
    """--library beats NEWSDESK_LIBRARY, which beats the per-user default.

    The answer is always absolute: a relative value is a folder relative to the
    working directory, resolved here once, so nothing later (file URIs, worker
    processes, a changed directory) can read it differently. A shared library's
    `postgresql://` or `postgresql+psycopg://` URL is handed back as it is (a
    str). Raises LibraryLocationError with one sentence when the value cannot be
    a library.
    """
    if cli_value is not None:
        raw, where = os.fspath(cli_value), "--library"
    elif os.environ.get(LIBRARY_ENV):
        raw, where = os.environ[LIBRARY_ENV], LIBRARY_ENV
    else:
        default = default_library_dir()
        return default if isinstance(default, str) else Path(os.path.abspath(default))
    return _library_folder(raw, where)


def _library_folder(raw: str, where: str) -> Path | str:
    if not raw.strip():
        raise LibraryLocationError(f"{where} is empty; give the library's folder.")
    if "\x00" in raw:
        raise LibraryLocationError(f"{where} contains a NUL character; give the library's folder.")
    if is_shared_url(raw):
        return raw.strip()
    if _URL.match(raw):
        scheme = raw.split(":", 1)[0].lower()
        if scheme.startswith("postgres"):
            raise LibraryLocationError(
                f"{where} names a PostgreSQL library as {scheme}://…; write it "
                "postgresql+psycopg://USER@HOST/DB (or postgresql://USER@HOST/DB)."
            )
        raise LibraryLocationError(
            f"{where} is an address ({scheme}://…), not a folder; give the library's folder."
        )
    return Path(os.path.abspath(Path(raw).expanduser()))


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
