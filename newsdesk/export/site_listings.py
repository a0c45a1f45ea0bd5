"""A full export's listing pages, feeds, sitemaps and static files (export/site.py's _Export).

The pages themselves are made by export/listings.py; this mixin gives them the
writer, the worker pool and the rule that a file whose inputs are the previous
export's is carried over instead of made again.
"""

from __future__ import annotations

import hashlib
from typing import Any

from newsdesk.export import pages as site_pages
from newsdesk.export import sitemap_xml
from newsdesk.export.assets import FAVICON, STYLESHEET
from newsdesk.export.listing_pool import pool_for
from newsdesk.export.listings import NO_BASE_URL_WARNING, Listings
from newsdesk.export.row_store import RowStore
from newsdesk.export.writer import ExportError, SiteWriter
from newsdesk.paths import resource
from newsdesk.render.page import environment


class SiteListings:
    """The listing steps of a full export (export/site.py's _Export provides library, publication,
    base_url, now, templates_override, workers, report, logo, _inputs, _env_digest, _step,
    _check_cancel, _publisher_logo, _logo_site_path, _feed_content and _content_key)."""

    def _page_size(self) -> int:
        return site_pages.page_size(self.library.get_setting(site_pages.PAGE_SIZE_SETTING))

    def _listing_renderer(self, writer: SiteWriter) -> Listings:
        env = environment(self.templates_override, self.publication.language or "en")
        listings = Listings(
            self.library.root,
            self.publication,
            self.base_url,
            self.now,
            lambda rel, template, **context: self._render(writer, env, rel, template, **context),
            lambda rel, template, signature, build: self._render_lazy(
                writer, env, rel, template, signature, build
            ),
            page_size=self._page_size(),
            logo=self._publisher_logo(),
            feed_content=lambda row, root: self._feed_content(writer, row, root),
            content_key=self._content_key,
        )
        if not self._own_sitemap_templates():
            listings.render_text = lambda rel, template, text: self._render_text(
                writer, rel, template, text
            )
        return listings

    def _own_sitemap_templates(self) -> bool:
        """True when the library overrides a sitemap template (then Jinja renders the sitemaps)."""
        own = self.templates_override
        return own is not None and any((own / name).is_file() for name in sitemap_xml.TEMPLATES)

    def _render_text(self, writer: SiteWriter, rel: str, template: str, text: str) -> None:
        """Write a file made without a template (export/sitemap_xml.py), unless it is the
        previous export's: its text is its signature."""
        if self._made_again(writer, rel, template, text):
            writer.write(rel, text.encode("utf-8"))

    def _listings(self, writer: SiteWriter, store: RowStore) -> None:
        """The listing pages, archive, 404 page, feeds and sitemaps of a site of these stories."""
        listings = self._listing_renderer(writer)
        pool = pool_for(
            listings,
            writer.write,
            templates_override=self.templates_override,
            workers=self.workers,
            check=self._check_cancel,
        )
        listings.render_page = lambda rel, template, signature, task: self._render_page(
            writer, pool, rel, template, signature, task
        )
        try:
            listings.write_all(store)
            pool.finish()
        finally:
            pool.close()
        self._names_now = listings._names
        self._sitemap_summary = listings.sitemap_summary
        self._step(3)
        if not self.base_url:
            # Sitemaps, robots.txt and canonical links must be absolute: without a
            # base URL there is nothing true to write, so the site goes without.
            self.report.warnings.append(NO_BASE_URL_WARNING)

    def _render(self, writer: SiteWriter, env, rel: str, template: str, **context: Any) -> None:
        """Render a feed part or sitemap, unless its inputs are those of the previous export.

        The views are plain dataclasses, so their repr is a complete account of
        what the template is given; with the template digest it decides
        whether the file the previous export wrote can be carried over.
        """
        self._render_lazy(writer, env, rel, template, repr(context), lambda: context)

    def _made_again(self, writer, rel: str, template: str, signature: str) -> bool:
        """Whether rel must be made; when its signature is the previous export's, it is reused."""
        key = hashlib.sha256(f"{self._env_digest}|{template}|{signature}".encode()).hexdigest()
        self._inputs[rel] = key
        if writer.previous.get("inputs", {}).get(rel) == key and writer.can_reuse(rel):
            writer.reuse(rel)
            return False
        self.report.rendered_listings.append(rel)
        return True

    def _render_page(self, writer, pool, rel: str, template: str, signature: str, task) -> None:
        """A listing page, made by the pool unless its signature is the previous export's."""
        if self._made_again(writer, rel, template, signature):
            pool.put(task)

    def _render_lazy(self, writer, env, rel: str, template: str, signature: str, build) -> None:
        """Render rel from build(), unless its signature is the previous export's (then reuse it)."""
        if self._made_again(writer, rel, template, signature):
            writer.write(rel, env.get_template(template).render(**build()).encode("utf-8"))

    def _static(self, writer: SiteWriter) -> None:
        if self._publisher_logo() is not None:
            assert self.logo is not None
            media = self.library.media_dir / self.logo.filename
            # Named by its content like the renditions, so a new logo is a new address.
            writer.link_in(self._logo_site_path(), media, self.logo.sha256)
        for rel, name in ((STYLESHEET, "site.css"), (FAVICON, "favicon.svg")):
            own = self.library.templates_dir / name
            source = own if own.is_file() else resource(name)
            try:
                data = source.read_bytes()
            except OSError as exc:
                raise ExportError(f"Could not read {source}: {exc.strerror or exc}.") from exc
            writer.write(rel, data)
        self._step()
