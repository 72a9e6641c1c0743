"""conversations.upn: the sign-in name Teams gives beside the email, so a person whose roster row
lists either (or a guest's home address) is linked

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 01:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('upn', sa.String(length=320), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('upn')
