"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 04:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import newsdesk.library.models

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("headline", sa.String(length=500), nullable=False),
        sa.Column("dek", sa.Text(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("byline", sa.String(length=300), nullable=False),
        sa.Column("section", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("seo_title", sa.String(length=300), nullable=False),
        sa.Column("seo_description", sa.Text(), nullable=False),
        sa.Column(
            "embargo_until", newsdesk.library.models.AwareDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "published_at", newsdesk.library.models.AwareDateTime(timezone=True), nullable=True
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at", newsdesk.library.models.AwareDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", newsdesk.library.models.AwareDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("slug", name=op.f("uq_articles_slug")),
        sa.UniqueConstraint("uid", name=op.f("uq_articles_uid")),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_articles_published_at"), ["published_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_articles_section"), ["section"], unique=False)
        batch_op.create_index(batch_op.f("ix_articles_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_articles_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "images",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("ext", sa.String(length=10), nullable=False),
        sa.Column("original_name", sa.String(length=500), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("mime", sa.String(length=50), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("credit", sa.String(length=500), nullable=False),
        sa.Column("creator", sa.String(length=500), nullable=False),
        sa.Column("copyright", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("usage_terms", sa.Text(), nullable=False),
        sa.Column("alt_text", sa.Text(), nullable=False),
        sa.Column("headline", sa.String(length=500), nullable=False),
        sa.Column("date_created", sa.String(length=40), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at", newsdesk.library.models.AwareDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", newsdesk.library.models.AwareDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_images")),
        sa.UniqueConstraint("sha256", name=op.f("uq_images_sha256")),
        sa.UniqueConstraint("uid", name=op.f("uq_images_uid")),
    )
    with op.batch_alter_table("images", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_images_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column(
            "updated_at", newsdesk.library.models.AwareDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "tags",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at", newsdesk.library.models.AwareDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", newsdesk.library.models.AwareDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
        sa.UniqueConstraint("uid", name=op.f("uq_tags_uid")),
    )
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tags_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "article_tags",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_tags_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_article_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("article_id", "tag_id", name=op.f("pk_article_tags")),
    )
    with op.batch_alter_table("article_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_tags_tag_id"), ["tag_id"], unique=False)

    op.create_table(
        "figures",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("image_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at", newsdesk.library.models.AwareDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", newsdesk.library.models.AwareDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_figures_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["images.id"],
            name=op.f("fk_figures_image_id_images"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figures")),
        sa.UniqueConstraint("uid", name=op.f("uq_figures_uid")),
    )
    with op.batch_alter_table("figures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_figures_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_figures_image_id"), ["image_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_figures_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "publications",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("logo_image_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at", newsdesk.library.models.AwareDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", newsdesk.library.models.AwareDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["logo_image_id"],
            ["images.id"],
            name=op.f("fk_publications_logo_image_id_images"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
        sa.UniqueConstraint("uid", name=op.f("uq_publications_uid")),
    )
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_publications_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "related_stories",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("target_uid", sa.String(length=36), nullable=False),
        sa.Column("target_headline", sa.String(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at", newsdesk.library.models.AwareDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", newsdesk.library.models.AwareDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_related_stories_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["articles.id"],
            name=op.f("fk_related_stories_target_id_articles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_related_stories")),
        sa.UniqueConstraint("article_id", "target_uid", name=op.f("uq_related_stories_article_id")),
        sa.UniqueConstraint("uid", name=op.f("uq_related_stories_uid")),
    )
    with op.batch_alter_table("related_stories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_related_stories_article_id"), ["article_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_related_stories_target_id"), ["target_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_related_stories_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "revisions",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("headline", sa.String(length=500), nullable=False),
        sa.Column("dek", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at", newsdesk.library.models.AwareDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", newsdesk.library.models.AwareDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_revisions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revisions")),
        sa.UniqueConstraint("uid", name=op.f("uq_revisions_uid")),
    )
    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revisions_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_revisions_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revisions_updated_at"))
        batch_op.drop_index(batch_op.f("ix_revisions_article_id"))

    op.drop_table("revisions")
    with op.batch_alter_table("related_stories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_related_stories_updated_at"))
        batch_op.drop_index(batch_op.f("ix_related_stories_target_id"))
        batch_op.drop_index(batch_op.f("ix_related_stories_article_id"))

    op.drop_table("related_stories")
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publications_updated_at"))

    op.drop_table("publications")
    with op.batch_alter_table("figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_figures_updated_at"))
        batch_op.drop_index(batch_op.f("ix_figures_image_id"))
        batch_op.drop_index(batch_op.f("ix_figures_article_id"))

    op.drop_table("figures")
    with op.batch_alter_table("article_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_tags_tag_id"))

    op.drop_table("article_tags")
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tags_updated_at"))

    op.drop_table("tags")
    op.drop_table("settings")
    with op.batch_alter_table("images", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_images_updated_at"))

    op.drop_table("images")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_articles_updated_at"))
        batch_op.drop_index(batch_op.f("ix_articles_status"))
        batch_op.drop_index(batch_op.f("ix_articles_section"))
        batch_op.drop_index(batch_op.f("ix_articles_published_at"))

    op.drop_table("articles")
