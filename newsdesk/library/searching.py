"""The Library's full-text search: ranked hits from SQLite's FTS5 index, or a plain scan where
the index is missing. The index itself (tables, triggers, query syntax, snippets) is search.py.

A mixin of the Library facade (library.py); it only reads. A shared library on
PostgreSQL has its own `search` (library/shared.py).
"""

from __future__ import annotations

import contextlib
from typing import Any

from sqlalchemy import or_, select, text

from newsdesk.library import search
from newsdesk.library.models import Article


class SearchMethods:
    """`search` and the queries behind it (part of Library)."""

    def _connect(self) -> contextlib.AbstractContextManager:  # provided by Library
        raise NotImplementedError

    def search(
        self,
        query: str,
        *,
        limit: int = 50,
        prefix: bool = True,
        status: str | None = None,
        section: str | None = None,
        snippets: bool = True,
    ) -> list[search.SearchHit]:
        """Ranked full-text search; the last word matches as a prefix (type-ahead).

        Without snippets (a list that shows none), each hit's snippet is "".
        """
        match = search.build_match(query, prefix=prefix)
        if match is None:
            return []
        with self._connect() as conn:
            if self.has_fts:
                ranked = self._fts_ids(
                    conn,
                    match,
                    query,
                    prefix=search.is_typing(query, prefix),
                    limit=limit,
                    status=status,
                    section=section,
                    snippets=snippets,
                )
            else:
                ranked = self._scan_ids(conn, query, limit=limit, status=status, section=section)
            if not ranked:
                return []
            ids = [r[0] for r in ranked]
            rows = {
                r.id: r
                for r in conn.execute(
                    select(
                        Article.id,
                        Article.uid,
                        Article.slug,
                        Article.headline,
                        Article.dek,
                        Article.section,
                        Article.status,
                        Article.updated_at,
                        Article.published_at,
                    ).where(Article.id.in_(ids), Article.deleted_at.is_(None))
                )
            }
        return [search.SearchHit(*rows[i], snippet=snip) for i, snip in ranked if i in rows]

    @staticmethod
    def _filter_sql(status: str | None, section: str | None) -> tuple[str, str, dict[str, Any]]:
        """(FROM clause, extra WHERE, params) for a ranked query, joined to articles when filtered.

        The CROSS JOIN makes SQLite walk the full-text matches first and look each
        article up by id; any other plan runs one full-text match per article.
        """
        table = search.FTS_TABLE
        clauses, params = [], {}
        if status:
            clauses.append("a.status = :status")
            params["status"] = status
        if section:
            clauses.append("a.section = :section")
            params["section"] = section
        if not clauses:
            return f"{table} f", "", params
        return (
            f"{table} f CROSS JOIN articles a ON a.id = f.rowid",
            " AND " + " AND ".join(clauses),
            params,
        )

    def _fts_ids(
        self,
        conn,
        match: str,
        query: str,
        *,
        prefix: bool,
        limit: int,
        status,
        section,
        snippets: bool = True,
    ) -> list[tuple[int, str]]:
        source, where, params = self._filter_sql(status, section)
        params |= {"m": match, "n": limit, "w": search.RANK_WINDOW}
        table = search.FTS_TABLE
        # bm25 costs a lookup per matching row, so a word found in most of a
        # 100,000-article library would take half a second to rank. Ranking is
        # limited to the newest RANK_WINDOW matches (FTS5 walks its matches newest
        # first and stops there); rare words, the ones ranking matters most for,
        # rank over all. One pass: finding where the window ends in a query of its
        # own read every match list twice (a prefix's merged list costs ~17 ms).
        ids = [
            r[0]
            for r in conn.execute(
                text(
                    f"SELECT id FROM (SELECT f.rowid AS id, f.rank AS score FROM {source} "
                    f"WHERE {table} MATCH :m{where} ORDER BY f.rowid DESC LIMIT :w) "
                    "ORDER BY score, id DESC LIMIT :n"
                ),
                params,
            )
        ]
        if not ids:
            return []
        if not snippets:
            return [(i, "") for i in ids]
        # Snippets are cut in Python from the rows shown: FTS5's snippet() on a
        # prefix query re-reads every matching term's list for each row.
        bodies = dict(
            conn.execute(select(Article.id, Article.body).where(Article.id.in_(ids))).all()
        )
        terms = search.searched_terms(query, prefix)
        return [(i, search.make_snippet(bodies.get(i, ""), terms, prefix=prefix)) for i in ids]

    def _scan_ids(self, conn, query: str, *, limit: int, status, section) -> list[tuple[int, str]]:
        terms = search.query_terms(query)
        stmt = select(Article.id, Article.dek).where(Article.deleted_at.is_(None))
        for term in terms:
            like = f"%{term}%"
            stmt = stmt.where(
                or_(
                    Article.headline.ilike(like),
                    Article.dek.ilike(like),
                    Article.body.ilike(like),
                    Article.byline.ilike(like),
                )
            )
        if status:
            stmt = stmt.where(Article.status == status)
        if section:
            stmt = stmt.where(Article.section == section)
        stmt = stmt.order_by(Article.updated_at.desc()).limit(limit)
        return [(r[0], r[1][:160]) for r in conn.execute(stmt)]

    @property
    def search_note(self) -> str:
        """Why search is slower here, or "" when the full-text index is in use."""
        return "" if self.has_fts else search.FTS5_MISSING_MESSAGE
