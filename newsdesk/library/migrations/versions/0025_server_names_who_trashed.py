"""on PostgreSQL: the server writes who moved a story to the trash (deleted_by), from the login

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 09:00:00

`deleted_by` (migration 0013) was whatever the client sent: a laptop's
NEWSDESK_USER, or any name typed into plain SQL, so one reporter could trash
a story under another's name. On a shared library the server now decides:
moving a story to the trash records the login doing it (`current_user`, as
`created_by` and the trash rule of 0021 do), a story in the trash keeps the
name it was trashed under whatever a client sends, and a story out of the
trash names nobody. Nothing changes on SQLite: a laptop alone has no logins,
and sync takes the server's name back to the laptop (library/snapshots.py).
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

_FUNCTION = r"""
CREATE OR REPLACE FUNCTION newsdesk_articles_trash_signer() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.deleted_at IS NULL THEN
    NEW.deleted_by := '';
  ELSIF TG_OP = 'INSERT' OR OLD.deleted_at IS NULL THEN
    NEW.deleted_by := current_user;
  ELSE
    NEW.deleted_by := OLD.deleted_by;
  END IF;
  RETURN NEW;
END
$$
"""

# Not only UPDATE OF deleted_at: an UPDATE of deleted_by alone must not rename the deleter.
_TRIGGER = """
CREATE TRIGGER newsdesk_articles_trash_signer
  BEFORE INSERT OR UPDATE OF deleted_at, deleted_by ON articles
  FOR EACH ROW EXECUTE FUNCTION newsdesk_articles_trash_signer();
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.exec_driver_sql(_FUNCTION)
    bind.exec_driver_sql(_TRIGGER)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.exec_driver_sql("DROP TRIGGER IF EXISTS newsdesk_articles_trash_signer ON articles")
    bind.exec_driver_sql("DROP FUNCTION IF EXISTS newsdesk_articles_trash_signer()")
