"""the shared library: story owners, pictures in the database, and on PostgreSQL its search column and publishing rules

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import newsdesk.library.models

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Written out here rather than imported, so this step stays what it was when
# libraries were upgraded with it. The weights map the five fields onto
# PostgreSQL's four labels: A headline, B tags and dek, C byline, D body
# (newsdesk/library/search_pg.py ranks with them).
_DOC = (
    "setweight(to_tsvector('simple', coalesce(a.headline, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce((SELECT string_agg(t.name, ' ') "
    "FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id), '') "
    "|| ' ' || coalesce(a.dek, '')), 'B') || "
    "setweight(to_tsvector('simple', coalesce(a.byline, '')), 'C') || "
    "setweight(to_tsvector('simple', coalesce(a.body, '')), 'D')"
)

# Who may do what on a shared library is the server's to enforce, not only the
# app's: any client (psql included) meets the same rules. An editor is a
# member of newsdesk_editor, the owner of the tables, or a superuser.
_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION newsdesk_is_editor() RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
  owner name;
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    RETURN true;
  END IF;
  SELECT c.relowner::regrole::name INTO owner FROM pg_class c
    WHERE c.oid = to_regclass('articles');
  IF owner IS NOT NULL AND pg_has_role(current_user, owner, 'USAGE') THEN
    RETURN true;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'newsdesk_editor') THEN
    RETURN false;
  END IF;
  RETURN pg_has_role(current_user, 'newsdesk_editor', 'USAGE');
END
$$;

CREATE OR REPLACE FUNCTION newsdesk_articles_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.created_by = '' OR NOT newsdesk_is_editor() THEN
      NEW.created_by := current_user;
    END IF;
    IF NEW.status = 'published' AND NOT newsdesk_is_editor() THEN
      RAISE EXCEPTION 'Only an editor may publish on the shared library.'
        USING ERRCODE = '42501', HINT = 'newsdesk';
    END IF;
    RETURN NEW;
  ELSIF TG_OP = 'UPDATE' THEN
    IF NEW.created_by IS DISTINCT FROM OLD.created_by AND NOT newsdesk_is_editor() THEN
      NEW.created_by := OLD.created_by;
    END IF;
    IF NEW.status = 'published' AND OLD.status <> 'published' AND NOT newsdesk_is_editor() THEN
      RAISE EXCEPTION 'Only an editor may publish on the shared library.'
        USING ERRCODE = '42501', HINT = 'newsdesk';
    END IF;
    IF OLD.status = 'published' AND NEW.status <> 'published' AND NOT newsdesk_is_editor() THEN
      RAISE EXCEPTION 'Only an editor may take a published story down on the shared library.'
        USING ERRCODE = '42501', HINT = 'newsdesk';
    END IF;
    RETURN NEW;
  END IF;
  IF OLD.created_by IS DISTINCT FROM current_user::text AND NOT newsdesk_is_editor() THEN
    RAISE EXCEPTION 'Only an editor may delete another reporter''s story on the shared library.'
      USING ERRCODE = '42501', HINT = 'newsdesk';
  END IF;
  RETURN OLD;
END
$$;

CREATE TRIGGER newsdesk_articles_guard
  BEFORE INSERT OR UPDATE OR DELETE ON articles
  FOR EACH ROW EXECUTE FUNCTION newsdesk_articles_guard();
"""


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("created_by", sa.String(200), nullable=False, server_default=""))
    op.create_table(
        "media_blobs",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at", newsdesk.library.models.AwareDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("sha256", name="pk_media_blobs"),
    )
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE articles ADD COLUMN search_doc tsvector")
    op.execute(f"UPDATE articles a SET search_doc = {_DOC}")
    op.execute("CREATE INDEX ix_articles_search_doc ON articles USING gin (search_doc)")
    # Pictures are already compressed: storing them again would only cost time.
    op.execute("ALTER TABLE media_blobs ALTER COLUMN data SET STORAGE EXTERNAL")
    op.execute(_FUNCTIONS)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS newsdesk_articles_guard ON articles")
        op.execute("DROP FUNCTION IF EXISTS newsdesk_articles_guard()")
        op.execute("DROP FUNCTION IF EXISTS newsdesk_is_editor()")
        op.execute("DROP INDEX IF EXISTS ix_articles_search_doc")
        op.execute("ALTER TABLE articles DROP COLUMN IF EXISTS search_doc")
    op.drop_table("media_blobs")
    # A plain DROP COLUMN (SQLite 3.35+): rebuilding the table, as batch mode
    # does, would break the full-text index's view over it (migration 0007).
    op.execute("ALTER TABLE articles DROP COLUMN created_by")
