"""audit forms as data: each audit records the form (name and version) it was started on; every audit
from before is the default form's version 1, so nothing is lost and each reads as before

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-10 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The server defaults fill the existing rows; they stay, so a row written without them is the default form.
    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form_name', sa.String(length=60), server_default='default', nullable=False))
        batch_op.add_column(sa.Column('form_version', sa.Integer(), server_default='1', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.drop_column('form_version')
        batch_op.drop_column('form_name')
