"""photo-desk templates (named sets of picture fields) and the newsroom's code replacements

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "image_templates",
        *_record_columns(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("credit", sa.String(500), nullable=False),
        sa.Column("creator", sa.String(500), nullable=False),
        sa.Column("copyright", sa.String(500), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("usage_terms", sa.Text(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("city", sa.String(200), nullable=False),
        sa.Column("country", sa.String(200), nullable=False),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_image_templates"),
        sa.UniqueConstraint("uid", name="uq_image_templates_uid"),
        sa.UniqueConstraint("name", name="uq_image_templates_name"),
    )
    op.create_index("ix_image_templates_updated_at", "image_templates", ["updated_at"])
    op.create_table(
        "code_replacements",
        *_record_columns(),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_code_replacements"),
        sa.UniqueConstraint("uid", name="uq_code_replacements_uid"),
        sa.UniqueConstraint("code", name="uq_code_replacements_code"),
    )
    op.create_index("ix_code_replacements_updated_at", "code_replacements", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_code_replacements_updated_at", table_name="code_replacements")
    op.drop_table("code_replacements")
    op.drop_index("ix_image_templates_updated_at", table_name="image_templates")
    op.drop_table("image_templates")
