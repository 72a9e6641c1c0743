"""The workforce duties (framework 9.2): people.registration_number, Social Work England's number from
the roster's optional column

Revision ID: 0021_workforce
Revises: 0020_case_holder_loop
Create Date: 2026-12-07 05:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0021_workforce'
down_revision = '0020_case_holder_loop'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration_number', sa.String(length=12), nullable=True))


def downgrade() -> None:
    # In place, not batch's copy-and-drop: SQLite's foreign keys refuse to drop `people` once other
    # rows refer to it (see 0018).
    op.drop_column('people', 'registration_number')
