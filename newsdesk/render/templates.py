"""The page templates' Jinja environment: one per language and templates folder, the library's
own templates winning over ours by name, compiled templates cached on disk.
"""

from __future__ import annotations

import functools
from functools import lru_cache
from pathlib import Path

import jinja2
import markupsafe

from newsdesk.paths import resource
from newsdesk.render import i18n
from newsdesk.render.listing_items import listing_items_html
from newsdesk.render.safety import strip_forbidden

# Whether a template's file is checked for changes each time a page uses it (the window
# shows an edited template at the next render). A render worker lives for one export,
# whose fingerprints were taken with the templates as they were: it reads them once.
_CHECK_FILES = True


def read_templates_once() -> None:
    """From now on this process renders with the templates as they are now (no file checks)."""
    global _CHECK_FILES
    _CHECK_FILES = False
    _environment.cache_clear()  # environments made before still check; new ones will not


@lru_cache(maxsize=32)
def _environment(override_dir: str | None, lang: str) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if override_dir and Path(override_dir).is_dir():
        loaders.append(jinja2.FileSystemLoader(override_dir))
    loaders.append(jinja2.FileSystemLoader(str(resource("templates"))))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        finalize=_publishable,
        extensions=["jinja2.ext.i18n"],
        bytecode_cache=template_bytecode_cache(),
        auto_reload=_CHECK_FILES,
    )
    # One environment per language: its templates print that language's page strings.
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals["is_rtl"] = i18n.is_rtl
    env.globals["og_locale"] = i18n.og_locale
    env.globals["run_lang"] = _run_lang
    env.globals["listing_items_html"] = functools.partial(listing_items_html, env)
    return env


def _run_lang(text: str, page_lang: str) -> markupsafe.Markup:
    """' lang="en" dir="ltr"' for a Latin-script run (a name, a credit) on a page in another script."""
    run = i18n.foreign_run(text or "", page_lang or "en")
    return markupsafe.Markup(' lang="{}" dir="ltr"').format(run) if run else markupsafe.Markup("")


# Part of the compiled templates' folder name: code compiled for other
# environment options or another Jinja must never be loaded.
_TEMPLATE_CODE_VERSION = "2"  # 2: the i18n extension


@lru_cache(maxsize=1)
def template_bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the user's cache folder, or None where it cannot be written.

    Compiling the page templates is a third of a second of every command
    that renders a page (a one-edit `export --all` above all); Jinja keys
    each file by its template's name and source, so an edited or overriding
    template is compiled afresh, and writes it atomically.
    """
    import appdirs

    folder = Path(appdirs.user_cache_dir("newsdesk", "newsdesk")) / (
        f"templates-{_TEMPLATE_CODE_VERSION}-jinja{jinja2.__version__}"
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only home: templates are compiled in memory, as before
    return _QuietBytecodeCache(str(folder))


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """A cache that is only ever a saving: a full disk or a vanished folder never stops a page."""

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _publishable(value: object) -> object:
    """Every value a template prints loses the control characters no valid page may hold."""
    if isinstance(value, str):
        cleaned = strip_forbidden(value)
        if cleaned is value:  # clean, as nearly every value is: printed as it is
            return value
        return markupsafe.Markup(cleaned) if isinstance(value, markupsafe.Markup) else cleaned
    return value


def environment(templates_override: Path | None = None, lang: str = "en") -> jinja2.Environment:
    """The template environment for pages in `lang`; a library's own templates win over ours."""
    return _environment(str(templates_override) if templates_override else None, i18n.primary(lang))
