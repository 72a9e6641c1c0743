"""allocations.how_chosen: how the case came to be in the month's allocations ("uploaded" from an
allocation list, "sampled, seed N" by the bot's sample, "re-audit"); existing rows read "uploaded"

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 07:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('how_chosen', sa.String(length=60), server_default='uploaded', nullable=False))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        # In place (SQLite 3.35+): batch mode would copy and drop `allocations`, which audits refer to.
        op.execute('ALTER TABLE allocations DROP COLUMN how_chosen')
    else:
        op.drop_column('allocations', 'how_chosen')
