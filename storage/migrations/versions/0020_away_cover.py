"""an absence names who covers the person's work (None: their manager on the roster)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 04:20:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('supervision_away', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cover_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_supervision_away_cover_id_people'), 'people', ['cover_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('supervision_away', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_supervision_away_cover_id_people'), type_='foreignkey')
        batch_op.drop_column('cover_id')
