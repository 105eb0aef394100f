"""links that stay right and held bookings

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fabrique", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_changes", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("confirm_by", sa.DateTime(timezone=True), nullable=True))
    # Zoom's host link expires within hours: it is fetched when a host asks, never kept.
    with op.batch_alter_table("session_copy", schema=None) as batch_op:
        batch_op.drop_column("host_url")


def downgrade() -> None:
    with op.batch_alter_table("session_copy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("host_url", sa.Text(), nullable=True))
    with op.batch_alter_table("fabrique", schema=None) as batch_op:
        batch_op.drop_column("confirm_by")
        batch_op.drop_column("link_changes")
