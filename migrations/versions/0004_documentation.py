"""documentation

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "documentation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fabrique_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("failure_key", sa.String(length=64), nullable=True),
        sa.Column("failure_params", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.BigInteger(), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("source_name", sa.String(length=255), nullable=True),
        sa.Column("source_size", sa.BigInteger(), nullable=True),
        sa.Column("transcript", sa.Text(), nullable=True),
        sa.Column("chat", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("resources", sa.Text(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("audio_name", sa.String(length=64), nullable=True),
        sa.Column("audio_seconds", sa.Integer(), nullable=True),
        sa.Column("audio_bytes", sa.BigInteger(), nullable=True),
        sa.Column("teaser_name", sa.String(length=64), nullable=True),
        sa.Column("article_html", sa.Text(), nullable=True),
        sa.Column("wp_media_id", sa.Integer(), nullable=True),
        sa.Column("wp_media_url", sa.Text(), nullable=True),
        sa.Column("wp_post_id", sa.Integer(), nullable=True),
        sa.Column("wp_post_link", sa.Text(), nullable=True),
        sa.Column("forum_thread_id", sa.BigInteger(), nullable=True),
        sa.Column("progress_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("progress_message_id", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fabrique_id"], ["fabrique.id"], name=op.f("fk_documentation_fabrique_id_fabrique"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documentation")),
        sa.UniqueConstraint("fabrique_id", name=op.f("uq_documentation_fabrique_id")),
    )
    with op.batch_alter_table("documentation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documentation_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("documentation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documentation_status"))

    op.drop_table("documentation")
