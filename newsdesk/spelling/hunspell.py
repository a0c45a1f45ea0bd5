"""Hunspell through ctypes: finding the library and a language's dictionary, checking words.

Hunspell is the checker LibreOffice, Firefox and Chromium use; its dictionaries
know affixes and tell en-GB from en-US. We call its small C API directly rather
than through Enchant, because Enchant 2 looks for its provider modules only in
the folder it was compiled for (/usr/lib/.../enchant-2), so a packaged app could
not carry them; here we pass the exact .aff/.dic paths, and the packaged app
loads the copies it ships.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from newsdesk import settings

# Where a packaged app keeps its dictionaries, relative to its own folder.
BUNDLED_DIR_NAME = "dictionaries"
# Lets tests and installers point at other dictionary folders (os.pathsep-separated).
DICTIONARY_PATH_ENV = settings.ENV_DICTIONARIES.key

# The dictionary a bare language tag means (Debian's hunspell-* packages name them so).
PREFERRED_REGION = {
    "en": "en_US",
    "fr": "fr_FR",
    "de": "de_DE",
    "es": "es_ES",
    "it": "it_IT",
    "nl": "nl_NL",
    "pt": "pt_PT",
    "sv": "sv_SE",
    "da": "da_DK",
    "nb": "nb_NO",
    "no": "nb_NO",
    "nn": "nn_NO",
    "pl": "pl_PL",
    "cs": "cs_CZ",
    "el": "el_GR",
    "he": "he_IL",
    "ar": "ar",
}

_LIBRARY_NAMES = ("hunspell-1.7", "hunspell-1.8", "hunspell-1.6", "hunspell")


class SpellingUnavailable(Exception):
    """Spell checking cannot run: the Hunspell library or the language's dictionary is missing."""


def bundle_dir() -> Path | None:
    """The packaged app's own folder (PyInstaller's), or None when running from source."""
    meipass = getattr(sys, "_MEIPASS", None)
    return Path(meipass) if meipass else None


