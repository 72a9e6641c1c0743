"""Induction (framework 9.2): induction_elements, each new starter's plan, one row per element (dates and ticks)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 07:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('induction_elements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('element_id', sa.String(length=60), nullable=False),
    sa.Column('target_on', sa.Date(), nullable=False),
    sa.Column('signed_off_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['people.id'], name=op.f('fk_induction_elements_confirmed_by_id_people')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_induction_elements_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_induction_elements')),
    sa.UniqueConstraint('person_id', 'started_on', 'element_id', name=op.f('uq_induction_elements_person_id'))
    )
    with op.batch_alter_table('induction_elements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_induction_elements_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('induction_elements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_induction_elements_person_id'))
    op.drop_table('induction_elements')
