"""people.start_date: the day a person joined the service (the roster's optional column)

Existing people get none: they are established (no new-starter duties), which is what a council
going live with its existing staff needs.

Revision ID: 0015_golive
Revises: 0014
Create Date: 2026-12-07 02:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_golive'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_date', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('start_date')
