"""due work

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "due_work",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fabrique_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["fabrique_id"], ["fabrique.id"], name=op.f("fk_due_work_fabrique_id_fabrique"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_due_work")),
        sa.UniqueConstraint("key", name=op.f("uq_due_work_key")),
    )
    with op.batch_alter_table("due_work", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_due_work_fabrique_id"), ["fabrique_id"], unique=False)
        batch_op.create_index("ix_due_work_status_due_at", ["status", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("due_work", schema=None) as batch_op:
        batch_op.drop_index("ix_due_work_status_due_at")
        batch_op.drop_index(batch_op.f("ix_due_work_fabrique_id"))

    op.drop_table("due_work")
