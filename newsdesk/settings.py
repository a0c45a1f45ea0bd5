"""Every setting newsdesk keeps, declared once: its key, type, default, where it lives and what it means.

Code never writes a setting's key as a string: it names one of the `Setting`s
below (`tests/core/test_settings.py` fails on a raw key). Where a setting
lives decides who reads it:

- USER: this person's choices on this computer (window layout, the last export
  folder, where they moved the library). Kept by Qt's QSettings; `ui/` reads
  and writes them with `read` and `write` below.
- LIBRARY: facts about one library folder, in its `settings` table
  (`Library.get_setting` / `set_setting`).
- PUBLICATION: the publication's record (name, base URL, language, time zone,
  logo): one row, edited in Preferences and by `newsdesk publication`.
- SYNC: a laptop's link to the shared library, in its `sync_state` table.
- ENVIRONMENT: variables read at start (tests and scripts set them).

Nothing here imports Qt or the library: it is the bottom layer, readable by all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

USER = "user"
LIBRARY = "library"
PUBLICATION = "publication"
SYNC = "sync"
ENVIRONMENT = "environment"
STORES = (USER, LIBRARY, PUBLICATION, SYNC, ENVIRONMENT)

_FALSE_WORDS = frozenset({"false", "0", "no", "off", ""})


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting: `key` as stored (a `{name}` in it is filled by `key_for`), its type and default."""

    key: str
    type: type
    default: Any
    store: str
    doc: str

    def key_for(self, **parts: str) -> str:
        """The stored key, with the `{…}` parts of a per-library (or per-anything) key filled in."""
        return self.key.format(**parts) if parts else self.key

    def coerce(self, raw: Any) -> Any:
        """A stored value as this setting's type; the default when it is missing or unreadable.

        QSettings' INI files give back strings ("true", "3"); the registry and
        plists give back real types. Both read the same here.
        """
        if raw is None:
            return self.default
        if self.type is bool:
            if isinstance(raw, bool):
                return raw
            return str(raw).strip().lower() not in _FALSE_WORDS
        if self.type is bytes:
            if isinstance(raw, bytes | bytearray):
                return bytes(raw)
            data = getattr(raw, "data", None)  # QByteArray, without importing Qt
            return bytes(data()) if callable(data) else self.default
        if self.type is int:
            try:
                return int(raw)
            except (TypeError, ValueError):
                return self.default
        return raw if isinstance(raw, self.type) else str(raw)


class _Store(Protocol):
    """What QSettings offers (duck-typed, so this module stays free of Qt)."""

    def value(self, key: str, defaultValue: Any = ...) -> Any: ...  # noqa: N803 (Qt's name)
    def setValue(self, key: str, value: Any) -> None: ...  # noqa: N802 (Qt's name)


def read(store: _Store, setting: Setting, **parts: str) -> Any:
    """A USER setting from QSettings, as its declared type (its default when unset)."""
    _check(setting, USER)
    return setting.coerce(store.value(setting.key_for(**parts), None))


def write(store: _Store, setting: Setting, value: Any, **parts: str) -> None:
    """Keep a USER setting in QSettings."""
    _check(setting, USER)
    store.setValue(setting.key_for(**parts), value)


def _check(setting: Setting, store: str) -> None:
    if setting.store != store:
        raise ValueError(f"{setting.key!r} is kept in the {setting.store} store, not the {store}.")


