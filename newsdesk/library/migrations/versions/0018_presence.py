"""on PostgreSQL: who has which story open (presence), one row per open window, kept fresh by a heartbeat

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 09:00:00

Nothing changes on SQLite: a laptop alone has nobody else to show. Each row
names the login that wrote it (the server fills it in), and row-level security
lets a login write only its own rows while everyone reads all of them.
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for statement in (
        """
        CREATE TABLE presence (
            session varchar(36) PRIMARY KEY,
            login text NOT NULL DEFAULT current_user,
            name text NOT NULL DEFAULT '',
            article_uid varchar(36) NOT NULL,
            seen_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        "CREATE INDEX ix_presence_seen_at ON presence (seen_at)",
        "ALTER TABLE presence ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY presence_read ON presence FOR SELECT USING (true)",
        "CREATE POLICY presence_own ON presence FOR ALL "
        "USING (login = current_user) WITH CHECK (login = current_user)",
    ):
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.exec_driver_sql("DROP TABLE presence")
