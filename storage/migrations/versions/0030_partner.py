"""Partnership audits: audits.partner_auditor, the partner who answered (name and organisation)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 07:45:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner_auditor', sa.String(length=250), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.drop_column('partner_auditor')