# ---- USER: this person, this computer (QSettings) ----------------------------------------
WINDOW_GEOMETRY = Setting("window/geometry", bytes, None, USER, "The main window's size and place.")
WINDOW_STATE = Setting("window/state", bytes, None, USER, "Docks and toolbars (QMainWindow state).")
WINDOW_SPLITTER = Setting(
    "window/splitter", bytes, None, USER, "How the editor and the preview share the window."
)
WINDOW_PREVIEW = Setting("window/preview", bool, True, USER, "Whether the preview is showing.")
PREVIEW_PLACE = Setting(
    "window/preview_place", str, "beside", USER, "The preview beside or below the editor."
)
EDITOR_WRAP = Setting("editor/wrap", bool, True, USER, "Long lines wrap in the editor.")
EXPORT_LAST_FOLDER = Setting(
    "export/last_folder", str, "", USER, "The folder the last export went to."
)
LIBRARY_LOCATION = Setting(
    "library/location", str, "", USER, "Where this person moved their library (Preferences)."
)
PUBLISH_ON_SAVE = Setting(
    "publish/on_save",
    bool,
    False,
    USER,
    "File > Publish on save is on (the site follows every save).",
)
PUBLISH_FOLDER = Setting(
    "publish/folder", str, "", USER, "The folder File > Publish on save exports the site into."
)
WELCOME_SHOWN = Setting("welcome/shown", bool, False, USER, "The first-run welcome was shown.")
LAST_ARTICLE = Setting(
    "libraries/{library}/last_article",
    str,
    "",
    USER,
    "The uid of the article open when the window last closed, per library (a digest of its path).",
)

# ---- LIBRARY: one library folder (its settings table) ------------------------------------
SAMPLE_SEEDED = Setting(
    "sample.seeded", bool, False, LIBRARY, "The sample stories were added once; never again."
)

# ---- PUBLICATION: the publication's record ---------------------------------------------------
PUBLICATION_NAME = Setting(
    "name", str, "The Newsdesk Courier", PUBLICATION, "The name every page and feed carries."
)
PUBLICATION_BASE_URL = Setting(
    "base_url",
    str,
    "",
    PUBLICATION,
    "Where the site is published; canonical links, feeds and sitemaps need it (none: no absolute links).",
)
PUBLICATION_LANGUAGE = Setting(
    "language", str, "en", PUBLICATION, "The pages' language (BCP 47) unless a story has its own."
)
PUBLICATION_TIMEZONE = Setting(
    "timezone", str, "UTC", PUBLICATION, "The time zone dates are shown in (IANA name)."
)
PUBLICATION_LOGO = Setting(
    "logo_image_id", int, None, PUBLICATION, "The library picture used as the logo, if any."
)

# ---- SYNC: a laptop's link to the shared library (its sync_state table) ---------------------
SYNC_SERVER = Setting(
    "server", str, "", SYNC, "The shared library's URL or folder (never a password)."
)
SYNC_LAPTOP_ID = Setting("laptop_id", str, "", SYNC, "This laptop's name in the server's log.")
SYNC_PULLED = Setting(
    "pulled_through", int, 0, SYNC, "The server's last change id already merged here."
)
SYNC_PUSHED = Setting("pushed_through", int, 0, SYNC, "This library's last change id already sent.")
SYNC_SYNCED_AT = Setting(
    "synced_at", str, "", SYNC, "When the last sync finished, by this laptop's clock (shown only)."
)
SYNC_RECORDS = Setting(
    "records_travel", str, "", SYNC, "Authors, templates and codes have been merged once."
)
SYNC_RESOLVED = Setting(
    "resolved_keys", str, "[]", SYNC, "Records a resolution changed, merged again by the next sync."
)

# ---- ENVIRONMENT ---------------------------------------------------------------------------------
ENV_LIBRARY = Setting(
    "NEWSDESK_LIBRARY", str, "", ENVIRONMENT, "The library folder (or PostgreSQL URL) to open."
)
ENV_USER = Setting(
    "NEWSDESK_USER", str, "", ENVIRONMENT, "Who is writing: the name the change log records."
)
ENV_DICTIONARIES = Setting(
    "NEWSDESK_DICTIONARIES",
    str,
    "",
    ENVIRONMENT,
    "More folders of Hunspell dictionaries (os.pathsep between them), searched first.",
)

ALL: tuple[Setting, ...] = tuple(v for v in dict(globals()).values() if isinstance(v, Setting))


def declared(store: str) -> tuple[Setting, ...]:
    """The settings kept in one store, in the order declared."""
    return tuple(s for s in ALL if s.store == store)
