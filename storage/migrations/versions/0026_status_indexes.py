"""the status figures' indexes: outbox (state, undeliverable_reason), people (team, left_at, start_date, supervisor_email)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 09:00:00.000000
"""
from alembic import op


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # `delivery` and `outbox status` count every row by state and reason: with this index they read the index
    # alone, not the whole table with its payloads (197,468 rows at the sweep bench's ×10 data).
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_state_reason', ['state', 'undeliverable_reason'], unique=False)
    # Supervision compliance finds who is a supervisee, team by team, from this index alone: a service lead's
    # teams (team IN ...) and every team's area for the whole service's card.
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index('ix_people_team_supervisor', ['team', 'left_at', 'start_date', 'supervisor_email'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index('ix_people_team_supervisor')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_state_reason')
