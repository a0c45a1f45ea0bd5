"""Declared settings: every key the code reads or writes is named in newsdesk/settings.py, once."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from newsdesk import settings
from newsdesk.library import Library
from newsdesk.sync import state

PACKAGE = Path(settings.__file__).resolve().parent
# Calls whose first argument is a setting's key: QSettings' and the library's.
KEYED_CALLS = {"value", "setValue", "remove", "contains", "get_setting", "set_setting"}
# Keys distinctive enough that the text itself must not appear outside settings.py.
DISTINCT = {
    s.key
    for s in settings.ALL
    if s.store in (settings.USER, settings.LIBRARY, settings.ENVIRONMENT)
}


def raw_keys(source: str) -> list[str]:
    """Where this module names a setting by a string of its own instead of a declared Setting."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args:
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            first = node.args[0]
            literal = isinstance(first, ast.JoinedStr) or (
                isinstance(first, ast.Constant) and isinstance(first.value, str)
            )
            # `value` and `setValue` are widgets' words too (a form's field, a progress bar):
            # a QSettings key has a group ("window/…") or the receiver is a settings object.
            receiver = ast.unparse(node.func.value) if isinstance(node.func, ast.Attribute) else ""
            keyed = name in ("get_setting", "set_setting") or (
                name in KEYED_CALLS and ("/" in ast.unparse(first) or "settings" in receiver)
            )
            if keyed and literal:
                found.append(f"line {node.lineno}: {name}({ast.unparse(first)})")
            if name in ("get", "getenv") and literal and "NEWSDESK_" in ast.unparse(first):
                found.append(f"line {node.lineno}: {name}({ast.unparse(first)})")
        if isinstance(node, ast.Constant) and node.value in DISTINCT:
            found.append(f"line {node.lineno}: {node.value!r}")
    once = {f.split(":")[0]: f for f in reversed(found)}  # one report a line
    return sorted(once.values(), key=lambda f: int(f.split()[1].rstrip(":")))


def test_the_check_finds_a_raw_key_in_every_form_it_takes():
    snippet = (
        "a = s.value('window/geometry')\n"
        "s.setValue(f'libraries/{d}/last_article', uid)\n"
        "lib.get_setting('anything.new')\n"
        "os.environ.get('NEWSDESK_SOMETHING')\n"
        "KEY = 'export/last_folder'\n"
    )
    assert [f.split(":")[0] for f in raw_keys(snippet)] == [f"line {n}" for n in range(1, 6)]
    fine = (
        "a = user_settings.read(s, user_settings.WINDOW_GEOMETRY)\n"
        "bar.setValue(3)\nw.value()\nform.value('alt_text')\n"
    )
    assert raw_keys(fine) == []


def test_no_module_names_a_setting_by_a_key_of_its_own():
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "settings.py" and path.parent == PACKAGE or "migrations" in path.parts:
            continue
        for found in raw_keys(path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(PACKAGE.parent)} {found}")
    assert problems == [], "declare these in newsdesk/settings.py:\n" + "\n".join(problems)


def test_each_setting_is_declared_once_with_a_default_of_its_type():
    assert set(settings.STORES) == {s.store for s in settings.ALL}
    for store in settings.STORES:
        keys = [s.key for s in settings.declared(store)]
        assert len(keys) == len(set(keys)), f"a key declared twice in {store}"
    for s in settings.ALL:
        assert s.default is None or isinstance(s.default, s.type), s.key
        assert s.doc.endswith(".") and s.doc[0].isupper(), s.key


@pytest.mark.parametrize(
    ("setting", "raw", "value"),
    [
        (settings.WINDOW_PREVIEW, "false", False),  # what an INI file gives back
        (settings.WINDOW_PREVIEW, "true", True),
        (settings.WINDOW_PREVIEW, None, True),  # never saved: the default
        (settings.EDITOR_WRAP, False, False),
        (settings.SYNC_PULLED, "42", 42),
        (settings.SYNC_PULLED, "not a number", 0),
        (settings.WINDOW_GEOMETRY, b"\x01\x02", b"\x01\x02"),
        (settings.WINDOW_GEOMETRY, "garbled", None),
        (settings.EXPORT_LAST_FOLDER, 7, "7"),
    ],
)
def test_a_stored_value_reads_back_as_the_settings_type(setting, raw, value):
    assert setting.coerce(raw) == value


def test_a_per_library_key_is_filled_in_and_a_store_mixup_is_refused():
    assert settings.LAST_ARTICLE.key_for(library="ab12") == "libraries/ab12/last_article"
    with pytest.raises(ValueError, match="library store"):
        settings.read(object(), settings.SAMPLE_SEEDED)  # type: ignore[arg-type]


def test_the_publication_takes_exactly_its_declared_fields_and_starts_from_their_defaults(
    library: Library,
):
    pub = library.publication()
    for s in settings.declared(settings.PUBLICATION):
        assert getattr(pub, s.key) == s.default, s.key
    library.update_publication(**{settings.PUBLICATION_NAME.key: "Harrow Gazette"})
    assert library.publication().name == "Harrow Gazette"
    with pytest.raises(TypeError, match="page_size"):
        library.update_publication(page_size=20)


def test_the_sync_state_keys_are_the_declared_ones():
    declared = {s.key for s in settings.declared(settings.SYNC)}
    used = {state.SERVER, state.LAPTOP_ID, state.PULLED, state.PUSHED, state.DIRTY, state.SYNCED_AT}
    used |= {state.RECORDS}
    assert used == declared
