"""observations, feedback entries and floor walks

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 17:19:07.167559
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('floor_walks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('walker_id', sa.Integer(), nullable=False),
    sa.Column('team', sa.String(length=200), nullable=False),
    sa.Column('walked_on', sa.Date(), nullable=False),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['walker_id'], ['people.id'], name=op.f('fk_floor_walks_walker_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_floor_walks'))
    )
    with op.batch_alter_table('floor_walks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_floor_walks_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_floor_walks_walker_id'), ['walker_id'], unique=False)

    op.create_table('observations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('observer_id', sa.Integer(), nullable=False),
    sa.Column('supervisee_id', sa.Integer(), nullable=False),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('area', sa.String(length=100), nullable=False),
    sa.Column('went_well', sa.Text(), nullable=False),
    sa.Column('to_develop', sa.Text(), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.Column('reflection', sa.Text(), nullable=True),
    sa.Column('reflected_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('plan_reviewed_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('plan_reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['observer_id'], ['people.id'], name=op.f('fk_observations_observer_id_people')),
    sa.ForeignKeyConstraint(['plan_reviewed_by_id'], ['people.id'], name=op.f('fk_observations_plan_reviewed_by_id_people')),
    sa.ForeignKeyConstraint(['supervisee_id'], ['people.id'], name=op.f('fk_observations_supervisee_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observations'))
    )
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observations_observer_id'), ['observer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observations_supervisee_id'), ['supervisee_id'], unique=False)

    op.create_table('feedback_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=60), nullable=False),
    sa.Column('service_area', sa.String(length=200), nullable=False),
    sa.Column('team', sa.String(length=200), nullable=False),
    sa.Column('case_ref', sa.String(length=50), nullable=True),
    sa.Column('how_given', sa.String(length=40), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('said', sa.Text(), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=True),
    sa.Column('not_possible', sa.Boolean(), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocations.id'], name=op.f('fk_feedback_entries_allocation_id_allocations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_feedback_entries_author_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_entries'))
    )
    with op.batch_alter_table('feedback_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_entries_allocation_id'), ['allocation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_entries_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_entries_created_at'), ['created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('feedback_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_entries_created_at'))
        batch_op.drop_index(batch_op.f('ix_feedback_entries_author_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_entries_allocation_id'))

    op.drop_table('feedback_entries')
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_observations_supervisee_id'))
        batch_op.drop_index(batch_op.f('ix_observations_observer_id'))

    op.drop_table('observations')
    with op.batch_alter_table('floor_walks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_floor_walks_walker_id'))
        batch_op.drop_index(batch_op.f('ix_floor_walks_created_at'))

    op.drop_table('floor_walks')
