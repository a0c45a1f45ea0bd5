"""the newsroom: update notes and corrections, editors' notes on passages, authors, slugs in revisions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import newsdesk.library.models

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _record_columns() -> list[sa.Column]:
    """The columns every record carries (models.Record)."""
    when = newsdesk.library.models.AwareDateTime(timezone=True)
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
    ]


def _article_child(table: str, *columns: sa.Column) -> None:
    op.create_table(
        table,
        sa.Column("article_id", sa.Integer(), nullable=False),
        *columns,
        *_record_columns(),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f(f"fk_{table}_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("uid", name=op.f(f"uq_{table}_uid")),
    )
    op.create_index(op.f(f"ix_{table}_article_id"), table, ["article_id"])
    op.create_index(op.f(f"ix_{table}_updated_at"), table, ["updated_at"])


def upgrade() -> None:
    when = newsdesk.library.models.AwareDateTime(timezone=True)
    _article_child(
        "article_updates",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", when, nullable=False),
    )
    _article_child(
        "article_notes",
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("prefix", sa.Text(), nullable=False),
        sa.Column("suffix", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
    )
    op.create_table(
        "authors",
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authors")),
        sa.UniqueConstraint("uid", name=op.f("uq_authors_uid")),
        sa.UniqueConstraint("slug", name=op.f("uq_authors_slug")),
    )
    op.create_index(op.f("ix_authors_updated_at"), "authors", ["updated_at"])
    op.create_table(
        "article_authors",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_authors_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["authors.id"],
            name=op.f("fk_article_authors_author_id_authors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "author_id", name=op.f("pk_article_authors")),
    )
    op.create_index(op.f("ix_article_authors_author_id"), "article_authors", ["author_id"])
    with op.batch_alter_table("revisions") as batch:
        batch.add_column(
            sa.Column("slug", sa.String(length=200), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("revisions") as batch:
        batch.drop_column("note")
        batch.drop_column("slug")
    op.drop_index(op.f("ix_article_authors_author_id"), table_name="article_authors")
    op.drop_table("article_authors")
    op.drop_index(op.f("ix_authors_updated_at"), table_name="authors")
    op.drop_table("authors")
    for table in ("article_notes", "article_updates"):
        op.drop_index(op.f(f"ix_{table}_updated_at"), table_name=table)
        op.drop_index(op.f(f"ix_{table}_article_id"), table_name=table)
        op.drop_table(table)
