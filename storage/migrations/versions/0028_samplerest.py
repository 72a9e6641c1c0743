"""allocations.how_chosen: how the case came to be in the month's allocations ("uploaded" from an
allocation list, "sampled, seed N" by the bot's sample, "re-audit"); existing rows read "uploaded"

Revision ID: 0028_samplerest
Revises: 0027
Create Date: 2026-12-07 07:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0028_samplerest'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('how_chosen', sa.String(length=60), server_default='uploaded', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.drop_column('how_chosen')
