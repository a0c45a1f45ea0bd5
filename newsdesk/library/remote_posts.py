"""The Library's record of stories published to remote sites (WordPress): one row per site and story.

A mixin of the Library facade (library.py). These rows are not in the change
log: they describe a remote site, not the story, so sync leaves them alone; a
shared library keeps one row per story for the whole desk.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsdesk.library.models import RemotePost, utcnow

REMOTE_POST_FIELDS = frozenset(
    {"post_id", "link", "status", "sent_hash", "remote_modified", "media"}
)


class RemotePostRecords:
    """What newsdesk last sent for a story to a site (mixed into Library)."""

    def _session(self) -> Session:  # provided by Library
        raise NotImplementedError

    def remote_post(self, site: str, article_uid: str) -> RemotePost | None:
        """The record of this story on this site, or None when it was never sent there."""
        with self._session() as s:
            return s.scalars(
                select(RemotePost).where(
                    RemotePost.site == site, RemotePost.article_uid == article_uid
                )
            ).first()

    def save_remote_post(self, site: str, article_uid: str, **fields: Any) -> RemotePost:
        """Create or update the record of this story on this site."""
        unknown = fields.keys() - REMOTE_POST_FIELDS
        if unknown:
            raise TypeError(f"unknown remote post fields: {', '.join(sorted(unknown))}")
        with self._session() as s, s.begin():
            row = s.scalars(
                select(RemotePost).where(
                    RemotePost.site == site, RemotePost.article_uid == article_uid
                )
            ).first()
            if row is None:
                row = RemotePost(site=site, article_uid=article_uid)
                s.add(row)
            for key, value in fields.items():
                setattr(row, key, value)
            row.published_at = utcnow()
            s.flush()
            return row
