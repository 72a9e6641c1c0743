"""outbox.first_attempt_at: the retry window counts from a row's first attempt, not from when it was due

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 01:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_attempt_at', storage.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('first_attempt_at')
