"""on PostgreSQL: the server writes who made each change in the change log (actor), from the login

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-08 09:00:00

The change log's `actor` (migration 0006) was whatever the client sent: a
laptop's NEWSDESK_USER or its operating system's user name, so one reporter
could write another person's name into the shared library's history (through
the app, a laptop's sync, or plain SQL). On a shared library the server now
decides, as it does for who trashed a story (0025) and who owns one (0009):
each row written into the log names the login writing it (`current_user`),
and a row already written keeps its name whatever a client sends later
(`server init` also takes UPDATE and DELETE on the log from the newsdesk
roles: the history is added to, never rewritten). Nothing changes on
SQLite: a laptop alone has no logins; its own log is its own history.
"""

from __future__ import annotations

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

_FUNCTION = r"""
CREATE OR REPLACE FUNCTION newsdesk_change_log_signer() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.actor := current_user;
  ELSE
    NEW.actor := OLD.actor;
  END IF;
  RETURN NEW;
END
$$
"""

_TRIGGER = """
CREATE TRIGGER newsdesk_change_log_signer
  BEFORE INSERT OR UPDATE ON change_log
  FOR EACH ROW EXECUTE FUNCTION newsdesk_change_log_signer();
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
    bind.exec_driver_sql("DROP TRIGGER IF EXISTS newsdesk_change_log_signer ON change_log")
    bind.exec_driver_sql("DROP FUNCTION IF EXISTS newsdesk_change_log_signer()")
