"""who has been offered a session's Zoom recording (each organizer once, whatever Discord does)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("zoom_recording", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offered_to", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("zoom_recording", schema=None) as batch_op:
        batch_op.drop_column("offered_to")
