"""Personal development plans (framework 9.2): pdp_plans, the learning topics a manager picked at a person's
appraisal (tags and dates only) for the training needs analysis

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 07:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pdp_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('appraisal_on', sa.Date(), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_pdp_plans_person_id_people')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['people.id'], name=op.f('fk_pdp_plans_recorded_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pdp_plans')),
    sa.UniqueConstraint('person_id', 'appraisal_on', name=op.f('uq_pdp_plans_person_id'))
    )
    with op.batch_alter_table('pdp_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pdp_plans_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pdp_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pdp_plans_person_id'))
    op.drop_table('pdp_plans')