def dictionary_dirs() -> list[Path]:
    """Folders searched for NAME.aff/NAME.dic, first match wins: bundled copies come first."""
    dirs: list[Path] = []
    env = os.environ.get(DICTIONARY_PATH_ENV, "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p]
    bundled = bundle_dir()
    if bundled is not None:
        dirs.append(bundled / BUNDLED_DIR_NAME)
    data_dirs = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    for base in data_dirs.split(os.pathsep):
        if base:
            dirs += [Path(base) / "hunspell", Path(base) / "myspell", Path(base) / "myspell/dicts"]
    dirs += [Path.home() / "Library" / "Spelling", Path("/Library/Spelling")]
    seen: set[Path] = set()
    return [d for d in dirs if not (d in seen or seen.add(d))]


def dictionary_names(language: str) -> list[str]:
    """Hunspell file names to try for a BCP 47 tag, most specific first: en-GB -> en_GB, en."""
    parts = language.replace("_", "-").split("-")
    base = parts[0].lower()
    names = []
    if len(parts) > 1 and parts[1]:
        names.append(f"{base}_{parts[1].upper()}")
    if base in PREFERRED_REGION:
        names.append(PREFERRED_REGION[base])
    names.append(base)
    return list(dict.fromkeys(names))


def find_dictionary(language: str, dirs: list[Path] | None = None) -> tuple[Path, Path] | None:
    """The .aff and .dic files for a language, or None when no folder has them."""
    dirs = dictionary_dirs() if dirs is None else dirs
    names = dictionary_names(language)
    for name in names:
        for d in dirs:
            aff, dic = d / f"{name}.aff", d / f"{name}.dic"
            if aff.is_file() and dic.is_file():
                return aff, dic
    # Any regional dictionary of the language (fr_CA for a bare "fr" with no fr_FR).
    base = names[-1]
    for d in dirs:
        if d.is_dir():
            for dic in sorted(d.glob(f"{base}_*.dic")):
                if dic.with_suffix(".aff").is_file():
                    return dic.with_suffix(".aff"), dic
    return None


def _library_path() -> str | None:
    bundled = bundle_dir()
    if bundled is not None:
        for candidate in (
            sorted(bundled.glob("libhunspell*.so*"))
            + sorted(bundled.glob("libhunspell*.dylib"))
            + sorted(bundled.glob("*hunspell*.dll"))
        ):
            return str(candidate)
    for name in _LIBRARY_NAMES:
        found = ctypes.util.find_library(name)
        if found:
            return found
    return None


_lib: ctypes.CDLL | None = None
_lib_lock = threading.Lock()


def load_library() -> ctypes.CDLL:
    """The Hunspell shared library, loaded once; SpellingUnavailable when it is not installed."""
    global _lib
    with _lib_lock:
        if _lib is not None:
            return _lib
        path = _library_path()
        if path is None:
            raise SpellingUnavailable(
                "Spell checking needs the Hunspell library: install libhunspell "
                "(Debian: libhunspell-1.7-0) or use the packaged app."
            )
        try:
            lib = ctypes.CDLL(path)
        except OSError as exc:
            raise SpellingUnavailable(
                f"The Hunspell library at {path} could not be loaded ({exc.strerror or exc}); "
                "reinstall libhunspell."
            ) from None
        p = ctypes.c_void_p
        lib.Hunspell_create.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        lib.Hunspell_create.restype = p
        lib.Hunspell_destroy.argtypes = [p]
        lib.Hunspell_destroy.restype = None
        lib.Hunspell_spell.argtypes = [p, ctypes.c_char_p]
        lib.Hunspell_spell.restype = ctypes.c_int
        lib.Hunspell_suggest.argtypes = [
            p,
            ctypes.POINTER(ctypes.POINTER(ctypes.c_char_p)),
            ctypes.c_char_p,
        ]
        lib.Hunspell_suggest.restype = ctypes.c_int
        lib.Hunspell_free_list.argtypes = [
            p,
            ctypes.POINTER(ctypes.POINTER(ctypes.c_char_p)),
            ctypes.c_int,
        ]
        lib.Hunspell_free_list.restype = None
        lib.Hunspell_get_dic_encoding.argtypes = [p]
        lib.Hunspell_get_dic_encoding.restype = ctypes.c_char_p
        lib._newsdesk_path = path  # type: ignore[attr-defined]
        _lib = lib
        return lib


def loaded_library_file() -> str | None:
    """The file the process actually mapped for Hunspell (Linux), else the name it was loaded by."""
    if _lib is None:
        return None
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                if "hunspell" in line and ".so" in line:
                    return line.split(maxsplit=5)[-1].strip()
    except OSError:
        pass
    return _lib._newsdesk_path  # type: ignore[attr-defined]


@dataclass(frozen=True)
class DictionaryFiles:
    language: str
    aff: Path
    dic: Path


class HunspellDictionary:
    """One language's Hunspell dictionary. Thread-safe: Hunspell itself is not, so calls are locked."""

    def __init__(self, language: str, dirs: list[Path] | None = None) -> None:
        found = find_dictionary(language, dirs)
        if found is None:
            raise SpellingUnavailable(
                f"There is no spelling dictionary for the language {language!r}; "
                "install its hunspell dictionary or choose another language."
            )
        self._lib = load_library()
        aff, dic = found
        self.files = DictionaryFiles(language, aff, dic)
        self._handle = self._lib.Hunspell_create(os.fsencode(aff), os.fsencode(dic))
        if not self._handle:
            raise SpellingUnavailable(f"The spelling dictionary {dic} could not be read.")
        raw = self._lib.Hunspell_get_dic_encoding(self._handle) or b"UTF-8"
        self.encoding = _python_codec(raw.decode("ascii", "replace"))
        self._lock = threading.Lock()

    def check(self, word: str) -> bool:
        try:
            encoded = word.encode(self.encoding)
        except UnicodeEncodeError:
            return False  # letters the dictionary's alphabet does not have
        with self._lock:
            return bool(self._lib.Hunspell_spell(self._handle, encoded))

    def suggest(self, word: str) -> list[str]:
        try:
            encoded = word.encode(self.encoding)
        except UnicodeEncodeError:
            return []
        found = ctypes.POINTER(ctypes.c_char_p)()
        with self._lock:
            n = self._lib.Hunspell_suggest(self._handle, ctypes.byref(found), encoded)
            try:
                return [found[i].decode(self.encoding, "replace") for i in range(n)]
            finally:
                if n:
                    self._lib.Hunspell_free_list(self._handle, ctypes.byref(found), n)

    def close(self) -> None:
        with self._lock:
            if self._handle:
                self._lib.Hunspell_destroy(self._handle)
                self._handle = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


def _python_codec(name: str) -> str:
    """Hunspell's SET names (ISO8859-1, microsoft-cp1251, UTF-8) as Python codecs."""
    name = name.strip().lower().replace("microsoft-", "")
    if name.startswith("iso8859-"):
        name = "iso-8859-" + name.split("-", 1)[1]
    try:
        "".encode(name)
    except LookupError:
        return "utf-8"
    return name
