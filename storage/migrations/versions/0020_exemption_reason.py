"""case supervision exemptions: the service lead's reason

Revision ID: 0020_exemption_reason
Revises: 0020_away_cover
Create Date: 2026-12-09 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0020_exemption_reason'
down_revision = '0020_away_cover'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('supervision_exemptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('supervision_exemptions', schema=None) as batch_op:
        batch_op.drop_column('reason')
