"""safeguarding concerns: who owns each, when, and the action note

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('safeguarding_concerns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('case_ref', sa.String(length=50), nullable=False),
    sa.Column('raised_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('out_of_hours', sa.Boolean(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('owned_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('noted_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unclaimed_sends', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocations.id'],
                            name=op.f('fk_safeguarding_concerns_allocation_id_allocations')),
    sa.ForeignKeyConstraint(['owner_id'], ['people.id'], name=op.f('fk_safeguarding_concerns_owner_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_concerns')),
    sa.UniqueConstraint('allocation_id', name=op.f('uq_safeguarding_concerns_allocation_id'))
    )
    with op.batch_alter_table('safeguarding_concerns', schema=None) as batch_op:
        batch_op.create_index('ix_safeguarding_concerns_raised_at', ['raised_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('safeguarding_concerns', schema=None) as batch_op:
        batch_op.drop_index('ix_safeguarding_concerns_raised_at')
    op.drop_table('safeguarding_concerns')
