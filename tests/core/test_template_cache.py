"""Compiled page templates are kept between runs, and a cache that cannot be used never stops a page."""

from __future__ import annotations

import shutil

import jinja2

from newsdesk.paths import resource
from newsdesk.render.page import template_bytecode_cache

TEMPLATES = str(resource("templates"))


def _env(cache) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, bytecode_cache=cache
    )


def test_a_second_run_loads_the_compiled_templates_the_first_one_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cache = template_bytecode_cache.__wrapped__()
    assert cache is not None
    first = _env(cache).get_template("robots.txt").render(sitemaps=["https://a.example/s.xml"])
    kept = list((tmp_path / "cache").rglob("*.cache"))
    assert len(kept) == 1

    again = _env(template_bytecode_cache.__wrapped__())
    template = again.get_template("robots.txt")
    assert template.render(sitemaps=["https://a.example/s.xml"]) == first
    assert list((tmp_path / "cache").rglob("*.cache")) == kept


def test_an_edited_template_is_compiled_afresh_not_loaded_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    own = tmp_path / "templates"
    own.mkdir()
    (own / "note.txt").write_text("first {{ x }}", encoding="utf-8")

    def render() -> str:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(own)),
            bytecode_cache=template_bytecode_cache.__wrapped__(),
        )
        return env.get_template("note.txt").render(x=1)

    assert render() == "first 1"
    (own / "note.txt").write_text("second {{ x }}", encoding="utf-8")
    assert render() == "second 1"


def test_a_cache_folder_that_cannot_be_made_leaves_templates_compiled_in_memory(
    tmp_path, monkeypatch
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert template_bytecode_cache.__wrapped__() is None


def test_a_cache_folder_removed_while_running_never_stops_a_page(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cache = template_bytecode_cache.__wrapped__()
    shutil.rmtree(tmp_path / "cache")
    out = _env(cache).get_template("robots.txt").render(sitemaps=[])
    assert "User-agent: *" in out
