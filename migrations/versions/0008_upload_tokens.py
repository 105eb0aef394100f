"""upload tokens of the web door

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "upload_token",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fabrique_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_by", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fabrique_id"], ["fabrique.id"], name=op.f("fk_upload_token_fabrique_id_fabrique"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_upload_token_token_hash")),
    )
    with op.batch_alter_table("upload_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_upload_token_fabrique_id"), ["fabrique_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("upload_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_upload_token_fabrique_id"))
    op.drop_table("upload_token")
