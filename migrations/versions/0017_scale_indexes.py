"""indexes for years of history: the state queries and the slots to come read only what they show

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03

- ``ix_fabrique_guild_state_start`` (guild_id, state, starts_at, kind): ``in_states`` (the agenda, ``/equipe
  suivi``, the team's autocomplete, start-up) reads one guild's sessions in a few states already in date order,
  without a temporary sort, and ``count_by_state`` counts from the index alone. SQLite's plan: ``SEARCH fabrique
  USING INDEX ix_fabrique_guild_state_start (guild_id=? AND state=? AND starts_at>?)`` and ``SEARCH fabrique USING
  COVERING INDEX ix_fabrique_guild_state_start (guild_id=?)``. PostgreSQL (10,000 sessions of one guild, analysed):
  ``Index Only Scan using ix_fabrique_guild_state_start`` for the counts; for the other reads its planner finds the
  single-column ``ix_fabrique_starts_at`` / ``ix_fabrique_state`` as selective when there is one guild, and uses
  them (the same few rows read, still no scan of history).
- ``ix_slot_guild_start`` (guild_id, starts_at): the slots still to come (autocomplete of ``creneau``, the team's
  planning) without reading the past ones. SQLite: ``SEARCH slot USING INDEX ix_slot_guild_start (guild_id=? AND
  starts_at>?)``.
- ``ix_session_copy_status`` (status): ``/equipe suivi`` finds the sessions to come with a failed copy (and the
  retry sweep its failed copies) from the few failed rows, not by reading every copy ever made. SQLite: ``SEARCH
  session_copy USING INDEX ix_session_copy_status (status=?)``.

What the other hot reads use already existed and is left as is: due rows by (status, due_at) (``claim_due`` and
``next_due`` read the pending range only, so finished rows cost nothing), registrations, absences, copies, audit and
edits by their fabrique_id index or (fabrique_id, …) unique constraint (every read names the session; none reads
registrations by user alone).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_fabrique_guild_state_start", "fabrique", ["guild_id", "state", "starts_at", "kind"])
    op.create_index("ix_slot_guild_start", "slot", ["guild_id", "starts_at"])
    op.create_index("ix_session_copy_status", "session_copy", ["status"])


def downgrade() -> None:
    op.drop_index("ix_session_copy_status", table_name="session_copy")
    op.drop_index("ix_slot_guild_start", table_name="slot")
    op.drop_index("ix_fabrique_guild_state_start", table_name="fabrique")
