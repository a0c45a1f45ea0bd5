"""on PostgreSQL: only a story's owner or an editor may move it to the trash, restore it or empty it

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 12:00:00

Moving a story to the trash is an UPDATE (a tombstone: deleted_at, deleted_by,
purged_at — migration 0013), so the DELETE rule of migration 0009 never saw
it and a reporter could trash anyone's story: from a window, from
`newsdesk delete`, from a laptop's sync, or with plain SQL. This trigger is
the server's answer to all four. The owner is `created_by`, which the server
sets to the login that created the story and keeps (0009's guard, which runs
first: triggers fire in name order). Nothing changes on SQLite: a laptop
alone has no roles.
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

# Each refusal carries HINT 'newsdesk': its message is the sentence the app
# shows as it is (library/pg.py, refusal_sentence).
_FUNCTION = r"""
CREATE OR REPLACE FUNCTION newsdesk_articles_trash_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.deleted_at IS NOT DISTINCT FROM OLD.deleted_at
     AND NEW.purged_at IS NOT DISTINCT FROM OLD.purged_at THEN
    RETURN NEW;
  END IF;
  IF OLD.created_by IS NOT DISTINCT FROM current_user::text OR newsdesk_is_editor() THEN
    RETURN NEW;
  END IF;
  IF NEW.purged_at IS DISTINCT FROM OLD.purged_at THEN
    RAISE EXCEPTION 'Only an editor may empty another reporter''s story from the trash on the shared library.'
      USING ERRCODE = '42501', HINT = 'newsdesk';
  ELSIF NEW.deleted_at IS NULL THEN
    RAISE EXCEPTION 'Only an editor may take another reporter''s story out of the trash on the shared library.'
      USING ERRCODE = '42501', HINT = 'newsdesk';
  END IF;
  RAISE EXCEPTION 'Only an editor may move another reporter''s story to the trash on the shared library.'
    USING ERRCODE = '42501', HINT = 'newsdesk';
END
$$
"""

_TRIGGER = """
CREATE TRIGGER newsdesk_articles_trash_guard
  BEFORE UPDATE OF deleted_at, purged_at ON articles
  FOR EACH ROW EXECUTE FUNCTION newsdesk_articles_trash_guard();
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
    bind.exec_driver_sql("DROP TRIGGER IF EXISTS newsdesk_articles_trash_guard ON articles")
    bind.exec_driver_sql("DROP FUNCTION IF EXISTS newsdesk_articles_trash_guard()")
