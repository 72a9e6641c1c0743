"""sample_picks.state: the proposal keeps its eligible cases not drawn ("spare", what a swap takes) and
those the QA unit took out ("out"), beside those in the sample ("picked")

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 07:10:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sample_picks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=10), server_default='picked', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('sample_picks', schema=None) as batch_op:
        batch_op.drop_column('state')
