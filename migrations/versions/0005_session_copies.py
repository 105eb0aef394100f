"""session copies

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_copy",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fabrique_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("host_url", sa.Text(), nullable=True),
        sa.Column("error_key", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fabrique_id"], ["fabrique.id"], name=op.f("fk_session_copy_fabrique_id_fabrique"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_copy")),
        sa.UniqueConstraint("fabrique_id", "target", name=op.f("uq_session_copy_fabrique_id")),
    )
    with op.batch_alter_table("session_copy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_copy_fabrique_id"), ["fabrique_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_session_copy_retry_at"), ["retry_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("session_copy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_copy_retry_at"))
        batch_op.drop_index(batch_op.f("ix_session_copy_fabrique_id"))

    op.drop_table("session_copy")
