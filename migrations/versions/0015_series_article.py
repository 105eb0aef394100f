"""a series is documented as one cycle: its forum thread on the first session, each session's message in it

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

Every documentation made before belongs to a single session: its forum post stays the thread it created, and
no message inside a series thread is recorded for it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fabrique", schema=None) as batch_op:
        batch_op.add_column(sa.Column("series_thread_id", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("documentation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("forum_message_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documentation", schema=None) as batch_op:
        batch_op.drop_column("forum_message_id")
    with op.batch_alter_table("fabrique", schema=None) as batch_op:
        batch_op.drop_column("series_thread_id")
